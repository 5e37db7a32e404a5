"""Which pieces of evidence are about the same physical device.

What it is for: fusion resolves one group at a time; this module makes the groups. By MAC
first, then by IP; a camera a recorder reports on one of its channels is keyed by (recorder
IP, channel) and is its own group, joined to a directly seen device only when a serial number
is the same on both (a recorder's list and the camera's own answer agree; different serials
are different cameras, even at the same address behind the recorder).

MACs are put right first: ARP's IP→MAC binding is the truth where it exists, and a MAC seen
as the source of several IPs is a router's (packets from off-link hosts carry it), so those
hosts never inherit it.

What it must not do: decide any field of a device (resolve.py does) or drop evidence other
than the scanner's own (a host seen only asking ARP questions).
"""

from __future__ import annotations

from collections import defaultdict

from camscan.model import Evidence

GroupKey = tuple[object, ...]  # ("mac", mac), ("ip", ip) or ("ch", recorder ip, channel)


def addressed(evidence: list[Evidence]) -> list[Evidence]:
    """The evidence that names a device at all (an IP, a MAC or a recorder's channel)."""
    return [e for e in evidence if e.ip or e.mac or e.via]


def sanitise_macs(evidence: list[Evidence]) -> None:
    """Give each directly seen IP its ARP-bound MAC, and take a router's MAC (one MAC seen
    for several IPs) off evidence from hosts ARP did not bind. Changes the evidence in place."""
    arp_bind: dict[str, str] = {}
    for e in evidence:
        if e.source == "arp" and e.ip and e.mac:
            arp_bind.setdefault(e.ip, e.mac)
    mac_ips: dict[str, set[str]] = defaultdict(set)
    for e in evidence:
        if e.mac and e.ip and not e.via:
            mac_ips[e.mac].add(e.ip)
    shared = {m for m, ips in mac_ips.items() if len(ips) > 1}
    for e in evidence:
        if e.via or not e.ip:
            continue
        if e.ip in arp_bind:
            e.mac = arp_bind[e.ip]
        elif e.mac in shared:
            e.mac = ""  # a router's MAC on an off-link host's packets


def group(evidence: list[Evidence]) -> list[list[Evidence]]:
    """The evidence split per device, in first-seen order of the groups."""
    ip_mac: dict[str, str] = {}
    for e in evidence:
        if e.ip and e.mac and not e.via:
            ip_mac.setdefault(e.ip, e.mac)
    groups: dict[GroupKey, list[Evidence]] = {}
    channel_groups: dict[GroupKey, list[Evidence]] = {}
    for e in evidence:
        if e.via:
            channel_groups.setdefault(("ch", e.via, e.channel), []).append(e)
            continue
        mac = e.mac or ip_mac.get(e.ip, "")
        key = ("mac", mac) if mac else ("ip", e.ip)
        groups.setdefault(key, []).append(e)
    # a camera a recorder reports that was also seen directly: one row, when serials agree
    by_serial: dict[str, GroupKey] = {}
    for key, items in groups.items():
        for e in items:
            if e.serial:
                by_serial.setdefault(e.serial.upper(), key)
    for ckey, items in channel_groups.items():
        # in the order the recorder said them, so the outcome never depends on hashing
        serials = dict.fromkeys(e.serial.upper() for e in items if e.serial)
        target = next((by_serial[s] for s in serials if s in by_serial), None)
        if target is not None:
            groups[target].extend(items)
        else:
            groups[ckey] = items
    return list(groups.values())


def is_scanner(items: list[Evidence]) -> bool:
    """A host seen only asking ARP questions is, in a scan's capture, the scanner itself."""
    return all(e.arp_op == "request" for e in items)
