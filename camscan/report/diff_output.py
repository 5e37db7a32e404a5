"""The diff between two inventories as people and programs read it: a terminal text (counts,
then one section per kind of change, one line per device) and a JSON document; and the two
exporters `camscan diff` picks by name. What counts as which kind of change is report/diff.py's."""

from __future__ import annotations

from typing import Any

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.diff import Change, DiffResult
from camscan.report.inert import terminal
from camscan.report.jsonfile import render_document
from camscan.serialise import device_to_dict


def _text(value: Any) -> str:
    s = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else " " for ch in s)


def _cut(value: Any, n: int) -> str:
    s = _text(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _where(d: Device) -> str:
    if d.ip:
        return d.ip
    if d.via:
        return f"via {d.via} ch {d.channel}" if d.channel is not None else f"via {d.via}"
    return d.mac or "(no address)"


def _maker(d: Device) -> str:
    if d.brand and d.manufacturer and d.brand != d.manufacturer:
        return f"{d.manufacturer} ({d.brand})"
    return d.manufacturer or d.brand or "unknown maker"


def _line(d: Device, detail: str) -> str:
    kind = d.device_type if d.device_type != "unknown" else ""
    cells = (_cut(_where(d), 21).ljust(21), _cut(_maker(d), 20).ljust(20), _cut(kind, 8).ljust(8),
             _cut(d.model or "-", 24).ljust(24), _text(detail))
    return ("  " + "  ".join(cells)).rstrip()


def _change_text(fields: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(f"{name} {_text(a)} -> {_text(b)}" for name, (a, b) in fields.items())


def _detail_text(fields: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(f"{name} {_text(b)}" + (f" (was {_text(a)})" if a not in (None, "") else "")
                     for name, (a, b) in fields.items())


def _device_detail(d: Device) -> str:
    parts = []
    if d.firmware:
        parts.append(f"firmware {d.firmware}")
    if d.serial:
        parts.append(f"serial {d.serial}")
    if d.mac:
        parts.append(f"mac {d.mac}")
    if d.ip and d.via:
        parts.append(f"on {d.via} ch {d.channel}")
    return ", ".join(parts)


def render_table(d: DiffResult) -> str:
    """The diff as text for a terminal: the counts, then one section per kind of change with one
    line per device (where, maker, type, model, what changed)."""
    lines = [d.summary()]
    if not (d.new or d.gone or d.moved or d.reflashed or d.changed or d.new_risk or d.more_detail):
        lines.append("no differences")
        return "\n".join(lines) + "\n"
    sections: list[tuple[str, list[str]]] = [
        ("new risk", [_line(c.new, "advisories now apply: " + ", ".join(c.fields["advisories"][1]))
                      for c in d.new_risk]),
        ("new", [_line(x, _device_detail(x)) for x in d.new]),
        ("gone", [_line(x, _device_detail(x)) for x in d.gone]),
        ("moved", [_line(c.new, _change_text(c.fields) + f" (same {c.matched_by})") for c in d.moved]),
        ("re-flashed", [_line(c.new, _change_text(c.fields)) for c in d.reflashed]),
        ("changed", [_line(c.new, _change_text(c.fields) + f" (same {c.matched_by})") for c in d.changed]),
        ("more detail (learnt this scan, not a change)",
         [_line(c.new, _detail_text(c.fields)) for c in d.more_detail]),
    ]
    for title, rows in sections:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(rows)
    return "\n".join(terminal(line) for line in lines) + "\n"  # device text: inert on a terminal


def _change_dict(c: Change) -> dict[str, Any]:
    return {
        "matched_by": c.matched_by,
        "changes": {name: {"old": a, "new": b} for name, (a, b) in c.fields.items()},
        "old": device_to_dict(c.old),
        "new": device_to_dict(c.new),
    }


def render_json(d: DiffResult) -> str:
    """The diff as JSON: counts, then lists of devices (new, gone) and of changes (moved,
    reflashed, changed, new_risk, more_detail), each change with the fields that differ and both
    full rows. Keys come in a fixed order and lists in the inventory's row order, so equal diffs
    give equal text.
    One list entry per line: readable, greppable, and fast to write for large estates."""
    summary = {"new": len(d.new), "gone": len(d.gone), "moved": len(d.moved), "reflashed": len(d.reflashed),
               "changed": len(d.changed), "new_risk": len(d.new_risk), "more_detail": len(d.more_detail),
               "unchanged": d.unchanged}
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        ("new", [device_to_dict(x) for x in d.new]),
        ("gone", [device_to_dict(x) for x in d.gone]),
        ("moved", [_change_dict(c) for c in d.moved]),
        ("reflashed", [_change_dict(c) for c in d.reflashed]),
        ("changed", [_change_dict(c) for c in d.changed]),
        ("new_risk", [_change_dict(c) for c in d.new_risk]),
        ("more_detail", [_change_dict(c) for c in d.more_detail]),
    ]
    return render_document({"summary": summary, **dict(sections)})


def _comparison(context: RenderContext) -> DiffResult:
    if context.diff is None:
        raise ValueError("the diff outputs render the comparison in context.diff")
    return context.diff


class DiffTextExporter:
    """The diff for a terminal (`camscan diff`); the inventory is the newer scan."""

    name = "diff-text"
    suffix = ".txt"

    def render(self, inventory: Inventory, context: RenderContext) -> str:
        return render_table(_comparison(context))


class DiffJsonExporter:
    """The diff as JSON (`camscan diff --json`)."""

    name = "diff-json"
    suffix = ".json"

    def render(self, inventory: Inventory, context: RenderContext) -> str:
        return render_json(_comparison(context))
