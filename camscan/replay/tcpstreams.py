"""TCP stream reassembly for replay: segments in any order, duplicated or overlapping,
become the two byte streams of each conversation, handed on when the conversation closes.

Bounded: each direction keeps at most MAX_DIRECTION_BYTES, and all open streams together at
most MAX_BUFFERED_BYTES (the oldest streams are handed on early when that is reached), so a
capture of any size replays in flat memory. A gap (a segment missing from the capture) ends
that direction's bytes at the gap; what came before it is still parsed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from camscan.replay.decode import FIN, RST, SYN, Segment

if TYPE_CHECKING:
    from camscan.collect import Counters

MAX_DIRECTION_BYTES = 4 * 1024 * 1024
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
MAX_OPEN_STREAMS = 4096


@dataclass(slots=True)
class _Direction:
    isn: int | None = None
    first_seq: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    finished: bool = False
    overflow: bool = False


@dataclass(slots=True)
class _Stream:
    key: tuple
    server_ip: str
    server_port: int
    server_mac: str = ""
    client_ip: str = ""
    to_server: _Direction = field(default_factory=_Direction)
    to_client: _Direction = field(default_factory=_Direction)


# (server ip, server mac, server port, client bytes, server bytes)
StreamSink = Callable[[str, str, int, bytes, bytes], None]


class Reassembler:
    """Collects segments per conversation and calls `sink` with each finished one."""

    def __init__(self, server_ports: set[int], sink: StreamSink, counters: Counters) -> None:
        self._server_ports = server_ports
        self._sink = sink
        self._counters = counters
        self._streams: OrderedDict[tuple, _Stream] = OrderedDict()
        self._buffered = 0

    def add(self, src: str, src_mac: str, dst: str, seg: Segment) -> None:
        a, b = (src, seg.sport), (dst, seg.dport)
        key = (a, b) if a <= b else (b, a)
        st = self._streams.get(key)
        if st is None:
            if not seg.payload and not seg.flags & SYN:
                return  # a bare ACK/FIN of a conversation we never saw
            if seg.flags & SYN and not seg.flags & 0x10:  # SYN without ACK: dst is the server
                server = b
            elif seg.flags & SYN:  # SYN-ACK: src is the server
                server = a
            elif seg.dport in self._server_ports and (seg.sport not in self._server_ports or seg.dport < seg.sport):
                server = b
            else:
                server = a
            st = _Stream(key, server[0], server[1])
            st.client_ip = a[0] if server == b else b[0]
            self._streams[key] = st
            if len(self._streams) > MAX_OPEN_STREAMS:
                self._finish(next(iter(self._streams)))
        from_server = (src, seg.sport) == (st.server_ip, st.server_port)
        d = st.to_client if from_server else st.to_server
        if from_server and src_mac:
            st.server_mac = src_mac
        if seg.flags & SYN:
            d.isn = seg.seq
        if seg.payload:
            if d.first_seq is None:
                d.first_seq = seg.seq
            if d.size + len(seg.payload) > MAX_DIRECTION_BYTES:
                if not d.overflow:
                    d.overflow = True
                    self._counters.add("oversized TCP streams (cut)")
            else:
                old = d.segments.get(seg.seq)
                if old is None or len(old) < len(seg.payload):
                    grow = len(seg.payload) - (len(old) if old else 0)
                    d.segments[seg.seq] = seg.payload
                    d.size += grow
                    self._buffered += grow
        if seg.flags & (FIN | RST):
            d.finished = True
            if seg.flags & RST or (st.to_server.finished and st.to_client.finished):
                self._finish(key)
                return
        while self._buffered > MAX_BUFFERED_BYTES and self._streams:
            self._finish(next(iter(self._streams)))

    def close(self) -> None:
        """Hand on every conversation still open (the capture ended mid-way)."""
        for key in list(self._streams):
            self._finish(key)

    def _finish(self, key: tuple) -> None:
        st = self._streams.pop(key, None)
        if st is None:
            return
        self._buffered -= st.to_server.size + st.to_client.size
        client = self._assemble(st.to_server)
        server = self._assemble(st.to_client)
        if server:
            self._sink(st.server_ip, st.server_mac, st.server_port, client, server)

    def _assemble(self, d: _Direction) -> bytes:
        if not d.segments:
            return b""
        if d.isn is not None:
            ref = (d.isn + 1) & 0xFFFFFFFF
        else:
            ref = d.first_seq if d.first_seq is not None else 0
        rel: list[tuple[int, bytes]] = []
        for seq, data in d.segments.items():
            r = (seq - ref) & 0xFFFFFFFF
            if r >= 0x80000000:
                r -= 0x100000000
            rel.append((r, data))
        rel.sort(key=lambda x: x[0])
        cur = 0 if d.isn is not None else rel[0][0]
        out = bytearray()
        for r, data in rel:
            if r > cur:
                self._counters.add("TCP streams with missing segments")
                break
            end = r + len(data)
            if end <= cur:
                continue
            out += data[cur - r:]
            cur = end
        return bytes(out)
