"""A draft Freedom of Information answer from an inventory, in Markdown or plain text.

It answers the questions such requests usually ask — is Hikvision (with its subsidiaries,
brands and OEM rebadges) in use; how many cameras, static and PTZ; where; recorders and the
cameras behind them; firmware; purchase dates and cost where the register knows them; any
Pyronix or Dahua kit — in neutral, factual wording, says on what evidence each figure rests,
and states plainly what could not be settled ("3 cameras of unknown form"). It is a draft for
a person to check, not a legal answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.assets import JoinResult
from camscan.report.counts import FIRST_MAKERS, FormCounts, by_maker, forms_by_maker, is_camera, is_recorder

UNKNOWN = "unknown maker"
BASIS = {
    "sadp": "the vendor's own discovery protocol (Hikvision SADP)",
    "dhip": "the vendor's own discovery protocol (Dahua DHIP)",
    "isapi": "the device's own authenticated API (Hikvision ISAPI)",
    "cgi": "the device's own authenticated API (Dahua CGI)",
    "onvif": "the device's ONVIF interface",
    "nvr": "a recorder's list of the cameras connected to it",
}


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return out


def render_markdown(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None) -> str:
    """The draft answer in Markdown: one section per question such requests ask."""
    out = _intro(inv)
    for section in (_hikvision, _cameras, _where, _recorders, _firmware, _other_owned):
        out += section(inv.devices)
    if join is not None and register_cols:
        out += _purchases(inv.devices, join, register_cols)
    out += _unsettled(inv.devices) + _basis(inv.devices)
    return "\n".join(out)


def _intro(inv: Inventory) -> list[str]:
    when = inv.scanned_at or "an unrecorded date"
    return ["# Draft answer: CCTV cameras and recorders on the network", "",
            f"Prepared from a camscan inventory of {', '.join(inv.targets) or 'the named networks'} made on {when}. "
            "Figures count devices that answered on the network at that time, and cameras that recorders "
            "reported as connected to them; equipment that was switched off, disconnected or on networks not "
            "scanned is not included.", ""]


def _brands(devices: list[Device]) -> str:
    brands = Counter(d.brand or "(brand not shown)" for d in devices)
    return ", ".join(f"{b} {n}" for b, n in brands.most_common())


def _hikvision(devs: list[Device]) -> list[str]:
    out = ["## Is equipment made by Hikvision in use?", ""]
    hik = [d for d in devs if d.manufacturer == "Hikvision"]
    if hik:
        out.append(f"Yes. {_n(len(hik), 'device')} made by Hikvision or its subsidiaries "
                   f"(including brands and OEM rebadges) were identified: " + _brands(hik) + ".")
        kinds = Counter(d.device_type for d in hik)
        out.append("By type: " + ", ".join(f"{_label(k)} {n}" for k, n in kinds.most_common()) + ".")
    else:
        out.append("No device made by Hikvision or its subsidiaries was identified.")
    return [*out, ""]


def _form_row(label: str, forms: FormCounts) -> list[str]:
    return [label, str(forms.static), str(forms.ptz), str(forms.unknown), str(forms.total)]


def _cameras(devs: list[Device]) -> list[str]:
    cams = [d for d in devs if is_camera(d)]
    by_maker = forms_by_maker(cams, UNKNOWN)
    rows = [_form_row(m, by_maker[m]) for m in sorted(by_maker, key=_maker_order)]
    rows.append(_form_row("**all**", FormCounts.of(cams)))
    return ["## How many cameras, and how many are static or PTZ?", "",
            *_table(["manufacturer", "static", "PTZ", "form unknown", "cameras"], rows), ""]


def _where(devs: list[Device]) -> list[str]:
    out = ["## Where are they?", ""]
    sites = sorted({d.site for d in devs if is_camera(d) or is_recorder(d)})
    if sites == [""] or not sites:
        out.append("No sites file was given: devices are not assigned to sites.")
    else:
        rows = []
        for s in sites:
            here = [d for d in devs if d.site == s]
            c = by_maker((d for d in here if is_camera(d)), UNKNOWN)
            others = sum(n for m, n in c.items() if m not in FIRST_MAKERS)
            rows.append([s or "(no site)", str(c["Hikvision"]), str(c["Dahua"]), str(others),
                         str(sum(is_recorder(d) for d in here))])
        out += _table(["site", "Hikvision cameras", "Dahua cameras", "other cameras", "recorders"], rows)
    return [*out, ""]


def _recorders(devs: list[Device]) -> list[str]:
    out = ["## Recorders and the cameras behind them", ""]
    recs = [d for d in devs if is_recorder(d)]
    if recs:
        behind = Counter(d.via for d in devs if d.via)
        rows = [[d.ip, d.manufacturer or "unknown", d.model or "-", d.site or "-", str(behind[d.ip])]
                for d in recs]
        out += _table(["recorder", "manufacturer", "model", "site", "cameras it reports"], rows)
        unseen = sum(1 for d in devs if d.via and "nvr" in d.evidence and len(d.evidence) == 1)
        out += ["", f"{_n(unseen, 'camera was', 'cameras were')} known only through a recorder (for example on "
                "its own PoE network, which no scan reaches); they are counted above."]
    else:
        out.append("No recorders (NVR/DVR) were identified.")
    return [*out, ""]


def _firmware(devs: list[Device]) -> list[str]:
    fw = Counter((d.manufacturer or "unknown", d.model or "-", d.firmware or "unknown", ";".join(d.advisories))
                 for d in devs if is_camera(d) or is_recorder(d))
    rows = [[m, mo, f, str(n), a or "-"] for (m, mo, f, a), n in sorted(fw.items(), key=lambda x: (-x[1], x[0]))]
    out = ["## Firmware", "", *_table(["manufacturer", "model", "firmware", "devices", "advisories"], rows)]
    heur = sum(1 for d in devs if any(f.heuristic for f in d.findings))
    if heur:
        out += ["", f"{_n(heur, 'advisory finding rests', 'advisory findings rest')} on a rule of thumb "
                "(a firmware build date), not on the vendor's own list of affected models."]
    return [*out, ""]


def _other_owned(devs: list[Device]) -> list[str]:
    out = ["## Other Hikvision-owned or Dahua equipment", ""]
    pyronix = [d for d in devs if d.brand == "Pyronix"]
    out.append(f"Pyronix (owned by Hikvision): {_n(len(pyronix), 'device')}." if pyronix
               else "Pyronix (owned by Hikvision): none identified.")
    dahua = [d for d in devs if d.manufacturer == "Dahua"]
    if dahua:
        out.append(f"Dahua, including its OEM brands: {_n(len(dahua), 'device')} (" + _brands(dahua) + ").")
    else:
        out.append("Dahua, including its OEM brands: none identified.")
    return [*out, ""]


def _total_cost(matched: list[Device], cost_col: str) -> tuple[float, int]:
    total = 0.0
    counted = 0
    for d in matched:
        try:
            total += float(d.extra.get(cost_col, "").replace(",", "").lstrip("£$€"))
            counted += 1
        except ValueError:
            pass
    return total, counted


def _purchases(devs: list[Device], join: JoinResult, register_cols: list[str]) -> list[str]:
    out = ["## Purchase dates and cost", ""]
    date_col = next((c for c in register_cols if "date" in c.lower() or "purchase" in c.lower()), "")
    cost_col = next((c for c in register_cols if "cost" in c.lower() or "price" in c.lower()), "")
    matched = [d for d in devs if d.extra]
    out.append(f"The asset register matched {_n(len(matched), 'device')}.")
    if cost_col:
        total, counted = _total_cost(matched, cost_col)
        out.append(f"Recorded cost of the {_n(counted, 'matched device')} with a cost: {total:,.2f}.")
    if date_col:
        years = Counter(d.extra.get(date_col, "")[:4] for d in matched if d.extra.get(date_col))
        if years:
            out.append("Purchased by year: " + ", ".join(f"{y} {n}" for y, n in sorted(years.items())) + ".")
    return [*out, f"Devices found on the network but not in the register: {len(join.unmatched_devices)}.",
            f"Register entries not found on the network: {len(join.unmatched_rows)}.", ""]


def _unsettled(devs: list[Device]) -> list[str]:
    unsettled = []
    forms = FormCounts.of(d for d in devs if is_camera(d))
    if forms.unknown:
        unsettled.append(f"{_n(forms.unknown, 'camera')} of unknown form (static or PTZ).")
    unknown_type = sum(d.device_type == "unknown" for d in devs)
    if unknown_type:
        unsettled.append(f"{_n(unknown_type, 'device')} whose type could not be determined.")
    no_maker = sum(1 for d in devs if (is_camera(d) or is_recorder(d)) and not d.manufacturer)
    if no_maker:
        unsettled.append(f"{_n(no_maker, 'camera or recorder', 'cameras or recorders')} whose maker is unknown.")
    low = sum(d.confidence == "low" for d in devs)
    if low:
        unsettled.append(f"{_n(low, 'maker identification rests', 'maker identifications rest')} on the network "
                         "card's registered vendor prefix alone (low confidence).")
    return ["## What could not be settled", "",
            *([f"- {u}" for u in unsettled] or ["- Nothing: every device found was classified."]), ""]


def _basis(devs: list[Device]) -> list[str]:
    basis: Counter[str] = Counter()
    for d in devs:
        if not d.manufacturer:
            continue
        key = next((s for s in ("isapi", "cgi", "sadp", "dhip", "nvr", "onvif") if s in d.evidence), "")
        basis[BASIS.get(key, "banners, model numbers and registered network-card prefixes")] += 1
    return ["## How devices were identified", "", *(f"- {n} by {b}" for b, n in basis.most_common()),
            "", "Manufacturer means the company group that made the hardware: a rebadged camera (e.g. LTS or "
            "Annke for Hikvision, Amcrest or Lorex for Dahua) counts under its real maker, with the brand it "
            "carries shown separately.", ""]


def render_text(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None) -> str:
    """The same answer as plain text (for an email or a letter)."""
    lines = render_markdown(inv, join, register_cols).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                if not set(lines[i]) <= set("|-"):
                    block.append([c.strip().replace("**", "") for c in lines[i].strip("|").split("|")])
                i += 1
            widths = [max(len(r[c]) for r in block) for c in range(len(block[0]))]
            out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in block]
            continue
        if line.startswith("#"):
            title = line.lstrip("# ").strip()
            out += [title, ("=" if line.startswith("# ") else "-") * len(title)]
        else:
            out.append(line.replace("**", ""))
        i += 1
    return "\n".join(out) + "\n"


def _label(kind: str) -> str:
    return {"camera": "cameras", "nvr": "NVRs", "dvr": "DVRs", "intercom": "intercoms", "alarm": "alarm parts",
            "encoder": "encoders", "other": "other", "unknown": "unknown type"}.get(kind, kind)


def _maker_order(m: str) -> tuple[int, str]:
    return ({"Hikvision": 0, "Dahua": 1}.get(m, 3 if m == "unknown maker" else 2), m)


@dataclass(frozen=True, slots=True)
class FoiExporter:
    """The draft as Markdown (`foi-markdown`) or plain text (`foi-text`)."""

    name: str
    suffix: str
    markdown: bool

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        context = context or RenderContext()
        render = render_markdown if self.markdown else render_text
        text = render(inventory, context.join, context.register_columns)
        if context.estate is None:
            return text
        from camscan.estate_report import add_to_foi  # per-site sections of an estate-wide answer

        return add_to_foi(text, context.estate, self.markdown)


FOI_MARKDOWN = FoiExporter("foi-markdown", ".md", markdown=True)
FOI_TEXT = FoiExporter("foi-text", ".txt", markdown=False)


__all__ = ["FOI_MARKDOWN", "FOI_TEXT", "FoiExporter", "render_markdown", "render_text"]


