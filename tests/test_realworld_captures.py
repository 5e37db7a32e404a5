"""Real captures nobody here wrote (../shared/realworld, issue 10): what `camscan replay` reports
for each, against what the packets show.

Every expected value below was established by reading the packets, not by running camscan:
`tshark -r` (4.0.17) with display filters on the frames named in each test, `xxd` of the TCP
and UDP payloads, and the OUI registrants from aiooui — the per-capture write-up is
/work/wt/realworld-analysis.md (frame numbers are tshark's). Only what the packets prove is
asserted: a model, firmware or form the packets do not carry is not asserted either way.
The captures are not in the repository; each test skips when ../shared/realworld is absent.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realworld"
FOUND = REAL / "captures-found"

CAPTURES = {
    "dahua-rtsp": FOUND / "tue2ic80-dahua-ptz-sd-rtsp-vlc.pcapng",
    "dahua-web": FOUND / "tue2ic80-dahua-ptz-sd-web-rpc2.pcapng",
    "uniview": FOUND / "zj-uniview-rtsp-h265-forward.pcap",
    "jvc-ptz": FOUND / "klppr-jvc-live-streaming-camera-ptz-session.pcap",
    "jvc-login": FOUND / "klppr-jvc-live-streaming-camera-login.pcap",
    "dcs-935l": REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap",
    "dcs-930l": REAL / "iotsentinel-dlink-daycam-setup-ssdp.pcap",
    "edimax-1": REAL / "iotsentinel-edimax-cam1-setup-ssdp.pcap",
    "edimax-2": FOUND / "iotsentinel-edimax-cam2-IC-3115W-setup.pcap",
    "ednet-1": REAL / "iotsentinel-ednet-cam1-setup-dhcp-arp.pcap",
    "ednet-2": FOUND / "iotsentinel-ednet-cam2-setup-dhcp-tftp.pcap",
    "yi-lan": FOUND / "mudproject-yi-1080p-home-camera-lan.pcap",
    "yi-p2p": FOUND / "intliot-yi-camera-recording-p2p.pcap",
    "a9": FOUND / "a9v720-naxclow-minicam-fake-server.pcapng",
    "neg-hub": FOUND / "iotsentinel-NEG-dlink-homehub-setup.pcap",
    "neg-hue": FOUND / "iotsentinel-NEG-hue-bridge-setup.pcap",
    "neg-vlc": FOUND / "ndpi-NEG-rtsp-vlc-server.pcap",
}
NEGATIVE = ("neg-hub", "neg-hue", "neg-vlc")


@cache
def _replayed(name: str, out_dir: str) -> tuple[int, str, dict[str, dict[str, str]], dict]:
    """(exit status, stderr, CSV rows by ip, JSON document) of `camscan replay` on one capture."""
    path = CAPTURES[name]
    csv_out, json_out = Path(out_dir) / f"{name}.csv", Path(out_dir) / f"{name}.json"
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(path), "--csv", str(csv_out),
                           "--json", str(json_out), "-q", "--no-history"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    if proc.returncode != 0:
        return proc.returncode, proc.stderr, {}, {}
    with csv_out.open(newline="", encoding="utf-8") as fh:
        by_ip = {r["ip"]: r for r in csv.DictReader(fh)}
    return proc.returncode, proc.stderr, by_ip, json.loads(json_out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("realworld"))


def replay(name: str, out_dir: str) -> dict[str, dict[str, str]]:
    if not CAPTURES[name].exists():
        pytest.skip(f"{CAPTURES[name].name} is not in ../shared/realworld beside this checkout")
    code, err, rows, _ = _replayed(name, out_dir)
    assert code == 0, err
    return rows


def not_a_camera(rows: dict[str, dict[str, str]], ip: str) -> None:
    """A host the packets show is not a camera: absent, or any type but camera."""
    assert rows.get(ip, {}).get("device_type", "") != "camera", f"{ip} called a camera"


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_every_real_capture_replays_with_exit_0(name: str, out_dir: str) -> None:
    replay(name, out_dir)


@pytest.mark.parametrize("name", NEGATIVE)
def test_no_false_camera_in_the_captures_without_one(name: str, out_dir: str) -> None:
    # hub: HNAP ModuleTypes [Gateway] (f114); Hue: DHCP `Philips-hue`, SSDP IpBridge (f161);
    # VLC: `Server: VLC/3.0.12`, SDP a=tool:vlc (f33, f53). None says camera anywhere.
    rows = replay(name, out_dir)
    assert [ip for ip, r in rows.items() if r["device_type"] == "camera"] == []


def test_an_oui_alone_never_makes_a_host_other(out_dir: str) -> None:
    # issue 10 rule 4, over every capture: a row that is `other` has more than ARP and its OUI
    for name in CAPTURES:
        if not CAPTURES[name].exists():
            continue
        _, _, rows, _ = _replayed(name, out_dir)
        for ip, r in rows.items():
            if r["device_type"] == "other":
                assert set(r["evidence"].split(";")) - {"arp", "oui"}, f"{name}: {ip} is other on its OUI"


def test_dahua_dome_rtsp_serial_from_its_realm(out_dir: str) -> None:
    # f9/f12/f15/f18: RTSP 401 `Digest realm="Login to 4H01D66PAJ2FA64"` from 192.168.1.108
    # (eth.src 38:af:29:bb:bc:ab, Dahua OUI); f24 SDP `a=packetization-supported:DH`, one video track.
    # The PC 192.168.1.3 (LibVLC UA, f7) and the NETGEAR router are not cameras.
    rows = replay("dahua-rtsp", out_dir)
    cam = rows["192.168.1.108"]
    assert (cam["mac"], cam["manufacturer"], cam["device_type"], cam["serial"]) == (
        "38:af:29:bb:bc:ab", "Dahua", "camera", "4H01D66PAJ2FA64")
    not_a_camera(rows, "192.168.1.3")
    not_a_camera(rows, "192.168.1.1")


def test_dahua_dome_web_ui_class_serial_and_firmware(out_dir: str) -> None:
    # f686 webCapsConfig (unauthenticated): deviceClass "SD", SN 4H01D66PAJ2FA64, vendor "Dahua";
    # f1204 (answer to the multicall f1154, deflated): MajorVersion 2, MinorVersion 622,
    # OEMVersion "0000000", Revision 7, TypeVersion "R" → 2.622.0000000.7.R; HasPtz true.
    rows = replay("dahua-web", out_dir)
    cam = rows["192.168.1.108"]
    assert (cam["manufacturer"], cam["brand"], cam["device_type"], cam["form"]) == ("Dahua", "Dahua", "camera", "ptz")
    assert (cam["serial"], cam["firmware"]) == ("4H01D66PAJ2FA64", "2.622.0000000.7.R")
    assert cam["model"] == ""  # no model string is in the capture (DH-SD3 is the PTZ protocol's name)


def test_uniview_video_device_is_named_not_other(out_dir: str) -> None:
    # f6: RTSP realm "48ea6362b25c" = the server's own MAC; f4: URL /unicast/c296/s0/live/forward;
    # OUI Zhejiang Uniview. Camera or recorder is not determinable (c296 suggests a recorder).
    rows = replay("uniview", out_dir)
    dev = rows["172.168.1.17"]
    assert (dev["mac"], dev["manufacturer"]) == ("48:ea:63:62:b2:5c", "Uniview")
    assert dev["device_type"] in ("camera", "nvr", "unknown")
    not_a_camera(rows, "172.168.1.18")  # the IBM-OUI RTSP client (User-Agent IMCP)


@pytest.mark.parametrize(("name", "ip", "mac", "oui_vendor"), [
    # f7/f11 realm "JVCCAM Authorization"; f21 hello.cgi FirmwareVer "1.04", HasMechaPanTilt true
    ("jvc-ptz", "192.168.3.106", "ec:f0:0e:02:21:62", "AboCom"),
    # f44 title "Live Streaming Camera"; f229 the same hello.cgi JSON; the MAC is the VMware NAT's
    ("jvc-login", "192.168.3.105", "00:50:56:ff:7f:9c", "VMware, Inc."),
])
def test_jvc_camera_on_a_wifi_module_oui(name: str, ip: str, mac: str, oui_vendor: str, out_dir: str) -> None:
    rows = replay(name, out_dir)
    cam = rows[ip]
    assert (cam["mac"], cam["manufacturer"], cam["device_type"], cam["form"], cam["firmware"]) == (
        mac, "JVC", "camera", "ptz", "1.04")
    assert cam["oui_vendor"] == oui_vendor  # the network chip's (or the NAT's) maker, shown as such


def test_dlink_dcs_935l_model_and_firmware_from_hnap(out_dir: str) -> None:
    # f258/f337 HNAP GetDeviceSettings: ModelName DCS-935L, FirmwareVersion 1.06, ModuleTypes
    # [..., Camera]; the camera used 192.168.0.20 only in f5-f16, then 10.10.10.37 to f624.
    rows = replay("dcs-935l", out_dir)
    cam = rows["10.10.10.37"]
    assert (cam["mac"], cam["manufacturer"], cam["device_type"], cam["model"], cam["firmware"]) == (
        "b0:c5:54:25:5b:0e", "D-Link", "camera", "DCS-935L", "1.06")
    assert "192.168.0.20" not in rows
    not_a_camera(rows, "10.10.10.1")  # the Intel AP
    not_a_camera(rows, "10.10.10.28")  # the phone (ksoap2-android)


def test_dlink_dcs_930l_is_dlink_not_its_odm(out_dir: str) -> None:
    # f21: SSDP SERVER "Cellvision UPnP/1.0" (the ODM's stack); f3: mDNS instance
    # DCS-930LB_1C7185; OUI D-Link International.
    rows = replay("dcs-930l", out_dir)
    cam = rows["10.10.10.58"]
    assert (cam["manufacturer"], cam["brand"], cam["device_type"], cam["model"]) == (
        "D-Link", "D-Link", "camera", "DCS-930LB")


@pytest.mark.parametrize(("name", "ip", "mac"), [
    ("edimax-1", "10.10.10.51", "74:da:38:80:7a:08"),
    ("edimax-2", "10.10.10.227", "74:da:38:80:79:fc"),
])
def test_edimax_model_and_maker(name: str, ip: str, mac: str, out_dir: str) -> None:
    # mDNS TXT "IC-3115W Network Camera" (f6 / f19); OUI Edimax Technology Co. Ltd.
    rows = replay(name, out_dir)
    cam = rows[ip]
    assert (cam["mac"], cam["manufacturer"], cam["device_type"], cam["model"]) == (mac, "Edimax", "camera", "IC-3115W")
    assert cam["oui_vendor"] == "Edimax Technology Co. Ltd."


def test_yi_camera_named_by_its_p2p_id(out_dir: str) -> None:
    # f468: 192.168.1.143 → 192.168.1.255:32108 `f1 31 00 14 TNPUSAF\0 00068fbe KGTGK` (PPPP LAN
    # notify, DID TNPUSAF-430014-KGTGK) while it resolves api.eu.xiaoyi.com (f469); OUI Bilian.
    # 192.168.1.138 is an Android phone (mDNS Android.local, f156), 192.168.1.1 the router.
    rows = replay("yi-lan", out_dir)
    cam = rows["192.168.1.143"]
    assert (cam["mac"], cam["manufacturer"], cam["brand"], cam["device_type"]) == (
        "0c:8c:24:0b:39:7b", "Xiaoyi", "YI", "camera")
    not_a_camera(rows, "192.168.1.138")
    not_a_camera(rows, "192.168.1.1")
    # the cloud servers known only by the certificates they served (f494...) are not rows
    assert "3.120.55.194" not in rows


def test_yi_camera_streaming_p2p(out_dir: str) -> None:
    # f195: 192.168.10.204 broadcasts the PPPP LAN notify with DID TNPUSAE-227402-JDSELD and f196
    # logs in (f1 14) to the P2P servers; OUI Zowee. 192.168.10.248 (LG OUI) says nothing of itself.
    rows = replay("yi-p2p", out_dir)
    cam = rows["192.168.10.204"]
    assert (cam["mac"], cam["manufacturer"], cam["brand"], cam["device_type"]) == (
        "b0:d5:9d:b9:f0:b4", "Xiaoyi", "YI", "camera")
    assert rows["192.168.10.248"]["device_type"] == "unknown"  # an OUI alone: not other


def test_naxclow_mini_camera_named_by_its_cloud(out_dir: str) -> None:
    # DNS v720.naxclow.com / v720.p2p.naxclow.com from 10.42.0.22 (locally administered MAC);
    # 10.42.0.1 is the Ubuntu laptop serving DHCP/DNS.
    rows = replay("a9", out_dir)
    cam = rows["10.42.0.22"]
    assert (cam["brand"], cam["device_type"], cam["oui_vendor"]) == ("Naxclow", "camera", "")
    not_a_camera(rows, "10.42.0.1")


def test_dlink_hub_is_other_by_its_own_hnap_answer(out_dir: str) -> None:
    # f114 HNAP GetDeviceSettings: ModelName DCH-G020, FirmwareVersion 1.22, ModuleTypes [Gateway]
    rows = replay("neg-hub", out_dir)
    hub = rows["10.10.10.87"]
    assert (hub["manufacturer"], hub["device_type"], hub["model"], hub["firmware"]) == (
        "D-Link", "other", "DCH-G020", "1.22")


@pytest.mark.parametrize(("name", "ip", "mac"), [
    # f8: DHCP ACK yiaddr 10.10.10.186 to 3c:49:37:03:17:db; it then sends ARP requests and TFTP
    ("ednet-1", "10.10.10.186", "3c:49:37:03:17:db"),
    # f6: DHCP ACK yiaddr 10.10.10.207 to 3c:49:37:03:17:f0
    ("ednet-2", "10.10.10.207", "3c:49:37:03:17:f0"),
])
def test_ednet_device_is_reported_not_dropped(name: str, ip: str, mac: str, out_dir: str) -> None:
    # Nothing in the packets says camera or not (udhcp 1.12.1, TFTP /update.sh): a row with its
    # OUI vendor, neither a camera nor `other`.
    rows = replay(name, out_dir)
    dev = rows[ip]
    assert (dev["mac"], dev["oui_vendor"]) == (mac, "ASSMANN Electronic GmbH")
    assert dev["device_type"] == "unknown"


def test_vlc_media_server_is_not_a_camera(out_dir: str) -> None:
    # Linux cooked (SLL) capture; f33 `Server: VLC/3.0.12`, f53 SDP `a=tool:vlc 3.0.12`: a media
    # server on a PC, by its own words
    rows = replay("neg-vlc", out_dir)
    assert rows["10.2.2.2"]["device_type"] == "other"


SAMPLES = [
    # (UniversalScanner self-test reply, its reply's source and destination ports, maker as
    # brands.toml spells it); the samples are anonymised (model "Virtual", MAC 00:11:22:...)
    ("universalscanner-bosch-discovery-udp1757-response-anonymized.bin", 1757, 1758, "Bosch"),
    ("universalscanner-hanwha-samsung-discovery-udp7701-response-anonymized.bin", 7701, 7711, "Hanwha"),
    ("universalscanner-panasonic-discovery-udp10669-response-anonymized.bin", 10670, 10669, "i-PRO"),
    ("universalscanner-sony-discovery-udp2380-response-anonymized.bin", 2380, 50000, "Sony"),
    ("universalscanner-vivotek-discovery-udp10000-response-anonymized.bin", 10000, 50001, "Vivotek"),
]


def test_other_makers_discovery_replies_replayed_from_a_capture(tmp_path: Path) -> None:
    """The makers' own discovery replies (real samples), put on the wire in a capture the test
    writes, each come out as a row naming its maker: what is *not* Hikvision is named as surely."""
    if not REAL.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    from scapy.all import IP, UDP, Ether, wrpcap

    pkts = []
    for n, (sample, sport, dport, _) in enumerate(SAMPLES):
        pkts.append(Ether(src=f"02:00:00:00:01:{n:02x}", dst="ff:ff:ff:ff:ff:ff")
                    / IP(src=f"198.18.0.{50 + n}", dst="255.255.255.255")
                    / UDP(sport=sport, dport=dport) / (REAL / sample).read_bytes())
    dahua1 = (REAL / "universalscanner-dahua-v1-discovery-udp5050-response-anonymized.bin").read_bytes()
    pkts.append(Ether(src="02:00:00:00:01:99", dst="ff:ff:ff:ff:ff:ff") / IP(src="198.18.0.99", dst="255.255.255.255")
                / UDP(sport=5050, dport=5050) / dahua1)
    cap = tmp_path / "makers.pcap"
    wrpcap(str(cap), pkts)
    out = tmp_path / "inv.csv"
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(cap), "--csv", str(out), "-q",
                           "--no-history"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="", encoding="utf-8") as fh:
        got = {r["ip"]: r for r in csv.DictReader(fh)}
    for n, (_, _, _, maker) in enumerate(SAMPLES):
        row = got[f"198.18.0.{50 + n}"]
        assert (row["manufacturer"], row["confidence"]) == (maker, "high"), row
        assert row["device_type"] != "other"
    assert got["198.18.0.99"]["serial"] == "123456789"  # Dahua's older search: OEMs answer it too, no maker
