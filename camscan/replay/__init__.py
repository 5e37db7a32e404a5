"""Replay pcap/pcapng captures into a Collector: the same parsers a live scan uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from camscan.model import Endpoint
from camscan.protocols.ndp import ICMPV6
from camscan.protocols.registry import TCP_PORTS, TLS_PORTS
from camscan.protocols.tls import starts_server_flight
from camscan.replay.decode import (
    ETH_ARP,
    ETH_IP,
    ETH_IPV6,
    SYN,
    Datagram,
    Defragmenter,
    Segment,
    ipv4,
    ipv6,
    link_payload,
    sender_mac,
    tcp,
    udp,
)
from camscan.replay.pcapfile import PcapError, ReadResult, read_frames
from camscan.replay.tcpstreams import Origin, Reassembler

if TYPE_CHECKING:
    from camscan.collect import Collector

__all__ = ["Origin", "PcapError", "ReplayReport", "replay_file"]


def arp_binding(arp: bytes, bindings: dict[str, str]) -> None:
    """Note the sender of an Ethernet/IPv4 ARP reply as its IP's MAC, first one kept (the
    replay's own view of the scan's ARP sweep)."""
    if len(arp) >= 28 and arp[:8] == b"\x00\x01\x08\x00\x06\x04\x00\x02":
        ip = ".".join(str(x) for x in arp[14:18])
        bindings.setdefault(ip, ":".join(f"{x:02x}" for x in arp[8:14]))


# TLS streams held at once: a flight's segments that start records come back to back, long
# before this many other connections have started (more only costs memory: ~2 KB each)
MAX_OPEN_FLIGHTS = 512


@dataclass(slots=True)
class ReplayReport:
    """Per-file outcome: frames read and the error that ended it early, if any."""

    path: str
    frames: int = 0
    error: str = ""
    linktypes: set[int] = field(default_factory=set)


def replay_file(path: str, collector: Collector, origin: Origin | None = None) -> ReplayReport:
    """Feed every frame of one capture that camscan can use to `collector`. With `origin` (the
    scanner, when the capture is a scan's own) only the TCP connections it opened are read,
    the device's side only from the MAC ARP bound to its IP (see replay/tcpstreams.py).

    Raises PcapError if the file cannot be opened at all; a file that ends part-way is
    reported in the returned ReplayReport.error with everything before it kept.
    """
    counters = collector.counters
    defrag = Defragmenter(counters)
    # when each TCP sender was last seen: a conversation's evidence carries its server's time
    tcp_seen: dict[str, float] = {}

    def sink(server_ip: str, server_mac: str, port: int, client: bytes, server: bytes, handshake: bool) -> None:
        seen = tcp_seen.get(server_ip)
        if ":" in server_ip:
            collector.tcp_stream(Endpoint("", server_mac, port), client, server, seen, server_ip, handshake=handshake)
        else:
            collector.tcp_stream(Endpoint(server_ip, server_mac, port), client, server, seen, handshake=handshake)

    bindings: dict[str, str] = {}  # ip -> the first MAC an ARP reply bound it to, in capture order
    if origin is not None:
        origin = Origin(origin.ip, origin.mac, lambda ip: bindings.get(ip, ""))
    streams = Reassembler(set(TCP_PORTS), sink, counters, origin)
    # A scan's own capture: TLS conversations are reassembled apart, so that only those the
    # scanner opened count (strict mode), their gaps by design (the filter keeps the SYNs and the
    # start of the server's flight), never crowding HTTP/RTSP out of the reassembler's bounds.
    # No FIN closes them (dropped): each is read once MAX_OPEN_FLIGHTS newer ones started, or at
    # the end. In anyone else's capture each kept segment is read on its own (_TcpReaders).
    flights = Reassembler(set(TLS_PORTS), sink, counters, origin, gaps_expected=True, max_open=MAX_OPEN_FLIGHTS)
    tcp_readers = _TcpReaders(collector, streams, flights, tcp_seen, own_capture=origin is not None)
    result = ReadResult()
    report = ReplayReport(path)
    for frame in read_frames(path, result, own_capture=origin is not None):
        link = link_payload(frame.linktype, frame.data)
        if link is None:
            counters.add("frames of unknown link type" if frame.data else "empty frames")
            continue
        src_mac, etype, l3 = link
        if etype == ETH_IP:
            dg = ipv4(src_mac, l3, frame.ts, defrag, counters)
        elif etype == ETH_IPV6:
            dg = ipv6(src_mac, l3, frame.ts, counters)
        elif etype == ETH_ARP:
            collector.arp(l3, frame.ts)
            if origin is not None:
                arp_binding(l3, bindings)
            continue
        else:
            counters.add("frames of other protocols")
            continue
        if dg is not None:
            _datagram(dg, collector, tcp_readers)
    streams.close()
    flights.close()
    defrag.close()
    report.frames = result.frames
    report.error = result.error
    return report


@dataclass(slots=True)
class _TcpReaders:
    """Where TCP segments go: HTTP/RTSP conversations whole, TLS ones by their first flight."""

    collector: Collector
    streams: Reassembler
    flights: Reassembler  # TLS in a scan's own capture (strict mode)
    seen: dict[str, float]  # when each TCP sender was last seen
    own_capture: bool

    def add(self, dg: Datagram, mac: str, seg: Segment) -> None:
        self.seen[dg.src] = dg.ts
        if (seg.sport in TLS_PORTS or seg.dport in TLS_PORTS) and \
                seg.sport not in TCP_PORTS and seg.dport not in TCP_PORTS:
            self._tls(dg, mac, seg)
            return
        self.streams.add(dg.src, mac, dg.dst, seg, dg.src_mac)

    def _tls(self, dg: Datagram, mac: str, seg: Segment) -> None:
        """What the kernel filter keeps, also of frames it passes whole (tagged cooked captures,
        link types it cannot filter): the segment that starts a server's flight, and in a scan's
        own capture the SYNs. Outside strict mode the segment is read at once, on its own: the
        flight's other segments that start a record (ServerHello apart from Certificate, as
        some embedded TLS stacks send them) are read on their own too, and each server's
        certificate is kept once (Collector.tls_stream); a whole reassembly would cost a held
        stream per HTTPS connection for nothing more."""
        if self.own_capture:
            if seg.flags & SYN or (seg.sport in TLS_PORTS and starts_server_flight(seg.payload)):
                self.flights.add(dg.src, mac, dg.dst, seg, dg.src_mac)
        elif seg.sport in TLS_PORTS and starts_server_flight(seg.payload):
            v6 = ":" in dg.src
            self.collector.tls_stream(Endpoint("" if v6 else dg.src, mac, seg.sport), seg.payload, dg.ts,
                                      dg.src if v6 else "")


def _datagram(dg: Datagram, collector: Collector, tcp_readers: _TcpReaders) -> None:
    """Hand one IP datagram to the collector (UDP, ICMPv6) or the TCP reassemblers."""
    mac = sender_mac(dg)
    v6 = ":" in dg.src
    if dg.proto == 17:
        u = udp(dg, collector.counters)
        if u is not None:
            src = Endpoint("" if v6 else dg.src, mac, u[0])
            collector.udp(src, u[0], u[1], u[2], dg.ts, dg.src if v6 else "")
    elif dg.proto == 6:
        seg = tcp(dg, collector.counters)
        if seg is not None:
            tcp_readers.add(dg, mac, seg)
    elif dg.proto == ICMPV6 and v6:
        collector.ndp(dg.payload, dg.src, mac, dg.ts)
