"""Which pieces of evidence are about the same physical device.

What it is for: fusion resolves one group at a time; this module makes the groups. By MAC
first, then by IPv4 address, then by IPv6 address; a camera a recorder reports on one of its
channels is keyed by (recorder IP, channel) and is its own group, joined to a directly seen
device only when a serial number is the same on both (a recorder's list and the camera's own
answer agree; different serials are different cameras, even at the same address behind the
recorder).

MACs are put right first. An address's binding to a MAC (ARP, or a DHCP server's ACK) is the
truth where it exists. A MAC seen as the source of several IPv4 addresses is either a router's
(packets from off-link hosts carry it: they have no binding to it and no identity in common)
or one device's that moved or holds two addresses (each address is bound to the MAC, the
addresses share a serial number, or the MAC took a DHCP lease and is seen on a few
addresses). The router's MAC is inherited by none of the off-link hosts;
the device keeps its MAC and becomes one group holding both addresses.

The scanner: a host seen only asking ARP questions is dropped only when it is the scanner's
own address (known in a live scan), or, replaying a capture, when it swept ARP over many
addresses and said nothing else (the scan that made the capture). A device that only asks for
its gateway is a device.

What it must not do: decide any field of a device (resolve.py does) or drop evidence other
than the scanner's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from camscan.model import Evidence

GroupKey = tuple[object, ...]  # ("mac", mac), ("ip", ip), ("ip6", ipv6) or ("ch", recorder ip, channel)

# A host that asked ARP about at least this many addresses and said nothing else is sweeping
# the network: the scanner that made the capture, not a device (a device asks about its
# gateway, its DNS server, a peer or two; the real captures' devices ask about one or two).
SWEEP_MIN_TARGETS = 8
# a DHCP client seen on at most this many addresses moved (a factory address, an old lease,
# its new one); on more it is forwarding other hosts' packets
MAX_MOVED_ADDRESSES = 3
# sources whose IPv4 address → MAC binding is the device's own word on it
_BINDING_SOURCES = frozenset({"arp", "dhcp"})


def addressed(evidence: list[Evidence]) -> list[Evidence]:
    """The evidence that names a device at all (an IPv4 or IPv6 address, a MAC or a recorder's channel)."""
    return [e for e in evidence if e.ip or e.mac or e.via or e.ipv6]


def sanitise_macs(evidence: list[Evidence]) -> None:
    """Give each directly seen IP its bound MAC, and take a router's MAC (one MAC seen for
    several IPs none of which is bound to it or shares an identity) off evidence from hosts
    nothing bound. Changes the evidence in place."""
    bind: dict[str, str] = {}
    for e in evidence:
        if e.source in _BINDING_SOURCES and e.ip and e.mac and not e.via:
            bind.setdefault(e.ip, e.mac)
    mac_ips: dict[str, set[str]] = defaultdict(set)
    for e in evidence:
        if e.mac and e.ip and not e.via:
            mac_ips[e.mac].add(e.ip)
    shared = {m for m, ips in mac_ips.items() if len(ips) > 1}
    owned = _addresses_of_one_device(evidence, mac_ips, bind)
    for e in evidence:
        if e.via or not e.ip:
            continue
        if e.ip in bind:
            e.mac = bind[e.ip]
        elif e.mac in shared and e.ip not in owned.get(e.mac, ()):
            e.mac = ""  # a router's MAC on an off-link host's packets


def _addresses_of_one_device(evidence: list[Evidence], mac_ips: dict[str, set[str]],
                             bind: dict[str, str]) -> dict[str, set[str]]:
    """For each MAC seen on several IPs, the IPs that are the MAC owner's own: bound to it,
    carrying a serial number that another of its IPs carries too, or — when the MAC is a DHCP
    client here (a device that took a lease, which a router forwarding others' packets is not
    doing for them) seen on a few addresses only — all of them (it moved)."""
    shared = {m for m, ips in mac_ips.items() if len(ips) > 1}
    serial_ips: dict[tuple[str, str], set[str]] = defaultdict(set)
    dhcp_clients: set[str] = set()
    for e in evidence:
        if e.via or e.mac not in shared:
            continue
        if e.ip and e.serial:
            serial_ips[(e.mac, e.serial.strip().upper())].add(e.ip)
        if e.source == "dhcp":
            dhcp_clients.add(e.mac)
    owned: dict[str, set[str]] = defaultdict(set)
    for ip, mac in bind.items():
        if mac in shared:
            owned[mac].add(ip)
    for (mac, _serial), ips in serial_ips.items():
        if len(ips) > 1 or ips & owned[mac]:
            owned[mac] |= ips
    for mac in dhcp_clients:
        if len(mac_ips[mac]) <= MAX_MOVED_ADDRESSES:
            owned[mac] |= mac_ips[mac]
    return owned


def group(evidence: list[Evidence]) -> list[list[Evidence]]:
    """The evidence split per device, in first-seen order of the groups."""
    ip_mac: dict[str, str] = {}
    for e in evidence:
        if e.mac and not e.via:
            if e.ip:
                ip_mac.setdefault(e.ip, e.mac)
            if e.ipv6:
                ip_mac.setdefault(e.ipv6, e.mac)
    groups: dict[GroupKey, list[Evidence]] = {}
    channel_groups: dict[GroupKey, list[Evidence]] = {}
    for e in evidence:
        if e.via:
            channel_groups.setdefault(("ch", e.via, e.channel), []).append(e)
            continue
        groups.setdefault(_key(e, ip_mac), []).append(e)
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


def _key(e: Evidence, ip_mac: dict[str, str]) -> GroupKey:
    mac = e.mac or ip_mac.get(e.ip, "") or ip_mac.get(e.ipv6, "")
    if mac:
        return ("mac", mac)
    return ("ip", e.ip) if e.ip else ("ip6", e.ipv6)


def sweepers(evidence: list[Evidence]) -> frozenset[str]:
    """The hosts that only asked ARP questions, about at least SWEEP_MIN_TARGETS addresses."""
    asked: dict[str, set[str]] = defaultdict(set)
    said_more: set[str] = set()
    for e in evidence:
        if not e.ip or e.via:
            continue
        if e.source == "arp" and e.arp_op == "request":
            asked[e.ip].add(e.arp_target)
        else:
            said_more.add(e.ip)
    return frozenset(ip for ip, targets in asked.items() if ip not in said_more and len(targets) >= SWEEP_MIN_TARGETS)


def is_scanner(items: list[Evidence], scanner_ips: Collection[str]) -> bool:
    """A host seen only asking ARP questions, from one of the scanner's own addresses."""
    return all(e.arp_op == "request" and e.ip in scanner_ips for e in items)
