"""The link a scan uses: IPv4 interfaces as `ip -j addr` reports them, and the choice of the one
whose subnet holds the targets (or the one the user named)."""

from __future__ import annotations

import ipaddress
import json
import subprocess
from dataclasses import dataclass

import netaddr

from camscan.errors import InputError


@dataclass(frozen=True)
class Interface:
    name: str
    ip: str
    network: ipaddress.IPv4Network
    mac: str


def interfaces() -> list[Interface]:
    try:
        out = subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, text=True, check=True).stdout
        data = json.loads(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return []
    result = []
    for link in data:
        if "UP" not in link.get("flags", []):
            continue
        for a in link.get("addr_info", []):
            if a.get("family") != "inet":
                continue
            net = ipaddress.IPv4Network(f"{a['local']}/{a['prefixlen']}", strict=False)
            result.append(Interface(link["ifname"], a["local"], net, link.get("address", "")))
    return result


def choose(targets: netaddr.IPSet, name: str | None) -> Interface | None:
    """The named interface, or the non-loopback one whose subnet holds most of the targets;
    None when no interface's subnet holds any (every target is off-link)."""
    ifaces = interfaces()
    if name:
        named = [i for i in ifaces if i.name == name]
        if not named:
            known = ", ".join(sorted({i.name for i in ifaces})) or "none"
            raise InputError(f"--interface {name}: no such interface with an IPv4 address (have: {known})")
        return max(named, key=lambda i: (netaddr.IPSet([str(i.network)]) & targets).size)
    best, best_n = None, 0
    for i in ifaces:
        if i.name == "lo":
            continue
        n = (netaddr.IPSet([str(i.network)]) & targets).size
        if n > best_n:
            best, best_n = i, n
    return best


def on_link(iface: Interface | None, targets: netaddr.IPSet) -> netaddr.IPSet:
    if iface is None:
        return netaddr.IPSet()
    net = netaddr.IPSet([str(iface.network)])
    net.remove(str(iface.network.network_address))
    net.remove(str(iface.network.broadcast_address))
    net.remove(iface.ip)
    return targets & net


def route_interface(ip: str) -> Interface | None:
    """The interface (and source address) the kernel would use to reach `ip` — for capturing a
    scan whose targets are all behind a router. Asks `ip route get`, which sends nothing."""
    try:
        out = subprocess.run(["ip", "-j", "route", "get", ip], capture_output=True, text=True, check=True).stdout
        route = json.loads(out)[0]
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return None
    dev, src = route.get("dev"), route.get("prefsrc")
    return next((i for i in interfaces() if i.name == dev and i.ip == src), None)
