"""The FOI draft's internal annex: what public bodies commonly withhold, kept out of the draft and
written to its own file (`camscan report --foi-annex FILE`) so it cannot be sent by mistake with
the answer.

It holds the networks surveyed, every device's address and location, firmware and the security
advisories that apply, recorders that were not asked, the asset register's loose ends, and
exemption wording as templates. Coventry withheld its internal camera locations under section
31(1)(a) (law enforcement) with a public interest test; the annex offers that wording to edit,
never as a decision made for the officer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.assets import LINE_KEY, JoinResult, uk_date
from camscan.report.counts import is_camera, is_recorder
from camscan.report.foi import DraftOptions, options_of, scan_day
from camscan.report.foi_facts import unasked_recorders
from camscan.report.foi_text import markdown_to_text, n, table
from camscan.report.inert import markdown as md
from camscan.values import ip_sort_key

TEMPLATE_NOTE = ("[TEMPLATE: a starting point to edit, not a decision. Whether an exemption applies, and how the "
                 "public interest balances, are for the council to decide and to explain in its own words.]")
S31_LOCATIONS = (
    "Information on the locations of the council's cameras is withheld under section 31(1)(a) of the Freedom of "
    "Information Act 2000, as its disclosure would, or would be likely to, prejudice the prevention or detection "
    "of crime: [explain, e.g. a list of locations shows where there is no coverage]. This is a qualified "
    "exemption and we have considered the public interest. In favour of disclosure: [transparency about "
    "surveillance of public places ...]. In favour of withholding: [...]. We have concluded that [...].")
S31_SECURITY = (
    "Information on the firmware versions of the council's equipment and on security weaknesses that may affect "
    "it is withheld under section 31(1)(a) of the Freedom of Information Act 2000, as its disclosure would, or "
    "would be likely to, prejudice the prevention or detection of crime by helping an attacker target the "
    "equipment: [explain]. This is a qualified exemption and we have considered the public interest. [In favour "
    "of disclosure: ...] [In favour of withholding: ...] We have concluded that [...].")


def _devices_table(devs: list[Device]) -> list[str]:
    kit = sorted((d for d in devs if is_camera(d) or is_recorder(d)),
                 key=lambda d: (d.site.casefold(), ip_sort_key(d.via or d.ip), d.channel or 0))
    rows = [[d.site or "-", d.name or "-", d.device_type, d.manufacturer or "unknown", d.model or "-", d.ip or "-",
             f"{d.via} channel {d.channel}" if d.via else "-"] for d in kit]
    return table(["site", "name", "type", "manufacturer", "model", "address", "connected to"], rows)


def _firmware(devs: list[Device]) -> list[str]:
    fw = Counter((d.manufacturer or "unknown", d.model or "-", d.firmware or "unknown", "; ".join(d.advisories))
                 for d in devs if is_camera(d) or is_recorder(d))
    rows = [[m, mo, f, str(c), a or "-"] for (m, mo, f, a), c in sorted(fw.items(), key=lambda x: (-x[1], x[0]))]
    out = ["## Firmware and security advisories", "",
           *table(["manufacturer", "model", "firmware", "devices", "advisories"], rows)]
    if heur := sum(1 for d in devs if any(f.heuristic for f in d.findings)):
        out += ["", f"{n(heur, 'advisory finding rests', 'advisory findings rest')} on a rule of thumb "
                "(a firmware build date), not on the vendor's own list of affected models."]
    return [*out, ""]


def _unasked(devs: list[Device]) -> list[str]:
    unasked = unasked_recorders(devs)
    if not unasked:
        return []
    rows = [[u.device.ip or "-", u.device.site or "-", u.device.manufacturer or "unknown", u.device.model or "-",
             str(u.channels) if u.channels else "unknown"] for u in unasked]
    return ["## Recorders that were not asked", "",
            "Scan these again with credentials for their own API to count the cameras connected to them.", "",
            *table(["address", "site", "manufacturer", "model", "channels"], rows), ""]


def _register(join: JoinResult | None) -> list[str]:
    if join is None:
        return []
    out = ["## Asset register: loose ends", ""]
    rows = join.unmatched_rows
    if rows:
        cols = [k for k in dict.fromkeys(k for r in rows for k in r) if k != LINE_KEY]
        out += [f"{n(len(rows), 'register entry', 'register entries')} not found on the network:", "",
                *table(["register line", *cols], [[r.get(LINE_KEY, ""), *(r.get(c, "") for c in cols)]
                                                   for r in rows]), ""]
    else:
        out += ["Every register entry was found on the network.", ""]
    devs = sorted(join.unmatched_devices, key=lambda d: ip_sort_key(d.ip))
    if devs:
        out += [f"{n(len(devs), 'device')} found on the network but not in the register:", "",
                *table(["address", "site", "type", "manufacturer", "model", "serial", "MAC"],
                       [[d.ip or "-", d.site or "-", d.device_type, d.manufacturer or "unknown", d.model or "-",
                         d.serial or "-", d.mac or "-"] for d in devs]), ""]
    return out


def render_annex(inv: Inventory, join: JoinResult | None, options: DraftOptions) -> str:
    """The annex in Markdown."""
    out = ["# INTERNAL ANNEX: NOT FOR PUBLICATION", "",
           f"Annex to the draft FOI answer prepared on {uk_date(options.day)} (survey of {scan_day(inv)}). It "
           "holds what public bodies commonly withhold. Do not send it with the answer.", "",
           "## Networks surveyed", "", md(", ".join(inv.targets)) or "(not recorded)", "",
           "## Locations and network addresses", ""]
    out.append("The draft withholds locations (your choice, `--withhold-locations`); they are listed here."
               if options.withhold_locations else
               "The draft gives figures per site; exact locations and addresses are listed here only.")
    out += ["", *_devices_table(inv.devices), ""]
    out += _firmware(inv.devices) + _unasked(inv.devices) + _register(join)
    out += ["## Exemption wording (templates)", "", TEMPLATE_NOTE, "",
            "### If you decide to withhold camera locations", "", S31_LOCATIONS, "",
            "### If you decide to withhold firmware and security information", "", S31_SECURITY, ""]
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class FoiAnnexExporter:
    """The annex as Markdown (`foi-annex-markdown`) or plain text (`foi-annex-text`)."""

    name: str
    suffix: str
    markdown: bool

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        context = context or RenderContext()
        text = render_annex(inventory, context.join, options_of(context))
        if context.estate is not None:  # an estate's per-site sections, with their sources and advisories
            from camscan.estate_report import add_to_foi

            text = add_to_foi(text, context.estate, markdown=True)
        return text if self.markdown else markdown_to_text(text)


FOI_ANNEX_MARKDOWN = FoiAnnexExporter("foi-annex-markdown", ".md", markdown=True)
FOI_ANNEX_TEXT = FoiAnnexExporter("foi-annex-text", ".txt", markdown=False)
