"""The pcap generator (tools/make_pcaps.py and tools/pcapgen/): deterministic, the committed
captures are what it writes, each capture holds the protocols and the hostile cases it claims,
and the expected inventories agree with the profiles.

These tests never open a socket; the generator only writes files into a temporary directory.
"""

from __future__ import annotations

import csv
import importlib.util
import ipaddress
import json
import sys
from pathlib import Path

import pytest

from camscan.lab.profile import load_profiles

ROOT = Path(__file__).resolve().parent.parent
PROFILES = load_profiles()
BY_ID = {p.id: p for p in PROFILES}
COLUMNS = ["ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial",
           "name", "via", "channel", "site", "advisories", "evidence", "confidence", "oui_vendor", "analytics"]


def _load_generator():
    if "make_pcaps" in sys.modules:
        return sys.modules["make_pcaps"]
    spec = importlib.util.spec_from_file_location("make_pcaps", ROOT / "tools" / "make_pcaps.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_pcaps"] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pcaps")
    assert _load_generator().main(["--out", str(out)]) == 0
    return out


OUTPUTS = ["demo.pcap", "demo.pcapng", "demo.expected.csv", "demo.expected.json", "stress-tcp.pcap",
           "stress-tcp.expected.csv", "stress-tcp.expected.json", "hostile.pcap", "hostile.expected.csv",
           "hostile.expected.json"]


def test_generator_is_deterministic(generated: Path, tmp_path: Path):
    assert _load_generator().main(["--out", str(tmp_path)]) == 0
    for name in OUTPUTS:
        assert (generated / name).read_bytes() == (tmp_path / name).read_bytes(), f"{name} differs between runs"


def test_committed_pcaps_are_up_to_date(generated: Path):
    committed = ROOT / "pcaps"
    present = [name for name in OUTPUTS if (committed / name).exists()]
    if not present:
        pytest.skip("pcaps/ has not been generated yet")
    stale = [name for name in OUTPUTS if not (committed / name).exists()
             or (committed / name).read_bytes() != (generated / name).read_bytes()]
    assert not stale, f"regenerate with `python tools/make_pcaps.py`: {stale}"


def _read(path: Path):
    from scapy.utils import rdpcap

    return rdpcap(str(path))


def _udp_ports(packets) -> set[int]:
    from scapy.layers.inet import UDP

    return {port for pkt in packets if UDP in pkt for port in (pkt[UDP].sport, pkt[UDP].dport)}


def _tcp_payloads(packets, port: int) -> bytes:
    from scapy.layers.inet import TCP

    return b"".join(bytes(pkt[TCP].payload) for pkt in packets if TCP in pkt and port in (pkt[TCP].sport,
                                                                                           pkt[TCP].dport))


def test_demo_capture_holds_every_protocol(generated: Path):
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import ARP, Ether

    packets = _read(generated / "demo.pcap")
    assert {37020, 3702, 1900, 37810, 5353} <= _udp_ports(packets)
    assert any(ARP in pkt and pkt[ARP].op == 2 for pkt in packets)
    web = _tcp_payloads(packets, 80)
    for needle in (b"GET / HTTP/1.1", b"HTTP/1.1 401 Unauthorized", b"GET /ISAPI/System/deviceInfo",
                   b"Authorization: Digest ", b"/cgi-bin/magicBox.cgi?action=getSystemInfo",
                   b"RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0", b"<InputProxyChannelList",
                   b"POST /onvif/device_service", b"#PasswordDigest", b"GetNodesResponse",
                   b"<modelName>DS-7608NXI-I2/8P/S</modelName>"):
        assert needle in web, needle
    assert b"<modelName>I91BM</modelName>" in _tcp_payloads(packets, 8080)  # a description on another port
    rtsp = _tcp_payloads(packets, 554)
    assert b"OPTIONS rtsp://" in rtsp and b"RTSP/1.0 401 Unauthorized" in rtsp
    flags = {str(pkt[TCP].flags) for pkt in packets if TCP in pkt}
    assert {"S", "SA", "A", "PA", "FA"} <= flags
    # the far host never answers ARP and reaches the scanner with the router's MAC
    router, far = BY_ID["router"], next(p for p in PROFILES if p.subnet == "far")
    assert not any(ARP in pkt and pkt[ARP].psrc == far.ip for pkt in packets)
    from_far = [pkt for pkt in packets if IP in pkt and pkt[IP].src == far.ip]
    assert from_far and {pkt[Ether].src for pkt in from_far} == {router.mac}
    assert all(pkt[IP].ttl == 63 for pkt in from_far)
    # the pcapng holds the same frames at the same times
    ng = _read(generated / "demo.pcapng")
    assert [bytes(p) for p in ng] == [bytes(p) for p in packets]
    assert [p.time for p in ng] == [p.time for p in packets]


def test_stress_capture_is_hard_for_tcp_reassembly(generated: Path):
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Dot1Q

    packets = _read(generated / "stress-tcp.pcap")
    vlan = next(p for p in PROFILES if p.vlan)
    assert any(Dot1Q in pkt and pkt[Dot1Q].vlan == vlan.vlan and IP in pkt and pkt[IP].src == vlan.ip
               for pkt in packets)
    frags = [pkt for pkt in packets if IP in pkt and (pkt[IP].flags.MF or pkt[IP].frag)]
    assert len(frags) >= 2 and frags[0][IP].frag > 0, "fragments should arrive out of order"
    assert sum(len(pkt[IP]) for pkt in frags) > 1500
    data = [(pkt[IP].src, pkt[TCP].sport, pkt[TCP].seq, bytes(pkt[TCP].payload))
            for pkt in packets if TCP in pkt and pkt[TCP].sport in (80, 554) and len(pkt[TCP].payload)]
    sizes = [len(d[3]) for d in data]
    assert max(sizes) <= 200 and min(sizes) < 100
    assert len(data) != len(set(data)), "no retransmitted segment"
    seqs: dict[tuple, list[int]] = {}
    for src, sport, seq, _ in data:
        seqs.setdefault((src, sport), []).append(seq)
    assert any(s != sorted(s) for s in seqs.values()), "no out-of-order segment"


def test_hostile_capture_holds_the_hostile_cases(generated: Path):
    packets = _read(generated / "hostile.pcap")
    assert any(pkt.wirelen > len(pkt) for pkt in packets), "no truncated frame"
    raw = b"".join(bytes(pkt) for pkt in packets)
    assert raw.count(b"<!ENTITY lol9") >= 2  # WS-Discovery and UPnP description bombs
    assert b"Content-Length: 99999999999999999999" in raw
    assert b"Content-Length: 3145754" in raw
    assert b"\xc0\x0c\x00\x0c\x00\x01" in raw  # mDNS name pointing at itself
    assert b'"Version" : "1.0000, }' in raw
    assert {37020, 3702, 1900, 37810, 5353} <= _udp_ports(packets)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_expected_inventories(generated: Path):
    demo = _rows(generated / "demo.expected.csv")
    by_ip = {(r["ip"], r["via"]): r for r in demo}
    behind = {(r["via"], int(r["channel"])): r for r in demo if r["via"]}
    for p in PROFILES:
        row = by_ip[(p.ip, "")]
        # off the link only a device's own API (ISAPI, WS-Discovery scope) can report its MAC
        assert row["mac"] == (p.mac if p.subnet == "lan" or p.isapi or p.wsd else "")
        assert row["model"] == p.expect["model"] and row["manufacturer"] == p.expect["manufacturer"]
        for ch in p.channels:
            crow = behind[(p.ip, ch["channel"])]
            assert crow["ip"] == ch["ip"]
            assert crow["channel"] == str(ch["channel"]) and crow["evidence"] == "nvr"
    assert len(demo) == len(PROFILES) + sum(len(p.channels) for p in PROFILES)
    # rows without an address (a DVR's analogue cameras) come last
    keys = [(int(ipaddress.IPv4Address(r["ip"])) if r["ip"] else 1 << 33, r["via"], int(r["channel"] or 0))
            for r in demo]
    assert keys == sorted(keys)
    bullet = by_ip[("198.18.0.10", "")]
    # hikweb: the page Hikvision serves without login (/SDK/activateStatus), asked after `/`
    assert bullet["evidence"] == "arp;oui;sadp;wsd;http;hikweb;rtsp;onvif;isapi" and bullet["confidence"] == "high"
    assert by_ip[("198.18.0.32", "")]["evidence"] == "arp;sadp;http;rtsp;onvif"  # randomised MAC: no OUI
    assert by_ip[("198.18.0.50", "")]["confidence"] == "medium"
    assert by_ip[("198.18.4.20", "")]["evidence"] == "oui;http;hikweb;rtsp;onvif;isapi"  # its MAC from its own ISAPI
    # the same inventory, but for the HTTPS-only Axis: the stress capture cuts its server's TLS flight
    # into 50-200-byte segments, and the first (the one the replay keeps) ends before the subject
    https = by_ip[(BY_ID["axis-https"].ip, "")]
    assert (https["evidence"], https["confidence"]) == ("arp;oui;tls", "medium")
    assert _rows(generated / "stress-tcp.expected.csv") == [
        {**r, "evidence": "arp;oui", "confidence": "low"} if r is https else r for r in demo]
    hostile = _rows(generated / "hostile.expected.csv")
    assert [r["ip"] for r in hostile if r["ip"] in ("198.18.0.10", "198.18.0.40", "198.18.0.50")] == \
        ["198.18.0.10", "198.18.0.40", "198.18.0.50"]
    doc = json.loads((generated / "demo.expected.json").read_text())
    assert {d["id"] for d in doc["devices"]} == set(BY_ID)
