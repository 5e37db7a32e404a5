"""Address fields as devices write them, read one way for every protocol module."""

from __future__ import annotations

import ipaddress


def ipv4(raw: str | None) -> str:
    """The dotted quad if `raw` is a usable IPv4 address, else "" (0.0.0.0 counts as unusable:
    devices write it for "not configured")."""
    try:
        addr = ipaddress.IPv4Address((raw or "").strip())
    except ValueError:
        return ""
    return "" if addr.is_unspecified else str(addr)


def ipv6(raw: str | None) -> str:
    """The compressed form if `raw` is a usable unicast IPv6 address, else "" (`::`, multicast,
    IPv4 and garbage are not: devices write `::` for "not configured")."""
    try:
        addr = ipaddress.IPv6Address((raw or "").strip().split("%", 1)[0])
    except ValueError:
        return ""
    return "" if addr.is_unspecified or addr.is_multicast else addr.compressed
