"""What changed between two inventories: devices new, gone, moved, re-flashed or otherwise changed,
told apart from what a scan merely learnt (more detail) and from a newly applicable advisory (new risk).

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

What counts as news:

- changed: a field both scans know and that differs (a different model, serial, maker...): the
  device's identity changed. Firmware is compared as parsed versions (camscan.firmware): a
  different version, or the same version with a different build date, is a re-flash.
- more detail: a field that went from unknown or empty to known (form unknown -> PTZ, a model
  read with credentials this time, a build date added to the same firmware version). The device
  did not change; the scan learnt more about it.
- new risk: an advisory applies to the device now that did not before (re-flashed to an affected
  build, or the advisory is new).

A field the newer scan did not learn (no credentials that time, a recorder that did not list
an IP) is missing information, neither news nor detail.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from camscan.firmware import Firmware, normalise_firmware
from camscan.model import Device
from camscan.serialise import fields_for_diff
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
    reflashed: list[Change] = field(default_factory=list)  # firmware version or build changed
    changed: list[Change] = field(default_factory=list)  # model, serial, MAC, maker... changed
    new_risk: list[Change] = field(default_factory=list)  # advisories that apply now and did not before
    more_detail: list[Change] = field(default_factory=list)  # fields that went from unknown to known
    unchanged: int = 0  # matched devices with none of the above

    def summary(self) -> str:
        return (f"{len(self.new)} new, {len(self.gone)} gone, {len(self.moved)} moved, "
                f"{len(self.reflashed)} re-flashed, {len(self.changed)} changed, {len(self.new_risk)} new risk, "
                f"{len(self.more_detail)} more detail, {self.unchanged} unchanged")


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


def _known(value: Any, name: str) -> bool:
    if value is None or value == "":
        return False
    return not (name in ("device_type", "form") and value == "unknown")


def _same(a: Any, b: Any, name: str) -> bool:
    if name == "serial":
        return a.strip().upper() == b.strip().upper()
    if name == "mac":
        return a.lower() == b.lower()
    return a == b


def _kind_of_change(a: Any, b: Any, name: str) -> str:
    """"changed" (both known, different), "detail" (unknown -> known) or "" (nothing to report)."""
    if not _known(b, name) or (_known(a, name) and _same(a, b, name)):
        return ""
    return "changed" if _known(a, name) else "detail"


_BUILD = re.compile(r"\s*,?\s*build", re.I)


def _version_text(firmware: str) -> str:
    """The version part of a firmware string (before any build), compared without case or a `V`."""
    return "".join(_BUILD.split(firmware.lower(), 1)[0].split()).lstrip("v")


def firmware_change(a: str, b: str) -> str:
    """How firmware `a` became `b`, compared as parsed versions: "changed" for a re-flash (another
    version, or the same version with another build date), "detail" when the newer string only
    adds what the older lacked (a build date, or firmware at all), "" when nothing changed."""
    a, b = normalise_firmware(a or ""), normalise_firmware(b or "")
    if not b or a == b:
        return ""
    if not a:
        return "detail"
    if _version_text(a) != _version_text(b):
        return "changed"
    built_a, built_b = Firmware.parse(a).build, Firmware.parse(b).build
    if built_a and built_b:
        return "changed" if built_a != built_b else ""
    return "detail" if built_b and not built_a else ""


def _fields(old: Device, new: Device, names: tuple[str, ...]) -> tuple[dict[str, tuple[Any, Any]],
                                                                        dict[str, tuple[Any, Any]]]:
    """The fields that changed, and the fields that went from unknown to known."""
    changed: dict[str, tuple[Any, Any]] = {}
    detail: dict[str, tuple[Any, Any]] = {}
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        kind = firmware_change(a, b) if name == "firmware" else _kind_of_change(a, b, name)
        if kind:
            (changed if kind == "changed" else detail)[name] = (a, b)
    return changed, detail


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
        _classify(result, Change(o, n, how))
    return result


def _classify(result: DiffResult, pair: Change) -> None:
    """Put one matched pair in every category it belongs to (or count it unchanged)."""
    o, n = pair.old, pair.new
    moved, moved_detail = _fields(o, n, LOCATION_FIELDS)
    flashed, flash_detail = _fields(o, n, FIRMWARE_FIELDS)
    other, other_detail = _fields(o, n, IDENTITY_FIELDS)
    advisories = [a for a in dict.fromkeys(n.advisories) if a not in o.advisories]
    detail = {**moved_detail, **flash_detail, **other_detail}
    found = [(result.moved, moved), (result.reflashed, flashed), (result.changed, other),
             (result.new_risk, {"advisories": (list(o.advisories), advisories)} if advisories else {}),
             (result.more_detail, detail)]
    for bucket, fields in found:
        if fields:
            bucket.append(Change(o, n, pair.matched_by, fields))
    if not any(fields for _, fields in found):
        result.unchanged += 1
