"""Replay pcap/pcapng captures into a Collector: the same parsers a live scan uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from camscan.model import Endpoint
from camscan.protocols.registry import TCP_PORTS
from camscan.replay.decode import ETH_ARP, ETH_IP, Defragmenter, ipv4, link_payload, sender_mac, tcp, udp
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

    def sink(server_ip: str, server_mac: str, port: int, client: bytes, server: bytes) -> None:
        collector.tcp_stream(Endpoint(server_ip, server_mac, port), client, server)

    streams = Reassembler(set(TCP_PORTS), sink, counters)
    result = ReadResult()
    report = ReplayReport(path)
    for frame in read_frames(path, result):
        link = link_payload(frame.linktype, frame.data)
        if link is None:
            counters.add("frames of unknown link type" if frame.data else "empty frames")
            continue
        src_mac, etype, l3 = link
        if etype == ETH_ARP:
            collector.arp(l3)
            continue
        if etype != ETH_IP:
            counters.add("non-IPv4 frames")
            continue
        dg = ipv4(src_mac, l3, frame.ts, defrag, counters)
        if dg is None:
            continue
        mac = sender_mac(dg)
        if dg.proto == 17:
            u = udp(dg, counters)
            if u is not None:
                collector.udp(Endpoint(dg.src, mac, u[0]), u[0], u[1], u[2])
        elif dg.proto == 6:
            seg = tcp(dg, counters)
            if seg is not None:
                streams.add(dg.src, mac, dg.dst, seg)
    streams.close()
    defrag.close()
    report.frames = result.frames
    report.error = result.error
    return report
