"""Frames → the addressed payloads the protocol parsers read: ARP bodies, UDP datagrams
(IPv4 fragments reassembled), TCP segments and ICMPv6 neighbour discovery, over IPv4 and IPv6.

Every link type a capture is commonly made with is read: Ethernet (with 802.1Q/802.1ad tags),
Linux cooked v1 and v2 (`tcpdump -i any`, tags or not), raw IP, BSD and OpenBSD loopback.

Pure and defensive: every length is checked against the bytes actually captured; a frame
that lies about its lengths is counted as malformed and dropped, never trusted. IPv6
fragments are not reassembled (discovery replies fit one packet) and are counted.
"""

from __future__ import annotations

import ipaddress
import struct
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from camscan.collect import Counters

# libpcap link-layer types we decode
DLT_NULL = 0
DLT_EN10MB = 1
DLT_RAW = 101
DLT_RAW_ALT = (12, 14)
DLT_LINUX_SLL = 113
DLT_LINUX_SLL2 = 276
DLT_LOOP = 108

ETH_IP = 0x0800
ETH_ARP = 0x0806
ETH_IPV6 = 0x86DD
ETH_VLAN = (0x8100, 0x88A8, 0x9100)

MAX_FRAGMENTED = 65_535
MAX_PENDING_DATAGRAMS = 512
# a 64 KB datagram over a 576-byte path is 117 fragments; more is a flood, not a datagram
MAX_FRAGMENTS = 128
MAX_REFUSED_DATAGRAMS = 4096


@dataclass(slots=True)
class Datagram:
    """An IPv4 or IPv6 payload with its addressing (IPv4 after any reassembly); `ttl` is the
    IPv6 hop limit for IPv6."""

    src_mac: str
    src: str
    dst: str
    proto: int
    payload: bytes
    ts: float
    ttl: int = 64


def mac_str(b: bytes) -> str:
    return b.hex(":")  # in C: every frame that reaches Python names its MAC (30x the join's speed)


def ip_str(b: bytes) -> str:
    return f"{b[0]}.{b[1]}.{b[2]}.{b[3]}"


def _untag(data: bytes, etype: int, off: int) -> tuple[int, int] | None:
    """(ethertype, offset of the L3 header) once any VLAN tags at `off` are skipped."""
    while etype in ETH_VLAN:
        if len(data) < off + 4:
            return None
        etype = (data[off + 2] << 8) | data[off + 3]
        off += 4
    return etype, off


def link_payload(linktype: int, data: bytes) -> tuple[str, int, bytes] | None:
    """(source MAC, ethertype, L3 bytes) for a frame, or None if the link type is unknown."""
    if linktype == DLT_EN10MB:
        if len(data) < 14:
            return None
        src = mac_str(data[6:12])
        tagged = _untag(data, (data[12] << 8) | data[13], 14)
    elif linktype == DLT_LINUX_SLL:
        if len(data) < 16:
            return None
        src = mac_str(data[6:12]) if (data[4] << 8) | data[5] == 6 else ""
        tagged = _untag(data, (data[14] << 8) | data[15], 16)
    elif linktype == DLT_LINUX_SLL2:
        if len(data) < 20:
            return None
        src = mac_str(data[12:18]) if data[11] == 6 else ""
        tagged = _untag(data, (data[0] << 8) | data[1], 20)
    else:
        return _network_payload(linktype, data)
    if tagged is None:
        return None
    return src, tagged[0], data[tagged[1]:]


def _network_payload(linktype: int, data: bytes) -> tuple[str, int, bytes] | None:
    """Link types without MACs: raw IP and the BSD loopback headers."""
    if linktype == DLT_RAW or linktype in DLT_RAW_ALT:
        if not data:
            return None
        return "", ETH_IP if data[0] >> 4 == 4 else ETH_IPV6, data
    if linktype in (DLT_NULL, DLT_LOOP):
        if len(data) < 4:
            return None
        fam = struct.unpack("<I", data[:4])[0] if linktype == DLT_NULL else struct.unpack(">I", data[:4])[0]
        if fam not in (2, 0x02000000):
            return "", ETH_IPV6, data[4:]
        return "", ETH_IP, data[4:]
    return None


class _Pending:
    """One incomplete datagram: its fragments by offset, how many bytes they bring, its end."""

    __slots__ = ("parts", "received", "total")

    def __init__(self) -> None:
        self.parts: dict[int, bytes] = {}
        self.received = 0
        self.total: int | None = None

    def covered(self) -> bool:
        """Whether the fragments cover [0, total) with no hole (no bytes copied)."""
        end = 0
        for off in sorted(self.parts):
            if off > end:
                return False
            end = max(end, off + len(self.parts[off]))
        return self.total is not None and end >= self.total

    def assemble(self) -> bytes:
        buf = bytearray()
        for off in sorted(self.parts):
            part = self.parts[off]
            buf += part[len(buf) - off:]
        return bytes(buf[:self.total])


class Defragmenter:
    """Reassembles IPv4 fragments (RFC 791), bounded in datagram size, in fragments per
    datagram and in how many incomplete datagrams it holds; overlaps keep the first copy.

    Linear: a fragment costs a dict insert; the datagram is only checked for holes once its
    fragments bring enough bytes, and copied once when it has none. A datagram cut into more
    than MAX_FRAGMENTS pieces (a 64 KB datagram in 8-byte fragments is 8,192) is refused and
    counted, and the rest of its fragments are dropped on sight (a bounded memory of refused
    datagrams), so a fragment flood replays at least as fast as ordinary traffic."""

    def __init__(self, counters: Counters) -> None:
        self._pending: OrderedDict[tuple[bytes, bytes, int, int], _Pending] = OrderedDict()
        self._refused: OrderedDict[tuple[bytes, bytes, int, int], None] = OrderedDict()
        self._counters = counters

    def add(self, key: tuple[bytes, bytes, int, int], offset: int, more: bool, data: bytes) -> bytes | None:
        if key in self._refused:
            return None
        entry = self._pending.get(key)
        if entry is None:
            if len(self._pending) >= MAX_PENDING_DATAGRAMS:
                _, old = self._pending.popitem(last=False)
                self._count_incomplete(old)
            entry = self._pending[key] = _Pending()
        if offset + len(data) > MAX_FRAGMENTED:
            self._refuse(key, "oversized fragmented datagrams")
            return None
        if offset not in entry.parts:
            if len(entry.parts) >= MAX_FRAGMENTS:
                self._refuse(key, f"fragmented datagrams in over {MAX_FRAGMENTS} pieces (dropped)")
                return None
            entry.parts[offset] = data
            entry.received += len(data)
        if not more:
            entry.total = offset + len(data)
        if entry.total is None or entry.received < entry.total or not entry.covered():
            return None
        del self._pending[key]
        return entry.assemble()

    def _refuse(self, key: tuple[bytes, bytes, int, int], why: str) -> None:
        self._pending.pop(key, None)
        self._counters.add(why)
        self._refused[key] = None
        if len(self._refused) > MAX_REFUSED_DATAGRAMS:
            self._refused.popitem(last=False)

    def _count_incomplete(self, entry: _Pending) -> None:
        # The filter lets through every non-first fragment (it cannot see their ports) but only
        # the first fragments of wanted traffic, so a datagram never completed is only worth
        # reporting when its first fragment — a wanted one — was seen.
        if 0 in entry.parts:
            self._counters.add("incomplete IP fragments")

    def close(self) -> None:
        for entry in self._pending.values():
            self._count_incomplete(entry)
        self._pending.clear()
        self._refused.clear()


def ipv4(src_mac: str, l3: bytes, ts: float, defrag: Defragmenter, counters: Counters) -> Datagram | None:
    """Decode an IPv4 header; return the (reassembled) datagram or None."""
    if len(l3) < 20 or l3[0] >> 4 != 4:
        counters.add("malformed IP headers")
        return None
    ihl = (l3[0] & 0x0F) * 4
    total = (l3[2] << 8) | l3[3]
    if ihl < 20 or total < ihl or len(l3) < ihl:
        counters.add("malformed IP headers")
        return None
    if total > len(l3):
        counters.add("truncated packets")
        return None
    payload = l3[ihl:total]
    proto = l3[9]
    flags_frag = (l3[6] << 8) | l3[7]
    more = bool(flags_frag & 0x2000)
    offset = (flags_frag & 0x1FFF) * 8
    if more or offset:
        key = (l3[12:16], l3[16:20], (l3[4] << 8) | l3[5], proto)
        whole = defrag.add(key, offset, more, payload)
        if whole is None:
            return None
        payload = whole
    return Datagram(src_mac, ip_str(l3[12:16]), ip_str(l3[16:20]), proto, payload, ts, l3[8])


# IPv6 extension headers a packet may carry before its payload (hop-by-hop, routing,
# destination options); a fragment header (44) ends decoding: fragments are not reassembled
_IPV6_EXTENSIONS = frozenset({0, 43, 60})
_IPV6_FRAGMENT = 44
_MAX_EXTENSIONS = 8


def ipv6_str(b: bytes) -> str:
    return ipaddress.IPv6Address(b).compressed


def ipv6(src_mac: str, l3: bytes, ts: float, counters: Counters) -> Datagram | None:
    """Decode an IPv6 header and any extension headers; the datagram or None."""
    if len(l3) < 40 or l3[0] >> 4 != 6:
        counters.add("malformed IPv6 headers")
        return None
    end = 40 + ((l3[4] << 8) | l3[5])
    if end > len(l3):
        counters.add("truncated packets")
        return None
    proto, off = l3[6], 40
    for _ in range(_MAX_EXTENSIONS):
        if proto not in _IPV6_EXTENSIONS:
            break
        if off + 8 > end:
            counters.add("malformed IPv6 headers")
            return None
        proto, off = l3[off], off + 8 + l3[off + 1] * 8
    if proto == _IPV6_FRAGMENT:
        counters.add("IPv6 fragments (not reassembled)")
        return None
    if off > end or proto in _IPV6_EXTENSIONS:
        counters.add("malformed IPv6 headers")
        return None
    return Datagram(src_mac, ipv6_str(l3[8:24]), ipv6_str(l3[24:40]), proto, l3[off:end], ts, l3[7])


# Initial TTLs senders use. A unicast packet that arrives with one of these came straight from
# its sender on this link; one with TTL 63, 127, 254... crossed a router, and the MAC on it is
# the router's, not the sender's. (Small TTLs are link-local multicast senders' own choice.)
ON_LINK_TTLS = frozenset({1, 2, 3, 4, 30, 32, 60, 64, 128, 255})


def sender_mac(dg: Datagram) -> str:
    """The frame's source MAC when it belongs to the packet's sender, else "" (IPv6: also
    when the sender used its link-local address, which never crosses a router)."""
    if ":" in dg.dst:
        if dg.dst.startswith("ff") or dg.src.startswith("fe80:") or dg.ttl in ON_LINK_TTLS:
            return dg.src_mac
        return ""
    first = int(dg.dst.split(".", 1)[0])
    if 224 <= first <= 239 or dg.ttl in ON_LINK_TTLS:
        return dg.src_mac
    return ""


def udp(dg: Datagram, counters: Counters) -> tuple[int, int, bytes] | None:
    """(source port, destination port, payload) of a UDP datagram."""
    p = dg.payload
    if len(p) < 8:
        counters.add("truncated packets")
        return None
    ulen = (p[4] << 8) | p[5]
    if ulen < 8 or ulen > len(p):
        counters.add("truncated packets")
        return None
    return (p[0] << 8) | p[1], (p[2] << 8) | p[3], p[8:ulen]


@dataclass(slots=True)
class Segment:
    sport: int
    dport: int
    seq: int
    flags: int
    payload: bytes


SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10


def tcp(dg: Datagram, counters: Counters) -> Segment | None:
    p = dg.payload
    if len(p) < 20:
        counters.add("truncated packets")
        return None
    off = (p[12] >> 4) * 4
    if off < 20 or off > len(p):
        counters.add("malformed TCP headers")
        return None
    sport, dport, seq = struct.unpack_from(">HHI", p)
    return Segment(sport, dport, seq, p[13], p[off:])
