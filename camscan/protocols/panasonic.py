"""Panasonic / i-PRO "Easy IP Setup" discovery: a search broadcast to UDP 10670, answered to
UDP 10669 (the port the setup tool sends from).

A datagram is a 48-byte header — `00 01`, a length (big-endian; it counts the bytes after
offset 52), the message type (0x000D search, 0x000E reply), the device's MAC at 6, the
searching host's MAC and IPv4 address at 12 and 18 — then tag/length/value fields (2-byte tag,
2-byte length) up to an `ff ff` end mark and a 2-byte trailer. The first field of a reply is
tag 0x00, the addressing mode. Tags read: 0x20 IPv4 address, 0xA7 device name, 0xA8 model,
0xA9 firmware, 0xD1 serial, 0xC0 channel count (recorders only).

Only Panasonic / i-PRO firmware answers, so replies carry platform="Panasonic" and
vendor="Panasonic" (i-PRO is the 2019 spin-off; older units say Panasonic). Pure: bytes in,
Evidence out, no sockets. Format learned from UniversalScanner's Panasonic module and
self-test sample (LGPL) and the Easy_IP project's notes from captures of the official tool
(read, not copied); the probe follows those captures and is unverified against hardware here.
"""

from __future__ import annotations

import struct

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring, ipv4_bytes

PORT = 10670
REPLY_PORT = 10669
MAX_PAYLOAD = 8192
HEADER_LEN = 48
LENGTH_BASE = 52  # the length field counts from here
MSG_SEARCH, MSG_REPLY = 0x000D, 0x000E
MAX_FIELDS = 128

TAG_IPV4, TAG_NAME, TAG_MODEL, TAG_FIRMWARE = 0x20, 0xA7, 0xA8, 0xA9
TAG_CHANNELS, TAG_SERIAL = 0xC0, 0xD1
# the fields the setup tool asks for, as its search lists them
_REQUESTED = (0x26, 0x20, 0x21, 0x22, 0x23, 0x25, 0x28, 0x40, 0x41, 0x42, 0x44, 0xA5, 0xA6, 0xA7,
              0xA8, 0xAD, 0xB3, 0xB4, 0xB7, 0xB8)


def build_probe(requester_mac: bytes = b"\xff" * 6, requester_ip: bytes = bytes(4)) -> bytes:
    """The search: header with the searching host's MAC and IPv4 address, the requested tag
    list between `ff f0` and `ff ff`, and the trailer the setup tool sends."""
    if len(requester_mac) != 6 or len(requester_ip) != 4:
        raise ValueError("requester MAC must be 6 bytes and IPv4 address 4 bytes")
    header = struct.pack("!HHH", 1, 0, MSG_SEARCH) + bytes(6) + requester_mac + requester_ip
    packet = header + bytes.fromhex("00002011 1e11231f 1e1913") + bytes.fromhex("00000201") + bytes(11)
    packet += b"\xff\xf0" + b"".join(struct.pack("!H", tag) for tag in _REQUESTED) + b"\xff\xff" + b"\x11\x70"
    return packet[:2] + struct.pack("!H", len(packet) - LENGTH_BASE) + packet[4:]


def read_fields(data: bytes) -> dict[int, bytes]:
    """Tag → value of the TLV area, stopping at `ff ff`. Malformed for a value that runs past
    the datagram or more than MAX_FIELDS fields."""
    fields: dict[int, bytes] = {}
    pos = HEADER_LEN
    for count in range(MAX_FIELDS + 1):
        if pos + 4 > len(data):
            break
        tag, length = struct.unpack_from("!HH", data, pos)
        if tag == 0xFFFF:
            break
        if pos + 4 + length > len(data):
            raise Malformed(f"Panasonic: field 0x{tag:02x} runs past the end of the datagram")
        if count == MAX_FIELDS:
            raise Malformed("Panasonic: too many fields")
        fields.setdefault(tag, data[pos + 4:pos + 4 + length])
        pos += 4 + length
    return fields


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """An Easy IP Setup datagram → [Evidence] for a search reply; [] for searches and other
    messages. Malformed for short, oversized or field-corrupt replies."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Panasonic: payload of {len(data)} bytes is too large")
    if len(data) < 6:
        raise Malformed(f"Panasonic: datagram of {len(data)} bytes is too short")
    if data[:2] != b"\x00\x01" or struct.unpack_from("!H", data, 4)[0] != MSG_REPLY:
        return []
    if len(data) <= LENGTH_BASE:
        raise Malformed(f"Panasonic: reply of {len(data)} bytes has no fields")
    fields = read_fields(data)
    mac = normalise_mac(data[6:12])
    reported = ipv4_bytes(fields.get(TAG_IPV4, b""))
    if not mac and not reported:
        raise Malformed("Panasonic: reply names neither a MAC nor an address")
    model = cstring(fields.get(TAG_MODEL, b""), 100)
    channels = fields.get(TAG_CHANNELS, b"")
    notes = []
    if len(channels) == 2:
        notes.append(f"channels: {struct.unpack('!H', channels)[0]}")
    if src.ip and reported and reported != src.ip:
        notes.append(f"reports IPv4 address {reported}")
    return [Evidence(
        source="panasonic",
        platform="Panasonic",
        vendor="Panasonic",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        model=model,
        name=cstring(fields.get(TAG_NAME, b""), 200),
        firmware=cstring(fields.get(TAG_FIRMWARE, b""), 60),
        serial=cstring(fields.get(TAG_SERIAL, b""), 100),
        device_type="nvr" if channels else "",
        note="; ".join(notes),
    )]
