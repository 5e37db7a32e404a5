"""Dahua's older device search (UDP 5050, broadcast): the 32-byte request starting a3 01, and
replies starting b3 00 — a 32-byte DVRIP-style header, an 88-byte device record (host name at
40, IPv4 address, mask, gateway and DNS at 56-72 in network order, ports after), then the MAC
as text (`00:11:22:33:44:55`) followed by the device type (together as long as header byte 2
says), then `Key:Value` lines (Name, Device, IPv6Addr, SerialNo) up to the end.

Not only Dahua firmware answers it: OEM firmware for other SoCs implements it so that Dahua
recorders find their cameras (a Goke-based IPC firmware that sends `Device:IPC-IPVM3150F` is
public), so replies carry no platform and no vendor; the model patterns decide who made the
device. Pure: bytes in, Evidence out, no sockets. Format learned from UniversalScanner's
Dahua1 module and self-test sample (LGPL) and that public firmware source (read, not copied).
"""

from __future__ import annotations

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring, ipv4_bytes

PORT = 5050
REPLY_PORT = 5050
MAX_PAYLOAD = 8192
REQUEST_MAGIC = b"\xa3\x01"
REPLY_MAGIC = b"\xb3\x00"
RECORD_LEN = 120  # header (32) + device record (88)
_MAC_TEXT_LEN = 17
_MAX_LINES = 64


def build_probe() -> bytes:
    """The search request: a3 01 00 01, protocol version 2 at offset 16, zeros."""
    probe = bytearray(32)
    probe[0:4] = b"\xa3\x01\x00\x01"
    probe[16] = 2
    return bytes(probe)


def _lines(raw: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").splitlines()[:_MAX_LINES]:
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key and key not in fields and len(key) < 40:
            fields[key] = cstring(value.encode(), 200)
    return fields


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A 5050 search datagram → [Evidence] for a reply (b3 00); [] for requests and other
    datagrams. Malformed for replies shorter than their record or whose MAC text is not a MAC."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"Dahua search: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("Dahua search: empty payload")
    if data[:2] != REPLY_MAGIC:
        return []
    if len(data) < RECORD_LEN + _MAC_TEXT_LEN:
        raise Malformed(f"Dahua search: reply of {len(data)} bytes is shorter than its record")
    identity_len = data[2]
    if identity_len < _MAC_TEXT_LEN or RECORD_LEN + identity_len > len(data):
        raise Malformed("Dahua search: MAC/type length does not fit the reply")
    identity = data[RECORD_LEN:RECORD_LEN + identity_len]
    mac = normalise_mac(identity[:_MAC_TEXT_LEN].decode("ascii", "replace"))
    if not mac:
        raise Malformed("Dahua search: reply without a readable MAC address")
    fields = _lines(data[RECORD_LEN + identity_len:])
    model = fields.get("Device") or cstring(identity[_MAC_TEXT_LEN:], 64) or cstring(data[40:56], 16)
    reported = ipv4_bytes(data[56:60])
    banners = {"dahua_search_host": cstring(data[40:56], 16)} if cstring(data[40:56], 16) else {}
    ipv6 = _ipv6_addresses(data[RECORD_LEN + identity_len:])
    if ipv6:
        banners["ipv6_addresses"] = " ".join(ipv6)[:300]
    return [Evidence(
        source="dahua1",
        ip=src.ip or reported,
        mac=normalise_mac(src.mac) or mac,
        model=model,
        serial=fields.get("SerialNo", ""),
        name=fields.get("Name", ""),
        banners=banners,
        note=f"reports IPv4 address {reported}" if src.ip and reported and reported != src.ip else "",
    )]


def _ipv6_addresses(raw: bytes) -> list[str]:
    """The address (without prefix length) of every `IPv6Addr:<addr>/<len>;gateway:<gw>`
    line (a device may send several: link-local and global)."""
    out = []
    for line in raw.decode("utf-8", "replace").splitlines()[:_MAX_LINES]:
        if line.startswith("IPv6Addr:"):
            address = cstring(line[len("IPv6Addr:"):].split(";", 1)[0].split("/", 1)[0].encode(), 60)
            if address:
                out.append(address)
    return out
