"""The live capture of a scan: libpcap on the chosen interface, every frame of the scan's own
conversation (ARP, the discovery groups, traffic to and from the scanner's address) written to
a pcap file, and ARP replies noted as they arrive so the sweep can retry only the silent.

The inventory of a root scan is the replay of this file, so a scan and `camscan replay` of
its capture give the same inventory by construction. Credentials never reach this file in
clear: camscan only uses digest and WS-Security digest authentication.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

from camscan import libpcap
from camscan.libpcap import ERRBUF_SIZE, PcapError
from camscan.protocols.ndp import TYPES as NDP_TYPES
from camscan.protocols.registry import UDP_PORTS

SNAPLEN = 65535


MAX_FILTER_NETS = 256


def scan_filter(local_ip: str, local_mac: str = "", target_nets: list[str] | None = None) -> str:
    """What the capture keeps: the scanner's own packets, and what the targets send (ARP about
    them, every IP packet from them — fragments included, since the source address is in every
    fragment). Replies from hosts that are not targets (other cameras answering a multicast
    probe, the gateway's ARP) are left out, so replaying the capture gives the same inventory
    as the scan. The scanner's own ARP replies are left out too, so it never lists itself.
    Without `target_nets` (or with too many to filter on) discovery replies of every host are
    kept."""
    own_arp = f" and not (ether src {local_mac} and arp[6:2] = 2)" if local_mac else ""
    ports = " or ".join(f"port {p}" for p in UDP_PORTS)
    # what devices say over IPv6 (discovery, neighbour discovery): the replay keeps it for the
    # targets' MACs only, so a target's IPv6 addresses reach the inventory
    ndp = " or ".join(f"ip6[40] == {t}" for t in NDP_TYPES)
    ipv6 = f" or (ip6 and ((udp and ({ports})) or (ip6[6] == 58 and ({ndp}))))"
    if target_nets and len(target_nets) <= MAX_FILTER_NETS:
        nets = " or ".join(f"net {n}" for n in target_nets)
        return f"(arp and ({nets}){own_arp}) or (ip and (src {nets.replace(' or net ', ' or src net ')})) " \
               f"or (ip and src host {local_ip}){ipv6}"
    arp = f"(arp{own_arp})"
    return f"{arp} or (ip and host {local_ip}) or (udp and ({ports})) or (ip and ip[6:2] & 0x1fff != 0){ipv6}"


class LiveCapture:
    """Capture on `iface` into `path` from start() until stop(); needs root (CAP_NET_RAW)."""

    def __init__(self, iface: str, local_ip: str, path: str, local_mac: str = "",
                 target_nets: list[str] | None = None) -> None:
        self.iface, self.local_ip, self.path, self.local_mac = iface, local_ip, path, local_mac
        self.target_nets = target_nets
        self.arp_replies: dict[str, str] = {}  # ip -> mac, from ARP replies seen
        self.frames = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handle: int | None = None
        self._dumper: int | None = None
        self.error = ""

    def start(self) -> None:
        lib = libpcap.load_live()
        errbuf = ctypes.create_string_buffer(ERRBUF_SIZE)
        handle = lib.pcap_open_live(self.iface.encode(), SNAPLEN, 0, 50, errbuf)
        if not handle:
            raise PcapError(f"cannot capture on {self.iface}: {errbuf.value.decode(errors='replace')}")
        if not libpcap.set_filter(lib, handle, scan_filter(self.local_ip, self.local_mac, self.target_nets)):
            lib.pcap_close(handle)
            raise PcapError(f"cannot filter capture on {self.iface}")
        lib.pcap_setnonblock(handle, 1, errbuf)
        dumper = lib.pcap_dump_open(handle, os.fsencode(self.path))
        if not dumper:
            err = libpcap.last_error(lib, handle)
            lib.pcap_close(handle)
            raise PcapError(f"{self.path}: cannot write capture ({err})")
        self._handle, self._dumper = handle, dumper

        def on_packet(_user: int, hdr: ctypes._Pointer, data: ctypes._Pointer) -> None:
            lib.pcap_dump(dumper, hdr, data)
            self.frames += 1
            caplen = hdr.contents.caplen
            if caplen >= 42 and data[12] == 0x08 and data[13] == 0x06 and data[21] == 2:
                raw = ctypes.string_at(data, 42)
                ip = ".".join(str(b) for b in raw[28:32])
                self.arp_replies.setdefault(ip, ":".join(f"{b:02x}" for b in raw[22:28]))

        self._handler = libpcap.Handler(on_packet)  # keep a reference for the C side

        def loop() -> None:
            while not self._stop.is_set():
                n = lib.pcap_dispatch(handle, 256, self._handler, None)
                if n < 0:
                    if n == -1:
                        self.error = libpcap.last_error(lib, handle)
                    break
                if n == 0:
                    time.sleep(0.003)
            # drain what is already buffered
            lib.pcap_dispatch(handle, -1, self._handler, None)

        self._thread = threading.Thread(target=loop, name="camscan-capture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        lib = libpcap.load_live()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._dumper:
            lib.pcap_dump_flush(self._dumper)
            lib.pcap_dump_close(self._dumper)
            self._dumper = None
        if self._handle:
            lib.pcap_close(self._handle)
            self._handle = None
