"""A draft Freedom of Information answer from an inventory, in Markdown or plain text.

It answers in the order such requests ask: is Hikvision (with its subsidiaries, brands and OEM
rebadges) equipment in use; how many cameras; static or PTZ; where; when bought and for how
much (in pounds, with Hikvision's share); which are standard CCTV and which do facial
recognition or read number plates. It states plainly what could not be settled, and says the
information is not held where the asset register does not hold it, rather than guessing.

What bodies commonly withhold (firmware, advisories, network addresses, exact locations) is not
in the draft: it is in the internal annex (foi_annex.py), with exemption wording offered as a
template. The draft is for a person to check, not a legal answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.assets import COST_HEADERS, DATE_HEADERS, JoinResult, gbp, pick_column, uk_date
from camscan.report.counts import FIRST_MAKERS, FormCounts, by_maker, forms_by_maker, is_camera, is_recorder
from camscan.report.foi_facts import (
    UnaskedRecorder,
    analytics_enabled,
    analytics_summary,
    gaps,
    purchases,
    unasked_recorders,
    unasked_sentence,
)
from camscan.report.foi_text import Markup, markdown_to_text, n, table
from camscan.report.inert import markdown as md

UNKNOWN = "unknown maker"
BASIS = {
    "sadp": "the vendor's own discovery protocol (Hikvision SADP)",
    "dhip": "the vendor's own discovery protocol (Dahua DHIP)",
    "isapi": "the device's own authenticated API (Hikvision ISAPI)",
    "cgi": "the device's own authenticated API (Dahua CGI)",
    "onvif": "the device's ONVIF interface",
    "nvr": "a recorder's list of the cameras connected to it",
}
# analytics capabilities as a request names them; others are listed by their own name
CAPABILITY_WORDS = {"face": "capable of facial recognition", "anpr": "capable of reading number plates (ANPR)",
                    "people-counting": "capable of counting people", "perimeter": "capable of perimeter detection"}
ENABLED_WORDS = {"face": "facial recognition", "anpr": "number plate reading (ANPR)", "people-counting":
                 "people counting", "perimeter": "perimeter detection"}


@dataclass(frozen=True, slots=True)
class DraftOptions:
    """The officer's choices and the day the draft is prepared on."""

    withhold_locations: bool = False
    generated: date | None = None
    register_given: bool = False

    @property
    def day(self) -> date:
        return self.generated or datetime.now(UTC).date()


def render_markdown(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None,
                    options: DraftOptions | None = None) -> str:
    """The draft answer in Markdown: one section per question, in the order requests ask them."""
    options = options or DraftOptions(register_given=join is not None)
    devs = inv.devices
    unasked, analytics = unasked_recorders(devs), analytics_summary(devs)
    out = _intro(inv, options)
    out += _hikvision(devs) + _how_many(devs, unasked) + _forms(devs) + _where(devs, options)
    out += _purchases(devs, join, register_cols or [])
    out += _analytics(devs, analytics) + _recorders(devs, options, unasked)
    out += ["## What could not be settled", "",
            *([f"- {g}" for g in gaps(devs, join, options.register_given, unasked, analytics)]
              or ["- Nothing: every device found was classified."]), ""]
    out += _basis(devs) + _withheld(options)
    return "\n".join(out)


def scan_day(inv: Inventory) -> str:
    """The scan's date as a UK date ('an unrecorded date' when the inventory has none)."""
    try:
        return uk_date(datetime.fromisoformat(inv.scanned_at.replace("Z", "+00:00")))
    except ValueError:
        return "an unrecorded date"


def _intro(inv: Inventory, options: DraftOptions) -> list[str]:
    return ["# Draft answer: CCTV cameras and recorders", "",
            f"Draft prepared on {uk_date(options.day)} for checking before it is sent. It rests on a survey of "
            f"the council's networks made on {scan_day(inv)}: figures count devices that answered on the network "
            "at that time, and cameras that recorders reported as connected to them. Equipment that was switched "
            "off, disconnected or on networks not surveyed is not included.", ""]


def _brands(devices: list[Device]) -> str:
    brands = Counter(d.brand or "(brand not shown)" for d in devices)
    return ", ".join(f"{md(b)} {c}" for b, c in brands.most_common())


def _hikvision(devs: list[Device]) -> list[str]:
    out = ["## Is equipment made by Hikvision, or a company it owns, in use?", ""]
    hik = [d for d in devs if d.manufacturer == "Hikvision"]
    if hik:
        out.append(f"Yes. {n(len(hik), 'device')} made by Hikvision or its subsidiaries (including brands and "
                   f"rebadged equipment sold under other names) {'was' if len(hik) == 1 else 'were'} identified: "
                   + _brands(hik) + ".")
        kinds = Counter(d.device_type for d in hik)
        out.append("By type: " + ", ".join(f"{_label(k)} {c}" for k, c in kinds.most_common()) + ".")
    else:
        out.append("No equipment made by Hikvision or its subsidiaries was identified.")
    pyronix = [d for d in devs if d.brand == "Pyronix"]
    out.append(f"Pyronix (owned by Hikvision): {n(len(pyronix), 'device')}." if pyronix
               else "Pyronix (owned by Hikvision): none identified.")
    dahua = [d for d in devs if d.manufacturer == "Dahua"]
    out.append(f"Dahua, including equipment it makes for other brands: {n(len(dahua), 'device')} ("
               + _brands(dahua) + ")." if dahua else "Dahua, including equipment it makes for other brands: "
               "none identified.")
    return [*out, ""]


def _how_many(devs: list[Device], unasked: list[UnaskedRecorder]) -> list[str]:
    cams = [d for d in devs if is_camera(d)]
    hik = sum(d.manufacturer == "Hikvision" for d in cams)
    out = ["## How many cameras are there?", "",
           f"{n(len(cams), 'camera was', 'cameras were')} identified, {hik} of them made by Hikvision or its "
           "subsidiaries."]
    recorders = [d for d in devs if is_recorder(d)]
    dvr_ips = {d.ip for d in recorders if d.device_type == "dvr"}
    analogue = sum(1 for d in cams if d.via in dvr_ips)
    behind = sum(1 for d in cams if d.via)
    if behind:
        out.append(("1 camera is counted from the list its recorder gave" if behind == 1 else
                    f"{behind} cameras are counted from the lists their recorders gave")
                   + (f", {analogue} of them analogue cameras on a DVR" if analogue else "") + ".")
    if recorders:
        out.append(f"There {'is' if len(recorders) == 1 else 'are'} also {n(len(recorders), 'recorder')} "
                   "(NVR or DVR).")
    if said := unasked_sentence(unasked):
        out.append(said)
    return [*out, ""]


def _form_row(label: str, forms: FormCounts) -> list[str]:
    return [label, str(forms.static), str(forms.ptz), str(forms.unsettled), str(forms.total)]


def _forms(devs: list[Device]) -> list[str]:
    cams = [d for d in devs if is_camera(d)]
    makers = forms_by_maker(cams, UNKNOWN)
    rows = [_form_row(m, makers[m]) for m in sorted(makers, key=_maker_order)]
    rows.append(_form_row(Markup("**all**"), FormCounts.of(cams)))
    return ["## How many are static, and how many can pan, tilt and zoom (PTZ)?", "",
            *table(["manufacturer", "static", "PTZ", "form unknown", "cameras"], rows), ""]


def _site_table(devs: list[Device]) -> list[str]:
    sites = sorted({d.site for d in devs if is_camera(d) or is_recorder(d)}, key=lambda s: (s == "", s.casefold()))
    here: dict[str, list[Device]] = {}
    for d in devs:
        here.setdefault(d.site, []).append(d)
    rows = []
    for s in sites:
        c = by_maker((d for d in here[s] if is_camera(d)), UNKNOWN)
        others = sum(k for m, k in c.items() if m not in FIRST_MAKERS)
        rows.append([s or "(no site)", str(c["Hikvision"]), str(c["Dahua"]), str(others),
                     str(sum(is_recorder(d) for d in here[s]))])
    return table(["site", "Hikvision cameras", "Dahua cameras", "other cameras", "recorders"], rows)


def _where(devs: list[Device], options: DraftOptions) -> list[str]:
    out = ["## Where are they?", ""]
    if options.withhold_locations:
        out += ["[TEMPLATE: you chose to withhold locations. The wording below is a starting point to edit; "
                "whether the exemption applies, and the public interest test, are for you to decide.]", "",
                "The council holds information on where its cameras are located. This information is withheld "
                "under section 31(1)(a) of the Freedom of Information Act 2000 (law enforcement: the prevention "
                "or detection of crime). [Explain why disclosing locations would, or would be likely to, "
                "prejudice the prevention or detection of crime, e.g. it would show where there is no coverage.] "
                "Section 31 is a qualified exemption, so we have considered the public interest. [Public interest "
                "in disclosure: ...] [Public interest in maintaining the exemption: ...] We have concluded that the "
                "public interest in maintaining the exemption outweighs the public interest in disclosure.", "",
                "The per-site figures are in the internal annex."]
    elif not any(d.site for d in devs):
        out.append("No sites file was given: devices are not assigned to sites.")
    else:
        out += _site_table(devs)
    return [*out, ""]


def _purchases(devs: list[Device], join: JoinResult | None, register_cols: list[str]) -> list[str]:
    out = ["## When were they bought, and for how much?", ""]
    if join is None:
        return [*out, "No asset register was used for this draft: purchase dates and costs are to be completed "
                "from the council's records, or stated as not held.", ""]
    date_col, cost_col = pick_column(register_cols, DATE_HEADERS), pick_column(register_cols, COST_HEADERS)
    facts = purchases(devs, date_col, cost_col)
    out.append(f"The asset register matched {n(facts.matched, 'device')} found on the network.")
    if not facts.dates:
        out.append("The council does not hold purchase dates for this equipment: the asset register does not "
                   "record them.")
    else:
        years = Counter(d.year for d in facts.dates)
        first, last = uk_date(min(facts.dates)), uk_date(max(facts.dates))
        out.append(f"Purchased on {first}." if first == last else f"Purchased between {first} and {last}.")
        out.append("Purchased by year: " + ", ".join(f"{y}: {c}" for y, c in sorted(years.items())) + ".")
        if missing := facts.no_date + facts.unreadable_dates:
            out.append(f"The purchase date of {n(missing, 'matched device')} is not held in the register.")
    if not facts.costed:
        out.append("The council does not hold the cost of this equipment: the asset register does not record it.")
    else:
        out.append(f"Recorded cost of the {n(facts.costed, 'matched device')} with a cost: {gbp(facts.total)}.")
        out.append(f"Of which equipment made by Hikvision or its subsidiaries ({n(facts.hikvision_costed, 'device')}): "
                   f"{gbp(facts.hikvision_total)}.")
        if missing := facts.no_cost + facts.unreadable_costs:
            out.append(f"The cost of {n(missing, 'matched device')} is not held in the register"
                       + (f" ({facts.unreadable_costs} in a form that is not an amount in pounds)"
                          if facts.unreadable_costs else "") + ".")
    out.append(f"Devices found on the network but not in the register: {len(join.unmatched_devices)}. "
               f"Register entries not found on the network: {len(join.unmatched_rows)}.")
    return [*out, ""]


def _analytics(devs: list[Device], summary: Counter[str]) -> list[str]:
    cams = sum(is_camera(d) for d in devs)
    out = ["## Which are standard CCTV, and which can recognise faces or read number plates?", ""]
    known = {k: v for k, v in summary.items() if k != "unknown" and v}
    if not known:
        return [*out, f"This was not determined for any of the {n(cams, 'camera')}: the survey did not establish "
                "which cameras have video analytics.", ""]
    out.append(f"Of the {n(cams, 'camera')}:")
    out.append(f"- {n(known.pop('standard', 0), 'camera is', 'cameras are')} standard CCTV (no video analytics "
               "found);")
    for cap in [c for c in CAPABILITY_WORDS if c in known] + sorted(c for c in known if c not in CAPABILITY_WORDS):
        out.append(f"- {n(known[cap], 'camera is', 'cameras are')} {CAPABILITY_WORDS.get(cap, f'capable of {cap}')};")
    out.append(f"- for {n(summary.get('unknown', 0), 'camera')} this could not be determined.")
    out.append("")
    for cap, on in analytics_enabled(devs).items():
        out.append(f"The cameras themselves report {ENABLED_WORDS.get(cap, md(cap))} switched on in "
                   f"{n(on, 'camera')}.")
    out.append("\"Capable of\" means the camera offers the function; whether it is used is a separate question "
               "the survey does not answer.")
    return [*out, ""]


def _recorders(devs: list[Device], options: DraftOptions, unasked_list: list[UnaskedRecorder]) -> list[str]:
    out = ["## Recorders and the cameras connected to them", ""]
    recs = [d for d in devs if is_recorder(d)]
    if not recs:
        return [*out, "No recorders (NVR/DVR) were identified.", ""]
    behind = Counter(d.via for d in devs if d.via)
    unasked = {id(u.device) for u in unasked_list}
    rows = []
    for d in recs:
        told = "not asked" if id(d) in unasked else str(behind[d.ip])
        rows.append([d.manufacturer or "unknown", d.model or "-", d.device_type.upper(),
                     *([] if options.withhold_locations else [d.site or "-"]), told])
    head = ["manufacturer", "model", "type", *([] if options.withhold_locations else ["site"]), "cameras connected"]
    return [*out, *table(head, rows), ""]


def _basis(devs: list[Device]) -> list[str]:
    basis: Counter[str] = Counter()
    for d in devs:
        if not d.manufacturer:
            continue
        key = next((s for s in ("isapi", "cgi", "sadp", "dhip", "nvr", "onvif") if s in d.evidence), "")
        basis[BASIS.get(key, "banners, model numbers and registered network-card prefixes")] += 1
    return ["## How devices were identified", "", *(f"- {c} by {b}" for b, c in basis.most_common()),
            "", "Manufacturer means the company group that made the hardware: a rebadged camera (e.g. LTS or "
            "Annke for Hikvision, Amcrest or Lorex for Dahua) counts under its real maker, with the brand it "
            "carries shown separately.", ""]


def _withheld(options: DraftOptions) -> list[str]:
    kept = "firmware versions, security advisories, network addresses and exact locations"
    return ["## Not in this draft", "",
            f"This draft leaves out {kept}, which public bodies commonly withhold. They are in the internal annex "
            "(`camscan report --foi-annex FILE`), with template wording for the exemption usually cited. Whether "
            "to withhold anything, and on what grounds, is for the council to decide.", ""]


def render_text(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None,
                options: DraftOptions | None = None) -> str:
    """The same answer as plain text (for an email or a letter)."""
    return markdown_to_text(render_markdown(inv, join, register_cols, options))


def _label(kind: str) -> str:
    return {"camera": "cameras", "nvr": "NVRs", "dvr": "DVRs", "intercom": "intercoms", "alarm": "alarm parts",
            "encoder": "encoders", "other": "other", "unknown": "unknown type"}.get(kind, md(kind))


def _maker_order(m: str) -> tuple[int, str]:
    return ({"Hikvision": 0, "Dahua": 1}.get(m, 3 if m == UNKNOWN else 2), m)


def options_of(context: RenderContext) -> DraftOptions:
    return DraftOptions(context.withhold_locations, context.generated, context.join is not None)


@dataclass(frozen=True, slots=True)
class FoiExporter:
    """The draft as Markdown (`foi-markdown`) or plain text (`foi-text`)."""

    name: str
    suffix: str
    markdown: bool

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        context = context or RenderContext()
        render = render_markdown if self.markdown else render_text
        text = render(inventory, context.join, context.register_columns, options_of(context))
        if context.estate is None or context.withhold_locations:  # per-site sections name the sites
            return text
        from camscan.estate_report import add_to_foi  # per-site sections of an estate-wide answer

        return add_to_foi(text, context.estate, self.markdown, public=True)


FOI_MARKDOWN = FoiExporter("foi-markdown", ".md", markdown=True)
FOI_TEXT = FoiExporter("foi-text", ".txt", markdown=False)


__all__ = ["FOI_MARKDOWN", "FOI_TEXT", "DraftOptions", "FoiExporter", "render_markdown", "render_text", "scan_day"]
