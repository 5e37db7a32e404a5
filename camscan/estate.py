"""One answer for an estate of many sites: the inventories of several sensors (files, or the
latest scan of each site in the store) merged into one, each device once.

A device two sensors saw — a routed scan from headquarters and the site's own sensor — is one
device: matched by serial, then by MAC (a serial or MAC that is not unique within one sensor's
own inventory is a placeholder or a clone, and matches nothing; a randomised MAC matches
nothing). Addresses never match across sites: private ranges repeat from site to site. The
merged row keeps the fuller record (the one with a MAC: the sensor on the device's own link)
and takes what it lacks from the other, with a note naming every sensor that saw it.

Which site a device is at: a sites file's network (or recorder) wins, for scans that cover
several sites; else the site the device already carries; else the sensor's --site.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

from camscan.errors import InputError
from camscan.model import Device, Inventory
from camscan.report.sites import Site, site_of


@dataclass
class Part:
    """One sensor's inventory: `site` its --site ('' for none), `source` what to call it."""

    site: str
    inventory: Inventory
    source: str


@dataclass
class Estate:
    inventory: Inventory
    parts: list[Part] = field(default_factory=list)
    merged: int = 0  # devices seen by more than one sensor, counted once

    @property
    def is_estate(self) -> bool:
        return len(self.parts) > 1 or any(p.site for p in self.parts)


def tag_site(inventory: Inventory, site: str) -> None:
    """`scan`/`replay --site NAME`: every device not already placed is at NAME."""
    if site:
        for d in inventory.devices:
            d.site = d.site or site


def place(parts: list[Part], site_list: list[Site] | None) -> None:
    """Fill each device's site: sites file, then its own, then its sensor's."""
    for part in parts:
        for d in part.inventory.devices:
            mapped = site_of(d.via or d.ip, site_list) if site_list else ""
            d.site = mapped or d.site or part.site


def _unique_keys(devices: list[Device]) -> tuple[set[str], set[str]]:
    serials = Counter(_serial(d) for d in devices)
    macs = Counter(_mac(d) for d in devices)
    return ({s for s, n in serials.items() if s and n == 1}, {m for m, n in macs.items() if m and n == 1})


def _serial(d: Device) -> str:
    s = d.serial.strip().upper()
    return s if len(s) >= 4 and len(set(s)) > 1 else ""


def _mac(d: Device) -> str:
    m = d.mac.strip().lower()
    return "" if d.mac_randomised or m in ("", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff") else m


def _fuller(a: Device, b: Device) -> bool:
    """Is `a` the better record to keep: seen on its own link (a MAC), then more fields known,
    then more sources heard from (a tie keeps the first)."""
    def score(d: Device) -> tuple[bool, int, int]:
        return bool(d.mac), sum(bool(getattr(d, f.name)) for f in fields(Device)), len(d.evidence)
    return score(a) >= score(b)


def _combine(keep: Device, other: Device) -> None:
    for f in fields(Device):
        mine, theirs = getattr(keep, f.name), getattr(other, f.name)
        if f.name == "analytics":  # one sensor's reading, not a union; "unknown" gives way
            if mine in ([], ["unknown"]) and theirs not in ([], ["unknown"]):
                keep.analytics = list(theirs)
                keep.provenance["analytics"] = other.provenance.get("analytics", "")
            continue
        if f.name == "channels_unasked":  # a recorder one sensor could ask was asked
            keep.channels_unasked = mine and theirs
            continue
        if isinstance(mine, list):
            mine.extend(x for x in theirs if x not in mine)
        elif isinstance(mine, dict):
            for k, v in theirs.items():
                mine.setdefault(k, v)
        elif mine in ("", None, "unknown") and theirs not in ("", None, "unknown"):
            setattr(keep, f.name, theirs)
            if f.name in other.provenance:
                keep.provenance[f.name] = other.provenance[f.name]


def merge(parts: list[Part]) -> tuple[list[Device], int]:
    """Every part's devices, each physical device once; and how many were merged."""
    out: list[Device] = []
    by_serial: dict[str, int] = {}
    by_mac: dict[str, int] = {}
    seen_by: dict[int, list[str]] = {}
    merged = 0
    for part in parts:
        serials, macs = _unique_keys(part.inventory.devices)
        recorders = {r.ip: _serial(r) or r.ip for r in part.inventory.devices if r.ip and not r.via}
        for d in part.inventory.devices:
            s, m = _serial(d), _mac(d)
            s, m = (s if s in serials else ""), (m if m in macs else "")
            if not (s or m) and d.via and d.channel is not None:
                # a camera known only by its recorder's channel (an analogue camera on a DVR):
                # the same recorder (by serial) and channel is the same camera
                s = f"channel {d.channel} of {recorders.get(d.via, d.via)}"
            at = by_serial.get(s) if s else None
            if at is None and m:
                at = by_mac.get(m)
            if at is None:
                at = len(out)
                out.append(d)
                seen_by[at] = [part.source]
            else:
                merged += 1
                keep, other = (out[at], d) if _fuller(out[at], d) else (d, out[at])
                _combine(keep, other)
                out[at] = keep
                seen_by[at].append(part.source)
            for key, index in ((s, by_serial), (m, by_mac)):
                if key:
                    index.setdefault(key, at)
    for at, sources in seen_by.items():
        if len(sources) > 1:
            out[at].notes.append("seen by " + str(len(sources)) + " sensors: " + ", ".join(sources))
    return out, merged


def combine(parts: list[Part], site_list: list[Site] | None) -> Estate:
    """The estate's one inventory from its parts."""
    if not parts:
        raise InputError("no inventories to report on")
    place(parts, site_list)
    if len(parts) == 1:  # one inventory: reported exactly as it was
        return Estate(inventory=parts[0].inventory, parts=parts)
    devices, merged = merge(parts)
    invs = [p.inventory for p in parts]
    times = sorted(i.scanned_at for i in invs if i.scanned_at)
    targets: list[str] = []
    for i in invs:
        targets.extend(t for t in i.targets if t not in targets)
    skipped: Counter[str] = Counter()
    for i in invs:
        skipped.update(i.skipped)
    inv = Inventory(devices=devices, targets=targets, scanned_at=times[-1] if times else "", skipped=dict(skipped))
    sites = sorted({p.site for p in parts if p.site})
    inv.notes.append(f"estate: {len(parts)} inventories"
                     + (f" from {len(sites)} sites" + (f" ({', '.join(sites)})" if len(sites) <= 8 else "")
                        if sites else "")
                     + (f", taken {times[0]} to {times[-1]}" if times else "")
                     + f"; {merged} device{'s' if merged != 1 else ''} seen by more than one sensor counted once")
    for p in parts:
        inv.notes.extend(f"{p.source}: {n}" for n in p.inventory.notes)
    return Estate(inventory=inv, parts=parts, merged=merged)
