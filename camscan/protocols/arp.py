"""ARP (RFC 826) over Ethernet: build the broadcast who-has request of a live sweep, and read
ARP packets into Evidence (an IPv4 address bound to a MAC address).

Pure: bytes in, Evidence out. It must not open sockets, read the OUI registry or decide who
made anything (the MAC's registrant is looked up later by identify/). It only speaks
Ethernet/IPv4 ARP; anything else is not its business and gives [].

MACs are normalised by camscan.values.normalise_mac, the one normaliser every parser uses.
"""

from __future__ import annotations

import ipaddress
import struct

from camscan.model import Evidence, Malformed
from camscan.values import normalise_mac

MAX_PAYLOAD = 1_000_000

ETHERTYPE_ARP = 0x0806
_HTYPE_ETHERNET = 1
_PTYPE_IPV4 = 0x0800
_OP_REQUEST = 1
_OP_REPLY = 2
_ARP_LEN = 28  # Ethernet/IPv4 ARP packet
_MIN_FRAME = 60  # Ethernet minimum frame length without FCS

_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


def _mac_bytes(mac: str) -> bytes:
    norm = normalise_mac(mac)
    if not norm:
        raise ValueError(f"not a unicast MAC address: {mac[:40]!r}")
    return bytes.fromhex(norm.replace(":", ""))


def build_request(src_mac: str, src_ip: str, target_ip: str) -> bytes:
    """A whole Ethernet frame (broadcast destination, padded to 60 bytes) carrying an ARP
    who-has `target_ip` from `src_mac`/`src_ip`. Raises ValueError on bad addresses."""
    sha = _mac_bytes(src_mac)
    spa = ipaddress.IPv4Address(src_ip).packed
    tpa = ipaddress.IPv4Address(target_ip).packed
    eth = b"\xff" * 6 + sha + struct.pack("!H", ETHERTYPE_ARP)
    arp = struct.pack("!HHBBH", _HTYPE_ETHERNET, _PTYPE_IPV4, 6, 4, _OP_REQUEST) + sha + spa + b"\x00" * 6 + tpa
    frame = eth + arp
    return frame + b"\x00" * (_MIN_FRAME - len(frame))


def parse(arp_payload: bytes) -> list[Evidence]:
    """The ARP packet after the Ethernet (and any VLAN) header → Evidence for its sender.

    Replies, requests and gratuitous announcements all say "this IP is at this MAC" for the
    sender; ARP probes (sender IP 0.0.0.0, RFC 5227) do not, and give []. Non-Ethernet or
    non-IPv4 ARP, and opcodes other than request/reply (RARP, InARP), give []. Trailing
    Ethernet padding is ignored. A packet too short for its own header is Malformed.
    """
    data = bytes(arp_payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"ARP: payload of {len(data)} bytes is too large")
    if len(data) < 8:
        raise Malformed(f"ARP: truncated header ({len(data)} bytes)")
    htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", data)
    if (htype, ptype, hlen, plen) != (_HTYPE_ETHERNET, _PTYPE_IPV4, 6, 4):
        return []
    if len(data) < _ARP_LEN:
        raise Malformed(f"ARP: truncated Ethernet/IPv4 packet ({len(data)} of {_ARP_LEN} bytes)")
    if op not in (_OP_REQUEST, _OP_REPLY):
        return []
    sha, spa = data[8:14], data[14:18]
    addr = ipaddress.IPv4Address(spa)
    mac = normalise_mac(sha)
    if addr.is_unspecified or addr.is_multicast or addr == _BROADCAST or not mac:
        return []
    ip = str(addr)
    kind = "reply" if op == _OP_REPLY else "request"
    if op == _OP_REQUEST and spa == data[24:28]:
        kind = "gratuitous"
    target = str(ipaddress.IPv4Address(data[24:28])) if kind == "request" else ""
    return [Evidence(source="arp", ip=ip, mac=mac, arp_op=kind, arp_target=target)]
