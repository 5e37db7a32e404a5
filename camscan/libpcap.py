"""The one ctypes binding to libpcap, shared by `camscan replay` (reading capture files) and a
root scan's live capture (camscan/scan/capture.py).

Why ctypes and libpcap rather than a Python reader: libpcap reads, filters (BPF, in C) and
writes every link type and both file formats at tcpdump's speed, and it is what tcpdump trusts
on hostile files; ctypes needs no compiler on the user's machine. The library is loaded on
first use, so a run that never reads or captures packets works without it installed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

ERRBUF_SIZE = 256


class PcapError(Exception):
    """A capture that cannot be read or made; the message is one line naming the file or interface."""


class Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class PacketHeader(ctypes.Structure):
    """struct pcap_pkthdr: when a frame was seen, how much was captured, how long it was."""

    _fields_ = [("ts", Timeval), ("caplen", ctypes.c_uint32), ("len", ctypes.c_uint32)]


class BpfProgram(ctypes.Structure):
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]


# pcap_handler: (user, header, frame bytes), called by pcap_dispatch for every frame
Handler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(PacketHeader), ctypes.POINTER(ctypes.c_ubyte))


class _Loaded:
    """The library once loaded, and whether its live-capture functions are declared yet."""

    lib: ctypes.CDLL | None = None
    live: bool = False


def load() -> ctypes.CDLL:
    """Load libpcap once (file reading and filtering declared), or raise PcapError saying which
    Debian package provides it."""
    if _Loaded.lib is not None:
        return _Loaded.lib
    name = ctypes.util.find_library("pcap") or "libpcap.so.0.8"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise PcapError("libpcap is not installed (Debian: apt-get install libpcap0.8)") from None
    lib.pcap_open_offline.restype = ctypes.c_void_p
    lib.pcap_open_offline.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.pcap_compile.argtypes = [ctypes.c_void_p, ctypes.POINTER(BpfProgram), ctypes.c_char_p,
                                 ctypes.c_int, ctypes.c_uint32]
    lib.pcap_setfilter.argtypes = [ctypes.c_void_p, ctypes.POINTER(BpfProgram)]
    lib.pcap_freecode.argtypes = [ctypes.POINTER(BpfProgram)]
    lib.pcap_dispatch.argtypes = [ctypes.c_void_p, ctypes.c_int, Handler, ctypes.c_void_p]
    lib.pcap_datalink.argtypes = [ctypes.c_void_p]
    lib.pcap_geterr.restype = ctypes.c_char_p
    lib.pcap_geterr.argtypes = [ctypes.c_void_p]
    lib.pcap_close.argtypes = [ctypes.c_void_p]
    _Loaded.lib = lib
    return lib


def load_live() -> ctypes.CDLL:
    """libpcap with the live-capture and dump-writing functions declared as well."""
    lib = load()
    if _Loaded.live:
        return lib
    lib.pcap_open_live.restype = ctypes.c_void_p
    lib.pcap_open_live.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_char_p]
    lib.pcap_dump_open.restype = ctypes.c_void_p
    lib.pcap_dump_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.pcap_dump.argtypes = [ctypes.c_void_p, ctypes.POINTER(PacketHeader), ctypes.POINTER(ctypes.c_ubyte)]
    lib.pcap_dump_flush.argtypes = [ctypes.c_void_p]
    lib.pcap_dump_close.argtypes = [ctypes.c_void_p]
    lib.pcap_breakloop.argtypes = [ctypes.c_void_p]
    lib.pcap_setnonblock.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p]
    _Loaded.live = True
    return lib


def last_error(lib: ctypes.CDLL, handle: int) -> str:
    """libpcap's message for the last failure on `handle`."""
    raw = lib.pcap_geterr(handle)
    return raw.decode("utf-8", "replace") if raw else "unknown libpcap error"


def set_filter(lib: ctypes.CDLL, handle: int, bpf: str) -> bool:
    """Compile `bpf` and install it on `handle`; False (nothing installed) when either fails."""
    prog = BpfProgram()
    if lib.pcap_compile(handle, ctypes.byref(prog), bpf.encode(), 1, 0xFFFFFFFF) != 0:
        return False
    try:
        return lib.pcap_setfilter(handle, ctypes.byref(prog)) == 0
    finally:
        lib.pcap_freecode(ctypes.byref(prog))
