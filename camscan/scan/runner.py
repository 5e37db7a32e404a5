"""One live scan from start to inventory: capture, ARP sweep, discovery, TCP probes, then the
inventory — as the replay of the scan's own capture when camscan can capture (root), or from
the replies its sockets received when it cannot. Ctrl-C keeps what was found so far."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import netaddr

from camscan.collect import Collector
from camscan.model import Endpoint, Evidence
from camscan.scan import arpsweep, link, offer, tempcapture
from camscan.scan.capture import LiveCapture
from camscan.scan.credentials import Credentials
from camscan.scan.discovery import discover
from camscan.scan.enrich import Outcome, Target, enrich
from camscan.scan.pacing import RateLimiter
from camscan.scan.probes import DEFAULT_PORTS, fetch_descriptions, probe_hosts
from camscan.scan.targets import Scope


@dataclass
class ScanOptions:
    targets: netaddr.IPSet
    interface: str | None = None
    rate: float = 2000
    ports: tuple[int, ...] = DEFAULT_PORTS
    capture_path: str | None = None
    discovery_wait: float = 1.5
    connect_timeout: float = 1.0
    credentials: Credentials | None = None


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


Say = Callable[[str], None]
# progress(label, total) -> (advance(n), finish()) — a bar on a terminal, nothing otherwise
Progress = Callable[[str, int], tuple[Callable[[int], None], Callable[[], None]]]


def no_progress(_label: str, _total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    return (lambda _n: None), (lambda: None)


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
    with tempcapture.private_dir() as tmpdir, tempcapture.sigterm_interrupts():
        return _run_scan(opts, say, progress, tmpdir)


def _run_scan(opts: ScanOptions, say: Say, progress: Progress, tmpdir: str) -> ScanResult:
    _raise_fd_limit()
    scope = Scope(opts.targets)
    limiter = RateLimiter(opts.rate)
    iface = link.choose(opts.targets, opts.interface)
    onlink = link.on_link(iface, opts.targets)
    offlink = opts.targets - onlink
    if iface is not None:
        offlink.remove(iface.ip)
    root = can_capture()
    notes: list[str] = []
    errors: list[str] = []
    live = Collector()
    capture: LiveCapture | None = None
    tmp_capture = None
    phases: dict[str, float] = {}
    interrupted = False
    arp_found: dict[str, str] = {}
    if not root:
        notes.append("not root: no ARP sweep and no capture; discovery and TCP probes only")
        say("camscan: not running as root — skipping the ARP sweep and the capture; "
            "doing multicast discovery and TCP probes only")
    else:
        # all targets behind a router: capture on the interface the kernel routes them through
        cap_iface = iface or link.route_interface(str(next(iter(opts.targets))))
        if cap_iface is not None:
            path = opts.capture_path
            if not path:
                path = tmp_capture = os.path.join(tmpdir, "scan.pcap")
            nets = [str(c) for c in opts.targets.iter_cidrs()]
            capture = LiveCapture(cap_iface.name, cap_iface.ip, path, cap_iface.mac, nets)
            capture.start()
        elif opts.capture_path:
            notes.append("no route to the targets: nothing to capture")

    def on_udp(ip: str, sport: int, lport: int, payload: bytes) -> None:
        live.udp(Endpoint(ip, arp_found.get(ip, ""), sport), sport, lport, payload)

    ssdp_locations: set[tuple[str, str]] = set()  # (announcer, LOCATION)
    outcomes: list[Outcome] = []
    open_ports: dict[str, list[int]] = {}

    def on_exchange(ip: str, port: int, req: bytes, resp: bytes) -> None:
        live.tcp_stream(Endpoint(ip, arp_found.get(ip, ""), port), req, resp)

    async def phases_async() -> None:
        nonlocal arp_found
        t0 = time.monotonic()
        disc = asyncio.create_task(discover(iface.ip if iface else None, [str(ip) for ip in offlink], scope,
                                            limiter, on_udp, opts.discovery_wait, errors.append))
        if capture is not None and iface is not None and onlink:
            say(f"ARP sweep of {onlink.size} on-link addresses on {iface.name} ...")
            advance, finish = progress("ARP sweep ", onlink.size)
            arp_found = await asyncio.to_thread(arpsweep.sweep, iface, [str(ip) for ip in onlink], scope, limiter,
                                                capture.arp_replies, progress=advance)
            finish()
            phases["arp"] = time.monotonic() - t0
            say(f"  {len(arp_found)} hosts answered ARP ({phases['arp']:.2f} s)")
        await disc
        phases["discovery"] = time.monotonic() - t0
        if capture is not None:  # replies that arrived after the sweep ended still count
            arp_found = {ip: mac for ip, mac in capture.arp_replies.items() if ip in opts.targets}
        responders = {e.ip for e in live.evidence if e.ip}
        if root and iface is not None:
            hosts = set(arp_found) | (responders & {str(i) for i in onlink}) | {str(i) for i in offlink}
        else:
            hosts = {str(ip) for ip in opts.targets if iface is None or str(ip) != iface.ip}
        hosts = {h for h in hosts if scope.allows(h)}
        for e in list(live.evidence):  # descriptions of responders inside the targets only
            if e.location and scope.allows(e.ip):
                ssdp_locations.add((e.ip, e.location))
        t1 = time.monotonic()
        say(f"TCP probes of {len(hosts)} hosts on ports {','.join(map(str, opts.ports))} ...")
        near = sorted((h for h in hosts if h in onlink), key=lambda h: netaddr.IPAddress(h))
        far = sorted((h for h in hosts if h not in onlink), key=lambda h: netaddr.IPAddress(h))
        # on the link a reply takes well under a millisecond: half a second is generous
        advance, finish = progress("TCP probes", (len(near) + len(far)) * len(opts.ports))
        for found in await asyncio.gather(
                probe_hosts(near, opts.ports, scope, limiter, on_exchange, min(opts.connect_timeout, 0.5),
                            progress=advance, errors=errors.append),
                probe_hosts(far, opts.ports, scope, limiter, on_exchange, opts.connect_timeout, progress=advance,
                            errors=errors.append)):
            open_ports.update(found)
        finish()
        await fetch_descriptions(ssdp_locations, scope, limiter, on_exchange, errors.append)
        phases["tcp"] = time.monotonic() - t1
        if opts.credentials:
            t2 = time.monotonic()
            targets = offer.corroborate(api_targets(live.evidence, open_ports, scope), live.evidence,
                                        open_ports)
            say(f"credentialed identification of {len(targets)} devices ...")
            outcomes.extend(await enrich(targets, opts.credentials, scope, limiter, on_exchange))
            if capture is None:  # no capture to replay: ONVIF's answers come as evidence directly
                for o in outcomes:
                    live.evidence.extend(o.evidence)
            phases["enrich"] = time.monotonic() - t2

    try:
        asyncio.run(phases_async())
    except KeyboardInterrupt:
        interrupted = True
        notes.append("scan cut short (interrupted): the inventory holds what was found until then")
    finally:
        if capture is not None:
            time.sleep(0.1)
            capture.stop()
    phases["total"] = sum(v for k, v in phases.items() if k in ("discovery", "tcp", "enrich"))
    for e in errors:
        notes.append(e)
    evidence = live.evidence
    skipped = dict(live.counters.counts)
    if capture is not None:
        from camscan.replay import replay_file

        replayed = Collector()
        replay_file(capture.path, replayed)
        evidence, skipped = replayed.evidence, dict(replayed.counters.counts)
        evidence += [e for o in outcomes for e in o.tls_evidence]  # HTTPS answers: ciphertext in the capture
        if capture.error:
            notes.append(f"capture: {capture.error}")
    if tmp_capture:
        os.unlink(tmp_capture)
    own = iface.ip if iface is not None else ""
    evidence = [e for e in evidence if e.via or (e.ip and e.ip != own and e.ip in opts.targets)]
    result = ScanResult(evidence, skipped, notes, interrupted, phases, len(arp_found))
    for o in outcomes:
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
        port = next((p for p in (80, 8080) if p in ports), 0)
        if port and (t.platform or t.onvif_path):
            t.port = port
            out.append(t)
    return out
