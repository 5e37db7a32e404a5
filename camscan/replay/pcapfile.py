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
import ctypes.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from camscan.protocols import dhip, mdns, sadp, ssdp, wsdiscovery

# Ports whose TCP streams carry what the HTTP/RTSP/ONVIF/ISAPI/CGI parsers read (49152/49153/2869:
# where many devices serve their UPnP description).
TCP_PORTS = (80, 81, 82, 88, 554, 2020, 2869, 5000, 7001, 8080, 8081, 8088, 8554, 8899, 10080, 49152, 49153)
# UDP discovery protocols: SADP, WS-Discovery, SSDP, DHIP, mDNS (each module owns its port).
UDP_PORTS = (sadp.PORT, wsdiscovery.PORT, ssdp.PORT, dhip.PORT, mdns.PORT)


def _inner_filter() -> str:
    udp = " or ".join(f"port {p}" for p in UDP_PORTS)
    tcp = " or ".join(f"port {p}" for p in TCP_PORTS)
    # non-first IPv4 fragments carry no UDP header, so they are let through by offset
    return f"arp or (udp and ({udp})) or (tcp and ({tcp})) or (ip and ip[6:2] & 0x1fff != 0)"


def discovery_filter() -> str:
    """The BPF expression for all traffic camscan reads, tagged with a VLAN header or not."""
    inner = _inner_filter()
    return f"({inner}) or (vlan and ({inner}))"


DISCOVERY_FILTER = discovery_filter()

ERRBUF_SIZE = 256
BATCH = 2048


class PcapError(Exception):
    """A capture file that cannot be read; the message is one line naming the file."""


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _PktHdr(ctypes.Structure):
    _fields_ = [("ts", _Timeval), ("caplen", ctypes.c_uint32), ("len", ctypes.c_uint32)]


class _BpfProgram(ctypes.Structure):
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]


_Handler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_PktHdr), ctypes.POINTER(ctypes.c_ubyte))

_lib: ctypes.CDLL | None = None


def libpcap() -> ctypes.CDLL:
    """Load libpcap once, or raise PcapError saying which Debian package provides it."""
    global _lib
    if _lib is not None:
        return _lib
    name = ctypes.util.find_library("pcap") or "libpcap.so.0.8"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise PcapError("libpcap is not installed (Debian: apt-get install libpcap0.8)") from None
    lib.pcap_open_offline.restype = ctypes.c_void_p
    lib.pcap_open_offline.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.pcap_compile.argtypes = [ctypes.c_void_p, ctypes.POINTER(_BpfProgram), ctypes.c_char_p,
                                 ctypes.c_int, ctypes.c_uint32]
    lib.pcap_setfilter.argtypes = [ctypes.c_void_p, ctypes.POINTER(_BpfProgram)]
    lib.pcap_freecode.argtypes = [ctypes.POINTER(_BpfProgram)]
    lib.pcap_dispatch.argtypes = [ctypes.c_void_p, ctypes.c_int, _Handler, ctypes.c_void_p]
    lib.pcap_datalink.argtypes = [ctypes.c_void_p]
    lib.pcap_geterr.restype = ctypes.c_char_p
    lib.pcap_geterr.argtypes = [ctypes.c_void_p]
    lib.pcap_close.argtypes = [ctypes.c_void_p]
    _lib = lib
    return lib


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


def read_frames(path: str, result: ReadResult, bpf: str = DISCOVERY_FILTER) -> Iterator[Frame]:
    """Yield the frames of `path` that pass `bpf`, in file order.

    Raises PcapError before the first frame if the file cannot be opened as a capture. An
    error part-way (a truncated file) ends the iteration and is left in `result.error`, so
    what was read before it is kept.
    """
    lib = libpcap()
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
        prog = _BpfProgram()
        if lib.pcap_compile(handle, ctypes.byref(prog), bpf.encode(), 1, 0xFFFFFFFF) != 0:
            raise PcapError(f"{path}: cannot apply filter ({_err(lib, handle)})")
        try:
            if lib.pcap_setfilter(handle, ctypes.byref(prog)) != 0:
                raise PcapError(f"{path}: cannot apply filter ({_err(lib, handle)})")
        finally:
            lib.pcap_freecode(ctypes.byref(prog))
        batch: list[Frame] = []

        def on_packet(_user: int, hdr: ctypes._Pointer, data: ctypes._Pointer) -> None:
            h = hdr.contents
            batch.append(Frame(h.ts.tv_sec + h.ts.tv_usec / 1e6, linktype,
                               ctypes.string_at(data, h.caplen), h.len))

        handler = _Handler(on_packet)
        while True:
            n = lib.pcap_dispatch(handle, BATCH, handler, None)
            if batch:
                result.frames += len(batch)
                yield from batch
                batch.clear()
            if n == 0:
                break
            if n < 0:
                result.error = f"{path}: {_friendly(_err(lib, handle))}"
                break
    finally:
        lib.pcap_close(handle)


def _err(lib: ctypes.CDLL, handle: int) -> str:
    raw = lib.pcap_geterr(handle)
    return raw.decode("utf-8", "replace") if raw else "unknown libpcap error"


def _friendly(msg: str) -> str:
    msg = re.sub(r"^.*?: (No such file|Permission denied|Is a directory)", r"\1", msg)
    low = msg.lower()
    if "unknown file format" in low or "bad dump file format" in low:
        return "not a pcap or pcapng capture"
    if "truncated dump file" in low or "truncated" in low:
        return f"truncated capture ({msg.strip()})"
    return msg.strip()
