"""End to end: `camscan replay` on the committed captures gives the committed expected
inventories, and bad input gets one line and exit 2 without losing what was read."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"


def camscan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(("capture", "expected"), [
    ("demo.pcap", "demo.expected.csv"),
    ("demo.pcapng", "demo.expected.csv"),
    ("stress-tcp.pcap", "stress-tcp.expected.csv"),
    ("hostile.pcap", "hostile.expected.csv"),
])
def test_replay_gives_the_expected_inventory(tmp_path: Path, capture: str, expected: str) -> None:
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(PCAPS / capture), "--csv", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    got, want = rows(out), rows(PCAPS / expected)
    assert [r["ip"] for r in got] == [r["ip"] for r in want]
    for g, w in zip(got, want, strict=True):
        assert g == w, f"row for {w['ip']} via {w['via']!r} differs"
    # the header is the contract's, in order
    assert out.read_text().splitlines()[0] == ",".join(csv.DictReader((PCAPS / expected).open()).fieldnames or [])


def test_demo_summary_counts_what_an_foi_answer_needs(tmp_path: Path) -> None:
    proc = camscan("replay", str(PCAPS / "demo.pcap"))
    assert proc.returncode == 0
    want = rows(PCAPS / "demo.expected.csv")
    cams = [r for r in want if r["device_type"] == "camera"]
    static = sum(r["form"] == "static" for r in cams)
    ptz = sum(r["form"] == "ptz" for r in cams)
    assert f"{len(want)} devices, {len(cams)} cameras ({static} static, {ptz} PTZ" in proc.stdout
    assert "cameras reported only through recorders" in proc.stdout


def test_json_keeps_the_source_of_every_field(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    assert camscan("replay", str(PCAPS / "demo.pcap"), "--json", str(out), "-q").returncode == 0
    doc = json.loads(out.read_text())
    assert set(doc) >= {"camscan", "scanned_at", "targets", "devices"}
    assert doc["targets"] == [str(PCAPS / "demo.pcap")]
    for dev in doc["devices"]:
        for field in ("manufacturer", "brand", "model", "firmware", "serial", "form", "mac"):
            if dev[field]:
                assert dev["provenance"].get(field), f"{dev['ip']} {field} has no provenance"
        assert isinstance(dev["evidence"], list) and isinstance(dev["advisories"], list)
    ptz = next(d for d in doc["devices"] if d["model"].startswith("DS-2DE") and not d["via"])
    assert ptz["form"] == "ptz" and ptz["provenance"]["form"] == "isapi"


def test_randomised_mac_is_flagged_not_looked_up(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    camscan("replay", str(PCAPS / "demo.pcap"), "--json", str(out), "-q")
    ezviz = next(d for d in json.loads(out.read_text())["devices"] if d["brand"] == "EZVIZ")
    assert ezviz["mac_randomised"] is True
    assert "oui" not in ezviz["evidence"]
    assert any("randomised" in n for n in ezviz["notes"])


def test_off_link_host_never_gets_the_routers_mac(tmp_path: Path) -> None:
    out = tmp_path / "inv.csv"
    camscan("replay", str(PCAPS / "demo.pcap"), "--csv", str(out), "-q")
    by_ip = {r["ip"]: r for r in rows(out) if not r["via"]}
    router_mac = by_ip["198.18.0.1"]["mac"]
    far = by_ip["198.18.4.20"]
    # its frames carry the router's MAC (TTL 63: it crossed a router); its own ISAPI answer
    # reports its real hardware address, and that is what the row shows
    assert router_mac and far["mac"] != router_mac
    assert far["mac"] == "58:50:ed:2a:7c:19"
    assert far["manufacturer"] == "Hikvision"


def test_several_captures_make_one_inventory(tmp_path: Path) -> None:
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(PCAPS / "demo.pcap"), str(PCAPS / "hostile.pcap"), "--csv", str(out), "-q")
    assert proc.returncode == 0
    ips = [r["ip"] for r in rows(out) if not r["via"]]
    assert len(ips) == len(set(ips)), "a device seen in two captures must be one row"
    assert "198.18.0.208" in ips and "198.18.0.10" in ips


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.pcap", "No such file or directory"),
    (lambda d: _write(d / "empty.pcap", b""), "empty file"),
    (lambda d: _write(d / "text.pcap", b"not a capture\n" * 10), "not a pcap or pcapng"),
    (lambda d: _write(d / "short.pcap", b"\xd4\xc3\xb2\xa1\x02\x00"), "truncated"),
    (lambda d: d, "is a directory"),
])
def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(path), "--csv", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("camscan: error: ") and message in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_truncated_capture_keeps_what_was_read(tmp_path: Path) -> None:
    data = (PCAPS / "demo.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(cut), "--csv", str(out), "-q")
    assert proc.returncode == 2
    assert "truncated" in proc.stderr and "kept what was read" in proc.stderr
    got = rows(out)
    assert len(got) >= 5, "devices seen before the cut must be kept"
    assert any(r["manufacturer"] == "Hikvision" for r in got)


def test_one_bad_file_does_not_lose_the_good_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"\x00" * 100)
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(bad), str(PCAPS / "demo.pcap"), "--csv", str(out), "-q")
    assert proc.returncode == 2
    assert len(rows(out)) == len(rows(PCAPS / "demo.expected.csv"))


def test_bad_command_lines_exit_2(tmp_path: Path) -> None:
    assert camscan("replay").returncode == 2
    assert camscan("frobnicate").returncode == 2
    proc = camscan("replay", str(PCAPS / "demo.pcap"), "--csv", str(tmp_path / "no" / "such" / "dir.csv"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_formula_cells_are_written_as_text(tmp_path: Path) -> None:
    """A device that names itself like a spreadsheet formula must not become one."""
    from scapy.all import IP, UDP, Ether, wrpcap

    from camscan.protocols import wsdiscovery

    body = wsdiscovery.build_probe().decode()  # reuse the envelope shape, then turn it into a Hello
    hello = (
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header>'
        "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>"
        "<a:MessageID>urn:uuid:1</a:MessageID></s:Header><s:Body><d:Hello><a:EndpointReference>"
        "<a:Address>urn:uuid:2</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        "<d:Scopes>onvif://www.onvif.org/name/=HYPERLINK(%22http://x%22) "
        "onvif://www.onvif.org/hardware/+cmd|calc</d:Scopes>"
        "<d:XAddrs>http://198.18.0.77/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
        "</d:Hello></s:Body></s:Envelope>"
    )
    assert "Probe" in body
    pkt = (Ether(src="02:00:00:00:00:77", dst="01:00:5e:7f:ff:fa") / IP(src="198.18.0.77", dst="239.255.255.250")
           / UDP(sport=3702, dport=3702) / hello.encode())
    cap = tmp_path / "formula.pcap"
    wrpcap(str(cap), [pkt])
    out = tmp_path / "inv.csv"
    assert camscan("replay", str(cap), "--csv", str(out), "-q").returncode == 0
    text = out.read_text()
    row = rows(out)[0]
    assert row["name"].startswith("'=HYPERLINK")
    assert row["model"] == "'+cmd|calc"
    assert "\n=" not in text and ",=" not in text and ",+" not in text


REAL = ROOT.parent / "shared" / "realworld"


@pytest.mark.parametrize(("capture", "ip", "maker", "model"), [
    ("iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap", "10.10.10.37", "D-Link", "DCS-935L"),  # its last address
    # Cellvision's UPnP stack is the ODM's, not the maker: the OUI and the mDNS name say D-Link
    ("iotsentinel-dlink-daycam-setup-ssdp.pcap", "10.10.10.58", "D-Link", "DCS-930LB"),
    ("iotsentinel-edimax-cam1-setup-ssdp.pcap", "10.10.10.51", "Edimax", "IC-3115W"),
])
def test_real_setup_captures_show_their_camera(tmp_path: Path, capture: str, ip: str, maker: str, model: str) -> None:
    """Real captures of cameras being set up (IoT Sentinel): each camera is a camera row."""
    path = REAL / capture
    if not path.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    out = tmp_path / "inv.csv"
    assert camscan("replay", str(path), "--csv", str(out), "-q", "--no-history").returncode == 0
    row = next(r for r in rows(out) if r["ip"] == ip)
    assert (row["device_type"], row["manufacturer"], row["model"]) == ("camera", maker, model)


def test_real_discovery_replies_replayed_from_a_capture(tmp_path: Path) -> None:
    """The real SADP, DHIP and WS-Discovery replies in shared/realworld, put on the wire in a
    capture the test writes, come out as the devices they describe."""
    if not REAL.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    from scapy.all import IP, UDP, Ether, wrpcap

    sadp = (REAL / "hikvision-sadp-response-DS-2CD2385G1-I.xml").read_bytes()
    dhip = (REAL / "universalscanner-dahua-dhip-udp37810-response-anonymized-with-header.bin").read_bytes()
    body = (REAL / "dahua-dhip-notifyDevInfo-IPC-HDW1431T1-S4.json").read_bytes().strip()
    size = len(body).to_bytes(4, "little")
    dhip2 = b"\x20\x00\x00\x00DHIP" + b"\x00" * 8 + size + b"\x00" * 4 + size + b"\x00" * 4 + body
    pkts = [
        Ether(src="58:50:ed:1f:e3:85", dst="01:00:5e:7f:ff:fa") / IP(src="198.18.0.40", dst="239.255.255.250")
        / UDP(sport=37020, dport=37020) / sadp,
        Ether(src="08:ed:ed:87:42:7a", dst="02:c5:00:00:00:02") / IP(src="198.18.0.17", dst="198.18.0.2")
        / UDP(sport=37810, dport=37810) / dhip2,
        Ether(src="00:11:22:33:44:55", dst="02:c5:00:00:00:02") / IP(src="198.18.0.99", dst="198.18.0.2")
        / UDP(sport=37810, dport=37810) / dhip,
    ]
    cap = tmp_path / "real.pcap"
    wrpcap(str(cap), pkts)
    out = tmp_path / "inv.csv"
    assert camscan("replay", str(cap), "--csv", str(out), "-q", "--no-history").returncode == 0
    got = {r["ip"]: r for r in rows(out)}
    hik = got["198.18.0.40"]
    assert (hik["manufacturer"], hik["device_type"], hik["form"], hik["model"], hik["firmware"]) == (
        "Hikvision", "camera", "static", "DS-2CD2385G1-I", "V5.6.2 build 190701")
    assert hik["serial"] == "DS-2CD2385G1-I20200414AAWRE33842150" and hik["confidence"] == "high"
    dahua = got["198.18.0.17"]
    assert (dahua["manufacturer"], dahua["device_type"], dahua["form"], dahua["model"]) == (
        "Dahua", "camera", "static", "IPC-HDW1431T1-S4")
    assert got["198.18.0.99"]["manufacturer"] == "Dahua", "a DHIP reply with broken JSON still names its device"


def test_fragments_of_unrelated_traffic_are_not_reported_but_lost_discovery_fragments_are(tmp_path: Path) -> None:
    from scapy.all import IP, UDP, Ether, fragment, wrpcap

    sadp = b'<?xml version="1.0"?><ProbeMatch><DeviceDescription>DS-2CD2386G2-IU</DeviceDescription>' + \
        b"<DeviceSN>DS-2CD2386G2-IU2023AAWRJ1</DeviceSN><SoftwareVersion>V5.7.15build 240201</SoftwareVersion>" + \
        b"<!--" + b"x" * 2500 + b"--></ProbeMatch>"
    eth = Ether(src="44:19:b6:00:00:01", dst="01:00:5e:7f:ff:fa")
    whole = fragment(IP(src="198.18.0.10", dst="239.255.255.250", id=7) / UDP(sport=37020, dport=37020) / sadp,
                     fragsize=1000)
    lost = fragment(IP(src="198.18.0.11", dst="239.255.255.250", id=8) / UDP(sport=37020, dport=37020) / sadp,
                    fragsize=1000)
    other = fragment(IP(src="198.18.0.99", dst="198.18.0.2", id=9) / UDP(sport=4500, dport=4500) / (b"z" * 3000),
                     fragsize=1000)
    pkts = [eth / f for f in reversed(whole)] + [eth / f for f in lost[:-1]] + [eth / f for f in other]
    cap = tmp_path / "frag.pcap"
    wrpcap(str(cap), pkts)
    out = tmp_path / "inv.json"
    assert camscan("replay", str(cap), "--json", str(out), "-q", "--no-history").returncode == 0
    doc = json.loads(out.read_text())
    assert [d["model"] for d in doc["devices"]] == ["DS-2CD2386G2-IU"], "reassembled out of order"
    assert doc["skipped"] == {"incomplete IP fragments": 1}, "only the discovery reply that lost a piece counts"
