"""Bosch video discovery (the "scan" of Bosch's Configuration Manager / IP Helper): a 12-byte
broadcast to UDP 1757, answered to UDP 1758 either with a 32-byte binary record (magic
0x9939A427, the request's transaction id, MAC, IPv4 address, mask, gateway) or, by newer
firmware, with an XML `<root><device>` document (friendlyName, unitName, serialNumber,
physAddress, unitIPAddress, deviceGUID...).

Only Bosch firmware answers this scan, so every reply carries platform="Bosch" and
vendor="Bosch". Pure: bytes in, Evidence out, no sockets; XML goes through camscan.safexml.
Format learned from UniversalScanner's Bosch module and self-test samples (LGPL, read, not
copied).
"""

from __future__ import annotations

import struct

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import ipv4_bytes
from camscan.safexml import find, local, parse_xml, text

PORT = 1757
REPLY_PORT = 1758
MAX_PAYLOAD = 65_535
MAGIC = 0x9939A427
REQUEST_MAGIC = 0xFF0006DE
BINARY_LEN = 32
REQUEST_LEN = 12


def build_probe(transaction_id: int = 0x00010203) -> bytes:
    """The scan request: magic, a transaction id the binary reply echoes, request magic."""
    if not 0 <= transaction_id <= 0xFFFFFFFF:
        raise ValueError("Bosch transaction id must fit in 32 bits")
    return struct.pack("!III", MAGIC, transaction_id, REQUEST_MAGIC)


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A Bosch scan datagram → [Evidence] for a binary or XML reply; [] for a request (ours
    or another tool's) and for datagrams that are neither. Malformed for a binary record of
    the wrong size, broken or hostile XML, oversized payloads."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Bosch: payload of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("Bosch: empty payload")
    if data[:4] == struct.pack("!I", MAGIC):
        if len(data) == REQUEST_LEN and data[8:12] == struct.pack("!I", REQUEST_MAGIC):
            return []
        if len(data) != BINARY_LEN:
            raise Malformed(f"Bosch: binary reply of {len(data)} bytes (expected {BINARY_LEN})")
        return [_binary(data, src)]
    if data.lstrip().startswith(b"<"):
        return _xml(data, src)
    return []


def _binary(data: bytes, src: Endpoint) -> Evidence:
    mac = normalise_mac(data[8:14])
    reported = ipv4_bytes(data[16:20])
    return Evidence(
        source="bosch",
        platform="Bosch",
        vendor="Bosch",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        note=_address_note(src, reported),
    )


def _xml(data: bytes, src: Endpoint) -> list[Evidence]:
    root = parse_xml(data, "Bosch")
    device = root if local(root.tag) == "device" else find(root, "device")
    if device is None or not (text(device, "physAddress") or text(device, "deviceGUID")):
        return []
    reported = ipv4(text(device, "unitIPAddress"))
    banners = {}
    if text(device, "deviceTypeIDs"):
        banners["bosch_device_type_ids"] = text(device, "deviceTypeIDs")[:100]
    return [Evidence(
        source="bosch",
        platform="Bosch",
        vendor="Bosch",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or normalise_mac(text(device, "physAddress")),
        model=text(device, "friendlyName")[:100],
        name=text(device, "unitName")[:200],
        serial=text(device, "serialNumber")[:100],
        banners=banners,
        note=_address_note(src, reported),
    )]


def _address_note(src: Endpoint, reported: str) -> str:
    return f"reports IPv4 address {reported}" if src.ip and reported and reported != src.ip else ""
