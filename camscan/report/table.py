"""The terminal view: a table of the rows (with each device's name and, when the inventory has
it, the vendor its MAC's OUI is registered to) and a summary a person can read at a glance
("9 Hikvision: 5 static, 2 PTZ, 1 NVR ..."), plus what the run skipped; and the one-line
summary every scan and replay ends with on stderr. Every line goes through
report.inert.terminal: cells, notes and counts carry device text (ONVIF faults, host names)."""

from __future__ import annotations

from dataclasses import dataclass

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.counts import Headcount, by_maker
from camscan.report.foi_text import n
from camscan.report.inert import terminal
from camscan.serialise import TABLE_FIELDS

# the recorder and channel share one column
_CELL = {"via": lambda d: f"{d.via}:{d.channel}" if d.via else ""}
@dataclass(frozen=True, slots=True)
class Column:
    field: str
    heading: str
    width: int
    kind: str = "text"


def columns() -> list[Column]:
    """The table's columns in order: serialise.TABLE_FIELDS (position, heading and width there)."""
    return [Column(f.name, heading, width, f.kind) for f in TABLE_FIELDS if f.table for _, heading, width in [f.table]]


def _cut(s: str, n: int) -> str:
    s = terminal(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def _cell(d: Device, c: Column) -> str:
    if c.field in _CELL:
        return _CELL[c.field](d)
    value = getattr(d, c.field, "")
    if c.kind == "texts":
        return ",".join(value)
    return "" if value is None else str(value)


class TableExporter:
    name = "table"
    suffix = ".txt"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        cols = columns()
        lines = ["  ".join(c.heading.ljust(c.width) for c in cols).rstrip()]
        for d in inventory.devices:
            lines.append("  ".join(_cut(_cell(d, c), c.width).ljust(c.width) for c in cols).rstrip())
        lines.append("")
        lines.extend(terminal(line) for line in summary_lines(inventory))
        return "\n".join(lines) + "\n"


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def summary_line(inventory: Inventory) -> str:
    """The run in one line, for stderr after every scan and replay (also with -q):
    "camscan: 47 cameras (38 static, 9 PTZ), 3 recorders, 120 other hosts; skipped 2: ..."."""
    count = Headcount.of(inventory.devices)
    forms = count.forms
    form = f"{forms.static} static, {forms.ptz} PTZ"
    if forms.unsettled:
        form += f", {forms.unsettled} of unknown form"
    others = count.devices - count.cameras - count.recorders
    line = (f"camscan: {_plural(count.cameras, 'camera')} ({form}), {_plural(count.recorders, 'recorder')}, "
            f"{_plural(others, 'other host')}")
    if count.cameras_behind_recorders:
        line += f"; {count.cameras_behind_recorders} of the cameras known through recorders"
    if inventory.skipped:
        line += f"; skipped {sum(inventory.skipped.values())}: " + ", ".join(
            f"{n} {k}" for k, n in sorted(inventory.skipped.items()))
    return line


def summary_lines(inventory: Inventory) -> list[str]:
    devs = inventory.devices
    count = Headcount.of(devs)
    forms = count.forms
    out = [f"{n(count.devices, 'device')}, {n(count.cameras, 'camera')} "
           f"({forms.static} static, {forms.ptz} PTZ, {forms.unknown} of unknown form), "
           f"{n(count.nvrs, 'NVR')}, {n(count.dvrs, 'DVR')}"]
    makers = by_maker((d for d in devs if d.device_type not in ("other", "unknown") or d.manufacturer),
                      "unknown maker")
    if makers:
        order = sorted(makers.items(), key=lambda kv: ({"Hikvision": 0, "Dahua": 1}.get(kv[0], 2), -kv[1]))
        out.append("by manufacturer: " + ", ".join(f"{m} {c}" for m, c in order))
    others = sum(d.device_type == "other" and not d.manufacturer for d in devs)
    unknown = sum(d.device_type == "unknown" and not d.manufacturer for d in devs)
    if others or unknown:
        out.append(f"also {n(others, 'other host')} (PCs, printers, routers...) and {n(unknown, 'host')} "
                   "not identified")
    flagged = sum(1 for d in devs if d.advisories)
    if flagged:
        out.append(f"{n(flagged, 'device')} with firmware covered by known advisories (see the advisories column)")
    if count.behind_recorders:
        out.append(f"{n(count.behind_recorders, 'camera')} reported only through recorders")
    if inventory.skipped:
        total = sum(inventory.skipped.values())
        out.append(f"skipped {total}: " + ", ".join(f"{n} {k}" for k, n in sorted(inventory.skipped.items())))
    out.extend(inventory.notes)
    return out
