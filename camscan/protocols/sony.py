"""Sony network camera discovery (UDP 2380, broadcast): the request `02 "ENQ:allinfo" ff 03`,
answered to the sender's port with `KEY:value` fields framed the same way (0x02 first, each
field ended by 0xFF, 0x03 last): MAC, MODEL, SERIAL, IPADR, SOFTVERSION, WEBPORT, DHCP...

Only Sony firmware answers, so replies carry platform="Sony" and vendor="Sony". Pure: bytes in,
Evidence out, no sockets. Format learned from UniversalScanner's Sony module and self-test
sample (LGPL, read, not copied).
"""

from __future__ import annotations

from camscan.firmware import normalise_firmware
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring

PORT = 2380
REPLY_PORT = None  # replies go to the port the request came from
MAX_PAYLOAD = 8192
MAX_FIELDS = 128
START, END, FIELD_END = 0x02, 0x03, 0xFF
QUERY = "ENQ:allinfo"


def build_probe() -> bytes:
    """The `ENQ:allinfo` request."""
    return bytes([START]) + QUERY.encode("ascii") + bytes([FIELD_END, END])


def read_fields(data: bytes) -> dict[str, str]:
    """KEY (upper case) → value of a framed datagram; Malformed when the frame is broken."""
    if len(data) < 2 or data[0] != START or data[-1] != END:
        raise Malformed("Sony: datagram is not framed by 0x02 ... 0x03")
    fields: dict[str, str] = {}
    for raw in data[1:-1].split(bytes([FIELD_END]))[:MAX_FIELDS]:
        key, sep, value = raw.decode("utf-8", "replace").partition(":")
        key = key.strip().upper()
        if sep and key and len(key) <= 32 and key not in fields:
            fields[key] = cstring(value.encode(), 200)
    return fields


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A Sony discovery datagram → [Evidence] for a reply naming a MAC or a model; [] for the
    ENQ request and unframed datagrams that are not Sony's. Malformed for oversized or
    truncated frames."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Sony: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("Sony: empty payload")
    if data[0] != START:
        return []
    fields = read_fields(data)
    if "ENQ" in fields:
        return []
    mac = normalise_mac(fields.get("MAC", ""))
    model = fields.get("MODEL", "")
    if not mac and not model:
        return []
    reported = ipv4(fields.get("IPADR", ""))
    return [Evidence(
        source="sony",
        platform="Sony",
        vendor="Sony",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        model=model[:100],
        serial=fields.get("SERIAL", "")[:100],
        firmware=normalise_firmware(fields.get("SOFTVERSION", "")),
        note=f"reports IPv4 address {reported}" if src.ip and reported and reported != src.ip else "",
    )]
