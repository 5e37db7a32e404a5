"""The HTML report's charts, drawn here as inline SVG: cameras per site and by form, stacked by
maker, and cameras by firmware build year. Every chart also writes its numbers and names as
text, so nothing depends on telling colours apart."""

from __future__ import annotations

from collections import Counter, defaultdict

from camscan.firmware import Firmware
from camscan.model import Device, Inventory
from camscan.report.counts import forms_by_maker, is_camera, maker
from camscan.report.html_text import cut, esc, plural

UNKNOWN_MAKER = "unknown"

# Each colour means one thing on the whole page. Makers: Okabe-Ito colours (readable by people
# with the common colour-vision deficiencies); forms: a separate dark indigo / wine / pale grey
# set no maker uses (static once shared Dahua's blue). The table's advisory mark is a red used by
# neither. tests/test_report_html.py checks the sets stay apart.
MAKER_COLOURS = {
    "Hikvision": "#D55E00", "Dahua": "#0072B2", "Axis": "#009E73", "Hanwha": "#CC79A7",
    "Uniview": "#E69F00",
}
SPARE_COLOURS = ("#56B4E9", "#F0E442", "#8C564B", "#4D9221", "#000000", "#6B8E23")
UNKNOWN_COLOUR = "#9A9A9A"
FORM_COLOURS = {"static": "#332288", "ptz": "#882255", "unknown": "#DDDDDD"}
_FORM_LABELS = {"static": "static", "ptz": "PTZ", "unknown": "unknown form"}


def maker_of(d: Device) -> str:
    return maker(d, UNKNOWN_MAKER)


def _colours(makers: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    spare = 0
    for m in makers:
        if m == UNKNOWN_MAKER:
            out[m] = UNKNOWN_COLOUR
        elif m in MAKER_COLOURS:
            out[m] = MAKER_COLOURS[m]
        else:
            out[m] = SPARE_COLOURS[spare % len(SPARE_COLOURS)]
            spare += 1
    return out


def _ink(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    rgb = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#111111" if lum > 0.2 else "#FFFFFF"



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
        shown = cut(label, int(label_w / _CHAR_W))
        parts.append(f'<g class="row"><title>{esc(label)}: {esc(plural(total, unit))}</title>'
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
        by_site[d.site][maker_of(d)] += 1
    used = [m for m in makers if any(c[m] for c in by_site.values())]
    rows = [("(no site)" if site == "" else site, [(m, by_site[site][m], colours[m]) for m in used])
            for site in sorted(by_site, key=lambda s: (s == "", s.casefold()))]
    return _stacked_bars("chart-sites", "Cameras per site, by manufacturer", rows,
                         [(m, colours[m]) for m in used], "camera")


def _forms_chart(cams: list[Device], makers: list[str]) -> str:
    by_maker = forms_by_maker(cams, UNKNOWN_MAKER)
    rows = []
    for m in makers:
        if m in by_maker:
            forms = by_maker[m]
            counts = {"static": forms.static, "ptz": forms.ptz, "unknown": forms.unsettled}
            rows.append((m, [(_FORM_LABELS[f], counts[f], FORM_COLOURS[f]) for f in ("static", "ptz", "unknown")]))
    return _stacked_bars("chart-forms", "Static, PTZ and unknown-form cameras, by manufacturer", rows,
                         [(_FORM_LABELS[f], FORM_COLOURS[f]) for f in ("static", "ptz", "unknown")], "camera")


def _years_chart(cams: list[Device], makers: list[str], colours: dict[str, str]) -> str:
    """Vertical histogram: cameras per firmware build year, stacked by maker, then an 'unknown' bar."""
    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    years: set[int] = set()
    for d in cams:
        y = Firmware.parse(d.firmware).build_year
        if y is not None:
            years.add(y)
        by_year["unknown" if y is None else str(y)][maker_of(d)] += 1
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
        parts.append(f'<g class="col"><title>{esc(label)}: {esc(plural(total, "camera"))}</title>')
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



def charts(inventory: Inventory, makers: list[str]) -> str:
    cams = [d for d in inventory.devices if is_camera(d)]
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

