"""Replay pcap/pcapng captures into a Collector: the same parsers a live scan uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from camscan.model import Endpoint
from camscan.protocols.ndp import ICMPV6
from camscan.protocols.registry import TCP_PORTS
from camscan.replay.decode import (
    ETH_ARP,
    ETH_IP,
    ETH_IPV6,
    Datagram,
    Defragmenter,
    ipv4,
    ipv6,
    link_payload,
    sender_mac,
    tcp,
    udp,
)
from camscan.replay.pcapfile import PcapError, ReadResult, read_frames
from camscan.replay.tcpstreams import Reassembler

if TYPE_CHECKING:
    from camscan.collect import Collector

__all__ = ["PcapError", "ReplayReport", "replay_file"]


@dataclass(slots=True)
class ReplayReport:
    """Per-file outcome: frames read and the error that ended it early, if any."""

    path: str
    frames: int = 0
    error: str = ""
    linktypes: set[int] = field(default_factory=set)


def replay_file(path: str, collector: Collector) -> ReplayReport:
    """Feed every frame of one capture that camscan can use to `collector`.

    Raises PcapError if the file cannot be opened at all; a file that ends part-way is
    reported in the returned ReplayReport.error with everything before it kept.
    """
    counters = collector.counters
    defrag = Defragmenter(counters)
    # when each TCP sender was last seen: a conversation's evidence carries its server's time
    tcp_seen: dict[str, float] = {}

    def sink(server_ip: str, server_mac: str, port: int, client: bytes, server: bytes) -> None:
        seen = tcp_seen.get(server_ip)
        if ":" in server_ip:
            collector.tcp_stream(Endpoint("", server_mac, port), client, server, seen, server_ip)
        else:
            collector.tcp_stream(Endpoint(server_ip, server_mac, port), client, server, seen)

    streams = Reassembler(set(TCP_PORTS), sink, counters)
    result = ReadResult()
    report = ReplayReport(path)
    for frame in read_frames(path, result):
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
            continue
        else:
            counters.add("frames of other protocols")
            continue
        if dg is not None:
            _datagram(dg, collector, streams, tcp_seen)
    streams.close()
    defrag.close()
    report.frames = result.frames
    report.error = result.error
    return report


def _datagram(dg: Datagram, collector: Collector, streams: Reassembler, tcp_seen: dict[str, float]) -> None:
    """Hand one IP datagram to the collector (UDP, ICMPv6) or the TCP reassembler."""
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
            tcp_seen[dg.src] = dg.ts
            streams.add(dg.src, mac, dg.dst, seg)
    elif dg.proto == ICMPV6 and v6:
        collector.ndp(dg.payload, dg.src, mac, dg.ts)
