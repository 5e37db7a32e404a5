"""The one place where addressed bytes meet the protocol parsers.

Replay (from pcap files) and the live scanner both hand what devices sent to a Collector:
ARP bodies, UDP datagrams and finished TCP conversations. The Collector picks the parser by
port and content, keeps every Evidence, and counts — never raises on — what could not be
read, so one hostile device cannot end a run or lose what other devices said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import arp, httpmsg, rtsp
from camscan.protocols import http as http_proto
from camscan.protocols.registry import UDP_BY_PORT


@dataclass(slots=True)
class Counters:
    """What a run skipped (malformed, truncated, unreadable), by kind, for the run's summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


# Bounds on what one run keeps, whatever the link or the capture holds: a spoofer can claim any
# number of addresses (100,000 fake SADP devices fit in 45 MB) and one device can repeat itself
# without end. Past a bound the evidence is dropped and counted in the run's summary.
MAX_DEVICES = 16_384  # far beyond any camera estate; 100,000 spoofed devices stay under 300 MB
MAX_EVIDENCE_PER_DEVICE = 256
DEVICES_OVER_LIMIT = f"evidence about devices past the first {MAX_DEVICES} (dropped)"
EVIDENCE_OVER_LIMIT = f"evidence over {MAX_EVIDENCE_PER_DEVICE} per device (dropped)"


def _device_key(e: Evidence) -> tuple[str, ...]:
    """Which device a piece of evidence is about, for the bounds only (fusion groups finely)."""
    if e.via:
        return ("ch", e.via, str(e.channel))
    return ("ip", e.ip) if e.ip else ("mac", e.mac)


class Collector:
    """Accumulates Evidence from everything a run sees, within MAX_DEVICES devices and
    MAX_EVIDENCE_PER_DEVICE pieces per device."""

    def __init__(self, counters: Counters | None = None) -> None:
        self.evidence: list[Evidence] = []
        self.counters = counters or Counters()
        self._per_device: dict[tuple[str, ...], int] = {}

    def _keep(self, items: list[Evidence]) -> None:
        per_device = self._per_device
        for e in items:
            key = _device_key(e)
            held = per_device.get(key)
            if held is None and len(per_device) >= MAX_DEVICES:
                self.counters.add(DEVICES_OVER_LIMIT)
                continue
            if held is not None and held >= MAX_EVIDENCE_PER_DEVICE:
                self.counters.add(EVIDENCE_OVER_LIMIT)
                continue
            per_device[key] = (held or 0) + 1
            self.evidence.append(e)

    def arp(self, payload: bytes) -> None:
        try:
            self._keep(arp.parse(payload))
        except Malformed:
            self.counters.add("malformed ARP messages")

    def udp(self, src: Endpoint, sport: int, dport: int, payload: bytes) -> None:
        proto = UDP_BY_PORT.get(sport) or UDP_BY_PORT.get(dport)
        if proto is None:
            return
        try:
            self._keep(proto.parse(payload, src))
        except Malformed:
            self.counters.add(f"malformed {proto.name} messages")
        except Exception:  # a parser bug must not end the run; it is counted and reported
            self.counters.add(f"unreadable {proto.name} messages (parser error)")

    def tcp_stream(self, server: Endpoint, client: bytes, server_bytes: bytes, handshake: bool = True) -> None:
        """One finished conversation. Without its `handshake` (a capture that began mid-way, or
        segments someone else sent) it is read, but nothing in it counts as authenticated."""
        try:
            pairs = httpmsg.pair(client, server_bytes)
        except Malformed:
            self.counters.add("malformed HTTP/RTSP streams")
            return
        except Exception:
            self.counters.add("unreadable HTTP/RTSP streams (parser error)")
            return
        for request, response in pairs:
            is_rtsp = response.start_line.upper().startswith("RTSP/")
            try:
                items = (rtsp if is_rtsp else http_proto).parse_exchange(request, response, server)
            except Malformed:
                self.counters.add("malformed RTSP messages" if is_rtsp else "malformed HTTP messages")
                continue
            except Exception:
                self.counters.add("unreadable HTTP/RTSP messages (parser error)")
                continue
            if not handshake:
                for ev in items:
                    ev.authenticated = False
            if response.problem:
                self.counters.add(f"HTTP bodies: {response.problem}")
            elif response.truncated:
                self.counters.add("oversized HTTP bodies (skipped)")
            for ev in items:
                if ev.problem == "malformed":
                    self.counters.add("malformed device API bodies")
            self._keep(items)
