"""The HTML report: one self-contained file a person can open, print on A4 or attach to a Freedom
of Information answer. Nothing in it is fetched from anywhere: the CSS and the JavaScript
(html_assets.py) and the charts (SVG drawn by html_charts.py) are inline, and a
Content-Security-Policy naming only the hashes of the page's own style and script makes the
browser refuse anything else, even if device text ever got past the escaping.

Every string that came from a device, a sites file or an asset register is HTML-escaped, and the
table's rows are rendered here (no data is handed to the script as JSON). The script only sorts
and filters rows that are already in the page; `#filter=TEXT` and `#sort=COLUMN` (or
`#sort=-COLUMN` for descending, both joined with `&`) in the address do the same on load.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from camscan import __version__
from camscan.firmware import Firmware
from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.assets import LINE_KEY
from camscan.report.counts import FIRST_MAKERS, Headcount, by_maker, is_camera, is_recorder
from camscan.report.csvfile import register_columns
from camscan.report.foi_facts import unasked_recorders, unasked_sentence
from camscan.report.html_assets import CSS, JS
from camscan.report.html_charts import UNKNOWN_MAKER, charts, maker_of
from camscan.report.html_notes import plain_notes
from camscan.report.html_text import clean, esc, plural, when_scanned
from camscan.serialise import COLUMNS, csv_cells
from camscan.values import ip_number

# the column types the table's script sorts by: ip and num numerically, text as text
_COLUMN_TYPES = {"ip": "ip", "via": "ip", "channel": "num"}
# the device table's columns a reader needs to see (the others, and the register's, are shown on
# demand: "show all columns"); the ones a phone leaves out too; and their headings
ESSENTIAL = ("ip", "via", "site", "manufacturer", "brand", "device_type", "form", "model", "name", "advisories")
WIDE_ONLY = ("via", "brand", "device_type", "model", "site", "advisories")
HEADINGS = {"ip": "address", "via": "behind recorder", "manufacturer": "maker", "device_type": "type"}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def build_year(firmware: str) -> int | None:
    """The year a firmware was built (camscan.firmware.Firmware's `build_year`): Hikvision
    `V5.7.3 build 220112` is 2022; Dahua `2.800.0000016.0.R build 2020-06-05` is 2020, as is the
    web UI's `Build Date 05-06-2020`. None when the string holds no build date."""
    return Firmware.parse(firmware).build_year


def maker_order(devices: Iterable[Device]) -> list[str]:
    """Manufacturer groups to show: Hikvision and Dahua first (always, even at zero, since they are
    what the question is usually about), then the others by count, unknown makers last."""
    counts = by_maker(devices, UNKNOWN_MAKER)
    rest = sorted((m for m in counts if m not in FIRST_MAKERS and m != UNKNOWN_MAKER), key=lambda m: (-counts[m], m))
    return [*FIRST_MAKERS, *rest, *([UNKNOWN_MAKER] if UNKNOWN_MAKER in counts else [])]



def headline(inventory: Inventory) -> str:
    """'N cameras: S static, P PTZ, U of unknown form; R recorders; X cameras behind recorders'."""
    count = Headcount.of(inventory.devices)
    forms = count.forms
    return (f"{plural(count.cameras, 'camera')}: {forms.static} static, {forms.ptz} PTZ, "
            f"{forms.unsettled} of unknown form; {plural(count.recorders, 'recorder')}; "
            f"{plural(count.cameras_behind_recorders, 'camera')} behind recorders")



# ---------------------------------------------------------------- page parts


def _header(inventory: Inventory, title: str, makers: list[str]) -> str:
    devs = inventory.devices
    unasked = unasked_sentence(unasked_recorders(devs))
    targets = [clean(t) for t in inventory.targets]
    if len(targets) > 12:
        tgt = (esc(", ".join(targets[:12])) + f' <details class="more"><summary>and {len(targets) - 12} more'
               f"</summary>{esc(', '.join(targets[12:]))}</details>")
    else:
        tgt = esc(", ".join(targets)) if targets else "(none recorded)"
    rows = []
    for m in makers:
        group = [d for d in devs if maker_of(d) == m]
        brands = Counter(d.brand for d in group if d.brand)
        brand_txt = ", ".join(f"{b} {n}" for b, n in sorted(brands.items(), key=lambda kv: (-kv[1], kv[0])))
        cams = sum(is_camera(d) for d in group)
        recs = sum(is_recorder(d) for d in group)
        rows.append(f'<tr><th scope="row">{esc(m)}</th><td class="n">{cams}</td><td class="n">{recs}</td>'
                    f'<td class="n">{len(group) - cams - recs}</td><td class="n">{len(group)}</td>'
                    f"<td>{esc(brand_txt)}</td></tr>")
    return (f'<header><h1>{esc(title)}</h1>'
            f'<p class="meta">Scanned {when_scanned(inventory.scanned_at)}'
            f" · targets: {tgt} · report by camscan {esc(__version__)}</p>"
            f'<p class="headline" id="headline">{esc(headline(inventory))}.</p>'
            f'<p class="meta">{plural(len(devs), "device")} in all.</p>'
            + (f'<p class="gap" id="unasked">{esc(unasked)}</p>' if unasked else "") +
            '<div class="scroll"><table class="makers" id="makers"><caption>Devices by manufacturer group '
            "(brands as they present themselves)</caption>"
            f"<thead><tr><th scope=\"col\">manufacturer</th><th scope=\"col\">cameras"
            f'</th><th scope="col">recorders</th><th scope="col">other</th><th scope="col">total</th>'
            f'<th scope="col">brands</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></header>')



def _device_line(d: Device) -> str:
    where = f"{d.via} channel {d.channel}" if d.via else ""
    cells = (d.ip, where, d.site, d.manufacturer, d.brand, d.device_type, d.model, d.firmware, d.name)
    return "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"


_LINE_HEAD = ("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in (
    "ip", "behind recorder", "site", "manufacturer", "brand", "type", "model", "firmware", "name")) + "</tr></thead>")


def _ip_data_key(ip: str) -> str:
    """An address as the table's sort key: its number, "" when it is not an IPv4 address."""
    number = ip_number(ip.strip())
    return "" if number is None else str(number)


def _sort_key(d: Device) -> tuple[int, str, int, int]:
    k, v = ip_number(d.ip.strip()), ip_number(d.via.strip())
    return (1 << 33 if k is None else k, d.ip, 1 << 33 if v is None else v, d.channel or 0)


def _advisories(inventory: Inventory) -> str:
    by_id: dict[str, list[Device]] = defaultdict(list)
    for d in inventory.devices:
        for a in dict.fromkeys(d.advisories):
            by_id[a].append(d)
    out = ['<section id="advisories"><h2>Advisories</h2>']
    if not by_id:
        out.append("<p>No device's firmware falls in the affected range of a known advisory.</p></section>")
        return "".join(out)
    hit = sum(bool(d.advisories) for d in inventory.devices)
    out.append(f"<p>{plural(hit, 'device')} whose firmware falls in the affected range of "
               f"{plural(len(by_id), 'known advisory', 'known advisories')}:</p>")
    for a in sorted(by_id):
        devs = sorted(by_id[a], key=_sort_key)
        out.append(f'<div class="adv"><h3>{esc(a)} <span class="count">({plural(len(devs), "device")})</span></h3>'
                   f'<div class="scroll"><table class="list">{_LINE_HEAD}<tbody>'
                   f'{"".join(_device_line(d) for d in devs)}</tbody></table></div></div>')
    out.append("</section>")
    return "".join(out)


def _column_class(name: str, register: bool) -> str:
    """The cell class that shows or hides a column: `opt` on demand, `wide` not on a phone."""
    if register or (name not in ESSENTIAL and name != "notes"):
        return "opt"
    return "wide" if name in WIDE_ONLY else ""


def _cell_classes(column: str) -> str:
    """A device-table column's cell classes (the same on every row)."""
    return " ".join(c for c in (_column_class(column, False), "nw" if column in ("ip", "mac") else "",
                                "brk" if column == "name" else "") if c)


_CELL_CLASSES = {c: _cell_classes(c) for c in COLUMNS}


def _cell(column: str, value: str, d: Device) -> str:
    classes = _CELL_CLASSES[column]
    if column == "advisories" and d.advisories:
        classes = f"{classes} adv-cell".strip()
    attrs = f' class="{classes}"' if classes else ""
    if column in ("ip", "via"):
        shown = f"{value} ch {d.channel}" if column == "via" and value and d.channel is not None else value
        return f'<td data-key="{_ip_data_key(value)}"{attrs}>{esc(shown)}</td>'
    if column == "channel":
        return f'<td data-key="{esc(value)}" class="n {classes}">{esc(value)}</td>'
    return f"<td{attrs}>{esc(value)}</td>" if value else f"<td{attrs}></td>"


def _device_row(i: int, d: Device, extras: list[str], ext_types: dict[str, str]) -> str:
    r = csv_cells(d)
    cells = []
    for c in COLUMNS:
        v = "; ".join(d.advisories if c == "advisories" else d.evidence) if c in ("advisories", "evidence") else r[c]
        cells.append(_cell(c, v, d))
    for k in extras:
        v = d.extra.get(k, "")
        if ext_types[k] == "num":
            cells.append(f'<td data-key="{esc(v.strip())}" class="n opt">{esc(v)}</td>')
        else:
            cells.append(f'<td class="opt">{esc(v)}</td>')
    notes = plain_notes(d.notes, d.findings) if d.notes or d.findings else []
    cells.append(f'<td class="notes">{"<br>".join(esc(n) for n in notes)}</td>')
    cls = ' class="adv"' if d.advisories else ""
    return f'<tr data-i="{i}"{cls}>{"".join(cells)}</tr>'


def _device_table(inventory: Inventory) -> str:
    devs = inventory.devices
    extras = register_columns(devs)
    ext_types = {}
    for k in extras:
        vals = [d.extra.get(k, "").strip() for d in devs]
        vals = [v for v in vals if v]
        ext_types[k] = "num" if vals and all(_NUMBER.match(v) for v in vals) else "text"
    heads = [(c, _COLUMN_TYPES.get(c, "text"), False) for c in COLUMNS]
    heads += [(k, ext_types[k], True) for k in extras]
    heads.append(("notes", "text", False))
    th = []
    for name, typ, register in heads:
        cls = " ".join(c for c in (_column_class(name, register), "asset" if register else "") if c)
        attrs = (f' class="{cls}"' if cls else "") + (' title="from the asset register"' if register else "")
        th.append(f'<th scope="col" data-col="{esc(name)}" data-type="{typ}"{attrs}>'
                  f'<button type="button">{esc(HEADINGS.get(name, name.replace("_", " ")))}</button></th>')
    body = [_device_row(i, d, extras, ext_types) for i, d in enumerate(devs)]
    n = len(devs)
    return ('<section id="devices-section"><h2>Devices</h2>'
            '<p class="controls"><label for="filter">Filter rows: </label>'
            '<input id="filter" type="search" placeholder="text in any column, e.g. hikvision ptz" '
            'autocomplete="off"> <label class="cols"><input type="checkbox" id="all-columns"> show all columns '
            "(MAC, firmware, serial, channel, evidence, confidence"
            + (", asset register" if extras else "") + ')</label> <span class="hint">click a column heading to '
            "sort</span></p>"
            f'<p id="row-count" class="count" aria-live="polite">{plural(n, "device")}</p>'
            f'<div class="scroll"><table id="devices" class="devices" data-visible="{n}" data-total="{n}">'
            f"<thead><tr>{''.join(th)}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>")


def _unmatched(unmatched_devices: list[Device] | None, unmatched_assets: list[dict[str, str]] | None) -> str:
    if unmatched_devices is None and unmatched_assets is None:
        return ""
    out = ['<section id="unmatched"><h2>Asset register</h2>']
    if unmatched_assets is not None:
        out.append(f'<h3 id="unmatched-assets">In the register but not found on the network '
                   f'<span class="count">({plural(len(unmatched_assets), "row")})</span></h3>')
        if unmatched_assets:
            cols: dict[str, None] = {}
            for a in unmatched_assets:
                for k in a:
                    if k != LINE_KEY:
                        cols.setdefault(k, None)
            head = '<th scope="col">register line</th>' + "".join(f'<th scope="col">{esc(k)}</th>' for k in cols)
            rows = "".join(f'<tr><td class="n">{esc(a.get(LINE_KEY, ""))}</td>'
                           + "".join(f"<td>{esc(a.get(k, ''))}</td>" for k in cols) + "</tr>"
                           for a in unmatched_assets)
            out.append(f'<div class="scroll"><table class="list" id="unmatched-assets-table"><thead><tr>{head}'
                       f"</tr></thead><tbody>{rows}</tbody></table></div>")
        else:
            out.append("<p>None: every register row was found.</p>")
    if unmatched_devices is not None:
        out.append(f'<h3 id="unmatched-devices">Found on the network but not in the register '
                   f'<span class="count">({plural(len(unmatched_devices), "device")})</span></h3>')
        if unmatched_devices:
            devs = sorted(unmatched_devices, key=_sort_key)
            out.append(f'<div class="scroll"><table class="list" id="unmatched-devices-table">{_LINE_HEAD}'
                       f'<tbody>{"".join(_device_line(d) for d in devs)}</tbody></table></div>')
        else:
            out.append("<p>None: every device found is in the register.</p>")
    out.append("</section>")
    return "".join(out)


def _footer(inventory: Inventory) -> str:
    parts = []
    if inventory.skipped:
        total = sum(inventory.skipped.values())
        parts.append(f"<p>Skipped {total}: " + esc(", ".join(f"{n} {k}" for k, n in
                                                             sorted(inventory.skipped.items()))) + "</p>")
    if inventory.notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in inventory.notes) + "</ul>")
    parts.append("<p>Manufacturer is the company group that made the hardware after rebadge resolution "
                 "(HiLook, HiWatch, EZVIZ, LTS, Annke count as Hikvision; Amcrest, Lorex, Imou as Dahua); "
                 "brand is the name the device presents itself under.</p>")
    return '<footer id="notes"><h2>Notes</h2>' + "".join(parts) + "</footer>"


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


class HtmlExporter:
    """One self-contained, printable HTML page: headline figures, three charts, advisories, the
    sortable and filterable device table, and the asset register's unmatched rows when given."""

    name = "html"
    suffix = ".html"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        context = context or RenderContext()
        join, title = context.join, context.title
        makers = maker_order(inventory.devices)
        csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
               "img-src 'none'; base-uri 'none'; form-action 'none'")
        page = (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="camscan {esc(__version__)}">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n"
            + _header(inventory, title, makers) + "\n"
            + charts(inventory, makers) + "\n"
            + _advisories(inventory) + "\n"
            + _device_table(inventory) + "\n"
            + _unmatched(join.unmatched_devices if join else None, join.unmatched_rows if join else None) + "\n"
            + _footer(inventory) + "\n"
            + f"<script>{JS}</script>\n</body></html>\n"
        )
        if context.estate is None:
            return page
        from camscan.estate_report import add_to_html  # per-site sections of an estate-wide report

        return add_to_html(page, context.estate)
