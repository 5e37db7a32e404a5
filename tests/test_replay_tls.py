"""TLS certificates in a replay: the kernel filter keeps, of HTTPS, only the segment that starts
each server's flight (ServerHello, Certificate), and the parser reads the leaf certificate's
issuer and subject from it even though the rest of the certificate was dropped with the bulk
data. Every capture here is written by the test (tools/pcapgen/https.py: whole HTTPS sessions,
handshake to close, with application data); the tests assert what a user gets: the rows and
their evidence, what the filter let through, the skipped counts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from camscan.collect import EVIDENCE_OVER_LIMIT, Collector
from camscan.model import Endpoint, Malformed
from camscan.protocols import tls
from camscan.replay import Origin, replay_file
from camscan.replay import tcpstreams as ts
from camscan.replay.pcapfile import ReadResult, read_frames
from tools.pcapgen import floods as fl
from tools.pcapgen import https as h

ROOT = Path(__file__).resolve().parents[1]
REAL = next((p / "shared" / "realworld" for p in Path(__file__).resolve().parents
             if (p / "shared" / "realworld").is_dir()), Path("/nonexistent/shared/realworld"))

HIK_SUBJECT = "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"
CA = "CN=Site Issuing CA,O=Example Council,C=GB"
# a locally administered MAC: no OUI names the maker, only the certificate can
CAMERA = h.Host("198.18.0.40", "02:c6:12:00:00:28")
PC = h.Host("198.18.0.9", "02:00:00:00:00:09")
ROUTER = h.Host("198.18.0.1", "4c:5e:0c:11:22:33")
CLOUD = h.Host("52.8.178.58", ROUTER.mac, ttl=52)
CLOUD_SUBJECT = "CN=*.auto.mydlink.com,O=D-Link Corporation,OU=IT Dept.,L=Taipei,ST=Taiwan,C=TW"
HIK_CHAIN = [h.certificate(HIK_SUBJECT, CA), h.certificate(CA)]


def replay_csv(tmp_path: Path, frames: list[bytes], linktype: int = h.DLT_EN10MB) -> tuple[list[dict], str]:
    """`camscan replay` of `frames` to CSV: (the rows, what it printed)."""
    pcap, out = tmp_path / "c.pcap", tmp_path / "inv.csv"
    h.write_pcap(pcap, frames, linktype)
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(pcap), "--csv", str(out), "--no-history"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import csv

    with out.open(newline="") as fh:
        return list(csv.DictReader(fh)), proc.stdout + proc.stderr


def collected(tmp_path: Path, frames: list[bytes], linktype: int = h.DLT_EN10MB,
              origin: Origin | None = None) -> Collector:
    pcap = tmp_path / "c.pcap"
    h.write_pcap(pcap, frames, linktype)
    collector = Collector()
    replay_file(str(pcap), collector, origin)
    return collector


def kept(tmp_path: Path, frames: list[bytes], linktype: int = h.DLT_EN10MB) -> list[bytes]:
    """The frames the replay's kernel filter lets through to Python."""
    pcap = tmp_path / "k.pcap"
    h.write_pcap(pcap, frames, linktype)
    return [f.data for f in read_frames(str(pcap), ReadResult())]


def certificates(collector: Collector) -> list[tuple[str, str, str, str]]:
    return [(e.ip or e.ipv6, e.mac, e.banners["x509_subject"], e.banners["x509_issuer"])
            for e in collector.evidence if e.source == "tls"]


# --- the user's view: a camera named by its certificate, the cloud not a row -------------------

def test_an_https_camera_on_the_lan_is_named_by_its_certificate(tmp_path: Path) -> None:
    """A PC opens the camera's web UI over HTTPS (MSS 536: the first segment of the flight holds
    ServerHello and the leaf certificate up to its public key; the rest, the CA certificate,
    ServerKeyExchange and 200 KB of application data follow), and also talks to a cloud server
    behind the router, whose certificate names D-Link."""
    camera = h.session(CAMERA, PC, HIK_CHAIN, mss=536, data=200_000)
    cloud = h.session(CLOUD, PC, [h.certificate(CLOUD_SUBJECT, CA)], client_port=50200, data=50_000)
    frames = [fl.arp_reply(CAMERA.ip, CAMERA.mac), fl.arp_reply(ROUTER.ip, ROUTER.mac), *camera, *cloud]
    rows, printed = replay_csv(tmp_path, frames)
    by_ip = {r["ip"]: r for r in rows}
    assert set(by_ip) == {ROUTER.ip, CAMERA.ip}, "the cloud server is not a device of the network"
    cam = by_ip[CAMERA.ip]
    assert (cam["mac"], cam["manufacturer"], cam["confidence"]) == (CAMERA.mac, "Hikvision", "medium")
    assert cam["evidence"].split(";") == ["arp", "tls"]
    assert "skipped" not in printed.lower()
    # the kernel kept the two ARP replies and the first segment of each flight: no application
    # data, no continuation of the certificate, nothing the clients sent
    passed = kept(tmp_path, frames)
    assert len(passed) == 4 and len(frames) > 400
    assert sum(1 for f in passed if f[54:56] == b"\x16\x03") == 2


def test_what_the_certificate_says_is_the_leafs_subject_and_issuer(tmp_path: Path) -> None:
    collector = collected(tmp_path, [fl.arp_reply(CAMERA.ip, CAMERA.mac), *h.session(CAMERA, PC, HIK_CHAIN, mss=536)])
    assert certificates(collector) == [(CAMERA.ip, CAMERA.mac, HIK_SUBJECT, CA)]
    assert collector.counters.counts == {}


LINKS = [h.Link(), h.Link(vlan=20), h.Link(h.DLT_LINUX_SLL), h.Link(h.DLT_LINUX_SLL, 20),
         h.Link(h.DLT_LINUX_SLL2), h.Link(h.DLT_LINUX_SLL2, 7)]


@pytest.mark.parametrize("link", LINKS, ids=lambda x: f"dlt{x.linktype}{'-vlan' if x.vlan else ''}")
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_every_link_type_and_tag_gives_the_certificate_and_only_the_flight_passes(
        tmp_path: Path, link: h.Link, family: str) -> None:
    server, client = CAMERA, PC
    if family == "ipv6":
        server, client = h.Host("2001:2::40", CAMERA.mac), h.Host("2001:2::9", PC.mac)
    frames = h.session(server, client, HIK_CHAIN, link=link, data=60_000)
    collector = collected(tmp_path, frames, link.linktype)
    assert certificates(collector) == [(server.ip, CAMERA.mac, HIK_SUBJECT, CA)]
    assert collector.counters.counts == {}
    tagged_cooked = link.vlan is not None and link.linktype != h.DLT_EN10MB
    # a cooked capture's tagged frames pass whole (libpcap cannot look inside); Python drops the rest
    assert len(kept(tmp_path, frames, link.linktype)) == (len(frames) if tagged_cooked else 1)


# --- a certificate cut too early, hostile flights ---------------------------------------------

def test_a_flight_cut_inside_the_subject_gives_nothing_and_no_complaint(tmp_path: Path) -> None:
    """MSS 300: the first segment ends inside the leaf's subject, and the next is dropped."""
    frames = [fl.arp_reply(CAMERA.ip, CAMERA.mac), *h.session(CAMERA, PC, HIK_CHAIN, mss=300)]
    rows, printed = replay_csv(tmp_path, frames)
    assert [(r["ip"], r["evidence"], r["manufacturer"]) for r in rows] == [(CAMERA.ip, "arp", "")]
    assert "skipped" not in printed.lower() and "malformed" not in printed.lower()


def _flight_segment(server: h.Host, client_port: int, payload: bytes) -> bytes:
    return h.frame(h.Link(), server, PC, h.tcp(443, client_port, 9000, 1, h.PSH | h.ACK, payload))


GARBLED = {
    # a record longer than TLS allows (2^14 + 2048)
    "huge record": h.record(22, h.handshake(2, bytes(40)))[:3] + b"\xff\xff" + h.handshake(2, bytes(40)) + bytes(1200),
    # a whole Certificate message whose list is longer than the message
    "list past its message": h.record(22, h.handshake(11, b"\x00\x10\x00\x00\x0f\xfd" + bytes(200))),
    # a Certificate message the capture cut (1 MB declared), whose leaf's DER length runs past the
    # leaf's own declared length
    "DER past its parent": h.record(22, b"\x0b\x10\x00\x00" + b"\x0f\xff\xf0\x00\xff\xf0"
                                    + b"\x30\x84\x7f\xff\xff\xff" + bytes(64)),
    # a 60 KB (GRO) segment of handshake records full of one byte: a Certificate message whose
    # first certificate is longer than its list
    "60 KB of junk": b"".join(h.record(22, b"\x0b" + b"\xaa" * 14999) for _ in range(4)),
}


def test_hostile_flights_are_counted_bounded_and_end_nothing(tmp_path: Path) -> None:
    """Garbled flights from 250 connections each (a thousand streams, 16 MB): each is counted
    once as a malformed handshake, the run stays quick, and the real camera is still named."""
    frames = [fl.arp_reply(CAMERA.ip, CAMERA.mac), *h.session(CAMERA, PC, HIK_CHAIN)]
    rogue = h.Host("198.18.0.66", fl.ROGUE_MAC)
    for n in range(250):
        frames += [_flight_segment(rogue, 30000 + 4 * n + i, payload) for i, payload in enumerate(GARBLED.values())]
    start = time.monotonic()
    collector = collected(tmp_path, frames)
    assert time.monotonic() - start < 20
    assert certificates(collector) == [(CAMERA.ip, CAMERA.mac, HIK_SUBJECT, CA)]
    assert collector.counters.counts == {"malformed TLS handshakes": 1000}


@pytest.mark.parametrize("name", sorted(GARBLED))
def test_each_garbled_flight_is_malformed(name: str) -> None:
    with pytest.raises(Malformed):
        tls.parse(GARBLED[name], Endpoint("198.18.0.66"))


def test_every_cut_of_a_flight_is_nothing_or_the_certificate_never_malformed() -> None:
    flight = h.server_flight(HIK_CHAIN)
    said = [tls.parse(flight[:n], Endpoint(CAMERA.ip)) for n in range(1, len(flight) + 1)]
    first = next(n for n, r in enumerate(said, 1) if r)
    assert all(r == [] for r in said[:first - 1])
    assert all(r[0].banners["x509_subject"] == HIK_SUBJECT and r[0].banners["x509_issuer"] == CA
               for r in said[first - 1:])
    # read as soon as the subject is all there, long before the end of the leaf
    assert first < len(flight) // 3


def test_a_cut_flight_mutated_is_malformed_or_a_list_quickly() -> None:
    """The first 536 bytes of the flight (the leaf cut inside its public key), mutated: the
    walker of a cut certificate never reads past the bytes, never raises anything but Malformed."""
    from tests.test_protocols_passive import assert_survives_mutation

    first_segment = h.server_flight(HIK_CHAIN)[:536]
    assert tls.parse(first_segment, Endpoint(CAMERA.ip))[0].banners["x509_subject"] == HIK_SUBJECT
    assert_survives_mutation(lambda b: tls.parse(b, Endpoint(CAMERA.ip)), first_segment)


def test_what_a_flight_says_is_kept_only_by_the_bytes_that_decide_it() -> None:
    """The parser keeps what a flight said by its versions and the bytes after a record holding
    the ServerHello alone: a server's next connection (another random) is read from the cache,
    another negotiated version or certificate is not, and a record holding ServerHello and the
    certificate together (as the lab's devices send them) is never confused with another."""
    from camscan.lab.answers.tls import server_flight as one_record_flight
    from camscan.lab.profile import load_profiles

    def said(flight: bytes) -> tuple[str, str, str] | None:
        got = tls.parse(flight, Endpoint(CAMERA.ip))
        return (got[0].banners["x509_subject"], got[0].banners["x509_issuer"], got[0].banners["tls_version"]) \
            if got else None

    flight = h.server_flight(HIK_CHAIN)
    hello_end = 5 + int.from_bytes(flight[3:5], "big")
    assert said(flight) == (HIK_SUBJECT, CA, "TLS 1.2")
    other_random = flight[:20] + bytes(20) + flight[40:]
    assert said(other_random) == (HIK_SUBJECT, CA, "TLS 1.2")
    assert said(flight[:9] + b"\x03\x01" + flight[11:]) == (HIK_SUBJECT, CA, "TLS 1.0")
    axis = h.certificate("CN=axis-accc8ea31abf,O=Axis Communications AB")
    assert said(flight[:hello_end] + h.server_flight([axis])[hello_end:])[0].startswith("CN=axis-")
    profiles = [p for p in load_profiles() if p.tls is not None]
    for p in profiles:
        assert said(one_record_flight(p))[0] == p.tls["subject"]
    # mutated flights say what a fresh reading says (cached or not)
    import random

    rng = random.Random(7)
    for _ in range(300):
        mutated = bytearray(flight[:700])
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        try:
            fresh = tls.flight_certificate(bytes(mutated))
        except Malformed:
            continue
        got = tls.parse(bytes(mutated), Endpoint(CAMERA.ip))
        assert (got[0].banners["x509_subject"] if got else None) == (fresh[0] if fresh else None)


# --- whose certificate it is ------------------------------------------------------------------

@pytest.mark.parametrize("ttl", [52, 60, 64])
def test_a_cloud_certificate_is_no_row_whatever_ttl_it_arrives_with(tmp_path: Path, ttl: int) -> None:
    """Behind a router (its MAC on the frames, no ARP for it in the capture): a server four hops
    away arrives with TTL 60, which LAN hosts send too; its address is what says it is elsewhere."""
    cloud = h.Host(CLOUD.ip, ROUTER.mac, ttl)
    rows, _ = replay_csv(tmp_path, h.session(cloud, PC, [h.certificate(CLOUD_SUBJECT, CA)]))
    assert rows == []


def test_a_busy_cloud_server_is_one_certificate(tmp_path: Path) -> None:
    """300 connections to the same cloud server over 5 s: one fact (kept as first and last seen),
    nothing dropped or counted."""
    cert = [h.certificate(CLOUD_SUBJECT, CA)]
    frames = [f for n in range(300) for f in h.session(CLOUD, PC, cert, client_port=40000 + n, data=3000)]
    collector = collected(tmp_path, frames)
    said = certificates(collector)
    assert set(said) == {(CLOUD.ip, "", CLOUD_SUBJECT, CA)} and len(said) <= 2
    assert EVIDENCE_OVER_LIMIT not in collector.counters.counts and collector.counters.counts == {}
    seen = [e.seen for e in collector.evidence]
    assert max(seen) - min(seen) > 4.7  # the last connection's time is kept


def test_the_scans_own_capture_reads_only_handshakes_the_scanner_opened(tmp_path: Path) -> None:
    """Strict mode (a scan's own capture): the scanner's fetch of the certificate counts; a flight
    "from" the camera to the scanner that no SYN of the scanner opened, and one from another MAC
    than ARP bound to the camera, are ignored and counted."""
    scanner = h.Host(fl.SCANNER_IP, fl.SCANNER_MAC)
    own = h.session(CAMERA, scanner, HIK_CHAIN, data=0)
    forged_cert = [h.certificate("CN=axis-accc8ea31abf,O=Axis Communications AB")]
    unopened = h.session(CAMERA, scanner, forged_cert, client_port=50300, data=0)[4:]  # no handshake
    other_mac = h.session(h.Host(CAMERA.ip, fl.ROGUE_MAC), scanner, forged_cert, client_port=50400, data=0)
    frames = [fl.arp_reply(CAMERA.ip, CAMERA.mac), *own, *unopened, *other_mac]
    collector = collected(tmp_path, frames, origin=Origin(fl.SCANNER_IP, fl.SCANNER_MAC))
    assert certificates(collector) == [(CAMERA.ip, CAMERA.mac, HIK_SUBJECT, CA)]
    assert set(collector.counters.counts) == {ts.NOT_OPENED_BY_SCANNER, ts.FROM_ANOTHER_MAC}
    # without strict mode (anyone's capture) the file's replay reads every flight
    assert len(certificates(collected(tmp_path, frames))) == 3


def x509_examples() -> list[tuple[str, str]]:
    """(subject, maker) of every x509_subject signature's examples (signatures/banners/x509.toml)."""
    import tomllib

    doc = tomllib.loads((ROOT / "signatures" / "banners" / "x509.toml").read_text())
    return [(ex["text"], ex["manufacturer"]) for sig in doc["signature"] if sig["kind"] == "x509_subject"
            for ex in sig["examples"]]


@pytest.mark.parametrize(("subject", "maker"), x509_examples())
def test_each_makers_certificate_in_a_capture_names_the_camera(tmp_path: Path, subject: str, maker: str) -> None:
    """Hikvision's, Axis' and Bosch's certificates as x509.toml's examples write them, served by
    an HTTPS-only camera on the LAN (no OUI: a locally administered MAC), replayed."""
    from camscan.identify.fusion import fuse
    from camscan.identify.signatures import load

    frames = [fl.arp_reply(CAMERA.ip, CAMERA.mac), *h.session(CAMERA, PC, [h.certificate(subject, CA)], mss=536)]
    [row] = fuse(collected(tmp_path, frames).evidence, load())
    assert (row.ip, row.manufacturer) == (CAMERA.ip, maker)
    assert row.provenance["manufacturer"].startswith("tls")
    assert {"Hikvision", "Axis", "Bosch"} <= {m for _, m in x509_examples()}


# --- real captures ----------------------------------------------------------------------------

def test_real_dlink_capture_cloud_certificate_from_its_first_segment_is_no_row(tmp_path: Path) -> None:
    """DCS-935L setup capture: the camera 10.10.10.37 talks TLS 1.0 to mydlink's cloud. tshark
    shows the certificate of 52.8.178.58:443 in a 3410-byte record over frames 194, 195 and 198
    (see test_protocols_passive.test_real_dlink_cloud_certificate); `tcpdump -r` with the
    replay's filter keeps only frame 194 (seq 1:1369, 1368 bytes), which ends inside the leaf
    after its subject. The replay reads the certificate from it; the cloud server, behind the
    router, is not a row (nor are 54.229.64.81 and 54.194.162.61, the same in the capture)."""
    path = REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap"
    if not path.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    collector = Collector()
    replay_file(str(path), collector)
    cloud = [c for c in certificates(collector) if c[0] == "52.8.178.58"]
    assert cloud == [("52.8.178.58", "", CLOUD_SUBJECT,
                      "CN=GlobalSign Organization Validation CA - SHA256 - G2,O=GlobalSign nv-sa,C=BE")]
    out = tmp_path / "inv.json"
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(path), "--json", str(out), "-q",
                           "--no-history"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    ips = {d["ip"] for d in json.loads(out.read_text())["devices"]}
    assert not any(ip.startswith(("52.", "54.")) for ip in ips)
