"""The terminal view: a table of the rows and a summary a person can read at a glance
("9 Hikvision: 5 static, 2 PTZ, 1 NVR ..."), plus what the run skipped."""

from __future__ import annotations

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.counts import Headcount, by_maker
from camscan.serialise import TABLE_FIELDS, Field

# the recorder and channel share one column
_CELL = {"via": lambda d: f"{d.via}:{d.channel}" if d.via else ""}


def _cut(s: str, n: int) -> str:
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return s if len(s) <= n else s[: n - 1] + "…"


def _cell(d: Device, f: Field) -> str:
    if f.name in _CELL:
        return _CELL[f.name](d)
    value = getattr(d, f.name)
    return ",".join(value) if f.kind == "texts" else str(value)


class TableExporter:
    name = "table"
    suffix = ".txt"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        widths = [(name, w) for f in TABLE_FIELDS if f.table for _, name, w in [f.table]]
        lines = ["  ".join(name.ljust(w) for name, w in widths).rstrip()]
        for d in inventory.devices:
            cells = [_cut(_cell(d, f), w).ljust(w) for f, (_, w) in zip(TABLE_FIELDS, widths, strict=True)]
            lines.append("  ".join(cells).rstrip())
        lines.append("")
        lines.extend(summary_lines(inventory))
        return "\n".join(lines) + "\n"


def summary_lines(inventory: Inventory) -> list[str]:
    devs = inventory.devices
    count = Headcount.of(devs)
    forms = count.forms
    out = [f"{count.devices} devices, {count.cameras} cameras "
           f"({forms.static} static, {forms.ptz} PTZ, {forms.unknown} of unknown form), "
           f"{count.nvrs} NVRs, {count.dvrs} DVRs"]
    makers = by_maker((d for d in devs if d.device_type not in ("other", "unknown") or d.manufacturer),
                      "unknown maker")
    if makers:
        order = sorted(makers.items(), key=lambda kv: ({"Hikvision": 0, "Dahua": 1}.get(kv[0], 2), -kv[1]))
        out.append("by manufacturer: " + ", ".join(f"{m} {n}" for m, n in order))
    others = sum(d.device_type == "other" and not d.manufacturer for d in devs)
    unknown = sum(d.device_type == "unknown" and not d.manufacturer for d in devs)
    if others or unknown:
        out.append(f"also {others} other hosts (PCs, printers, routers...) and {unknown} hosts not identified")
    flagged = sum(1 for d in devs if d.advisories)
    if flagged:
        out.append(f"{flagged} devices with firmware covered by known advisories (see the advisories column)")
    if count.behind_recorders:
        out.append(f"{count.behind_recorders} cameras reported only through recorders")
    if inventory.skipped:
        total = sum(inventory.skipped.values())
        out.append(f"skipped {total}: " + ", ".join(f"{n} {k}" for k, n in sorted(inventory.skipped.items())))
    out.extend(inventory.notes)
    return out
