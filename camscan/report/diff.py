"""What changed between two inventories: devices new, gone, moved, re-flashed or otherwise changed.

Matching. A device is the same device in both scans when a stable identity says so, tried in
this order, each step only among the devices the earlier steps left unmatched:

1. serial number (case-insensitive), when both scans read one. It is printed in the hardware
   and survives everything the network does to a device: DHCP giving it a new address, a
   recorder moving it to another channel, a scan that came in across a router.
2. MAC address, when known and not a randomised (locally administered) one. Stable too, but a
   scan across a router does not see it, and a recorder's cameras are on the recorder's own
   PoE network, so their MACs are never seen at all.
3. for a camera reported by a recorder: the recorder (its serial if both scans read it, else its
   IP) and the channel. That is the only handle on a camera the scanner cannot reach directly.
4. last, the IP address: all that is left for a device that gave neither serial nor MAC.

An identity is used only where it is unique within each scan (two devices claiming serial
"0000000" or one router MAC identify nothing), and a weaker step never pairs two devices that
a stronger identifier tells apart: at the same IP or recorder channel, a different serial or a
different MAC is a replaced device (one gone, one new), not a changed one. So two devices that
swapped addresses under DHCP are two moves, never two devices whose model and serial changed.

What counts as a change: a field both scans know and that differs. A field one scan did not
learn (no credentials that time, a recorder that did not list an IP) is missing information,
not a change.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.serialise import device_to_dict, fields_for_diff
from camscan.values import ip_sort_key

# where a device is; a change here is a move
LOCATION_FIELDS = fields_for_diff("location")
# what a device is; a change here (at the same serial, MAC, channel or IP) is listed as changed
IDENTITY_FIELDS = fields_for_diff("identity")
FIRMWARE_FIELDS = fields_for_diff("firmware")


@dataclass(slots=True)
class Change:
    """One device seen in both scans, how it was matched, and the fields (old, new) that differ
    in this entry's category."""

    old: Device
    new: Device
    matched_by: str  # "serial", "mac", "recorder channel", "ip"
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class DiffResult:
    """A device that moved and was re-flashed is in both `moved` and `reflashed`, each entry
    carrying that category's fields."""

    new: list[Device] = field(default_factory=list)
    gone: list[Device] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)  # ip, via or channel changed
    reflashed: list[Change] = field(default_factory=list)  # firmware changed
    changed: list[Change] = field(default_factory=list)  # model, serial, MAC, maker... changed
    unchanged: int = 0  # matched devices with none of the above

    def summary(self) -> str:
        return (f"{len(self.new)} new, {len(self.gone)} gone, {len(self.moved)} moved, "
                f"{len(self.reflashed)} re-flashed, {len(self.changed)} changed, {self.unchanged} unchanged")


def sort_key(d: Device) -> tuple:
    """The inventory's row order (INVENTORY.md): ip numerically, then via, then channel."""
    return (ip_sort_key(d.ip), ip_sort_key(d.via), -1 if d.channel is None else d.channel, d.mac)


def _mac(d: Device) -> str:
    return "" if d.mac_randomised else d.mac.strip().lower()


def _serial(d: Device) -> str:
    return d.serial.strip().upper()


def _conflict(a: Device, b: Device) -> bool:
    """A stronger identifier both devices have tells them apart."""
    sa, sb = _serial(a), _serial(b)
    if sa and sb and sa != sb:
        return True
    ma, mb = _mac(a), _mac(b)
    return bool(ma and mb and ma != mb)


def _recorder_serials(devices: list[Device]) -> dict[str, str]:
    """ip -> serial of the devices cameras can sit behind (anything reached directly)."""
    out: dict[str, str] = {}
    for d in devices:
        if d.ip and not d.via and _serial(d):
            out.setdefault(d.ip, _serial(d))
    return out


KeyFn = Callable[[Device], Hashable | None]


def _passes(old: list[Device], new: list[Device]) -> list[tuple[str, KeyFn, KeyFn, bool]]:
    """(name, key for an old device, key for a new device, veto on a stronger conflict)."""
    old_rec, new_rec = _recorder_serials(old), _recorder_serials(new)

    def by_recorder_serial(recorders: dict[str, str]) -> KeyFn:
        def key(d: Device) -> Hashable | None:
            if d.via and d.channel is not None and d.via in recorders:
                return (recorders[d.via], d.channel)
            return None
        return key

    def by_recorder_ip(d: Device) -> Hashable | None:
        return (d.via, d.channel) if d.via and d.channel is not None else None

    def by_serial(d: Device) -> Hashable | None:
        return _serial(d) or None

    def by_mac(d: Device) -> Hashable | None:
        return _mac(d) or None

    def by_ip(d: Device) -> Hashable | None:
        return d.ip or None

    return [
        ("serial", by_serial, by_serial, False),
        # same MAC, different serial string: the same hardware read by another protocol, listed
        # as changed rather than as one gone and one new
        ("mac", by_mac, by_mac, False),
        ("recorder channel", by_recorder_serial(old_rec), by_recorder_serial(new_rec), True),
        ("recorder channel", by_recorder_ip, by_recorder_ip, True),
        ("ip", by_ip, by_ip, True),
    ]


def _unique(devices: list[Device], key: KeyFn) -> dict[Hashable, Device]:
    keyed = [(key(d), d) for d in devices]
    counts = Counter(k for k, _ in keyed if k is not None)
    return {k: d for k, d in keyed if k is not None and counts[k] == 1}


def _differs(a: Any, b: Any, name: str) -> bool:
    if a is None or b is None or a == "" or b == "":
        return False
    if name in ("device_type", "form") and "unknown" in (a, b):
        return False
    if name == "serial":
        return a.strip().upper() != b.strip().upper()
    if name == "mac":
        return a.lower() != b.lower()
    return a != b


def _fields(old: Device, new: Device, names: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    out: dict[str, tuple[Any, Any]] = {}
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if _differs(a, b, name):
            out[name] = (a, b)
    return out


def diff(old: list[Device], new: list[Device]) -> DiffResult:
    """Compare two scans' rows (old, then new); see the module docstring for how devices are
    matched. Linear in the number of devices (dictionary lookups, one per matching step)."""
    pairs: list[tuple[Device, Device, str]] = []
    old_left, new_left = list(old), list(new)
    for name, old_key, new_key, veto in _passes(old, new):
        if not old_left or not new_left:
            break
        old_by = _unique(old_left, old_key)
        new_by = _unique(new_left, new_key)
        matched_old: set[int] = set()
        matched_new: set[int] = set()
        for k, n in new_by.items():
            o = old_by.get(k)
            if o is None or (veto and _conflict(o, n)):
                continue
            pairs.append((o, n, name))
            matched_old.add(id(o))
            matched_new.add(id(n))
        if matched_new:
            old_left = [d for d in old_left if id(d) not in matched_old]
            new_left = [d for d in new_left if id(d) not in matched_new]

    result = DiffResult(new=sorted(new_left, key=sort_key), gone=sorted(old_left, key=sort_key))
    for o, n, how in sorted(pairs, key=lambda p: sort_key(p[1])):
        moved = _fields(o, n, LOCATION_FIELDS)
        flashed = _fields(o, n, FIRMWARE_FIELDS)
        other = _fields(o, n, IDENTITY_FIELDS)
        if moved:
            result.moved.append(Change(o, n, how, moved))
        if flashed:
            result.reflashed.append(Change(o, n, how, flashed))
        if other:
            result.changed.append(Change(o, n, how, other))
        if not (moved or flashed or other):
            result.unchanged += 1
    return result


# -- rendering -------------------------------------------------------------------------------

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
    if not (d.new or d.gone or d.moved or d.reflashed or d.changed):
        lines.append("no differences")
        return "\n".join(lines) + "\n"
    sections: list[tuple[str, list[str]]] = [
        ("new", [_line(x, _device_detail(x)) for x in d.new]),
        ("gone", [_line(x, _device_detail(x)) for x in d.gone]),
        ("moved", [_line(c.new, _change_text(c.fields) + f" (same {c.matched_by})") for c in d.moved]),
        ("re-flashed", [_line(c.new, _change_text(c.fields)) for c in d.reflashed]),
        ("changed", [_line(c.new, _change_text(c.fields) + f" (same {c.matched_by})") for c in d.changed]),
    ]
    for title, rows in sections:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(rows)
    return "\n".join(lines) + "\n"


def _change_dict(c: Change) -> dict[str, Any]:
    return {
        "matched_by": c.matched_by,
        "changes": {name: {"old": a, "new": b} for name, (a, b) in c.fields.items()},
        "old": device_to_dict(c.old),
        "new": device_to_dict(c.new),
    }


def render_json(d: DiffResult) -> str:
    """The diff as JSON: counts, then lists of devices (new, gone) and of changes (moved,
    reflashed, changed), each change with the fields that differ and both full rows. Keys come
    in a fixed order and lists in the inventory's row order, so equal diffs give equal text.
    One list entry per line: readable, greppable, and fast to write for large estates."""
    summary = {"new": len(d.new), "gone": len(d.gone), "moved": len(d.moved), "reflashed": len(d.reflashed),
               "changed": len(d.changed), "unchanged": d.unchanged}
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        ("new", [device_to_dict(x) for x in d.new]),
        ("gone", [device_to_dict(x) for x in d.gone]),
        ("moved", [_change_dict(c) for c in d.moved]),
        ("reflashed", [_change_dict(c) for c in d.reflashed]),
        ("changed", [_change_dict(c) for c in d.changed]),
    ]

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = [f'{{\n  "summary": {dump(summary)}']
    for name, entries in sections:
        body = "[]" if not entries else "[\n" + ",\n".join("    " + dump(e) for e in entries) + "\n  ]"
        parts.append(f"  {dump(name)}: {body}")
    return ",\n".join(parts) + "\n}\n"


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
