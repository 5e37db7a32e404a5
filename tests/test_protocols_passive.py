"""Passive-evidence parsers: DHCP/BOOTP, TLS server certificates, D-Link HNAP.

Fixtures are built here from what the real formats show (the captures in ../shared/realworld
were read with `tshark -V` first); the real captures are then read in place, skipped when that
folder is absent, and hostile bytes must give Malformed or [] quickly and nothing else.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import dhcp

# ../shared/realworld seen from the main checkout; worktrees sit one level deeper
REAL = next((p / "shared" / "realworld" for p in Path(__file__).resolve().parents
             if (p / "shared" / "realworld").is_dir()), Path("/nonexistent/shared/realworld"))
FOUND = REAL / "captures-found"

SRC = Endpoint(ip="192.0.2.200", mac="aa:bb:cc:00:11:22")
CAM_MAC = bytes.fromhex("3c49370317db")


def real_path(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real-world sample {path.name} not available ({path.parent})")
    return path


def one(result: list[Evidence]) -> Evidence:
    assert len(result) == 1, result
    return result[0]


def outcome(parser: Callable[[bytes], list[Evidence]], payload: bytes) -> list[Evidence] | Malformed:
    """The parser's result or its Malformed; any other exception fails the test."""
    start = time.monotonic()
    try:
        result = parser(payload)
    except Malformed as exc:
        assert len(str(exc)) < 200
        return exc
    finally:
        assert time.monotonic() - start < 2, "parser too slow"
    assert isinstance(result, list) and all(isinstance(e, Evidence) for e in result)
    return result


def assert_survives_mutation(parser: Callable[[bytes], list[Evidence]], payload: bytes) -> None:
    """Every 3rd truncation, random byte flips and random bytes: Malformed or a list, fast."""
    assert outcome(parser, payload)
    for cut in range(0, len(payload), 3):
        outcome(parser, payload[:cut])
    rng = random.Random(11)
    for _ in range(300):
        mutated = bytearray(payload)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        outcome(parser, bytes(mutated))
    for _ in range(200):
        outcome(parser, rng.randbytes(rng.randint(0, 700)))
    assert isinstance(outcome(parser, b""), Malformed) or outcome(parser, b"") == []


def udp_payloads(path: Path, ports: set[int]) -> list[tuple[bytes, Endpoint, int]]:
    """(UDP payload, sender, destination port) of every datagram to or from `ports`."""
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import rdpcap

    out = []
    for pkt in rdpcap(str(path)):
        if UDP in pkt and IP in pkt and {pkt[UDP].sport, pkt[UDP].dport} & ports:
            mac = pkt[Ether].src if Ether in pkt else ""
            out.append((bytes(pkt[UDP].payload), Endpoint(ip=pkt[IP].src, mac=mac, port=pkt[UDP].sport),
                        pkt[UDP].dport))
    return out


# =======================================================================================
# DHCP
# =======================================================================================

def udhcp_request(hostname: bytes = b"DCS-935L", msg: int = 3) -> bytes:
    """A busybox udhcpc REQUEST as the real cameras send it (option order 53, 61, 12, 60, 50,
    54, 55 and the PRL 1,3,6,12,15,28,42 of every udhcp camera in the captures)."""
    options = [(53, bytes([msg])), (61, b"\x01" + CAM_MAC)]
    if hostname:
        options.append((12, hostname))
    options += [(60, b"udhcp 1.22.1"), (50, bytes([10, 10, 10, 37])), (54, bytes([10, 10, 10, 1])),
                (55, bytes([1, 3, 6, 12, 15, 28, 42]))]
    return dhcp.build_message(1, CAM_MAC, options) + bytes(40)  # udhcp pads to 300+ bytes


def server_reply(msg: int, yiaddr: bytes = bytes([10, 10, 10, 37])) -> bytes:
    return dhcp.build_message(2, CAM_MAC, [(53, bytes([msg])), (54, bytes([10, 10, 10, 1])),
                                           (51, (86400).to_bytes(4, "big")), (12, b"DCS-935L")], yiaddr=yiaddr)


class TestDhcp:
    def test_client_request_names_the_device(self) -> None:
        ev = one(dhcp.parse(udhcp_request(), Endpoint(ip="0.0.0.0", mac="3c:49:37:03:17:db")))
        assert (ev.source, ev.ip, ev.mac, ev.name) == ("dhcp", "", "3c:49:37:03:17:db", "DCS-935L")
        assert ev.banners == {
            "dhcp_message": "REQUEST", "dhcp_hostname": "DCS-935L", "dhcp_vendor_class": "udhcp 1.22.1",
            "dhcp_prl": "1,3,6,12,15,28,42", "dhcp_requested_ip": "10.10.10.37",
            "dhcp_client_id": "01:3c:49:37:03:17:db",
        }

    def test_ack_gives_the_address_the_device_now_holds(self) -> None:
        ev = one(dhcp.parse(server_reply(5), Endpoint(ip="10.10.10.1", mac="00:b5:6d:06:08:ba")))
        assert (ev.ip, ev.mac, ev.name, ev.note) == ("10.10.10.37", "3c:49:37:03:17:db", "DCS-935L", "DHCP ACK")

    def test_offer_is_only_a_proposal(self) -> None:
        ev = one(dhcp.parse(server_reply(2), Endpoint(ip="10.10.10.1")))
        assert ev.ip == "" and ev.banners["dhcp_offered_ip"] == "10.10.10.37"

    def test_nak_says_nothing(self) -> None:
        assert dhcp.parse(server_reply(6, yiaddr=bytes(4)), SRC) == []

    def test_axis_vendor_class_is_the_signatures_banner(self) -> None:
        # recog's dhcp_vendor_class examples: "AXIS,Network Camera,P3343,5.20.3"
        pkt = dhcp.build_message(1, bytes.fromhex("accc8e123456"),
                                 [(53, b"\x01"), (60, b"AXIS,Network Camera,P3343,5.20.3\x00")])
        ev = one(dhcp.parse(pkt, Endpoint(ip="0.0.0.0")))
        assert ev.banners["dhcp_vendor_class"] == "AXIS,Network Camera,P3343,5.20.3"
        assert ev.mac == "ac:cc:8e:12:34:56" and ev.name == ""

    def test_renewing_client_is_at_ciaddr(self) -> None:
        pkt = dhcp.build_message(1, CAM_MAC, [(53, b"\x03")], ciaddr=bytes([10, 10, 10, 37]))
        assert one(dhcp.parse(pkt, Endpoint(ip="10.10.10.37"))).ip == "10.10.10.37"

    def test_relayed_request_is_not_at_the_relays_address(self) -> None:
        pkt = dhcp.build_message(1, CAM_MAC, [(53, b"\x01")], giaddr=bytes([10, 20, 0, 1]))
        assert one(dhcp.parse(pkt, Endpoint(ip="10.20.0.1"))).ip == ""

    def test_plain_bootp_without_cookie(self) -> None:
        pkt = dhcp.build_message(2, CAM_MAC, [], yiaddr=bytes([192, 0, 2, 9]))[:dhcp.BOOTP_LEN]
        ev = one(dhcp.parse(pkt, SRC))
        assert (ev.ip, ev.banners) == ("192.0.2.9", {"dhcp_message": "BOOTREPLY"})

    def test_fqdn_option_and_repeated_options_are_joined(self) -> None:
        fqdn = b"\x04\x00\x00" + b"\x05cam01\x04site\x00"  # E flag: DNS wire format
        pkt = dhcp.build_message(1, CAM_MAC, [(53, b"\x01"), (81, fqdn), (55, b"\x01\x03"), (55, b"\x06")])
        ev = one(dhcp.parse(pkt, SRC))
        assert (ev.name, ev.banners["dhcp_fqdn"], ev.banners["dhcp_prl"]) == ("cam01", "cam01.site", "1,3,6")

    def test_option_overload_reads_the_file_field(self) -> None:
        pkt = bytearray(dhcp.build_message(1, CAM_MAC, [(53, b"\x01"), (52, b"\x01")]))
        pkt[108:116] = b"\x0c\x05cam02\xff"
        assert one(dhcp.parse(bytes(pkt), SRC)).name == "cam02"

    def test_mac_from_client_id_when_chaddr_is_not_ethernet(self) -> None:
        pkt = bytearray(dhcp.build_message(1, CAM_MAC, [(53, b"\x01"), (61, b"\x01" + CAM_MAC)]))
        pkt[1], pkt[2] = 6, 16  # IEEE 802 htype with a 16-byte hlen: chaddr not read
        assert one(dhcp.parse(bytes(pkt), SRC)).mac == "3c:49:37:03:17:db"

    @pytest.mark.parametrize("bad", [
        b"\x01" * 100,                                                          # truncated header
        b"\x07" + bytes(300),                                                   # unknown op
        dhcp.build_message(1, CAM_MAC, [])[:-1] + b"\x0c\xff" + b"ab",           # option length past the end
        dhcp.build_message(1, CAM_MAC, [])[:-1] + b"\x0c",                       # option without a length
        dhcp.build_message(1, CAM_MAC, [])[:-1] + b"\x0e\x00" * 300,             # too many options
        b"\x01\x01\x06" + bytes(70_000),                                        # oversized
    ])
    def test_broken_messages_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: dhcp.parse(b, SRC), bad), Malformed)

    def test_zero_mac_says_nothing(self) -> None:
        assert dhcp.parse(dhcp.build_message(1, bytes(6), [(53, b"\x01")]), SRC) == []

    def test_hostile_bytes(self) -> None:
        assert_survives_mutation(lambda b: dhcp.parse(b, SRC), udhcp_request())

    def test_real_ednet_cam1_capture(self) -> None:
        """Read with `tshark -r iotsentinel-ednet-cam1-setup-dhcp-arp.pcap -V -Y dhcp`: frames 5-8 are
        DISCOVER, OFFER, REQUEST, ACK for chaddr 3c:49:37:03:17:db (option 61 the same MAC, option 60
        "udhcp 1.12.1", PRL 1,3,6,12,15,28,42, no hostname); the server 10.10.10.1 ACKs 10.10.10.186."""
        frames = udp_payloads(real_path(REAL / "iotsentinel-ednet-cam1-setup-dhcp-arp.pcap"), set(dhcp.PORTS))
        evidence = [one(dhcp.parse(payload, src)) for payload, src, _ in frames]
        assert [e.note for e in evidence] == ["DHCP DISCOVER", "DHCP OFFER", "DHCP REQUEST", "DHCP ACK"]
        assert {e.mac for e in evidence} == {"3c:49:37:03:17:db"}
        assert {e.name for e in evidence} == {""}
        discover, _offer, request, ack = evidence
        assert discover.banners == {"dhcp_message": "DISCOVER", "dhcp_vendor_class": "udhcp 1.12.1",
                                    "dhcp_prl": "1,3,6,12,15,28,42", "dhcp_client_id": "01:3c:49:37:03:17:db"}
        assert request.banners["dhcp_requested_ip"] == "10.10.10.186"
        assert (discover.ip, request.ip, ack.ip) == ("", "", "10.10.10.186")

    def test_real_ednet_cam2_capture(self) -> None:
        """tshark: frames 3-6 of iotsentinel-ednet-cam2-setup-dhcp-tftp.pcap, chaddr 3c:49:37:03:17:f0,
        ACKed 10.10.10.207 by 10.10.10.1."""
        frames = udp_payloads(real_path(FOUND / "iotsentinel-ednet-cam2-setup-dhcp-tftp.pcap"), set(dhcp.PORTS))
        evidence = [e for payload, src, _ in frames for e in dhcp.parse(payload, src)]
        acks = [e for e in evidence if e.note == "DHCP ACK"]
        assert [(e.ip, e.mac) for e in acks] == [("10.10.10.207", "3c:49:37:03:17:f0")]
        assert {e.banners.get("dhcp_vendor_class") for e in evidence if e.note != "DHCP ACK"} - {None} == {
            "udhcp 1.12.1"}

    def test_real_dlink_dcs935l_hostname(self) -> None:
        """tshark: frames 17-20 of the DCS-935L capture are DISCOVER x2, REQUEST x2 from
        b0:c5:54:25:5b:0e with option 12 "DCS-935L", option 60 "udhcp 1.22.1", requesting 10.10.10.37;
        no server reply was captured."""
        frames = udp_payloads(real_path(REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap"), set(dhcp.PORTS))
        evidence = [one(dhcp.parse(payload, src)) for payload, src, _ in frames]
        assert len(evidence) == 4
        assert {(e.mac, e.name, e.banners["dhcp_vendor_class"]) for e in evidence} == {
            ("b0:c5:54:25:5b:0e", "DCS-935L", "udhcp 1.22.1")}
        assert [e.banners.get("dhcp_requested_ip", "") for e in evidence] == ["", "", "10.10.10.37", "10.10.10.37"]
