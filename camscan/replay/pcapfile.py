"""Read pcap and pcapng files through libpcap, letting libpcap's BPF engine drop what no
parser wants before a single byte reaches Python.

Why libpcap (via ctypes) and not a Python reader: a site capture holds millions of ordinary
packets and a few hundred discovery replies. libpcap reads and filters them in C at
tcpdump's speed, and hands Python only the frames that match DISCOVERY_FILTER; memory stays
flat because frames arrive in bounded batches. libpcap also knows every link type and both
file formats, and it is what tcpdump trusts on hostile files.

This module never opens a live interface; it only reads files.
"""

from __future__ import annotations

import ctypes
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from camscan import libpcap
from camscan.libpcap import ERRBUF_SIZE, PcapError
from camscan.protocols import dns, tls
from camscan.protocols.ndp import TYPES as NDP_TYPES
from camscan.protocols.registry import TCP_PORTS, TLS_PORTS, UDP_PORTS

__all__ = ["DISCOVERY_FILTER", "Frame", "PcapError", "ReadResult", "discovery_filter", "read_frames"]


# libpcap link types (DLT_ values as pcap_datalink reports them) whose VLAN-tagged frames the
# filter must let through by offset: libpcap's `vlan` keyword exists for Ethernet only, and a
# Linux cooked capture (`tcpdump -i any`) keeps a tag the kernel did not strip in its protocol
# field, at byte 14 (SLL v1) or 0 (SLL v2).
DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2 = 1, 113, 276
_VLAN_TYPES = (0x8100, 0x88A8, 0x9100)
_PROTOCOL_OFFSET = {DLT_LINUX_SLL: 14, DLT_LINUX_SLL2: 0}


# DNS is the busiest port in most captures, and only a device's own standard queries (a query with
# one question: what it looks up names its cloud) are read: the kernel's filter keeps the rest,
# answers and server traffic, out of Python (IPv4 only: libpcap offsets UDP payload on IPv4)
_DNS_QUERIES = f"(udp dst port {dns.PORT} and udp[10] & 0xf8 == 0 and udp[12:2] == 1)"


def _flight_start(proto: str, offset: str) -> str:
    """BPF for tls.starts_server_flight on the TCP payload at `proto`[`offset`]: a handshake
    record of SSL 3.0-TLS 1.2 whose first message is ServerHello or Certificate."""
    first = f"0x{tls.FLIGHT_START_TYPE:02x}{tls.FLIGHT_START_MAJOR:02x}"
    messages = " or ".join(f"{proto}[{offset} + 5] == {m}" for m in tls.FLIGHT_START_MESSAGES)
    return f"{proto}[{offset}:2] == {first} and {proto}[{offset} + 2] <= {tls.FLIGHT_START_MAX_MINOR} and ({messages})"


# A certificate is in the server's first flight, and HTTPS is most of a site's traffic: reading
# every TLS segment in Python made a replay several times slower. The kernel keeps only the
# segments from a TLS port that start the flight (ServerHello, or Certificate on its own), never
# application data or the middle of a record; tls.py reads the certificate from that segment
# even when the rest of it was dropped. IPv4 through `tcp[]` (libpcap offsets TCP on IPv4 only);
# IPv6 by offset when TCP follows the fixed header directly.
_TLS_SOURCE = " or ".join(f"tcp src port {p}" for p in TLS_PORTS)
_TLS_FLIGHTS = (f"(({_TLS_SOURCE}) and ((ip and {_flight_start('tcp', '((tcp[12:1] & 0xf0) >> 2)')}) or "
                f"(ip6 and ip6[6] == 6 and {_flight_start('ip6', '(40 + ((ip6[52] & 0xf0) >> 2))')})))")
# The replay of a scan's own capture reads only connections the scanner opened (strict mode,
# replay/tcpstreams.py): there the SYNs of TLS ports are kept too (a capture of the scan alone).
_TLS_OPENS = (" or ".join(f"tcp port {p}" for p in TLS_PORTS),
              "(ip and tcp[13] & 2 != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 2 != 0)")


def _inner_filter(own_capture: bool = False) -> str:
    udp = " or ".join(f"port {p}" for p in UDP_PORTS if p != dns.PORT)
    tcp = " or ".join(f"port {p}" for p in TCP_PORTS)
    # ICMPv6 neighbour discovery, which binds IPv6 addresses to MACs (never with extension headers)
    ndp = " or ".join(f"ip6[40] == {t}" for t in NDP_TYPES)
    tls_opens = f" or (({_TLS_OPENS[0]}) and ({_TLS_OPENS[1]}))" if own_capture else ""
    # non-first IPv4 fragments carry no UDP header, so they are let through by offset
    return (f"arp or (udp and ({udp})) or {_DNS_QUERIES} or (tcp and ({tcp})) or {_TLS_FLIGHTS}{tls_opens} "
            f"or (ip and ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 58 and ({ndp}))")


def discovery_filter(linktype: int = DLT_EN10MB, own_capture: bool = False) -> str:
    """The BPF expression for all traffic camscan reads on a capture of `linktype`, tagged
    with a VLAN header or not (tagged frames of a cooked capture pass whole: Python reads
    their ports). `own_capture`: the capture is a scan's own (the SYNs of TLS ports are kept)."""
    inner = _inner_filter(own_capture)
    if linktype == DLT_EN10MB:
        return f"({inner}) or (vlan and ({inner}))"
    offset = _PROTOCOL_OFFSET.get(linktype)
    if offset is None:
        return inner
    tagged = " or ".join(f"link[{offset}:2] == 0x{t:04x}" for t in _VLAN_TYPES)
    return f"({inner}) or {tagged}"


DISCOVERY_FILTER = discovery_filter()

BATCH = 2048


@dataclass(slots=True)
class Frame:
    """One captured frame as libpcap delivered it."""

    ts: float
    linktype: int
    data: bytes
    wire_len: int


@dataclass(slots=True)
class ReadResult:
    """What reading a file left to report once its frames were consumed."""

    frames: int = 0
    error: str = ""  # set when the file ended in the middle (truncated) or libpcap failed


def read_frames(path: str, result: ReadResult, bpf: str | None = None, own_capture: bool = False) -> Iterator[Frame]:
    """Yield the frames of `path` that pass `bpf` (by default the discovery filter for the
    file's link type, for a scan's own capture when `own_capture`), in file order. A link type
    libpcap cannot filter is read whole: the decoder drops what no parser wants, only more slowly.

    Raises PcapError before the first frame if the file cannot be opened as a capture. An
    error part-way (a truncated file) ends the iteration and is left in `result.error`, so
    what was read before it is kept.
    """
    lib = libpcap.load()
    if os.path.isdir(path):
        raise PcapError(f"{path}: is a directory, not a capture file")
    errbuf = ctypes.create_string_buffer(ERRBUF_SIZE)
    handle = lib.pcap_open_offline(os.fsencode(path), errbuf)
    if not handle:
        msg = errbuf.value.decode("utf-8", "replace") or "cannot open"
        if os.path.exists(path) and os.path.getsize(path) == 0:
            msg = "empty file"
        raise PcapError(f"{path}: {_friendly(msg)}")
    try:
        linktype = lib.pcap_datalink(handle)
        if bpf is not None:
            if not libpcap.set_filter(lib, handle, bpf):
                raise PcapError(f"{path}: cannot apply filter ({libpcap.last_error(lib, handle)})")
        elif not libpcap.set_filter(lib, handle, discovery_filter(linktype, own_capture)):
            libpcap.set_filter(lib, handle, _inner_filter(own_capture))  # else unfiltered
        batch: list[Frame] = []

        def on_packet(_user: int, hdr: ctypes._Pointer, data: ctypes._Pointer) -> None:
            h = hdr.contents
            batch.append(Frame(h.ts.tv_sec + h.ts.tv_usec / 1e6, linktype,
                               ctypes.string_at(data, h.caplen), h.len))

        handler = libpcap.Handler(on_packet)
        while True:
            n = lib.pcap_dispatch(handle, BATCH, handler, None)
            if batch:
                result.frames += len(batch)
                yield from batch
                batch.clear()
            if n == 0:
                break
            if n < 0:
                result.error = f"{path}: {_friendly(libpcap.last_error(lib, handle))}"
                break
    finally:
        lib.pcap_close(handle)


def _friendly(msg: str) -> str:
    msg = re.sub(r"^.*?: (No such file|Permission denied|Is a directory)", r"\1", msg)
    low = msg.lower()
    if "unknown file format" in low or "bad dump file format" in low:
        return "not a pcap or pcapng capture"
    if "truncated dump file" in low or "truncated" in low:
        return f"truncated capture ({msg.strip()})"
    return msg.strip()
