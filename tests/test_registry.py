"""The ports and groups each protocol module declares reach everything that reads them: a capture
with a device answering on every registered port replays into evidence of that protocol (so the
replay filter, the collector's dispatch and the parsers agree), and no module imports another's
private names."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from pathlib import Path

import netaddr
import pytest

from camscan.collect import Collector
from camscan.lab import answers
from camscan.lab.profile import Profile, load_profiles
from camscan.model import Endpoint
from camscan.protocols import http, rtsp
from camscan.protocols.registry import DEFAULT_TCP_PORTS, DISCOVERY_GROUPS, TCP_PORTS, UDP_DISCOVERY
from camscan.replay import replay_file
from camscan.scan.targets import Scope, ScopeError
from tools.pcapgen.capture import Capture, Peer, Tcp, udp_from_peer, write_pcap

ROOT = Path(__file__).resolve().parents[1]

# what a lab device answers each discovery protocol's probe with
DISCOVERY_ANSWERS: dict[str, Callable[[Profile], bytes]] = {
    "sadp": answers.sadp_reply,
    "wsd": lambda p: answers.wsd_probe_match(p, "urn:uuid:test"),
    "ssdp": answers.ssdp_response,
    "dhip": answers.dhip_reply,
    "mdns": answers.mdns_response,
}


def _replay(tmp_path: Path, cap: Capture) -> Collector:
    path = tmp_path / "registry.pcap"
    write_pcap(path, cap)
    collector = Collector()
    report = replay_file(str(path), collector)
    assert report.error == ""
    return collector


def _sources_by_ip(collector: Collector) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for e in collector.evidence:
        found.setdefault(e.ip, set()).add(e.source)
    return found


def test_every_registered_discovery_protocol_is_replayed_into_its_evidence(tmp_path: Path) -> None:
    assert {d.source for d in UDP_DISCOVERY} == set(DISCOVERY_ANSWERS), "a protocol the test does not cover"
    profiles = load_profiles()
    cap = Capture(random.Random(1))
    speakers = {}
    for d in UDP_DISCOVERY:
        p = next(p for p in profiles if getattr(p, d.source) is not None and p.on_link)
        cap.add(udp_from_peer(cap, Peer(p, p.mac, 64), d.group, d.port, d.port, DISCOVERY_ANSWERS[d.source](p)))
        speakers[d.source] = p.ip
    collector = _replay(tmp_path, cap)
    found = _sources_by_ip(collector)
    for source, ip in speakers.items():
        assert source in found.get(ip, set()), f"{source} answer from {ip} was not read"
    assert collector.counters.counts == {}, "a lab answer was counted as unreadable"


def test_every_registered_tcp_port_is_replayed_as_http_or_rtsp(tmp_path: Path) -> None:
    device = next(p for p in load_profiles() if p.http is not None and p.rtsp is not None and p.on_link)
    cap = Capture(random.Random(2))
    expected = {}
    for n, port in enumerate((*http.PORTS, *rtsp.PORTS)):  # what each module says it serves on
        p = dataclasses.replace(device, ip=f"198.18.0.{100 + n}")
        tcp = Tcp(cap, Peer(p, p.mac, 64), port)
        tcp.open()
        if port in rtsp.PORTS:
            request = f"OPTIONS rtsp://{p.ip}:{port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode()
            tcp.client_sends(request)
            tcp.server_sends(answers.rtsp_response(p, request))
            expected[p.ip] = "rtsp"
        else:
            tcp.client_sends(f"GET / HTTP/1.1\r\nHost: {p.ip}\r\n\r\n".encode())
            tcp.server_sends(answers.http_response(p, "GET", "/", {}))
            expected[p.ip] = "http"
        tcp.close()
    found = _sources_by_ip(_replay(tmp_path, cap))
    missing = {ip: want for ip, want in expected.items() if want not in found.get(ip, set())}
    assert not missing, f"conversations on these ports were not read: {missing}"


def test_a_port_nothing_registers_is_not_read(tmp_path: Path) -> None:
    device = next(p for p in load_profiles() if p.http is not None and p.on_link)
    cap = Capture(random.Random(3))
    unregistered = 8444
    assert unregistered not in TCP_PORTS
    tcp = Tcp(cap, Peer(device, device.mac, 64), unregistered)
    tcp.open()
    tcp.client_sends(f"GET / HTTP/1.1\r\nHost: {device.ip}\r\n\r\n".encode())
    tcp.server_sends(answers.http_response(device, "GET", "/", {}))
    tcp.close()
    assert _replay(tmp_path, cap).evidence == []


def test_scope_allows_the_registered_groups_and_no_other_multicast() -> None:
    scope = Scope(netaddr.IPSet(["198.18.0.0/24"]))
    assert {"239.255.255.250", "239.255.255.251", "224.0.0.251"} == DISCOVERY_GROUPS
    for group in DISCOVERY_GROUPS:
        scope.check(group)
    with pytest.raises(ScopeError):
        scope.check("239.255.255.252")


def test_default_tcp_ports_are_the_documented_ones() -> None:
    assert DEFAULT_TCP_PORTS == (80, 443, 554, 8000, 8080, 37777)


PRIVATE_IMPORT = re.compile(r"^\s*from (camscan|tools)[\w.]* import [^#\n]*\b_[A-Za-z]\w*", re.M)


@pytest.mark.parametrize("tree", ["camscan", "tools"])
def test_no_module_imports_another_modules_private_names(tree: str) -> None:
    offenders = [str(f.relative_to(ROOT)) for f in sorted((ROOT / tree).rglob("*.py"))
                 if PRIVATE_IMPORT.search(f.read_text(encoding="utf-8"))]
    assert not offenders


@pytest.mark.parametrize("proto", UDP_DISCOVERY, ids=lambda d: d.source)
def test_lab_devices_answer_camscans_own_probe_and_not_each_other(proto) -> None:
    device = next(p for p in load_profiles() if getattr(p, proto.source) is not None)
    out = answers.answer_probe(proto.source, device, proto.probe())
    assert out is not None, f"{device.id} ignored camscan's {proto.name} probe"
    reply, where = out
    assert where in ("group", "sender")
    evidence = proto.parse(reply, Endpoint(device.ip, device.mac, proto.port))
    assert evidence and {e.source for e in evidence} == {proto.source}
    assert answers.answer_probe(proto.source, device, reply) is None, "a device answered another's reply"


def test_scan_ports_default_is_the_registry_default() -> None:
    """`camscan scan --help` shows the ports a scan probes by default; they are the registry's
    (the CLI keeps them as text so that `camscan --help` need not import every protocol)."""
    from camscan.cli import scan
    from camscan.protocols.registry import DEFAULT_TCP_PORTS

    option = next(p for p in scan.params if p.name == "ports")
    assert tuple(int(p) for p in option.default.split(",")) == DEFAULT_TCP_PORTS
