"""Hanwha Vision (Samsung Techwin, Wisenet) device discovery: a 262-byte record broadcast to
UDP 7701 with type byte 0x01, answered to UDP 7711 with the same layout and type 0x0B.

The reply carries text fields at fixed offsets: the MAC (`00:11:22:33:44:55`) at 19, the IPv4
address, mask and gateway at 37, 53 and 69 (16 bytes each), the model at 109 and the web URL
at 133. Only Hanwha/Samsung firmware answers it, so every reply carries platform="Hanwha" and
vendor="Hanwha" (Samsung-badged units are Samsung Techwin, Hanwha's former name).

Pure: bytes in, Evidence out, no sockets. Format learned from UniversalScanner's Hanwha module
and self-test sample (LGPL, read, not copied).
"""

from __future__ import annotations

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring

PORT = 7701
REPLY_PORT = 7711
RECORD_LEN = 262
MAX_PAYLOAD = 4096
TYPE_REQUEST, TYPE_REPLY = 0x01, 0x0B

_MAC = slice(19, 37)
_IP = slice(37, 53)
_MODEL = slice(109, 133)
_URL = slice(133, 172)


def build_probe() -> bytes:
    """The discovery request: type 0x01, the rest of the 262-byte record zero."""
    return bytes([TYPE_REQUEST]) + bytes(RECORD_LEN - 1)


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A Hanwha discovery datagram → [Evidence] for a reply (type 0x0B); [] for requests and
    other types. Malformed for short, oversized or MAC-less replies."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Hanwha: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("Hanwha: empty payload")
    if data[0] != TYPE_REPLY:
        return []
    if len(data) < _URL.start:
        raise Malformed(f"Hanwha: reply of {len(data)} bytes is shorter than its fields")
    mac = normalise_mac(cstring(data[_MAC], 17))
    if not mac:
        raise Malformed("Hanwha: reply without a readable MAC address")
    reported = ipv4(cstring(data[_IP], 15))
    url = cstring(data[_URL], 39)
    banners = {"hanwha_url": url} if url else {}
    return [Evidence(
        source="hanwha",
        platform="Hanwha",
        vendor="Hanwha",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        model=cstring(data[_MODEL], 24),
        banners=banners,
        note=f"reports IPv4 address {reported}" if src.ip and reported and reported != src.ip else "",
    )]
