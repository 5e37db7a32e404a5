"""TCP stream reassembly for replay: segments in any order, duplicated or overlapping,
become the two byte streams of each conversation, handed on when the conversation closes.

Bounded: each direction keeps at most MAX_DIRECTION_BYTES in at most MAX_DIRECTION_SEGMENTS
segments, and all open streams together at most MAX_BUFFERED_BYTES, each segment counted with
SEGMENT_OVERHEAD for what holding it costs (the oldest streams are handed on early when that is
reached), so a capture of any size — 300,000 one-byte segments included — replays in flat
memory. A gap (a segment missing from the capture) ends that direction's bytes at the gap;
what came before it is still parsed. Each cap hit is counted in the run's summary.

Whose conversation it is. Anyone on a link can send segments "from" a device's address, so:
- in the replay of camscan's own capture (`Origin` given: the scanner's IP and MAC), only a
  connection the scanner opened counts — one that starts with the scanner's SYN, from the
  scanner's MAC — and the device's side only from the MAC ARP bound to its IP (or, for a host
  behind a router, the MAC its SYN-ACK came from). Everything else is dropped and counted.
- in the replay of someone else's capture, a stream whose handshake was not seen is still
  read, but handed on with `handshake=False`, and its answers count for less (never as
  authenticated; see collect.Collector.tcp_stream).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from camscan.replay.decode import ACK, FIN, RST, SYN, Segment

if TYPE_CHECKING:
    from camscan.collect import Counters

MAX_DIRECTION_BYTES = 4 * 1024 * 1024
MAX_DIRECTION_SEGMENTS = 8192
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
SEGMENT_OVERHEAD = 128  # what one held segment costs beyond its payload (dict slot, bytes object)
MAX_OPEN_STREAMS = 4096

NOT_OPENED_BY_SCANNER = "TCP segments not in a connection camscan opened (ignored)"
FROM_ANOTHER_MAC = "TCP segments from a MAC not bound to the device's IP (ignored)"
TOO_MANY_SEGMENTS = f"TCP streams in over {MAX_DIRECTION_SEGMENTS} segments (cut)"


@dataclass(frozen=True, slots=True)
class Origin:
    """The scanner whose own capture is replayed: only its connections count. `bound_mac`
    gives the MAC ARP bound to an IP so far in the capture ("" when none did)."""

    ip: str
    mac: str = ""
    bound_mac: Callable[[str], str] = lambda ip: ""


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
    syn: bool = False
    syn_ack: bool = False
    frame_mac: str = ""  # the MAC the server's first segment came from (strict mode)
    to_server: _Direction = field(default_factory=_Direction)
    to_client: _Direction = field(default_factory=_Direction)


# (server ip, server mac, server port, client bytes, server bytes, handshake seen)
StreamSink = Callable[[str, str, int, bytes, bytes, bool], None]


def _server_of(seg: Segment, a: tuple[str, int], b: tuple[str, int], server_ports: set[int]) -> tuple[str, int]:
    """Which end serves, for a conversation first seen at `seg` (sent from a to b)."""
    if seg.flags & SYN and not seg.flags & ACK:  # SYN: dst is the server
        return b
    if seg.flags & SYN:  # SYN-ACK: src is the server
        return a
    if seg.dport in server_ports and (seg.sport not in server_ports or seg.dport < seg.sport):
        return b
    return a


class Reassembler:
    """Collects segments per conversation and calls `sink` with each finished one."""

    def __init__(self, server_ports: set[int], sink: StreamSink, counters: Counters,
                 origin: Origin | None = None, gaps_expected: bool = False,
                 max_open: int = MAX_OPEN_STREAMS) -> None:
        """`gaps_expected`: the capture filter keeps only some segments of these streams (TLS:
        the start of the server's flight), so a missing segment is not worth counting.
        `max_open`: how many streams are held before the oldest is handed on."""
        self._server_ports = server_ports
        self._gaps_expected = gaps_expected
        self._max_open = max_open
        self._sink = sink
        self._counters = counters
        self._origin = origin
        self._streams: OrderedDict[tuple, _Stream] = OrderedDict()
        self._buffered = 0

    def add(self, src: str, src_mac: str, dst: str, seg: Segment, frame_mac: str = "") -> None:
        """One segment from `src` to `dst`. `src_mac` is the sender's MAC for the evidence ("" for
        a routed packet); `frame_mac` the frame's own source MAC, which strict mode checks."""
        a, b = (src, seg.sport), (dst, seg.dport)
        key = (a, b) if a <= b else (b, a)
        st = self._streams.get(key)
        if st is None:
            st = self._open(key, a, b, seg, frame_mac)
            if st is None:
                return
        from_server = (src, seg.sport) == (st.server_ip, st.server_port)
        if from_server and not self._server_mac_ok(st, src, frame_mac or src_mac):
            self._counters.add(FROM_ANOTHER_MAC)
            return
        d = st.to_client if from_server else st.to_server
        if from_server and src_mac:
            st.server_mac = src_mac
        if seg.flags & SYN:
            d.isn = seg.seq
            if from_server:
                st.syn_ack = st.syn_ack or bool(seg.flags & ACK)
            else:
                st.syn = True
        if seg.payload:
            self._hold(d, seg)
        if seg.flags & (FIN | RST):
            d.finished = True
            if seg.flags & RST or (st.to_server.finished and st.to_client.finished):
                self._finish(key)
                return
        while self._buffered > MAX_BUFFERED_BYTES and self._streams:
            self._finish(next(iter(self._streams)))

    def _open(self, key: tuple, a: tuple[str, int], b: tuple[str, int], seg: Segment,
              frame_mac: str) -> _Stream | None:
        """A new conversation at `seg`, or None when it is not one to read."""
        if not seg.payload and not seg.flags & SYN:
            # a bare ACK/FIN/RST of a conversation we never saw, or the last ACK of one already
            # closed (a device that closes first acknowledges the scanner's FIN after it):
            # nothing to read, so nothing to count either
            return None
        origin = self._origin
        if origin is not None:
            opened = seg.flags & SYN and not seg.flags & ACK and a[0] == origin.ip
            if not opened or (origin.mac and frame_mac and frame_mac != origin.mac):
                self._counters.add(NOT_OPENED_BY_SCANNER)
                return None
        server = _server_of(seg, a, b, self._server_ports)
        st = _Stream(key, server[0], server[1])
        st.client_ip = a[0] if server == b else b[0]
        self._streams[key] = st
        if len(self._streams) > self._max_open:
            self._finish(next(iter(self._streams)))
        return st

    def _server_mac_ok(self, st: _Stream, src: str, frame_mac: str) -> bool:
        """Strict mode: the server's segments come from the MAC ARP bound to its IP, else all
        from the MAC of its first segment. Without an Origin every segment is taken."""
        if self._origin is None or not frame_mac:
            return True
        bound = self._origin.bound_mac(src)
        if bound:
            return frame_mac == bound
        if not st.frame_mac:
            st.frame_mac = frame_mac
        return frame_mac == st.frame_mac

    def _hold(self, d: _Direction, seg: Segment) -> None:
        if d.first_seq is None:
            d.first_seq = seg.seq
        if d.overflow:
            return
        old = d.segments.get(seg.seq)
        if old is not None and len(old) >= len(seg.payload):
            return
        if d.size + len(seg.payload) > MAX_DIRECTION_BYTES:
            d.overflow = True
            self._counters.add("oversized TCP streams (cut)")
            return
        if old is None and len(d.segments) >= MAX_DIRECTION_SEGMENTS:
            d.overflow = True
            self._counters.add(TOO_MANY_SEGMENTS)
            return
        grow = len(seg.payload) - (len(old) if old else 0)
        d.segments[seg.seq] = seg.payload
        d.size += grow
        self._buffered += grow + (0 if old else SEGMENT_OVERHEAD)

    def close(self) -> None:
        """Hand on every conversation still open (the capture ended mid-way)."""
        for key in list(self._streams):
            self._finish(key)

    def _finish(self, key: tuple) -> None:
        st = self._streams.pop(key, None)
        if st is None:
            return
        held = len(st.to_server.segments) + len(st.to_client.segments)
        self._buffered -= st.to_server.size + st.to_client.size + held * SEGMENT_OVERHEAD
        client = self._assemble(st.to_server)
        server = self._assemble(st.to_client)
        if server:
            self._sink(st.server_ip, st.server_mac, st.server_port, client, server, st.syn and st.syn_ack)

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
                if not self._gaps_expected:
                    self._counters.add("TCP streams with missing segments")
                break
            end = r + len(data)
            if end <= cur:
                continue
            out += data[cur - r:]
            cur = end
        return bytes(out)
