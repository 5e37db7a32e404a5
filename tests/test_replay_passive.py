"""Captures as people make them and what devices say on their own: Linux cooked captures (v1
and v2, tagged or not), IPv6 (UDP discovery and neighbour discovery), DHCP, a device that moved
or holds two addresses, and the scanner rule of a replay. Every capture here is written by the
test (scapy packets, or frames built byte by byte where scapy has no layer), replayed by the
camscan command, and judged by the rows and exit status a user sees."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from scapy.all import ARP, IP, UDP, Ether, IPv6, wrpcap
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr

from camscan.protocols import dhcp
from tests.test_replay import camscan, rows

CAM_MAC = "44:19:b6:3c:5e:21"  # a Hikvision OUI
T0 = 1_700_000_000.0


def sadp_reply(serial: str = "DS-2CD2143G0-I20200101AAWRD00000001", ipv4: str = "", ipv6: str = "::") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><ProbeMatch><DeviceType>141945</DeviceType>'
            f"<DeviceDescription>DS-2CD2143G0-I</DeviceDescription><DeviceSN>{serial}</DeviceSN>"
            f"<MAC>{CAM_MAC.replace(':', '-')}</MAC><IPv4Address>{ipv4}</IPv4Address>"
            f"<IPv6Address>{ipv6}</IPv6Address>"
            f"<SoftwareVersion>V5.5.0build 170725</SoftwareVersion></ProbeMatch>").encode()


def ip_sadp(src: str, **kw: str) -> bytes:
    """The IPv4 packet of a SADP reply from `src`."""
    return bytes(IP(src=src, dst="239.255.255.250", ttl=64) / UDP(sport=37020, dport=37020) / sadp_reply(**kw))


def write_pcap(path: Path, linktype: int, frames: list[bytes]) -> Path:
    """A classic pcap of `frames` with the given link type (scapy writes no cooked headers)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for n, frame in enumerate(frames):
        out += struct.pack("<IIII", int(T0) + n, 0, len(frame), len(frame)) + frame
    path.write_bytes(out)
    return path


def vlan(ethertype: int, tagged: bool) -> bytes:
    """The protocol field of a cooked header, with an 802.1Q tag (VLAN 20) before it when tagged."""
    return struct.pack(">HHH", 0x8100, 20, ethertype) if tagged else struct.pack(">H", ethertype)


def sll1(l3: bytes, tagged: bool) -> bytes:
    mac = bytes.fromhex(CAM_MAC.replace(":", ""))
    return struct.pack(">HHH", 0, 1, 6) + mac + b"\0\0" + vlan(0x0800, tagged) + l3


def sll2(l3: bytes, tagged: bool) -> bytes:
    mac = bytes.fromhex(CAM_MAC.replace(":", ""))
    proto = vlan(0x0800, tagged)
    header = proto[:2] + b"\0\0" + struct.pack(">IHBB", 3, 1, 0, 6) + mac + b"\0\0"
    return header + proto[2:] + l3


def replay_json(tmp_path: Path, *captures: Path, args: tuple[str, ...] = ()) -> tuple[int, dict, str]:
    out = tmp_path / "inv.json"
    proc = camscan("replay", *map(str, captures), "--json", str(out), "-q", "--no-history", *args)
    doc = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, doc, proc.stderr


def by_ip(doc: dict) -> dict[str, dict]:
    return {d["ip"]: d for d in doc["devices"]}


# --- capture types ---------------------------------------------------------------------------------

@pytest.mark.parametrize("tagged", [False, True], ids=["untagged", "vlan"])
@pytest.mark.parametrize(("linktype", "frame"), [(113, sll1), (276, sll2)], ids=["sll-v1", "sll-v2"])
def test_linux_cooked_captures_are_read(tmp_path: Path, linktype: int, frame, tagged: bool) -> None:
    """`tcpdump -i any` writes Linux cooked frames; they were refused ("no VLAN support")."""
    cap = write_pcap(tmp_path / "any.pcap", linktype, [frame(ip_sadp("198.18.0.10"), tagged)])
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = doc["devices"]
    assert (dev["ip"], dev["mac"], dev["model"], dev["manufacturer"]) == (
        "198.18.0.10", CAM_MAC, "DS-2CD2143G0-I", "Hikvision")


def test_an_unreadable_capture_among_several_is_one_line_and_the_rest_are_read(tmp_path: Path) -> None:
    cooked = write_pcap(tmp_path / "cooked.pcap", 113, [sll1(ip_sadp("198.18.0.10"), True)])
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"this is not a capture" * 10)
    ether = tmp_path / "ether.pcap"
    wrpcap(str(ether), [Ether(src="3c:e3:6b:8a:52:1f", dst="01:00:5e:7f:ff:fa") / IP(ip_sadp("198.18.0.11"))])
    status, doc, err = replay_json(tmp_path, cooked, junk, ether)
    assert status == 2, "a file that could not be read makes the exit status 2"
    summary, *errors = err.strip().splitlines()  # -q keeps the one-line summary
    assert summary.startswith("camscan: 2 cameras")
    assert errors == [f"camscan: error: {junk}: not a pcap or pcapng capture"]
    assert sorted(by_ip(doc)) == ["198.18.0.10", "198.18.0.11"], "the files around it were still read"


# --- IPv6 --------------------------------------------------------------------------------------------

def test_a_device_seen_over_ipv6_gets_its_ipv6_addresses(tmp_path: Path) -> None:
    """A SADP reply sent over IPv6 still names its IPv4 address; its IPv6 addresses (the one
    it sent from, the one it states) are the JSON's `ipv6`."""
    reply = sadp_reply(ipv4="198.18.0.10", ipv6="2001:db8::10")
    pkts = [Ether(src=CAM_MAC, dst="33:33:00:00:00:fa") / IPv6(src="fe80::4619:b6ff:fe3c:5e21", dst="ff02::fa")
            / UDP(sport=37020, dport=37020) / reply]
    cap = tmp_path / "v6.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = doc["devices"]
    assert (dev["ip"], dev["mac"], dev["model"]) == ("198.18.0.10", CAM_MAC, "DS-2CD2143G0-I")
    assert dev["ipv6"] == ["2001:db8::10"]
    assert doc["skipped"] == {}, "IPv6 is read, not skipped"


def test_neighbour_discovery_makes_an_ipv6_only_device_a_row(tmp_path: Path) -> None:
    """A host that only did duplicate address detection and answered a neighbour solicitation
    is still a device: its row's ip is its global IPv6 address, its MAC from the NDP options."""
    mac, lla, gua = "00:17:88:24:76:ff", "fe80::217:88ff:fe24:76ff", "2001:db8::217:88ff:fe24:76ff"
    pkts = [
        Ether(src=mac, dst="33:33:ff:24:76:ff") / IPv6(src="::", dst="ff02::1:ff24:76ff", hlim=255)
        / ICMPv6ND_NS(tgt=lla),
        Ether(src=mac, dst="00:b5:6d:06:08:ba") / IPv6(src=gua, dst="2001:db8::1", hlim=255)
        / ICMPv6ND_NA(tgt=gua, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=mac),
        # a proxy's advertisement (override flag clear) binds nothing
        Ether(src="00:b5:6d:06:08:ba", dst=mac) / IPv6(src="fe80::1", dst=lla, hlim=255)
        / ICMPv6ND_NA(tgt="2001:db8::99", R=1, S=1, O=0),
        # the router's advertisement names the router
        Ether(src="00:b5:6d:06:08:ba", dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255)
        / ICMPv6ND_RA() / ICMPv6NDOptSrcLLAddr(lladdr="00:b5:6d:06:08:ba"),
    ]
    cap = tmp_path / "ndp.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    got = {d["mac"]: d for d in doc["devices"]}
    assert sorted(got) == ["00:17:88:24:76:ff", "00:b5:6d:06:08:ba"]
    hue = got[mac]
    assert (hue["ip"], hue["ipv6"], hue["evidence"]) == (gua, [lla, gua], ["oui", "ndp"])
    assert got["00:b5:6d:06:08:ba"]["ipv6"] == ["fe80::1"]


# --- DHCP, moves and two addresses ----------------------------------------------------------------

def dhcp_frame(op: int, mac: str, options: list[tuple[int, bytes]], src: str, dst: str, **kw: bytes) -> Ether:
    chaddr = bytes.fromhex(mac.replace(":", ""))
    body = dhcp.build_message(op, chaddr, options, **kw)
    sport, dport = (68, 67) if op == 1 else (67, 68)
    eth_src = mac if op == 1 else "00:b5:6d:06:08:ba"
    return Ether(src=eth_src, dst="ff:ff:ff:ff:ff:ff") / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / body


def timed(pkts: list, start: float = T0) -> list:
    for n, p in enumerate(pkts):
        p.time = start + n
    return pkts


def test_a_device_that_moved_is_one_row_at_the_address_it_used_last(tmp_path: Path) -> None:
    """As the real DCS-935L did: its factory address for a moment, DHCP, then its new address.
    The DHCP hostname names it; the server's ACK binds the new address to its MAC."""
    mac = "b0:c5:54:25:5b:0e"
    request = dhcp_frame(1, mac, [(53, b"\x03"), (12, b"DCS-935L"), (60, b"udhcp 1.22.1"),
                                  (55, bytes([1, 3, 6, 12, 15, 28, 42])), (50, bytes([10, 10, 10, 37]))],
                         "0.0.0.0", "255.255.255.255")
    ack = dhcp_frame(2, mac, [(53, b"\x05"), (54, bytes([10, 10, 10, 1]))], "10.10.10.1", "255.255.255.255",
                     yiaddr=bytes([10, 10, 10, 37]))
    pkts = timed([
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc="192.168.0.20", pdst="192.168.0.1"),
        request, ack,
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc="10.10.10.37", pdst="10.10.10.1"),
    ])
    cap = tmp_path / "move.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = [d for d in doc["devices"] if d["mac"] == mac]
    assert (dev["ip"], dev["name"]) == ("10.10.10.37", "DCS-935L")
    assert [(a["ip"], a["first_seen"], a["last_seen"]) for a in dev["addresses"]] == [
        ("192.168.0.20", "2023-11-14T22:13:20.000+00:00", "2023-11-14T22:13:20.000+00:00"),
        ("10.10.10.37", "2023-11-14T22:13:22.000+00:00", "2023-11-14T22:13:23.000+00:00")]
    assert "dhcp" in dev["evidence"]


def test_one_device_on_two_addresses_is_one_row_with_its_mac(tmp_path: Path) -> None:
    """Same MAC and serial from two addresses, no ARP: one device (it was two rows with the MAC
    blanked, as if the MAC were a router's)."""
    eth = Ether(src=CAM_MAC, dst="01:00:5e:7f:ff:fa")
    pkts = timed([eth / IP(ip_sadp("192.168.1.64")), eth / IP(ip_sadp("198.18.0.10"))])
    cap = tmp_path / "two.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = doc["devices"]
    assert (dev["ip"], dev["mac"]) == ("198.18.0.10", CAM_MAC)
    assert [a["ip"] for a in dev["addresses"]] == ["192.168.1.64", "198.18.0.10"]


def test_a_routers_mac_on_off_link_hosts_is_still_inherited_by_none(tmp_path: Path) -> None:
    """Two cameras behind a router, their replies carrying the router's MAC (TTL not decremented
    by this router): different serials, no binding — two rows, neither with the router's MAC."""
    router = "4c:5e:0c:11:22:33"
    eth = Ether(src=router, dst="00:1b:21:3a:4f:02")
    pkts = timed([
        Ether(src=router, dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc=router, psrc="198.18.0.1", pdst="198.18.0.2"),
        eth / IP(src="198.18.4.20", dst="198.18.0.2", ttl=64) / UDP(sport=37020, dport=37020)
        / sadp_reply(serial="DS-2CD2143G0-I20200101AAWRD00000001"),
        eth / IP(src="198.18.4.21", dst="198.18.0.2", ttl=64) / UDP(sport=37020, dport=37020)
        / sadp_reply(serial="DS-2CD2143G0-I20200101AAWRD00000002"),
    ])
    cap = tmp_path / "router.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    got = by_ip(doc)
    assert (got["198.18.4.20"]["mac"], got["198.18.4.21"]["mac"], got["198.18.0.1"]["mac"]) == ("", "", router)


# --- the scanner rule ------------------------------------------------------------------------------

def test_a_host_that_only_asks_arp_and_dhcp_is_a_device_in_a_replay(tmp_path: Path) -> None:
    """As the real Ednet cameras did: DHCP, one ARP question for the gateway — a device, not the
    scanner. A host that swept ARP over many addresses is the scanner that made the capture."""
    mac, scanner = "3c:49:37:03:17:db", "00:1b:21:3a:4f:02"
    pkts = timed([
        dhcp_frame(1, mac, [(53, b"\x03"), (60, b"udhcp 1.12.1")], "0.0.0.0", "255.255.255.255"),
        dhcp_frame(2, mac, [(53, b"\x05")], "10.10.10.1", "255.255.255.255", yiaddr=bytes([10, 10, 10, 186])),
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc="10.10.10.186", pdst="10.10.10.1"),
        *(Ether(src=scanner, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=scanner, psrc="10.10.10.2",
                                                             pdst=f"10.10.10.{n}") for n in range(100, 120)),
    ])
    cap = tmp_path / "ednet.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    assert list(by_ip(doc)) == ["10.10.10.186"]
    assert by_ip(doc)["10.10.10.186"]["mac"] == mac
    assert doc["notes"] == ["10.10.10.2 only asked ARP about many addresses: taken as the scanner that made "
                            "the capture, not listed"]
    # named with --scanner, the scanner is dropped by its address and no guess is noted
    status, doc, err = replay_json(tmp_path, cap, args=("--scanner", "10.10.10.2"))
    assert status == 0, err
    assert list(by_ip(doc)) == ["10.10.10.186"] and doc["notes"] == []


# --- the real captures in shared/realworld (skipped when absent) ------------------------------------
# The expected values were established by reading the packets with tshark (see the frame numbers
# in each docstring), not by running camscan.

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
FOUND = REAL / "captures-found"


def real(path: Path) -> Path:
    if not path.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    return path


def test_real_linux_cooked_pcapng_is_read(tmp_path: Path) -> None:
    """ndpi-NEG-rtsp-vlc-server.pcap is pcapng with LINUX_SLL (v1) frames (capinfos), captured with
    `-i any` on a routing VM: the VLC server 10.2.2.2 is seen with its own MAC 00:0c:29:3b:2f:b0
    (TTL 64) and the router's 00:0c:29:38:bd:5a (TTL decremented). No camera in it."""
    status, doc, err = replay_json(tmp_path, real(FOUND / "ndpi-NEG-rtsp-vlc-server.pcap"))
    assert status == 0, err
    assert by_ip(doc)["10.2.2.2"]["mac"] == "00:0c:29:3b:2f:b0"
    assert not [d for d in doc["devices"] if d["device_type"] == "camera"]


def test_real_cooked_capture_among_several_with_a_bad_one(tmp_path: Path) -> None:
    """The SLL capture no longer stops a run of several files; a bad file is one line, exit 2."""
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"\0" * 64)
    out = tmp_path / "inv.csv"
    proc = camscan("replay", str(real(FOUND / "ndpi-NEG-rtsp-vlc-server.pcap")), str(junk),
                   str(real(REAL / "iotsentinel-edimax-cam1-setup-ssdp.pcap")), "--csv", str(out), "-q", "--no-history")
    assert proc.returncode == 2
    summary, *errors = proc.stderr.strip().splitlines()  # -q keeps the one-line summary
    assert summary.startswith("camscan: ") and len(errors) == 1 and str(junk) in errors[0]
    assert {"10.2.2.2", "10.10.10.51"} <= {r["ip"] for r in rows(out)}


def test_real_dcs_935l_is_at_the_address_it_used_last(tmp_path: Path) -> None:
    """iotsentinel-dlink-DCS-935L: b0:c5:54:25:5b:0e uses its factory 192.168.0.20 in f5–f16
    (t ≤ 2.72 s, mDNS and ARP), DHCP from 0.0.0.0 (hostname DCS-935L), then 10.10.10.37 from
    f21 to the end (t = 118 s)."""
    status, doc, err = replay_json(tmp_path, real(REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap"))
    assert status == 0, err
    [cam] = [d for d in doc["devices"] if d["mac"] == "b0:c5:54:25:5b:0e"]
    assert cam["ip"] == "10.10.10.37"
    assert [a["ip"] for a in cam["addresses"]] == ["192.168.0.20", "10.10.10.37"]
    assert cam["addresses"][0]["last_seen"] < "2016-04-15T15:08:41" < cam["addresses"][1]["first_seen"]
    assert "dhcp" in cam["evidence"]


@pytest.mark.parametrize(("capture", "ip", "mac", "ipv6"), [
    (REAL / "iotsentinel-ednet-cam1-setup-dhcp-arp.pcap", "10.10.10.186", "3c:49:37:03:17:db",
     "fe80::3e49:37ff:fe03:17db"),
    (FOUND / "iotsentinel-ednet-cam2-setup-dhcp-tftp.pcap", "10.10.10.207", "3c:49:37:03:17:f0",
     "fe80::3e49:37ff:fe03:17f0"),
], ids=["ednet-cam1", "ednet-cam2"])
def test_real_ednet_device_seen_only_asking_is_a_row(tmp_path: Path, capture: Path, ip: str, mac: str,
                                                       ipv6: str) -> None:
    """The Ednet units send only EAPOL, DHCP (ACK yiaddr f8 / f6), one ARP request for the
    gateway, ICMPv6 router solicitations from their EUI-64 link-local address (source link-layer
    option = their MAC) and TFTP: they were dropped as "the scanner"."""
    status, doc, err = replay_json(tmp_path, real(capture))
    assert status == 0, err
    dev = by_ip(doc)[ip]
    assert (dev["mac"], dev["ipv6"]) == (mac, [ipv6])
    assert "dhcp" in dev["evidence"] and doc["notes"] == []


def test_real_ipv6_neighbour_discovery_is_read(tmp_path: Path) -> None:
    """iotsentinel-NEG-hue-bridge: the bridge 00:17:88:24:76:ff does duplicate address detection
    for fe80::217:88ff:fe24:76ff (NS from :: f4) and for its ULA fdd9:fbb:a067::1 (f25); the 12
    IPv6 frames were skipped as "non-IPv4"."""
    status, doc, err = replay_json(tmp_path, real(FOUND / "iotsentinel-NEG-hue-bridge-setup.pcap"))
    assert status == 0, err
    bridge = by_ip(doc)["10.10.10.6"]
    assert bridge["ipv6"] == ["fe80::217:88ff:fe24:76ff", "fdd9:fbb:a067::1"]
    assert not any("IPv4" in k or "IPv6" in k for k in doc["skipped"])


def test_real_dhcp_ack_and_ndp_in_a_home_lan(tmp_path: Path) -> None:
    """mudproject-yi: the camera 0c:8c:24:0b:39:7b gets 192.168.1.143 by DHCP (ACK f371); the
    phone f0:25:b7:eb:5e:65 and the router f4:f2:6d:57:79:8e show their IPv6 addresses in NDP
    (router's own ULA fd2b:78ed:64dd::1)."""
    status, doc, err = replay_json(tmp_path, real(FOUND / "mudproject-yi-1080p-home-camera-lan.pcap"))
    assert status == 0, err
    got = by_ip(doc)
    assert got["192.168.1.143"]["mac"] == "0c:8c:24:0b:39:7b" and "dhcp" in got["192.168.1.143"]["evidence"]
    assert "fe80::f225:b7ff:feeb:5e65" in got["192.168.1.138"]["ipv6"]
    assert "fd2b:78ed:64dd::1" in got["192.168.1.1"]["ipv6"]


def test_broken_ipv6_is_counted_and_the_good_reply_beside_it_is_read(tmp_path: Path) -> None:
    """IPv6 that lies about its length and an NDP option of length 0 are counted under
    `skipped`, never a crash; the good reply in the same capture is a row."""
    eth = Ether(src=CAM_MAC, dst="33:33:00:00:00:fa")
    v6 = IPv6(src="fe80::4619:b6ff:fe3c:5e21", dst="ff02::fa", hlim=255)
    good = eth / v6 / UDP(sport=37020, dport=37020) / sadp_reply(ipv4="198.18.0.10")
    lying = bytes(eth / IPv6(src="fe80::2", dst="ff02::fa", plen=900) / UDP(sport=37020, dport=37020) / b"x")
    bad_option = bytes(eth / v6 / ICMPv6ND_NS(tgt="fe80::9")) + b"\x01\x00" + b"\0" * 6
    bad_option = bad_option[:18] + struct.pack(">H", len(bad_option) - 54) + bad_option[20:]  # payload length
    cap = tmp_path / "bad6.pcap"
    wrpcap(str(cap), [good, Ether(lying), Ether(bad_option)])
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    assert [d["ip"] for d in doc["devices"]] == ["198.18.0.10"]
    assert doc["skipped"] == {"truncated packets": 1, "malformed NDP messages": 1}


def test_ipv6_extension_headers_are_skipped_to_the_payload() -> None:
    """What the decoder reads when no filter ran first (link types libpcap cannot filter)."""
    from scapy.layers.inet6 import IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop

    from camscan.collect import Counters
    from camscan.replay.decode import ipv6

    counters = Counters()
    packet = bytes(IPv6(src="2001:db8::1", dst="ff02::fa") / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
                   / UDP(sport=37020, dport=37020) / b"hello")
    dg = ipv6("", packet, 1.0, counters)
    assert dg is not None and (dg.src, dg.dst, dg.proto, dg.payload[8:]) == ("2001:db8::1", "ff02::fa", 17, b"hello")
    fragment = bytes(IPv6(src="2001:db8::1", dst="ff02::fa") / IPv6ExtHdrFragment(m=1) / UDP() / b"x")
    assert ipv6("", fragment, 1.0, counters) is None
    assert counters.counts == {"IPv6 fragments (not reassembled)": 1}


def test_a_web_server_seen_only_over_ipv6_is_a_row(tmp_path: Path) -> None:
    """A TCP conversation over IPv6 reaches the HTTP parser as one over IPv4 does."""
    from scapy.all import TCP

    srv, cli = "2001:db8::10", "2001:db8::2"
    to_srv = Ether(src="00:1b:21:3a:4f:02", dst=CAM_MAC) / IPv6(src=cli, dst=srv, hlim=64)
    to_cli = Ether(src=CAM_MAC, dst="00:1b:21:3a:4f:02") / IPv6(src=srv, dst=cli, hlim=64)
    request = b"GET / HTTP/1.1\r\nHost: [2001:db8::10]\r\n\r\n"
    response = b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 0\r\n\r\n"
    pkts = timed([
        to_srv / TCP(sport=50000, dport=80, flags="S", seq=100),
        to_cli / TCP(sport=80, dport=50000, flags="SA", seq=1000, ack=101),
        to_srv / TCP(sport=50000, dport=80, flags="PA", seq=101, ack=1001) / request,
        to_cli / TCP(sport=80, dport=50000, flags="PA", seq=1001, ack=101 + len(request)) / response,
        to_srv / TCP(sport=50000, dport=80, flags="FA", seq=101 + len(request), ack=1001 + len(response)),
        to_cli / TCP(sport=80, dport=50000, flags="FA", seq=1001 + len(response), ack=102 + len(request)),
    ])
    cap = tmp_path / "web6.pcap"
    wrpcap(str(cap), pkts)
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = doc["devices"]
    assert (dev["ip"], dev["mac"], dev["ipv6"], dev["manufacturer"]) == (srv, CAM_MAC, [srv], "Hikvision")
    assert "http" in dev["evidence"]


def test_a_dhcpv6_client_is_a_row_named_by_its_fqdn(tmp_path: Path) -> None:
    """A device that only asked DHCPv6: its MAC, its link-local address, its name and vendor class."""
    from scapy.layers.dhcp6 import (
        DUID_LL,
        VENDOR_CLASS_DATA,
        DHCP6_Solicit,
        DHCP6OptClientFQDN,
        DHCP6OptClientId,
        DHCP6OptVendorClass,
    )

    mac, lla = "3c:49:37:03:17:db", "fe80::3e49:37ff:fe03:17db"
    solicit = (Ether(src=mac, dst="33:33:00:01:00:02") / IPv6(src=lla, dst="ff02::1:2", hlim=1)
               / UDP(sport=546, dport=547) / DHCP6_Solicit(trid=7)
               / DHCP6OptClientId(duid=DUID_LL(lladdr=mac)) / DHCP6OptClientFQDN(fqdn="ipcam-17db.local.")
               / DHCP6OptVendorClass(enterprisenum=4491, vcdata=[VENDOR_CLASS_DATA(data=b"udhcp6 1.2")]))
    cap = tmp_path / "dhcp6.pcap"
    wrpcap(str(cap), [solicit])
    status, doc, err = replay_json(tmp_path, cap)
    assert status == 0, err
    [dev] = doc["devices"]
    assert (dev["ip"], dev["mac"], dev["name"], dev["ipv6"]) == (lla, mac, "ipcam-17db", [lla])
    assert "dhcp" in dev["evidence"]


def test_dhcpv6_reads_only_what_a_client_says_and_refuses_broken_options() -> None:
    from camscan.model import Endpoint, Malformed
    from camscan.protocols import dhcp6

    duid = bytes.fromhex("0001" "0001" "2b3c4d5e" "3c49370317db")  # DUID-LLT, Ethernet
    solicit = bytes([1, 0, 0, 7]) + struct.pack(">HH", 1, len(duid)) + duid
    [ev] = dhcp6.parse(solicit, Endpoint(""))
    assert (ev.mac, ev.banners["dhcp_message"]) == ("3c:49:37:03:17:db", "DHCPv6 SOLICIT"), "MAC from the DUID"
    assert dhcp6.parse(bytes([7, 0, 0, 7]) + solicit[4:], Endpoint("")) == [], "a server's REPLY is not the client"
    with pytest.raises(Malformed):
        dhcp6.parse(solicit[:-3], Endpoint(""))
