"""Multicast DNS / DNS-SD: the answer advertising a device's service."""

from __future__ import annotations

import ipaddress
import struct

from camscan.lab.profile import Profile


class _DnsWriter:
    """Just enough of an RFC 1035 encoder, with name compression, for one mDNS answer."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.names: dict[str, int] = {}

    def name(self, name: str) -> None:
        labels = name.rstrip(".").split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if suffix in self.names:
                self.buf += struct.pack(">H", 0xC000 | self.names[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.names[suffix] = len(self.buf)
            raw = labels[i].encode("utf-8")
            self.buf += bytes([len(raw)]) + raw
        self.buf += b"\x00"

    def record(self, name: str, rtype: int, rclass: int, ttl: int, rdata: bytes | None = None,
               rdata_name: str | None = None, srv: tuple[int, int, int] | None = None) -> None:
        self.name(name)
        self.buf += struct.pack(">HHI", rtype, rclass, ttl)
        length_at = len(self.buf)
        self.buf += b"\x00\x00"
        if srv is not None:
            self.buf += struct.pack(">HHH", *srv)
        if rdata is not None:
            self.buf += rdata
        if rdata_name is not None:
            self.name(rdata_name)
        struct.pack_into(">H", self.buf, length_at, len(self.buf) - length_at - 2)


def mdns_response(p: Profile) -> bytes:
    """The mDNS answer (to 224.0.0.251:5353) advertising the device's service: PTR, then SRV, TXT, A."""
    m = p.mdns
    if m is None:
        raise ValueError(f"{p.id}: no [mdns] section")
    service = m["service"].rstrip(".")
    instance = f"{m['instance']}.{service}"
    txt = b"".join(bytes([len(t.encode())]) + t.encode() for t in m["txt"])
    w = _DnsWriter()
    w.buf += struct.pack(">HHHHHH", 0, 0x8400, 0, 1, 0, 3)
    flush = 0x8001  # class IN with the cache-flush bit, for unique records
    w.record(service, 12, 1, 4500, rdata_name=instance)
    w.record(instance, 33, flush, 120, srv=(0, 0, int(m["port"])), rdata_name=m["hostname"])
    w.record(instance, 16, flush, 4500, rdata=txt)
    w.record(m["hostname"], 1, flush, 120, rdata=ipaddress.IPv4Address(p.ip).packed)
    return bytes(w.buf)


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(answer, "group") for an mDNS query; None for a response or a runt."""
    if len(probe) < 12 or probe[2] & 0x80:  # a response, not a query
        return None
    return mdns_response(p), "group"
