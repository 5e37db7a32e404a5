"""The HTML report: one self-contained file a person can open, print on A4 or attach to a Freedom
of Information answer. Nothing in it is fetched from anywhere: the CSS, the JavaScript and the
charts (SVG drawn here) are inline, and a Content-Security-Policy naming only the hashes of the
page's own style and script makes the browser refuse anything else, even if device text ever
got past the escaping.

Every string that came from a device, a sites file or an asset register is HTML-escaped, and the
table's rows are rendered here (no data is handed to the script as JSON). The script only sorts
and filters rows that are already in the page; `#filter=TEXT` and `#sort=COLUMN` (or
`#sort=-COLUMN` for descending, both joined with `&`) in the address do the same on load.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from camscan import __version__
from camscan.model import Device, Inventory
from camscan.report.columns import COLUMNS, row

FIRST_MAKERS = ("Hikvision", "Dahua")
UNKNOWN_MAKER = "unknown"
RECORDERS = ("nvr", "dvr")

# Okabe-Ito colours (readable by people with the common colour-vision deficiencies); every chart
# also writes its numbers and names as text, so nothing depends on telling colours apart.
_MAKER_COLOURS = {
    "Hikvision": "#D55E00", "Dahua": "#0072B2", "Axis": "#009E73", "Hanwha": "#CC79A7",
    "Uniview": "#E69F00",
}
_SPARE_COLOURS = ("#56B4E9", "#F0E442", "#8C564B", "#7F3C8D", "#4D9221", "#B2182B")
_UNKNOWN_COLOUR = "#9A9A9A"
_FORM_COLOURS = {"static": "#3B6FB6", "ptz": "#E08A1E", "unknown": "#B5B5B5"}
_FORM_LABELS = {"static": "static", "ptz": "PTZ", "unknown": "unknown form"}

# the column types the table's script sorts by: ip and num numerically, text as text
_COLUMN_TYPES = {"ip": "ip", "via": "ip", "channel": "num"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

# build dates inside firmware strings, as camscan.firmware normalises them and as devices send them
_BUILD_YYMMDD = re.compile(r"build\s*:?\s*(\d{2})(\d{2})(\d{2})(?!\d)", re.I)
_BUILD_ISO = re.compile(r"build(?:\s*date)?\s*:?\s*((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)", re.I)
_BUILD_DMY = re.compile(r"build(?:\s*date)?\s*:?\s*(\d{2})-(\d{2})-((?:19|20)\d{2})(?!\d)", re.I)


def build_year(firmware: str) -> int | None:
    """The year a firmware was built, from the build date in its string, or None if it has none.

    Hikvision `V5.7.3 build 220112` (YYMMDD) is 2022; Dahua `2.800.0000016.0.R build 2020-06-05`
    is 2020, as is the web UI's `Build Date 05-06-2020`. A date whose month or day cannot be one
    is not a build date.
    """
    m = _BUILD_ISO.search(firmware)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return y if 1 <= mo <= 12 and 1 <= d <= 31 else None
    m = _BUILD_DMY.search(firmware)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return y if 1 <= mo <= 12 and 1 <= d <= 31 else None
    m = _BUILD_YYMMDD.search(firmware)
    if m:
        yy, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return 2000 + yy if 1 <= mo <= 12 and 1 <= d <= 31 else None
    return None


def _clean(s: object) -> str:
    """Text as one printable line: control characters and lone surrogates become U+FFFD."""
    return _CONTROL.sub("\ufffd", str(s).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def esc(s: object) -> str:
    """Text made safe for HTML element content and quoted attribute values."""
    return html.escape(_clean(s), quote=True)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _ip_key(ip: str) -> str:
    try:
        return str(int(ipaddress.IPv4Address(ip.strip())))
    except ValueError:
        return ""


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _maker(d: Device) -> str:
    return d.manufacturer or UNKNOWN_MAKER


def _is_camera(d: Device) -> bool:
    return d.device_type == "camera"


def _form(d: Device) -> str:
    return d.form if d.form in ("static", "ptz") else "unknown"


def maker_order(devices: Iterable[Device]) -> list[str]:
    """Manufacturer groups to show: Hikvision and Dahua first (always, even at zero, since they are
    what the question is usually about), then the others by count, unknown makers last."""
    counts = Counter(_maker(d) for d in devices)
    rest = sorted((m for m in counts if m not in FIRST_MAKERS and m != UNKNOWN_MAKER), key=lambda m: (-counts[m], m))
    return [*FIRST_MAKERS, *rest, *([UNKNOWN_MAKER] if UNKNOWN_MAKER in counts else [])]


def _colours(makers: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    spare = 0
    for m in makers:
        if m == UNKNOWN_MAKER:
            out[m] = _UNKNOWN_COLOUR
        elif m in _MAKER_COLOURS:
            out[m] = _MAKER_COLOURS[m]
        else:
            out[m] = _SPARE_COLOURS[spare % len(_SPARE_COLOURS)]
            spare += 1
    return out


def _ink(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    rgb = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#111111" if lum > 0.2 else "#FFFFFF"


def headline(inventory: Inventory) -> str:
    """'N cameras: S static, P PTZ, U of unknown form; R recorders; X cameras behind recorders'."""
    devs = inventory.devices
    cams = [d for d in devs if _is_camera(d)]
    forms = Counter(_form(d) for d in cams)
    recorders = sum(d.device_type in RECORDERS for d in devs)
    behind = sum(bool(d.via) for d in cams)
    return (f"{_plural(len(cams), 'camera')}: {forms['static']} static, {forms['ptz']} PTZ, "
            f"{forms['unknown']} of unknown form; {_plural(recorders, 'recorder')}; "
            f"{_plural(behind, 'camera')} behind recorders")


# ---------------------------------------------------------------- charts (inline SVG)

_W = 900
_CHAR_W = 7.0  # average width of a 12px DejaVu/Helvetica character, for laying out labels


def _legend(items: list[tuple[str, str]], y: float) -> tuple[list[str], float]:
    """Swatches with names, wrapped to the chart's width; returns the parts and the next free y."""
    parts: list[str] = []
    x = 10.0
    for name, fill in items:
        w = 18 + len(name) * _CHAR_W + 18
        if x + w > _W and x > 10:
            x, y = 10.0, y + 20
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" fill="{fill}" stroke="#333" '
                     f'stroke-width="0.5"/><text x="{x + 17:.0f}" y="{y + 10:.0f}" class="lg">{esc(name)}</text>')
        x += w
    return parts, y + 26


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> str:
    return (f'<svg id="{chart_id}" class="chart" role="img" aria-labelledby="{chart_id}-t" '
            f'viewBox="0 0 {_W} {height:.0f}" width="{_W}" height="{height:.0f}" '
            f'preserveAspectRatio="xMinYMin meet"><title id="{chart_id}-t">{esc(title)}</title>'
            + "".join(body) + "</svg>")


def _stacked_bars(chart_id: str, title: str, rows: list[tuple[str, list[tuple[str, int, str]]]],
                  legend: list[tuple[str, str]], unit: str) -> str:
    """One horizontal stacked bar per row: label on the left, the count in each wide-enough segment,
    the total after the bar and the breakdown in words under it, a <title> on every segment."""
    label_w, bar_x = 190, 200
    bar_max = _W - bar_x - 50
    parts, y = _legend(legend, 8)
    if not rows:
        parts.append(f'<text x="10" y="{y + 14:.0f}" class="lb">No {esc(unit)}s.</text>')
        return _svg(chart_id, title, y + 30, parts)
    top = max(sum(n for _, n, _ in segs) for _, segs in rows) or 1
    scale = bar_max / top
    for label, segs in rows:
        total = sum(n for _, n, _ in segs)
        shown = _cut(label, int(label_w / _CHAR_W))
        parts.append(f'<g class="row"><title>{esc(label)}: {esc(_plural(total, unit))}</title>'
                     f'<text x="{bar_x - 8}" y="{y + 15:.0f}" text-anchor="end" class="lb">{esc(shown)}</text>')
        x = float(bar_x)
        for name, n, fill in segs:
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y:.0f}" width="{w:.1f}" height="20" fill="{fill}" stroke="#fff" '
                         f'stroke-width="0.5"><title>{esc(label)}: {esc(name)} {n}</title></rect>')
            if w >= len(str(n)) * _CHAR_W + 6:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 15:.0f}" text-anchor="middle" class="seg" '
                             f'fill="{_ink(fill)}">{n}</text>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15:.0f}" class="tot">{total}</text>')
        words = " · ".join(f"{name} {n}" for name, n, _ in segs if n)
        parts.append(f'<text x="{bar_x}" y="{y + 34:.0f}" class="sub">{esc(words)}</text></g>')
        y += 48
    return _svg(chart_id, title, y + 4, parts)


def _sites_chart(cams: list[Device], makers: list[str], colours: dict[str, str]) -> str:
    by_site: dict[str, Counter[str]] = defaultdict(Counter)
    for d in cams:
        by_site[d.site][_maker(d)] += 1
    used = [m for m in makers if any(c[m] for c in by_site.values())]
    rows = [("(no site)" if site == "" else site, [(m, by_site[site][m], colours[m]) for m in used])
            for site in sorted(by_site, key=lambda s: (s == "", s.casefold()))]
    return _stacked_bars("chart-sites", "Cameras per site, by manufacturer", rows,
                         [(m, colours[m]) for m in used], "camera")


def _forms_chart(cams: list[Device], makers: list[str]) -> str:
    by_maker: dict[str, Counter[str]] = defaultdict(Counter)
    for d in cams:
        by_maker[_maker(d)][_form(d)] += 1
    rows = [(m, [(_FORM_LABELS[f], by_maker[m][f], _FORM_COLOURS[f]) for f in ("static", "ptz", "unknown")])
            for m in makers if by_maker[m]]
    return _stacked_bars("chart-forms", "Static, PTZ and unknown-form cameras, by manufacturer", rows,
                         [(_FORM_LABELS[f], _FORM_COLOURS[f]) for f in ("static", "ptz", "unknown")], "camera")


def _years_chart(cams: list[Device], makers: list[str], colours: dict[str, str]) -> str:
    """Vertical histogram: cameras per firmware build year, stacked by maker, then an 'unknown' bar."""
    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    years: set[int] = set()
    for d in cams:
        y = build_year(d.firmware)
        if y is not None:
            years.add(y)
        by_year["unknown" if y is None else str(y)][_maker(d)] += 1
    if years and max(years) - min(years) <= 20:
        labels = [str(y) for y in range(min(years), max(years) + 1)]
    else:
        labels = [str(y) for y in sorted(years)]
    if "unknown" in by_year:
        labels.append("unknown")
    used = [m for m in makers if any(c[m] for c in by_year.values())]
    parts, top = _legend([(m, colours[m]) for m in used], 8)
    if not labels:
        parts.append(f'<text x="10" y="{top + 14:.0f}" class="lb">No cameras.</text>')
        return _svg("chart-years", "Cameras by firmware build year", top + 30, parts)
    base, plot_h = top + 20 + 170, 170
    x0, plot_w = 40, _W - 50
    slot = plot_w / len(labels)
    bar_w = min(56.0, slot * 0.7)
    peak = max(sum(c.values()) for c in by_year.values())
    scale = plot_h / peak
    parts.append(f'<line x1="{x0}" y1="{base:.0f}" x2="{x0 + plot_w}" y2="{base:.0f}" stroke="#444"/>')
    for i, label in enumerate(labels):
        counts = by_year.get(label, Counter())
        total = sum(counts.values())
        cx = x0 + slot * i + slot / 2
        y = float(base)
        parts.append(f'<g class="col"><title>{esc(label)}: {esc(_plural(total, "camera"))}</title>')
        for m in used:
            n = counts[m]
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colours[m]}" stroke="#fff" stroke-width="0.5">'
                         f'<title>{esc(label)}: {esc(m)} {n}</title></rect>')
            if h >= 15 and n != total:
                parts.append(f'<text x="{cx:.1f}" y="{y + h / 2 + 4:.1f}" text-anchor="middle" class="seg" '
                             f'fill="{_ink(colours[m])}">{n}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{y - 5:.1f}" text-anchor="middle" class="tot">{total}</text>'
                     f'<text x="{cx:.1f}" y="{base + 16:.0f}" text-anchor="middle" class="lb">{esc(label)}</text></g>')
    return _svg("chart-years", "Cameras by firmware build year", base + 26, parts)


# ---------------------------------------------------------------- page parts


def _header(inventory: Inventory, title: str, makers: list[str]) -> str:
    devs = inventory.devices
    targets = [_clean(t) for t in inventory.targets]
    if len(targets) > 12:
        tgt = (esc(", ".join(targets[:12])) + f' <details class="more"><summary>and {len(targets) - 12} more'
               f"</summary>{esc(', '.join(targets[12:]))}</details>")
    else:
        tgt = esc(", ".join(targets)) if targets else "(none recorded)"
    rows = []
    for m in makers:
        group = [d for d in devs if _maker(d) == m]
        brands = Counter(d.brand for d in group if d.brand)
        brand_txt = ", ".join(f"{b} {n}" for b, n in sorted(brands.items(), key=lambda kv: (-kv[1], kv[0])))
        cams = sum(_is_camera(d) for d in group)
        recs = sum(d.device_type in RECORDERS for d in group)
        rows.append(f'<tr><th scope="row">{esc(m)}</th><td class="n">{cams}</td><td class="n">{recs}</td>'
                    f'<td class="n">{len(group) - cams - recs}</td><td class="n">{len(group)}</td>'
                    f"<td>{esc(brand_txt)}</td></tr>")
    return (f'<header><h1>{esc(title)}</h1>'
            f'<p class="meta">Scanned at <time>{esc(inventory.scanned_at or "unknown time")}</time>'
            f" · targets: {tgt} · report by camscan {esc(__version__)}</p>"
            f'<p class="headline" id="headline">{esc(headline(inventory))}.</p>'
            f'<p class="meta">{_plural(len(devs), "device")} in all.</p>'
            f'<table class="makers" id="makers"><caption>Devices by manufacturer group (brands as they '
            f"present themselves)</caption><thead><tr><th scope=\"col\">manufacturer</th><th scope=\"col\">cameras"
            f'</th><th scope="col">recorders</th><th scope="col">other</th><th scope="col">total</th>'
            f'<th scope="col">brands</th></tr></thead><tbody>{"".join(rows)}</tbody></table></header>')


def _charts(inventory: Inventory, makers: list[str]) -> str:
    cams = [d for d in inventory.devices if _is_camera(d)]
    colours = _colours(makers)
    figs = (
        ("Cameras per site, by manufacturer", _sites_chart(cams, makers, colours)),
        ("Static, PTZ and unknown-form cameras, by manufacturer", _forms_chart(cams, makers)),
        ("Cameras by firmware build year (from the build date in the firmware string; "
         "'unknown' where it has none)", _years_chart(cams, makers, colours)),
    )
    return ('<section id="charts"><h2>Charts</h2>'
            + "".join(f"<figure><figcaption>{esc(cap)}</figcaption>{svg}</figure>" for cap, svg in figs)
            + "</section>")


def _device_line(d: Device) -> str:
    where = f"{d.via} channel {d.channel}" if d.via else ""
    cells = (d.ip, where, d.site, d.manufacturer, d.brand, d.device_type, d.model, d.firmware, d.name)
    return "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"


_LINE_HEAD = ("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in (
    "ip", "behind recorder", "site", "manufacturer", "brand", "type", "model", "firmware", "name")) + "</tr></thead>")


def _sort_key(d: Device) -> tuple[int, str, int, int]:
    k = _ip_key(d.ip)
    v = _ip_key(d.via)
    return (int(k) if k else 1 << 33, d.ip, int(v) if v else 1 << 33, d.channel or 0)


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
    out.append(f"<p>{_plural(hit, 'device')} whose firmware falls in the affected range of "
               f"{_plural(len(by_id), 'known advisory', 'known advisories')}:</p>")
    for a in sorted(by_id):
        devs = sorted(by_id[a], key=_sort_key)
        out.append(f'<div class="adv"><h3>{esc(a)} <span class="count">({_plural(len(devs), "device")})</span></h3>'
                   f'<table class="list">{_LINE_HEAD}<tbody>{"".join(_device_line(d) for d in devs)}</tbody>'
                   "</table></div>")
    out.append("</section>")
    return "".join(out)


def _extra_columns(devices: Iterable[Device]) -> list[str]:
    seen: dict[str, None] = {}
    for d in devices:
        for k in d.extra:
            seen.setdefault(k, None)
    return list(seen)


def _device_table(inventory: Inventory) -> str:
    devs = inventory.devices
    extras = _extra_columns(devs)
    ext_types = {}
    for k in extras:
        vals = [d.extra.get(k, "").strip() for d in devs]
        vals = [v for v in vals if v]
        ext_types[k] = "num" if vals and all(_NUMBER.match(v) for v in vals) else "text"
    heads = [(c, _COLUMN_TYPES.get(c, "text"), "") for c in COLUMNS]
    heads += [(k, ext_types[k], "asset") for k in extras]
    heads.append(("notes", "text", ""))
    th = []
    for name, typ, cls in heads:
        attrs = ' class="asset" title="from the asset register"' if cls else ""
        th.append(f'<th scope="col" data-col="{esc(name)}" data-type="{typ}"{attrs}>'
                  f'<button type="button">{esc(name)}</button></th>')
    body = []
    for i, d in enumerate(devs):
        r = row(d)
        cells = []
        for c in COLUMNS:
            v = r[c]
            if c in ("advisories", "evidence"):
                v = "; ".join(d.advisories if c == "advisories" else d.evidence)
            if c in ("ip", "via"):
                cells.append(f'<td data-key="{_ip_key(v)}" class="nw">{esc(v)}</td>')
            elif c == "mac":
                cells.append(f'<td class="nw">{esc(v)}</td>')
            elif c == "channel":
                cells.append(f'<td data-key="{esc(v)}" class="n">{esc(v)}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        for k in extras:
            v = d.extra.get(k, "")
            if ext_types[k] == "num":
                cells.append(f'<td data-key="{esc(v.strip())}" class="n">{esc(v)}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        notes = d.notes + [f.note() for f in d.findings if f.heuristic]
        cells.append(f"<td>{esc('; '.join(notes))}</td>")
        cls = ' class="adv"' if d.advisories else ""
        body.append(f'<tr data-i="{i}"{cls}>{"".join(cells)}</tr>')
    n = len(devs)
    return ('<section id="devices-section"><h2>Devices</h2>'
            '<p class="controls"><label for="filter">Filter rows: </label>'
            '<input id="filter" type="search" placeholder="text in any column, e.g. hikvision ptz" '
            'autocomplete="off"> <span class="hint">click a column heading to sort</span></p>'
            f'<p id="row-count" class="count" aria-live="polite">{_plural(n, "device")}</p>'
            f'<div class="scroll"><table id="devices" class="devices" data-visible="{n}" data-total="{n}">'
            f"<thead><tr>{''.join(th)}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>")


def _unmatched(unmatched_devices: list[Device] | None, unmatched_assets: list[dict[str, str]] | None) -> str:
    if unmatched_devices is None and unmatched_assets is None:
        return ""
    out = ['<section id="unmatched"><h2>Asset register</h2>']
    if unmatched_assets is not None:
        out.append(f'<h3 id="unmatched-assets">In the register but not found on the network '
                   f'<span class="count">({_plural(len(unmatched_assets), "row")})</span></h3>')
        if unmatched_assets:
            cols: dict[str, None] = {}
            for a in unmatched_assets:
                for k in a:
                    cols.setdefault(k, None)
            head = "".join(f'<th scope="col">{esc(k)}</th>' for k in cols)
            rows = "".join("<tr>" + "".join(f"<td>{esc(a.get(k, ''))}</td>" for k in cols) + "</tr>"
                           for a in unmatched_assets)
            out.append(f'<table class="list" id="unmatched-assets-table"><thead><tr>{head}</tr></thead>'
                       f"<tbody>{rows}</tbody></table>")
        else:
            out.append("<p>None: every register row was found.</p>")
    if unmatched_devices is not None:
        out.append(f'<h3 id="unmatched-devices">Found on the network but not in the register '
                   f'<span class="count">({_plural(len(unmatched_devices), "device")})</span></h3>')
        if unmatched_devices:
            devs = sorted(unmatched_devices, key=_sort_key)
            out.append(f'<table class="list" id="unmatched-devices-table">{_LINE_HEAD}'
                       f'<tbody>{"".join(_device_line(d) for d in devs)}</tbody></table>')
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


_CSS = """
:root { color-scheme: light; }
body { font: 14px/1.4 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #111; background: #fff;
  margin: 1.5em auto; max-width: 1400px; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #333; padding-bottom: .1em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1em 0 .3em; }
.meta { color: #444; margin: .2em 0; }
.headline { font-size: 1.2em; font-weight: bold; margin: .5em 0 .2em; }
.count { color: #444; font-weight: normal; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.n, .makers td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: #444; padding: .3em 0; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: .3em; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }
svg .lb { font-size: 12px; fill: #111; }
svg .lg { font-size: 12px; fill: #111; }
svg .seg { font-size: 11px; font-weight: bold; }
svg .tot { font-size: 12px; font-weight: bold; fill: #111; }
svg .sub { font-size: 11px; fill: #444; }
.scroll { overflow-x: auto; }
table.devices { font-size: 12px; }
table.devices td { white-space: nowrap; }
table.devices th { padding: 0; white-space: nowrap; }
table.devices th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 2px 14px 2px 6px;
  cursor: pointer; width: 100%; text-align: left; color: inherit; }
table.devices th.asset { background: #e4ecf5; }
table.devices th[aria-sort="ascending"] button::after { content: " \\25B2"; }
table.devices th[aria-sort="descending"] button::after { content: " \\25BC"; }
table.devices tbody tr:nth-child(even) { background: #f6f6f6; }
table.devices tbody tr.adv td:nth-child(14) { background: #fde3d6; font-weight: bold; }
table.list { font-size: 12px; margin-bottom: .8em; }
.controls input { font: inherit; padding: 3px 6px; width: 24em; max-width: 90%; }
.hint { color: #666; font-size: .9em; }
details.more { display: inline; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9pt; }
  .controls, .hint { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  svg.chart { width: 100%; max-width: 180mm; height: auto; }
  .scroll { overflow: visible; }
  table.devices { font-size: 6.5pt; width: 100%; }
  table.devices td { white-space: normal; overflow-wrap: break-word; }
  table.devices td.nw { white-space: nowrap; }
  table.devices th { white-space: normal; }
  table.devices th button { padding: 1px 2px; }
  table.devices th[aria-sort] button::after { content: ""; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: 1px 3px; }
  table.list { font-size: 7.5pt; }
  details.more > * { display: inline; }
}
"""

_JS = """
(function () {
  "use strict";
  var table = document.getElementById("devices");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var input = document.getElementById("filter");
  var counter = document.getElementById("row-count");
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(tbody.rows);
  var total = rows.length;
  var text = rows.map(function (r) {
    return Array.prototype.map.call(r.cells, function (c) { return c.textContent; }).join("\\n").toLowerCase();
  });
  var state = { filter: "", col: null, desc: false };

  function plural(n) { return n + (n === 1 ? " device" : " devices"); }

  function filter(q) {
    state.filter = (q || "").trim();
    var terms = state.filter.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var hit = terms.every(function (t) { return text[i].indexOf(t) !== -1; });
      r.hidden = !hit;
      if (hit) { shown += 1; }
    });
    table.setAttribute("data-visible", String(shown));
    counter.textContent = terms.length
      ? shown + " of " + plural(total) + " match \\u201c" + state.filter + "\\u201d"
      : plural(total);
    if (input.value !== state.filter && document.activeElement !== input) { input.value = state.filter; }
    return shown;
  }

  function keyOf(row, idx, type) {
    var cell = row.cells[idx];
    if (type === "text") {
      var t = cell.textContent.trim().toLowerCase();
      return t === "" ? null : t;
    }
    var k = cell.getAttribute("data-key");
    return k === null || k === "" || isNaN(Number(k)) ? null : Number(k);
  }

  function sortBy(name, desc) {
    var idx = -1;
    heads.forEach(function (h, i) { if (idx < 0 && h.getAttribute("data-col") === name) { idx = i; } });
    if (idx < 0) { return false; }
    var type = heads[idx].getAttribute("data-type");
    var keyed = rows.map(function (r) {
      return { row: r, key: keyOf(r, idx, type), i: Number(r.getAttribute("data-i")) };
    });
    keyed.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) { return a.i - b.i; }
        return a.key === null ? 1 : -1;  /* empty cells last either way */
      }
      var c = type === "text" ? a.key.localeCompare(b.key, undefined, { numeric: true }) : a.key - b.key;
      if (desc) { c = -c; }
      return c !== 0 ? c : a.i - b.i;
    });
    keyed.forEach(function (k) { tbody.appendChild(k.row); });
    heads.forEach(function (h, i) {
      if (i === idx) { h.setAttribute("aria-sort", desc ? "descending" : "ascending"); }
      else { h.removeAttribute("aria-sort"); }
    });
    state.col = name;
    state.desc = !!desc;
    table.setAttribute("data-sort", (desc ? "-" : "") + name);
    return true;
  }

  function fromHash() {
    var h = window.location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) { return; }
    h.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) { return; }
      var k = part.slice(0, eq), v;
      try { v = decodeURIComponent(part.slice(eq + 1).replace(/\\+/g, " ")); } catch (e) { return; }
      if (k === "filter") { filter(v); }
      else if (k === "sort") { sortBy(v.replace(/^-/, ""), v.charAt(0) === "-"); }
    });
  }

  heads.forEach(function (h) {
    var b = h.querySelector("button");
    if (!b) { return; }
    b.addEventListener("click", function () {
      var name = h.getAttribute("data-col");
      sortBy(name, state.col === name ? !state.desc : false);
    });
  });
  input.addEventListener("input", function () { filter(input.value); });
  window.addEventListener("hashchange", fromHash);
  window.camscanReport = { filter: filter, sort: sortBy };
  fromHash();
})();
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


class HtmlExporter:
    """One self-contained, printable HTML page: headline figures, three charts, advisories, the
    sortable and filterable device table, and the asset register's unmatched rows when given."""

    def render(self, inventory: Inventory, *, unmatched_devices: list[Device] | None = None,
               unmatched_assets: list[dict[str, str]] | None = None, title: str = "Camera inventory") -> str:
        makers = maker_order(inventory.devices)
        csp = (f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
               "img-src 'none'; base-uri 'none'; form-action 'none'")
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="camscan {esc(__version__)}">'
            f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n<body>\n"
            + _header(inventory, title, makers) + "\n"
            + _charts(inventory, makers) + "\n"
            + _advisories(inventory) + "\n"
            + _device_table(inventory) + "\n"
            + _unmatched(unmatched_devices, unmatched_assets) + "\n"
            + _footer(inventory) + "\n"
            + f"<script>{_JS}</script>\n</body></html>\n"
        )
