"""IPv6 neighbour discovery (RFC 4861, ICMPv6 133–136): read which MAC an IPv6 address
belongs to, as ARP does for IPv4, so a device seen only over IPv6 is still a device.

What each message binds:
- router solicitation (133) and advertisement (134): its source address, to its source
  link-layer option (else the frame's source MAC);
- neighbour solicitation (135): its source address, likewise; one sent from `::` is duplicate
  address detection, and binds the target address the sender is about to use to the frame's
  source MAC;
- neighbour advertisement (136) with the override flag: its target address, to the target
  link-layer option (else the frame's source MAC). Without the override flag it may be a
  proxy's answer for another host, and binds nothing.

Pure: bytes in, Evidence out; passive only (camscan sends no NDP). It must not decide who made
anything. Multicast and unspecified addresses are never bound.
"""

from __future__ import annotations

import ipaddress

from camscan.model import Evidence, Malformed
from camscan.values import normalise_mac

ICMPV6 = 58
ROUTER_SOLICITATION, ROUTER_ADVERTISEMENT, NEIGHBOUR_SOLICITATION, NEIGHBOUR_ADVERTISEMENT = 133, 134, 135, 136
TYPES = (ROUTER_SOLICITATION, ROUTER_ADVERTISEMENT, NEIGHBOUR_SOLICITATION, NEIGHBOUR_ADVERTISEMENT)
# where the options start: after the fixed part of each message
_FIXED = {ROUTER_SOLICITATION: 8, ROUTER_ADVERTISEMENT: 16, NEIGHBOUR_SOLICITATION: 24, NEIGHBOUR_ADVERTISEMENT: 24}
_OPT_SOURCE_LLA, _OPT_TARGET_LLA = 1, 2
_FLAG_OVERRIDE = 0x20
MAX_OPTIONS = 32


def _options(data: bytes) -> dict[int, bytes]:
    """Option type → value of the options after the fixed part (first of each type kept)."""
    out: dict[int, bytes] = {}
    pos = 0
    for _ in range(MAX_OPTIONS):
        if pos + 2 > len(data):
            break
        kind, units = data[pos], data[pos + 1]
        if units == 0 or pos + units * 8 > len(data):
            raise Malformed("NDP: option length 0 or past the end of the packet")
        out.setdefault(kind, data[pos + 2:pos + units * 8])
        pos += units * 8
    return out


def _address(raw: bytes) -> str:
    addr = ipaddress.IPv6Address(raw)
    return "" if addr.is_unspecified or addr.is_multicast else addr.compressed


def parse(icmp: bytes, src_ip: str, src_mac: str) -> list[Evidence]:
    """An ICMPv6 message (from its type byte on) → [Evidence] binding an IPv6 address to a MAC;
    [] for other ICMPv6 types and for messages that bind nothing. Malformed when too short."""
    if not icmp:
        raise Malformed("NDP: empty message")
    kind = icmp[0]
    if kind not in _FIXED:
        return []
    fixed = _FIXED[kind]
    if len(icmp) < fixed:
        raise Malformed(f"NDP: truncated message ({len(icmp)} of {fixed} bytes)")
    options = _options(icmp[fixed:])
    source = ipaddress.IPv6Address(src_ip) if src_ip else ipaddress.IPv6Address(0)
    if kind == NEIGHBOUR_ADVERTISEMENT:
        if not icmp[4] & _FLAG_OVERRIDE:
            return []
        addr, lla = _address(icmp[8:24]), options.get(_OPT_TARGET_LLA, b"")
    elif kind == NEIGHBOUR_SOLICITATION and source.is_unspecified:
        addr, lla = _address(icmp[8:24]), b""  # duplicate address detection
    else:
        addr, lla = _address(source.packed), options.get(_OPT_SOURCE_LLA, b"")
    mac = normalise_mac(lla[:6]) if len(lla) >= 6 else ""
    mac = mac or normalise_mac(src_mac)
    if not addr or not mac:
        return []
    return [Evidence(source="ndp", ipv6=addr, mac=mac)]
