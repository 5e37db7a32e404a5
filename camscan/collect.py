"""The one place where addressed bytes meet the protocol parsers.

Replay (from pcap files) and the live scanner both hand what devices sent to a Collector:
ARP bodies, IPv6 neighbour discovery, UDP datagrams (discovery and DHCP) and finished TCP
conversations. The Collector picks the parser by port and content, keeps every Evidence, and
counts — never raises on — what could not be read, so one hostile device cannot end a run or
lose what other devices said.

Every Evidence is stamped with when it was seen (`seen`: the capture's timestamp when the
caller gives one, else the clock) and, for a message that came over IPv6, the sender's IPv6
address (`ipv6`); the parsers are handed an Endpoint without an IPv4 address then, so they
take the IPv4 address a device states about itself, if any.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field, fields, replace

from camscan.identify.grouping import SWEEP_MIN_TARGETS
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import arp, httpmsg, ndp, rtsp, tls
from camscan.protocols import http as http_proto
from camscan.protocols.registry import TLS_PORTS, UDP_BY_PORT, UdpParserEntry


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
MAX_PARSED = 4096  # datagrams whose reading is remembered (then forgotten all at once) ...
MAX_PARSED_BYTES = 4096  # ... if no longer than this: at most 16 MiB held, whatever a capture holds
DEVICES_OVER_LIMIT = f"evidence about devices past the first {MAX_DEVICES} (dropped)"
EVIDENCE_OVER_LIMIT = f"evidence over {MAX_EVIDENCE_PER_DEVICE} per device (dropped)"


def _device_key(e: Evidence) -> tuple[str, ...]:
    """Which device a piece of evidence is about, for the bounds only (fusion groups finely)."""
    if e.via:
        return ("ch", e.via, str(e.channel))
    if e.ip:
        return ("ip", e.ip)
    return ("ip6", e.ipv6) if e.ipv6 else ("mac", e.mac)


# every field of a piece of evidence but when it was seen: two pieces alike in these say one fact
_FACT_FIELDS = tuple(f.name for f in fields(Evidence) if f.name != "seen")


class Collector:
    """Accumulates Evidence from everything a run sees, within MAX_DEVICES devices and
    MAX_EVIDENCE_PER_DEVICE pieces per device.

    A fact said again (an SSDP NOTIFY every 30 s, a recorder's ARP for its cameras, the
    scanner's own sweep) is kept twice at most: as first seen, and once more with the time it
    was last seen, which later repeats move on. So repetition neither fills a device's quota
    (a long capture would otherwise lose the device's later, richer answers) nor is reported as
    dropped evidence. ARP requests count as one fact once a sender has asked about
    SWEEP_MIN_TARGETS addresses: that many is all the sweep rule needs to know."""

    def __init__(self, counters: Counters | None = None) -> None:
        self.evidence: list[Evidence] = []
        self.counters = counters or Counters()
        self._per_device: dict[tuple[str, ...], int] = {}
        # (device, fact) → [first, latest] (latest None until the fact is said again)
        self._facts: dict[tuple[tuple[str, ...], int], list[Evidence | None]] = {}
        # (parser, sender, datagram) → what the parser said: evidence (copied on reuse, as
        # _keep stamps it) or the problem counted
        self._parsed: dict[tuple[str, Endpoint, bytes], list[Evidence] | str] = {}
        self._asked: dict[tuple[str, ...], set[str]] = {}  # the first addresses each sender asked about
        # a server's certificate → its latest sighting kept (None: seen once): a busy capture shows
        # it in thousands of connections, and moving a time on is all a repeat does (as in _keep)
        self._certificates: dict[tuple[str, ...], Evidence | None] = {}

    def _fact(self, key: tuple[str, ...], e: Evidence) -> int:
        if e.arp_op == "request":
            asked = self._asked.setdefault(key, set())
            if e.arp_target not in asked:
                if len(asked) >= SWEEP_MIN_TARGETS:
                    return hash(("arp request", e.ip, e.mac))
                asked.add(e.arp_target)
        return hash(repr(tuple(getattr(e, name) for name in _FACT_FIELDS)))

    def _keep(self, items: list[Evidence], seen: float | None = None, ipv6: str = "") -> None:
        when = time.time() if seen is None else seen
        per_device = self._per_device
        for e in items:
            e.seen = e.seen or when
            if ipv6 and not e.via and not e.ipv6:
                e.ipv6 = ipv6
            key = _device_key(e)
            held = per_device.get(key)
            if held is None and len(per_device) >= MAX_DEVICES:
                self.counters.add(DEVICES_OVER_LIMIT)
                continue
            fact = (key, self._fact(key, e))
            said = self._facts.get(fact)
            if said is not None and said[1] is not None:
                said[1].seen = max(said[1].seen, e.seen)
                continue
            if held is not None and held >= MAX_EVIDENCE_PER_DEVICE:
                self.counters.add(EVIDENCE_OVER_LIMIT)
                continue
            if said is None:
                self._facts[fact] = [e, None]
            else:
                said[1] = e
            per_device[key] = (held or 0) + 1
            self.evidence.append(e)

    def arp(self, payload: bytes, seen: float | None = None) -> None:
        try:
            self._keep(arp.parse(payload), seen)
        except Malformed:
            self.counters.add("malformed ARP messages")

    def ndp(self, icmp: bytes, src_ipv6: str, src_mac: str, seen: float | None = None) -> None:
        """An ICMPv6 message; neighbour discovery binds an IPv6 address to a MAC."""
        try:
            self._keep(ndp.parse(icmp, src_ipv6, src_mac), seen)
        except Malformed:
            self.counters.add("malformed NDP messages")
        except Exception:  # a parser bug must not end the run; it is counted and reported
            self.counters.add("unreadable NDP messages (parser error)")

    def udp(self, src: Endpoint, sport: int, dport: int, payload: bytes, seen: float | None = None,
            src_ipv6: str = "") -> None:
        """A UDP datagram from `src` (whose ip is "" when it came over IPv6 from `src_ipv6`).
        Discovery answers repeat (every device answers every probe, announces itself again and
        again): the parsers are pure, so a datagram already read from the same sender gives a
        copy of what it gave then instead of being parsed again."""
        for proto in _udp_parsers(sport, dport):
            key = (proto.name, src, payload)
            said = self._parsed.get(key)
            if said is None:
                try:
                    said = proto.parse(payload, src)
                except Malformed:
                    said = f"malformed {proto.name} messages"
                except Exception:  # a parser bug must not end the run; it is counted and reported
                    said = f"unreadable {proto.name} messages (parser error)"
                if len(payload) <= MAX_PARSED_BYTES:
                    if len(self._parsed) >= MAX_PARSED:
                        self._parsed.clear()
                    self._parsed[key] = said
            if isinstance(said, str):
                self.counters.add(said)
            else:
                self._keep([replace(e) for e in said], seen, src_ipv6)

    def tls_stream(self, server: Endpoint, server_bytes: bytes, seen: float | None = None,
                   server_ipv6: str = "") -> None:
        """The server side of a TLS connection, or the start of it that a capture kept: its
        certificate's subject and issuer (a server's many connections say one fact, _keep)."""
        try:
            items = tls.parse(server_bytes, server)
        except Malformed:
            self.counters.add("malformed TLS handshakes")
            return
        except Exception:
            self.counters.add("unreadable TLS handshakes (parser error)")
            return
        for e in items:
            if e.mac and _global(e.ip or server_ipv6):
                e.mac = ""  # a server on the internet: the frames' MAC is a router's
            key = (e.ip, server_ipv6, e.mac, str(server.port), *e.banners.values())
            latest = self._certificates.get(key)
            if latest is not None:
                latest.seen = max(latest.seen, time.time() if seen is None else seen)
                continue
            self._keep([e], seen, server_ipv6)
            if key in self._certificates and self.evidence and self.evidence[-1] is e:
                self._certificates[key] = e  # its second sighting, the one later ones move on
            elif len(self._certificates) < MAX_DEVICES:
                self._certificates.setdefault(key, None)

    def tcp_stream(self, server: Endpoint, client: bytes, server_bytes: bytes, seen: float | None = None,
                   server_ipv6: str = "", handshake: bool = True) -> None:
        """One finished conversation. Without its `handshake` (a capture that began mid-way, or
        segments someone else sent) it is read, but nothing in it counts as authenticated."""
        if server.port in TLS_PORTS:
            if server_bytes:
                self.tls_stream(server, server_bytes, seen, server_ipv6)
            return
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
            self._keep(items, seen, server_ipv6)


def _global(address: str) -> bool:
    """Whether `address` is globally routable: a certificate from one is a server elsewhere (a
    camera's cloud), whose frames carry a router's MAC whatever hop count they arrive with (a
    server four hops away arrives with TTL 60, which a LAN host also sends). Without a MAC of its
    own the certificate alone never makes a row (fusion.remote_certificate_only); a LAN device at
    a public address keeps its row, the certificate joining it by address."""
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def _udp_parsers(sport: int, dport: int) -> list[UdpParserEntry]:
    """The parsers for a datagram's ports, the destination's first (a query to a service port
    is read by that service's parser even when its source port is another protocol's)."""
    found = []
    for port in (dport, sport):
        proto = UDP_BY_PORT.get(port)
        if proto is not None and proto not in found:
            found.append(proto)
    return found
