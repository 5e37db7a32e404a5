"""Vivotek device search (UDP 10000, broadcast): a 5-byte request (a session byte and the
magic 4A 5D 8F 1C), answered to the sender's port with the same 5 bytes followed by
type/length/value fields (1-byte type, 1-byte length): 0x01 the device's long name, 0x02 the
MAC (6 bytes), 0x03 the IPv4 address, 0x09 the model. Type 0x04 carries its one-byte value
in the length position.

Only Vivotek firmware answers, so replies carry platform="Vivotek" and vendor="Vivotek". Pure:
bytes in, Evidence out, no sockets. Format learned from UniversalScanner's Vivotek module and
self-test sample (LGPL, read, not copied).
"""

from __future__ import annotations

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring, ipv4_bytes

PORT = 10000
REPLY_PORT = None  # replies go to the port the request came from
MAX_PAYLOAD = 8192
MAGIC = b"\x4a\x5d\x8f\x1c"
HEADER_LEN = 5
MAX_FIELDS = 64
T_LONG_NAME, T_MAC, T_IPV4, T_INLINE, T_MODEL = 0x01, 0x02, 0x03, 0x04, 0x09


def build_probe(session: int = 1) -> bytes:
    """The search request: a session byte and the magic."""
    if not 0 <= session <= 255:
        raise ValueError("Vivotek session must be one byte")
    return bytes([session]) + MAGIC


def read_fields(data: bytes) -> dict[int, bytes]:
    """Type → value of the fields after the header; Malformed for a value past the end."""
    fields: dict[int, bytes] = {}
    pos = HEADER_LEN
    for count in range(MAX_FIELDS + 1):
        if pos >= len(data):
            break
        if count == MAX_FIELDS:
            raise Malformed("Vivotek: too many fields")
        if pos + 2 > len(data):
            raise Malformed("Vivotek: field header runs past the end of the datagram")
        ftype, length = data[pos], data[pos + 1]
        if ftype == 0:
            raise Malformed("Vivotek: field of type 0")
        if ftype == T_INLINE:
            fields.setdefault(ftype, bytes([length]))
            pos += 2
            continue
        if pos + 2 + length > len(data):
            raise Malformed(f"Vivotek: field 0x{ftype:02x} runs past the end of the datagram")
        fields.setdefault(ftype, data[pos + 2:pos + 2 + length])
        pos += 2 + length
    return fields


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A Vivotek search datagram → [Evidence] for a reply; [] for the 5-byte request and for
    datagrams without the magic. Malformed for oversized or field-corrupt replies."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Vivotek: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("Vivotek: empty payload")
    if data[1:5] != MAGIC or len(data) == HEADER_LEN:
        return []
    fields = read_fields(data)
    mac = normalise_mac(fields.get(T_MAC, b""))
    reported = ipv4_bytes(fields.get(T_IPV4, b""))
    if not mac and not reported:
        raise Malformed("Vivotek: reply names neither a MAC nor an address")
    return [Evidence(
        source="vivotek",
        platform="Vivotek",
        vendor="Vivotek",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        model=cstring(fields.get(T_MODEL, b""), 100),
        name=cstring(fields.get(T_LONG_NAME, b""), 200),
        note=f"reports IPv4 address {reported}" if src.ip and reported and reported != src.ip else "",
    )]
