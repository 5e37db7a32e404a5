"""Unicast DNS queries (UDP 53): the names a device asks for, as `dns_query` banners.

What it is for: a camera that phones home names its maker's cloud in the first packets it
sends (`api.eu.xiaoyi.com`, `v720.naxclow.com`, `signal.mydlink.com`), even when its network
chip's OUI names a Wi-Fi module maker and it serves nothing on the LAN. The names are banners:
signatures (banners/dns.toml) say what they mean, and fusion weighs them like any banner.

Only queries are read (QR bit clear), and they are attributed to the host that sent them;
answers come from resolvers, which are not the devices the names describe. The reader is the
bounded one mdns.py uses (pointer loops, out-of-range pointers and inflated counts are
Malformed). Pure: bytes in, Evidence out, no sockets.
"""

from __future__ import annotations

import struct

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.mdns import read_name
from camscan.values import normalise_mac

PORT = 53
MAX_PAYLOAD = 4096
MAX_QUESTIONS = 8
_HEADER = struct.Struct("!HHHHHH")
_QR = 0x8000
_OPCODE = 0x7800


def query_names(data: bytes) -> list[str]:
    """The names a standard query asks for (lower case, no trailing dot); [] for answers,
    other opcodes and queries without questions. Malformed for truncated or hostile packets."""
    if len(data) < _HEADER.size:
        raise Malformed(f"DNS: truncated header ({len(data)} bytes)")
    _, flags, qdcount, _, _, _ = _HEADER.unpack_from(data)
    if flags & _QR or flags & _OPCODE:
        return []
    names: list[str] = []
    pos = _HEADER.size
    for _ in range(min(qdcount, MAX_QUESTIONS)):
        labels, pos = read_name(data, pos)
        pos += 4  # QTYPE, QCLASS
        if pos > len(data):
            raise Malformed("DNS: question runs past the end of the packet")
        name = ".".join(labels).lower()
        if name and name not in names:
            names.append("".join(c if c.isprintable() else "?" for c in name)[:255])
    return names


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A DNS datagram → one Evidence per queried name (banner `dns_query`), attributed to the
    sender; [] for answers. Malformed for truncated, oversized or hostile packets."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"DNS: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("DNS: empty payload")
    names = query_names(data)
    if not names:
        return []
    mac = normalise_mac(src.mac)
    return [Evidence(source="dns", ip=src.ip, mac=mac, banners={"dns_query": name}) for name in names]
