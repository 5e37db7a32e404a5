"""The one place where addressed bytes meet the protocol parsers.

Replay (from pcap files) and the live scanner both hand what devices sent to a Collector:
ARP bodies, UDP datagrams and finished TCP conversations. The Collector picks the parser by
port and content, keeps every Evidence, and counts — never raises on — what could not be
read, so one hostile device cannot end a run or lose what other devices said.
"""

from __future__ import annotations

from collections.abc import Callable

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import arp, dhip, httpmsg, mdns, rtsp, sadp, ssdp, wsdiscovery
from camscan.protocols import http as http_proto
from camscan.replay.decode import Counters

UdpParser = Callable[[bytes, Endpoint], list[Evidence]]

UDP_PARSERS: dict[int, tuple[str, UdpParser]] = {
    sadp.PORT: ("SADP", sadp.parse),
    wsdiscovery.PORT: ("WS-Discovery", wsdiscovery.parse),
    ssdp.PORT: ("SSDP", ssdp.parse),
    dhip.PORT: ("DHIP", dhip.parse),
    mdns.PORT: ("mDNS", mdns.parse),
}


class Collector:
    """Accumulates Evidence from everything a run sees."""

    def __init__(self, counters: Counters | None = None) -> None:
        self.evidence: list[Evidence] = []
        self.counters = counters or Counters()

    def _keep(self, items: list[Evidence]) -> None:
        self.evidence.extend(items)

    def arp(self, payload: bytes) -> None:
        try:
            self._keep(arp.parse(payload))
        except Malformed:
            self.counters.add("malformed ARP messages")

    def udp(self, src: Endpoint, sport: int, dport: int, payload: bytes) -> None:
        entry = UDP_PARSERS.get(sport) or UDP_PARSERS.get(dport)
        if entry is None:
            return
        name, parser = entry
        try:
            self._keep(parser(payload, src))
        except Malformed:
            self.counters.add(f"malformed {name} messages")
        except Exception:  # a parser bug must not end the run; it is counted and reported
            self.counters.add(f"unreadable {name} messages (parser error)")

    def tcp_stream(self, server: Endpoint, client: bytes, server_bytes: bytes) -> None:
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
            if response.truncated:
                self.counters.add("oversized HTTP bodies (skipped)")
            for ev in items:
                if ev.problem == "malformed":
                    self.counters.add("malformed device API bodies")
            self._keep(items)
