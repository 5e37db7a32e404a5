"""One live scan from start to inventory: capture, ARP sweep, discovery, TCP probes, then the
inventory — as the replay of the scan's own capture when camscan can capture (root), or from
the replies its sockets received when it cannot. Ctrl-C keeps what was found so far."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import netaddr

from camscan.collect import Collector
from camscan.model import Endpoint, Evidence
from camscan.protocols import http
from camscan.protocols.registry import DEFAULT_TCP_PORTS
from camscan.scan import arpsweep, certpins, link, offer, tempcapture
from camscan.scan.capture import LiveCapture
from camscan.scan.credentials import Credentials
from camscan.scan.discovery import discover
from camscan.scan.enrich import Outcome, Target, enrich
from camscan.scan.pacing import RateLimiter
from camscan.scan.probes import fetch_descriptions, probe_hosts
from camscan.scan.progress import ArpBars, Progress, Tally, no_progress
from camscan.scan.targets import Scope
from camscan.store.rows import CertificatePins


@dataclass
class ScanOptions:
    targets: netaddr.IPSet
    interface: str | None = None
    rate: float = 2000
    ports: tuple[int, ...] = DEFAULT_TCP_PORTS
    capture_path: str | None = None
    discovery_wait: float = 1.5
    connect_timeout: float = 1.0
    credentials: Credentials | None = None
    # the certificates the history holds (None: no history, nothing to compare with), and
    # whether a changed one is accepted this time (scan/certpins.py)
    pins: CertificatePins | None = None
    accept_new_certs: bool = False


@dataclass
class ScanResult:
    evidence: list[Evidence]
    skipped: dict[str, int]
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    phases: dict[str, float] = field(default_factory=dict)
    arp_hosts: int = 0
    device_notes: dict[str, list[str]] = field(default_factory=dict)
    enrichment: dict[str, int] = field(default_factory=dict)
    # the scanner's own address on the scanned link ("" when it has none there)
    scanner_ip: str = ""
    # ip → hex SHA-256 of the certificate on 443, and the devices whose certificate is not the
    # one the history holds (scan/certpins.py); `warnings` are for stderr, one line each
    certificates: dict[str, str] = field(default_factory=dict)
    cert_changes: dict[str, certpins.Change] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


Say = Callable[[str], None]

def can_capture() -> bool:
    return os.geteuid() == 0


def _raise_fd_limit() -> None:
    """Hundreds of concurrent connections need more descriptors than the usual soft limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 16384) if hard != resource.RLIM_INFINITY else 16384
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def run_scan(opts: ScanOptions, say: Say, progress: Progress = no_progress) -> ScanResult:
    """Run every phase; return the evidence the inventory is built from. The temporary capture
    lives in a private directory removed on every way out, SIGTERM included (tempcapture)."""
    _raise_fd_limit()
    with tempcapture.private_dir() as tmpdir, tempcapture.sigterm_interrupts():
        return Scan(opts, say, progress, tmpdir).run()


class Scan:
    """One live scan: where it runs, what it has learned so far, and one method per phase.

    The phases share what earlier ones found (ARP answers give later evidence its MAC,
    discovery's responders and SSDP locations decide what the TCP phase asks), so they are
    methods on one object rather than functions passing a dozen values along."""

    def __init__(self, opts: ScanOptions, say: Say, progress: Progress, tmpdir: str) -> None:
        self.opts, self.say, self.progress, self.tmpdir = opts, say, progress, tmpdir
        self.scope = Scope(opts.targets)
        self.limiter = RateLimiter(opts.rate)
        self.iface = link.choose(opts.targets, opts.interface)
        self.onlink = link.on_link(self.iface, opts.targets)
        self.offlink = opts.targets - self.onlink
        if self.iface is not None:
            self.offlink.remove(self.iface.ip)
        self.root = can_capture()
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.live = Collector()
        self.capture: LiveCapture | None = None
        self.tmp_capture: str | None = None
        self.phases: dict[str, float] = {}
        self.interrupted = False
        self.arp_found: dict[str, str] = {}
        self.ssdp_locations: set[tuple[str, str]] = set()  # (announcer, LOCATION)
        self.outcomes: list[Outcome] = []
        self.open_ports: dict[str, list[int]] = {}
        self.cert_seen: dict[str, str] = {}  # ip → SHA-256 of the certificate on 443
        self.cert_changes: dict[str, certpins.Change] = {}

    def run(self) -> ScanResult:
        """Every phase in order; Ctrl-C ends them early and keeps what was found."""
        self.start_capture()
        try:
            asyncio.run(self.network_phases())
        except KeyboardInterrupt:
            self.interrupted = True
            self.notes.append("scan cut short (interrupted): the inventory holds what was found until then")
        finally:
            if self.capture is not None:
                time.sleep(0.1)
                self.capture.stop()
        self.phases["total"] = sum(v for k, v in self.phases.items() if k in ("discovery", "tcp", "enrich"))
        self.notes.extend(self.errors)
        return self.build_result()

    # ---------------------------------------------------------------------------- setup / capture

    def start_capture(self) -> None:
        """As root, capture the scan's conversation on the interface that reaches the targets."""
        opts = self.opts
        if not self.root:
            self.notes.append("not root: no ARP sweep and no capture; discovery and TCP probes only")
            self.say("camscan: not running as root — skipping the ARP sweep and the capture; "
                     "doing multicast discovery and TCP probes only")
            return
        # all targets behind a router: capture on the interface the kernel routes them through
        cap_iface = self.iface or link.route_interface(str(next(iter(opts.targets))))
        if cap_iface is None:
            if opts.capture_path:
                self.notes.append("no route to the targets: nothing to capture")
            return
        path = opts.capture_path
        if not path:  # in run_scan's private directory, which goes with the scan
            path = self.tmp_capture = os.path.join(self.tmpdir, "scan.pcap")
        nets = [str(c) for c in opts.targets.iter_cidrs()]
        self.capture = LiveCapture(cap_iface.name, cap_iface.ip, path, cap_iface.mac, nets)
        self.capture.start()

    def on_udp(self, ip: str, sport: int, lport: int, payload: bytes) -> None:
        self.live.udp(Endpoint(ip, self.arp_found.get(ip, ""), sport), sport, lport, payload)

    def on_exchange(self, ip: str, port: int, req: bytes, resp: bytes) -> None:
        self.live.tcp_stream(Endpoint(ip, self.arp_found.get(ip, ""), port), req, resp)

    async def network_phases(self) -> None:
        """Discovery and the ARP sweep at the same time, then TCP probes and descriptions, then
        (with credentials) the devices' own APIs."""
        t0 = time.monotonic()
        iface = self.iface
        disc = asyncio.create_task(discover(iface.ip if iface else None, [str(ip) for ip in self.offlink],
                                            self.scope, self.limiter, self.on_udp, self.opts.discovery_wait,
                                            self.errors.append))
        await self.arp_sweep(t0)
        await self.listening(disc, t0)
        self.phases["discovery"] = time.monotonic() - t0
        hosts = self.hosts_to_probe()
        t1 = time.monotonic()
        await self.tcp_probes(hosts)
        await self.descriptions()
        await self.certificates()
        self.phases["tcp"] = time.monotonic() - t1
        if self.opts.credentials:
            t2 = time.monotonic()
            await self.credentialed_enrichment(self.opts.credentials)
            self.phases["enrich"] = time.monotonic() - t2

    # ------------------------------------------------------------------------------------- phases

    async def arp_sweep(self, t0: float) -> None:
        """Ask every on-link target by ARP (root only: the replies are read from the capture)."""
        iface, capture, onlink = self.iface, self.capture, self.onlink
        if capture is None or iface is None or not onlink:
            return
        self.say(f"ARP sweep of {onlink.size} on-link addresses on {iface.name} ...")
        bars = ArpBars(self.progress, onlink.size, capture.arp_replies)
        self.arp_found = await asyncio.to_thread(arpsweep.sweep, iface, [str(ip) for ip in onlink], self.scope,
                                                 self.limiter, capture.arp_replies, progress=bars)
        bars.finish()
        self.phases["arp"] = time.monotonic() - t0
        self.say(f"  {len(self.arp_found)} hosts answered ARP ({self.phases['arp']:.2f} s)")

    async def listening(self, disc: asyncio.Task, t0: float) -> None:
        """Wait for discovery's listening time to end, with a bar for what is left of it (the
        ARP sweep's bar, when there was one, covered the time before)."""
        left = self.opts.discovery_wait - (time.monotonic() - t0)
        if disc.done() or left < 0.2:
            await disc
            return
        ticks = round(left * 10)
        advance, finish = self.progress("discovery", ticks,
                                        lambda: f"listening, {len({e.ip for e in self.live.evidence})} answered")
        while not disc.done():
            await asyncio.wait({disc}, timeout=0.1)
            advance(1)
        finish()
        await disc

    def hosts_to_probe(self) -> set[str]:
        """The hosts the TCP phase asks: as root, those that answered ARP or discovery on the link
        and every off-link target; without root, every target. Also notes the SSDP locations
        inside the targets, whose descriptions are fetched after the probes."""
        opts, iface, scope = self.opts, self.iface, self.scope
        if self.capture is not None:  # replies that arrived after the sweep ended still count
            self.arp_found = {ip: mac for ip, mac in dict(self.capture.arp_replies).items() if ip in opts.targets}
        responders = {e.ip for e in self.live.evidence if e.ip}
        if self.root and iface is not None:
            hosts = set(self.arp_found) | (responders & {str(i) for i in self.onlink}) \
                | {str(i) for i in self.offlink}
        else:
            hosts = {str(ip) for ip in opts.targets if iface is None or str(ip) != iface.ip}
        hosts = {h for h in hosts if scope.allows(h)}
        for e in list(self.live.evidence):  # descriptions of responders inside the targets only
            if e.location and scope.allows(e.ip):
                self.ssdp_locations.add((e.ip, e.location))
        return hosts

    async def tcp_probes(self, hosts: set[str]) -> None:
        """Connect to each port of each host; on the link with a shorter timeout."""
        opts = self.opts
        self.say(f"TCP probes of {len(hosts)} hosts on ports {','.join(map(str, opts.ports))} ...")
        near = sorted((h for h in hosts if h in self.onlink), key=lambda h: netaddr.IPAddress(h))
        far = sorted((h for h in hosts if h not in self.onlink), key=lambda h: netaddr.IPAddress(h))
        # on the link a reply takes well under a millisecond: half a second is generous
        tried = Tally(lambda _n: None)
        tried.advance, finish = self.progress(
            "TCP probes", len(hosts) * len(opts.ports),
            lambda: f"probing {tried.done // len(opts.ports)} of {len(hosts)} hosts")
        for found in await asyncio.gather(
                probe_hosts(near, opts.ports, self.scope, self.limiter, self.on_exchange,
                            min(opts.connect_timeout, 0.5), progress=tried, errors=self.errors.append),
                probe_hosts(far, opts.ports, self.scope, self.limiter, self.on_exchange, opts.connect_timeout,
                            progress=tried, errors=self.errors.append)):
            self.open_ports.update(found)
        finish()

    async def descriptions(self) -> None:
        """Fetch the UPnP descriptions SSDP pointed at (the bar counts the answers)."""
        if not self.ssdp_locations:
            return
        answered = Tally(lambda _n: None)
        total = len(self.ssdp_locations)
        answered.advance, finish = self.progress("descriptions", total, lambda: f"{answered.done} of {total} read")

        def sink(ip: str, port: int, req: bytes, resp: bytes) -> None:
            answered(1)
            self.on_exchange(ip, port, req, resp)

        await fetch_descriptions(self.ssdp_locations, self.scope, self.limiter, sink, self.errors.append)
        finish()

    async def certificates(self) -> None:
        """Read the certificate of every TLS port that answered (the capture records the handshake)."""
        from camscan.scan.tlscert import certificate_evidence, fetch_certificates

        def on_certificate(ip: str, port: int, der: bytes) -> None:
            said = certificate_evidence(der, Endpoint(ip, self.arp_found.get(ip, ""), port))
            self.live.evidence.extend(said)  # a scan with a capture reads them in its replay
            if port == certpins.HTTPS_PORT:
                self.cert_seen[ip] = hashlib.sha256(der).hexdigest()

        await fetch_certificates(self.open_ports, self.scope, self.limiter, on_certificate)
        if self.opts.pins is not None:
            self.cert_changes = certpins.changes(self.cert_seen, set(self.open_ports), self.arp_found,
                                                 self.opts.pins, certpins.HTTPS_PORT in self.opts.ports,
                                                 self.opts.accept_new_certs)

    async def credentialed_enrichment(self, credentials: Credentials) -> None:
        """Ask the devices' own APIs with the user's accounts."""
        targets = offer.corroborate(api_targets(self.live.evidence, self.open_ports, self.scope),
                                    self.live.evidence, self.open_ports)
        held = {ip for ip, c in self.cert_changes.items() if not c.accepted}
        # a changed certificate: not offered the account at all (ONVIF over HTTP included)
        self.outcomes.extend(Outcome(t.ip, withheld=True) for t in targets if t.ip in held)
        targets = [t for t in targets if t.ip not in held]
        pins = self.opts.pins
        known = None if pins is None else certpins.known_certs(self.cert_seen, pins, self.arp_found,
                                                               self.cert_changes)
        self.say(f"credentialed identification of {len(targets)} devices ...")
        asked = Tally(lambda _n: None)
        asked.advance, finish = self.progress("device APIs", len(targets),
                                              lambda: f"{asked.done} of {len(targets)} devices asked")
        self.outcomes.extend(await enrich(targets, credentials, self.scope, self.limiter, self.on_exchange,
                                          known_certs=known, progress=asked))
        finish()
        if self.capture is None:  # no capture to replay: ONVIF's answers come as evidence directly
            for o in self.outcomes:
                self.live.evidence.extend(o.evidence)

    # ------------------------------------------------------------------------------------- result

    def collected(self) -> tuple[list[Evidence], dict[str, int]]:
        """The evidence and skip counts: the replay of the capture when there is one, else what
        the sockets received."""
        capture = self.capture
        if capture is None:
            return self.live.evidence, dict(self.live.counters.counts)
        from camscan.replay import Origin, replay_file

        replayed = Collector()
        # only the scanner's own connections count (replay/tcpstreams.py: strict mode)
        replay_file(capture.path, replayed, Origin(capture.local_ip, capture.local_mac))
        if capture.error:
            self.notes.append(f"capture: {capture.error}")
        # what the APIs answered over HTTPS is only ciphertext in the capture; the certificates
        # are in it in clear (TLS 1.2 at most), and the replay reads them there
        tls_evidence = [e for o in self.outcomes for e in o.tls_evidence]
        return replayed.evidence + tls_evidence, dict(replayed.counters.counts)

    def build_result(self) -> ScanResult:
        """Evidence about the targets only (never the scanner itself), with each device's
        credentialed outcome."""
        evidence, skipped = self.collected()
        if self.tmp_capture:
            os.unlink(self.tmp_capture)
        own = self.iface.ip if self.iface is not None else ""
        evidence = [e for e in evidence if e.via or (e.ip and e.ip != own and e.ip in self.opts.targets)
                    or (not e.ip and e.ipv6)]
        # what came only over IPv6 is kept for the targets' MACs (their IPv6 addresses), no one else's
        target_macs = {e.mac for e in evidence if e.ip and e.mac and not e.via}
        evidence = [e for e in evidence if e.ip or e.via or e.mac in target_macs]
        result = ScanResult(evidence, skipped, self.notes, self.interrupted, self.phases, len(self.arp_found),
                            scanner_ip=own, certificates=dict(self.cert_seen), cert_changes=dict(self.cert_changes))
        for ip, change in sorted(self.cert_changes.items(), key=lambda kv: netaddr.IPAddress(kv[0])):
            result.device_notes.setdefault(ip, []).append(change.note())
            result.warnings.append(change.warning())
        for o in self.outcomes:
            if o.notes:
                result.device_notes.setdefault(o.ip, []).extend(o.notes)
            result.enrichment[o.status] = result.enrichment.get(o.status, 0) + 1
        return result


API_PLATFORMS = ("Hikvision", "Dahua")


def api_targets(evidence: list[Evidence], open_ports: dict[str, list[int]], scope: Scope) -> list[Target]:
    """Devices worth asking with credentials, and which API: the platform their discovery
    answers or banners showed (banners and model patterns read through signatures/, the same
    data identification uses), the ONVIF path WS-Discovery gave, the HTTP port that is open."""
    from camscan.identify.signatures import load

    sigs = load()
    by_ip: dict[str, Target] = {}
    for e in evidence:
        if not e.ip or e.via or not scope.allows(e.ip):
            continue
        t = by_ip.setdefault(e.ip, Target(e.ip))
        if e.platform:
            t.platform = t.platform or e.platform
        for kind, value in e.banners.items():
            m = sigs.banner(kind, value) if value else None
            if m is not None and m.manufacturer in API_PLATFORMS:
                t.platform = t.platform or m.manufacturer
        for xaddr in e.xaddrs[:1]:
            m = re.match(r"https?://([^/\s]+)(/\S*)", xaddr)
            if m and m.group(1).split(":")[0] == e.ip:
                t.onvif_path = m.group(2)
        if e.model:
            mm = sigs.model(e.model)
            if mm is not None and mm.device_type in ("nvr", "dvr"):
                t.recorder = True
    out = []
    for ip, t in by_ip.items():
        ports = open_ports.get(ip, [])
        port = next((p for p in (http.PORT, http.ALT_PORT) if p in ports), 0)
        if port and (t.platform or t.onvif_path):
            t.port = port
            out.append(t)
    return out
