"""Passive-evidence parsers: DHCP/BOOTP, TLS server certificates, D-Link HNAP.

Fixtures are built here from what the real formats show (the captures in ../shared/realworld
were read with `tshark -V` first); the real captures are then read in place, skipped when that
folder is absent, and hostile bytes must give Malformed or [] quickly and nothing else.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from parsing import one, outcome

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import dhcp, hnap, mdns, tls

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


# =======================================================================================
# TLS
# =======================================================================================

OID_CN, OID_C, OID_L, OID_ST, OID_O, OID_OU, OID_SERIAL = (
    bytes.fromhex(h) for h in ("550403", "550406", "550407", "550408", "55040a", "55040b", "550405"))
PRINTABLE, UTF8 = 0x13, 0x0C


def der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def x501(*attributes: tuple[bytes, int, str]) -> bytes:
    """A Name with one attribute per RDN, in DER (certificate) order: C first, CN last."""
    return der(0x30, b"".join(der(0x31, der(0x30, der(0x06, oid) + der(tag, value.encode())))
                              for oid, tag, value in attributes))


def certificate(subject: bytes, issuer: bytes, version: bool = True) -> bytes:
    alg = der(0x30, der(0x06, bytes.fromhex("2a864886f70d01010b")) + b"\x05\x00")
    validity = der(0x30, der(0x17, b"200101000000Z") + der(0x17, b"300101000000Z"))
    rsa = der(0x30, der(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
    spki = der(0x30, rsa + der(0x03, b"\x00" + bytes(64)))
    tbs = (der(0xA0, der(0x02, b"\x02")) if version else b"") + der(0x02, b"\x01\x23")
    tbs += alg + issuer + validity + subject + spki
    return der(0x30, der(0x30, tbs) + alg + der(0x03, b"\x00" + bytes(64)))


def handshake(mtype: int, body: bytes) -> bytes:
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def server_flight(certs: list[bytes], version: int = 0x0303, record_size: int = 16384,
                  record_version: int = 0x0301) -> bytes:
    """ServerHello, Certificate, ServerHelloDone, cut into handshake records of `record_size`."""
    hello = handshake(2, version.to_bytes(2, "big") + bytes(32) + b"\x00" + b"\x00\x2f" + b"\x00")
    chain = b"".join(len(c).to_bytes(3, "big") + c for c in certs)
    flight = hello + handshake(11, len(chain).to_bytes(3, "big") + chain) + handshake(14, b"")
    records = b""
    for i in range(0, len(flight), record_size):
        part = flight[i:i + record_size]
        records += bytes([22]) + record_version.to_bytes(2, "big") + len(part).to_bytes(2, "big") + part
    return records


HIK_NAME = x501((OID_C, PRINTABLE, "CN"), (OID_ST, PRINTABLE, "ZheJiang"), (OID_L, PRINTABLE, "HangZhou"),
                (OID_O, PRINTABLE, "HIKVISION"), (OID_OU, PRINTABLE, "DVRNVR"),
                (OID_CN, PRINTABLE, "www.hikvision.com"))
CA_NAME = x501((OID_C, PRINTABLE, "BE"), (OID_O, PRINTABLE, "Test CA nv"), (OID_CN, UTF8, "Test Issuing CA"))


def tcp_server_stream(path: Path, server: str, port: int, client_port: int) -> bytes:
    """The server's side of one TCP connection, by sequence number (retransmits dropped)."""
    from scapy.layers.inet import IP, TCP
    from scapy.utils import rdpcap

    segments: dict[int, bytes] = {}
    for pkt in rdpcap(str(path)):
        if (IP in pkt and TCP in pkt and pkt[IP].src == server and pkt[TCP].sport == port
                and pkt[TCP].dport == client_port and len(pkt[TCP].payload)):
            segments.setdefault(pkt[TCP].seq, bytes(pkt[TCP].payload))
    return b"".join(segments[seq] for seq in sorted(segments))


class TestTls:
    def test_self_signed_hikvision_default_certificate(self) -> None:
        ev = one(tls.parse(server_flight([certificate(HIK_NAME, HIK_NAME)]), SRC))
        # the same text as banners.toml's hik-tls-default-cert example (and recog's x509_subjects)
        assert ev.banners["x509_subject"] == "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"
        assert ev.banners["x509_issuer"] == ev.banners["x509_subject"]
        assert (ev.source, ev.ip, ev.mac, ev.note) == ("tls", SRC.ip, SRC.mac, "self-signed certificate")
        assert ev.banners["tls_version"] == "TLS 1.2"  # from ServerHello, not the 0x0301 record layer

    def test_leaf_of_a_chain_spread_over_many_small_records(self) -> None:
        axis = x501((OID_O, PRINTABLE, "Axis Communications AB"), (OID_CN, PRINTABLE, "axis-accc8ea31abf"))
        flight = server_flight([certificate(axis, CA_NAME), certificate(CA_NAME, CA_NAME)], record_size=100)
        ev = one(tls.parse(flight, SRC))
        assert ev.banners["x509_subject"] == "CN=axis-accc8ea31abf,O=Axis Communications AB"
        assert ev.banners["x509_issuer"] == "CN=Test Issuing CA,O=Test CA nv,C=BE"
        assert ev.note == ""

    def test_bosch_issuer_serial_number_and_special_characters(self) -> None:
        # recog x509_issuers: SERIALNUMBER=...,CN=00-07-5f-11-11-11,OU=ST-VS,O=Bosch Sicherheitssysteme GmbH,...
        bosch = x501((OID_C, PRINTABLE, "DE"), (OID_L, PRINTABLE, "Grasbrunn"),
                     (OID_O, PRINTABLE, "Bosch Sicherheitssysteme GmbH"), (OID_OU, PRINTABLE, "ST-VS"),
                     (OID_CN, PRINTABLE, "00-07-5f-11-11-11"), (OID_SERIAL, PRINTABLE, "111111111111111111"))
        odd = x501((OID_O, UTF8, "Xiaoyi Co., LTD. <R&D>"), (OID_CN, UTF8, "#cam+1"))
        ev = one(tls.parse(server_flight([certificate(odd, bosch, version=False)]), SRC))
        assert ev.banners["x509_issuer"] == ("serialNumber=111111111111111111,CN=00-07-5f-11-11-11,OU=ST-VS,"
                                            "O=Bosch Sicherheitssysteme GmbH,L=Grasbrunn,C=DE")
        assert ev.banners["x509_subject"] == "CN=\\#cam\\+1,O=Xiaoyi Co.\\, LTD. \\<R&D\\>"

    def test_certificate_names_reads_a_der_certificate_on_its_own(self) -> None:
        # what a live scan gets from ssl.SSLSocket.getpeercert(binary_form=True)
        assert tls.certificate_names(certificate(HIK_NAME, CA_NAME)) == (
            "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN",
            "CN=Test Issuing CA,O=Test CA nv,C=BE")
        with pytest.raises(Malformed):
            tls.certificate_names(b"\x02\x01\x00")

    def test_tls13_and_resumed_sessions_show_no_certificate(self) -> None:
        hello = handshake(2, b"\x03\x03" + bytes(32) + b"\x00\x13\x01\x00")
        tls13 = b"\x16\x03\x03" + len(hello).to_bytes(2, "big") + hello + b"\x14\x03\x03\x00\x01\x01" + \
            b"\x17\x03\x03\x00\x20" + bytes(32)
        assert tls.parse(tls13, SRC) == []

    def test_not_tls_is_nothing(self) -> None:
        assert tls.parse(b"HTTP/1.1 200 OK\r\nServer: Hipcam\r\n\r\n", SRC) == []

    def test_capture_ending_inside_the_certificate_is_nothing(self) -> None:
        flight = server_flight([certificate(HIK_NAME, HIK_NAME)])
        assert tls.parse(flight[:200], SRC) == []

    @pytest.mark.parametrize("bad", [
        b"\x16\x03\x01\xff\xff" + bytes(10),                                  # record longer than TLS allows
        b"\x16\x03\x01\x00\x04\x0b\x00\x00\x00",                              # empty Certificate message
        b"\x16\x03\x01\x00\x0a" + handshake(11, b"\x00\x00\x03\x00\x00\x09"),  # cert longer than the list
        b"\x16\x03\x01\x00\x0b" + handshake(11, b"\x00\x00\x04\x00\x00\x01\x30"),  # DER length past the end
        server_flight([der(0x30, der(0x30, der(0x02, b"\x01")))]),              # tbsCertificate without names
        server_flight([der(0x30, der(0x30, b"\x1f\x81\x01\x00"))]),             # high tag number
        server_flight([der(0x30, der(0x30, b"\x30\x85\x00\x00\x00\x00\x01"))]),  # 5-byte length
        server_flight([certificate(der(0x30, der(0x31, der(0x30, der(0x06, OID_CN)))), CA_NAME)]),  # value missing
    ])
    def test_broken_handshakes_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: tls.parse(b, SRC), bad), Malformed)

    def test_a_gap_after_the_certificate_does_not_lose_it(self) -> None:
        flight = server_flight([certificate(HIK_NAME, HIK_NAME)])
        assert one(tls.parse(flight + b"\x99garbage", SRC)).banners["x509_subject"].startswith("CN=www.hik")
        assert one(tls.parse(flight + b"\x16\x03", SRC)).banners["x509_issuer"].endswith(",C=CN")
        assert tls.parse(b"\x16\x03\x01", SRC) == []

    def test_many_rdns_and_oversized_input_are_refused(self) -> None:
        many = x501(*[(OID_OU, PRINTABLE, "x")] * 100)
        assert isinstance(outcome(lambda b: tls.parse(b, SRC), server_flight([certificate(many, CA_NAME)])), Malformed)
        assert isinstance(outcome(lambda b: tls.parse(b, SRC), b"\x16\x03\x01" + bytes(1_100_000)), Malformed)
        huge = b"".join(b"\x16\x03\x01\x40\x00" + bytes(16384) for _ in range(20))  # 320 KiB of handshake
        assert isinstance(outcome(lambda b: tls.parse(b, SRC), huge), Malformed)

    def test_hostile_bytes(self) -> None:
        assert_survives_mutation(lambda b: tls.parse(b, SRC), server_flight([certificate(HIK_NAME, CA_NAME)],
                                                                           record_size=300))

    def test_real_dlink_cloud_certificate(self) -> None:
        """DCS-935L capture, TCP stream 2 (tshark -z conv,tcp): 52.8.178.58:443 → the camera's 41472.
        tshark -V shows TLS 1.0 records and one Certificate message of 3406 bytes in a 3410-byte
        record that spans TCP frames 194, 195, 198, three certificates (1372, 1133, 889 bytes). The
        leaf, cut out and read by `openssl x509 -inform der -nameopt RFC2253`, has
        subject CN=*.auto.mydlink.com,O=D-Link Corporation,OU=IT Dept.,L=Taipei,ST=Taiwan,C=TW and
        issuer CN=GlobalSign Organization Validation CA - SHA256 - G2,O=GlobalSign nv-sa,C=BE."""
        path = real_path(REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap")
        stream = tcp_server_stream(path, "52.8.178.58", 443, 41472)
        ev = one(tls.parse(stream, Endpoint(ip="52.8.178.58")))
        assert ev.banners == {
            "x509_subject": "CN=*.auto.mydlink.com,O=D-Link Corporation,OU=IT Dept.,L=Taipei,ST=Taiwan,C=TW",
            "x509_issuer": "CN=GlobalSign Organization Validation CA - SHA256 - G2,O=GlobalSign nv-sa,C=BE",
            "tls_version": "TLS 1.0",
        }

    def test_real_yi_cloud_certificate_escapes_the_comma(self) -> None:
        """mudproject Yi capture: 3.120.55.194:443 → the camera 192.168.1.143:55113 (tshark -Y
        "tls.handshake.type==11"); openssl's RFC2253 form of the leaf subject is
        CN=api.eu.xiaoyi.com,O=Shanghai Xiaoyi Technology Co.\\, LTD.,L=Shanghai,ST=Shanghai,C=CN."""
        path = real_path(FOUND / "mudproject-yi-1080p-home-camera-lan.pcap")
        ev = one(tls.parse(tcp_server_stream(path, "3.120.55.194", 443, 55113), Endpoint(ip="3.120.55.194")))
        assert ev.banners["x509_subject"] == \
            "CN=api.eu.xiaoyi.com,O=Shanghai Xiaoyi Technology Co.\\, LTD.,L=Shanghai,ST=Shanghai,C=CN"
        assert ev.banners["tls_version"] == "TLS 1.2"


# =======================================================================================
# HNAP
# =======================================================================================

def hnap_settings(description: str = "Wireless Internet Camera", modules: str = "<string>Camera</string>",
                  model: str = "DCS-936L") -> bytes:
    """A GetDeviceSettingsResponse shaped like the DCS-935L's (see the real test below)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<GetDeviceSettingsResponse xmlns="http://purenetworks.com/HNAP1/"><GetDeviceSettingsResult>OK'
        f"</GetDeviceSettingsResult><Type>ConnectedHomeClient</Type><DeviceName>Hall cam</DeviceName>"
        f"<VendorName>D-Link</VendorName><ModelDescription>{description}</ModelDescription>"
        f"<ModelName>{model}</ModelName><DeviceMacId>B0:C5:54:AA:BB:CC</DeviceMacId>"
        "<FirmwareVersion>1.03</FirmwareVersion><HardwareVersion>A1</HardwareVersion>"
        f"<ModuleTypes>{modules}</ModuleTypes><SOAPActions><string>http://purenetworks.com/HNAP1/Login</string>"
        "</SOAPActions></GetDeviceSettingsResponse></soap:Body></soap:Envelope>"
    ).encode()


def http_body(stream: bytes) -> bytes:
    head, _, body = stream.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    return body


class TestHnap:
    def test_device_settings(self) -> None:
        ev = one(hnap.parse_response(hnap_settings(), Endpoint(ip="192.0.2.37")))
        assert (ev.source, ev.ip, ev.mac, ev.vendor, ev.model, ev.firmware, ev.name, ev.device_type) == (
            "hnap", "192.0.2.37", "b0:c5:54:aa:bb:cc", "D-Link", "DCS-936L", "1.03", "Hall cam", "camera")
        assert ev.banners == {"hnap_model_description": "Wireless Internet Camera", "hnap_module_types": "Camera",
                              "hnap_hardware_version": "A1"}
        assert ev.platform == ""

    def test_a_gateway_is_not_called_a_camera(self) -> None:
        body = hnap_settings("D-Link ConnectedHome Gateway", "<string>Gateway</string>", "DCH-G020")
        ev = one(hnap.parse_response(body, Endpoint(ip="192.0.2.87")))
        assert (ev.model, ev.device_type, ev.banners["hnap_module_types"]) == ("DCH-G020", "", "Gateway")

    def test_other_hnap_answers_say_nothing(self) -> None:
        login = (b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
                 b'<soap:Body><LoginResponse xmlns="http://purenetworks.com/HNAP1/"><LoginResult>OK</LoginResult>'
                 b"<Challenge>x</Challenge></LoginResponse></soap:Body></soap:Envelope>")
        assert hnap.parse_response(login, SRC) == []
        assert hnap.is_hnap(login) and not hnap.is_hnap(b"<soap:Envelope/>")
        empty = b'<GetDeviceSettingsResponse xmlns="http://purenetworks.com/HNAP1/"><Type>x</Type>' \
                b"</GetDeviceSettingsResponse>"
        assert hnap.parse_response(empty, SRC) == []

    def test_request(self) -> None:
        headers, body = hnap.build_request()
        assert headers["SOAPAction"] == '"http://purenetworks.com/HNAP1/GetDeviceSettings"'
        assert b'<GetDeviceSettings xmlns="http://purenetworks.com/HNAP1/" />' in body
        with pytest.raises(ValueError):
            hnap.build_request("Get<x>")

    @pytest.mark.parametrize("bad", [
        b"", b"   ", hnap_settings()[:-40], b"<a>" * 5 + b"x" * 1_000_001,
        b'<!DOCTYPE r [<!ENTITY x "y">]><GetDeviceSettingsResponse><ModelName>&x;</ModelName>'
        b"</GetDeviceSettingsResponse>",
    ])
    def test_broken_bodies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: hnap.parse_response(b, SRC), bad), Malformed)

    def test_hostile_bytes(self) -> None:
        assert_survives_mutation(lambda b: hnap.parse_response(b, SRC), hnap_settings())

    def test_real_dlink_dcs935l_settings(self) -> None:
        """DCS-935L capture, `tshark -q -z follow,tcp,ascii,10.10.10.28:37894,10.10.10.37:80`: the app POSTs
        SOAPACTION GetDeviceSettings to /HNAP1/ and the camera answers (frames 257-258) with VendorName
        D-Link, ModelName and DeviceName DCS-935L, ModelDescription "Wireless Internet Camera",
        DeviceMacId B0:C5:54:25:5B:0E, FirmwareVersion 1.06, HardwareVersion A1, ModuleTypes Optical
        Recognition, Environmental Sensor, Camera."""
        path = real_path(REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap")
        body = http_body(tcp_server_stream(path, "10.10.10.37", 80, 37894))
        ev = one(hnap.parse_response(body, Endpoint(ip="10.10.10.37")))
        assert (ev.ip, ev.mac, ev.vendor, ev.model, ev.firmware, ev.name, ev.device_type) == (
            "10.10.10.37", "b0:c5:54:25:5b:0e", "D-Link", "DCS-935L", "1.06", "DCS-935L", "camera")
        assert ev.banners["hnap_module_types"] == "Optical Recognition, Environmental Sensor, Camera"

    def test_real_dlink_home_hub_is_no_camera(self) -> None:
        """NEG home-hub capture, follow,tcp 10.10.10.30:43661 ↔ 10.10.10.87:80: GetDeviceSettingsResponse
        of a DCH-G020 "D-Link ConnectedHome Gateway", ModuleTypes Gateway, firmware 1.22."""
        path = real_path(FOUND / "iotsentinel-NEG-dlink-homehub-setup.pcap")
        stream = tcp_server_stream(path, "10.10.10.87", 80, 43661)
        start = stream.find(b"GetDeviceSettingsResponse")
        assert start > 0
        head_start = stream.rfind(b"HTTP/1.1 200", 0, start)
        body = http_body(stream[head_start:])
        body = body[:body.find(b"</soap:Envelope>") + len(b"</soap:Envelope>")]
        ev = one(hnap.parse_response(body, Endpoint(ip="10.10.10.87")))
        assert (ev.model, ev.firmware, ev.device_type, ev.mac) == ("DCH-G020", "1.22", "", "1c:5f:2b:aa:fd:4e")
        assert ev.banners["hnap_module_types"] == "Gateway"


# =======================================================================================
# mDNS TXT: model and firmware keys (the rest of mDNS is tested in test_protocols_discovery)
# =======================================================================================

def dns_name(*labels: str) -> bytes:
    return b"".join(bytes([len(x.encode())]) + x.encode() for x in labels) + b"\x00"


def txt_response(instance: tuple[str, ...], *strings: str) -> bytes:
    """An mDNS response with one SRV and one TXT record for `instance`."""
    owner = dns_name(*instance)
    srv = struct.pack("!HHH", 0, 0, 80) + dns_name("cam", "local")
    txt = b"".join(bytes([len(x.encode())]) + x.encode() for x in strings)
    records = b"".join(owner + struct.pack("!HHIH", rtype, 0x8001, 120, len(rdata)) + rdata
                       for rtype, rdata in ((mdns.T_SRV, srv), (mdns.T_TXT, txt)))
    return struct.pack("!HHHHHH", 0, 0x8400, 0, 2, 0, 0) + records


class TestMdnsTxt:
    def test_self_described_model_is_a_camera(self) -> None:
        ev = one(mdns.parse(txt_response((" [74:da:38:80:79:fc]", "_http", "_tcp", "local"),
                                         "IC-3115W Network Camera"), Endpoint(ip="10.10.10.227")))
        assert (ev.model, ev.device_type, ev.mac) == ("IC-3115W", "camera", "74:da:38:80:79:fc")

    @pytest.mark.parametrize("text", ["Front Camera", "Network Camera", "IC-3115W Network Camera Pro", "path=/"])
    def test_other_bare_strings_name_no_model(self, text: str) -> None:
        ev = one(mdns.parse(txt_response(("cam", "_http", "_tcp", "local"), text), SRC))
        assert (ev.model, ev.device_type) == ("", "")

    def test_firmware_keys_but_not_dlink_version(self) -> None:
        ev = one(mdns.parse(txt_response(("cam", "_http", "_tcp", "local"), "model=XNV-8080R", "fw=2.21.01"), SRC))
        assert (ev.model, ev.firmware, ev.device_type) == ("XNV-8080R", "2.21.01", "")
        dlink = one(mdns.parse(txt_response(("D-Link HNAP Service", "_dhnap", "_tcp", "local"),
                                            "model_number=DCS-935L", "version=0106"), SRC))
        assert (dlink.model, dlink.firmware) == ("DCS-935L", "")

    def test_real_edimax_and_dlink_and_hue(self) -> None:
        """tshark -Y "mdns && dns.txt" -T fields -e dns.txt: both Edimax cameras send the bare TXT string
        "IC-3115W Network Camera" under " [74:da:38:80:7a:08]._http._tcp.local" (cam1, 10.10.10.51) and
        " [74:da:38:80:79:fc]..." (cam2, 10.10.10.227); the DCS-935L sends model_number=DCS-935L,
        version=0106 (its HNAP FirmwareVersion is 1.06, but the DCH-G020 hub sends version=0124 with
        firmware 1.22, so version is not read as firmware); the Hue bridge sends md=BSB002."""
        seen: dict[str, Evidence] = {}
        for path in (REAL / "iotsentinel-edimax-cam1-setup-ssdp.pcap",
                     FOUND / "iotsentinel-edimax-cam2-IC-3115W-setup.pcap",
                     REAL / "iotsentinel-dlink-DCS-935L-setup-ssdp-hnap.pcap",
                     FOUND / "iotsentinel-NEG-hue-bridge-setup.pcap"):
            for payload, src, _ in udp_payloads(real_path(path), {5353}):
                for ev in mdns.parse(payload, Endpoint(ip=src.ip)):
                    if ev.model:
                        seen.setdefault(ev.mac or ev.name, ev)
        edimax = [seen["74:da:38:80:7a:08"], seen["74:da:38:80:79:fc"]]
        assert [(e.model, e.device_type, e.ip) for e in edimax] == [
            ("IC-3115W", "camera", "10.10.10.51"), ("IC-3115W", "camera", "10.10.10.227")]
        dlink = seen["b0:c5:54:25:5b:0e"]
        assert (dlink.model, dlink.firmware, dlink.device_type) == ("DCS-935L", "", "")
        hue = next(e for e in seen.values() if e.model == "BSB002")
        assert hue.device_type == ""
