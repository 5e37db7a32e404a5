"""Discovery-protocol parsers and probe builders: ARP, SADP, WS-Discovery, SSDP/UPnP, DHIP, mDNS.

Three kinds of input: our own fixtures in tests/fixtures/discovery (real formats and quirks),
the real samples in ../shared/realworld (read in place; skipped when that folder is absent),
and hostile bytes (truncation, random data, entity bombs, oversized payloads, broken JSON,
DNS compression loops) that must give Malformed or [] quickly and nothing else.
"""

from __future__ import annotations

import json
import random
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from parsing import one, outcome

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import arp, dhip, mdns, sadp, ssdp, wsdiscovery
from camscan.safexml import find, parse_xml, text

FIX = Path(__file__).resolve().parent / "fixtures" / "discovery"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realworld"

NO_SRC = Endpoint(ip="")
SRC = Endpoint(ip="192.0.2.200", mac="AA-BB-CC-00-11-22")


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real-world sample {name} not available ({REAL})")
    return path.read_bytes()


def real_files(pattern: str) -> list[Path]:
    if not REAL.is_dir():
        pytest.skip(f"real-world samples not available ({REAL})")
    files = sorted(REAL.glob(pattern))
    assert files, f"no real-world sample matches {pattern}"
    return files



# ---------------------------------------------------------------------------------------
# a minimal pcap reader, so the real captures are read without scapy
# ---------------------------------------------------------------------------------------

def pcap_frames(path: Path) -> Iterator[bytes]:
    data = path.read_bytes()
    magic = data[:4]
    endian = "<" if magic == b"\xd4\xc3\xb2\xa1" else ">"
    assert magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")
    assert struct.unpack_from(endian + "I", data, 20)[0] == 1  # Ethernet
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from(endian + "I", data, pos + 8)[0]
        yield data[pos + 16:pos + 16 + incl]
        pos += 16 + incl


def mac_str(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def split_frame(frame: bytes) -> tuple[str, bytes, dict]:
    """("arp", payload, {}) or ("udp", payload, {src, mac, sport, dport}) or ("", b"", {})."""
    eth_type, off = struct.unpack_from("!H", frame, 12)[0], 14
    while eth_type == 0x8100:
        eth_type, off = struct.unpack_from("!H", frame, off + 2)[0], off + 4
    if eth_type == 0x0806:
        return "arp", frame[off:], {}
    if eth_type != 0x0800 or frame[off + 9] != 17:
        return "", b"", {}
    ihl = (frame[off] & 0x0F) * 4
    src = ".".join(str(b) for b in frame[off + 12:off + 16])
    udp = off + ihl
    sport, dport, length = struct.unpack_from("!HHH", frame, udp)
    return "udp", frame[udp + 8:udp + length], {
        "src": src, "mac": mac_str(frame[6:12]), "sport": sport, "dport": dport}


def udp_payloads(path: Path, port: int) -> list[tuple[bytes, Endpoint]]:
    out = []
    for frame in pcap_frames(path):
        kind, payload, meta = split_frame(frame)
        if kind == "udp" and port in (meta["sport"], meta["dport"]):
            out.append((payload, Endpoint(ip=meta["src"], mac=meta["mac"], port=meta["sport"])))
    return out


# ---------------------------------------------------------------------------------------
# a small DNS message writer for mDNS test packets (independent of the parser)
# ---------------------------------------------------------------------------------------

def dname(*labels: str) -> bytes:
    return b"".join(bytes([len(x.encode())]) + x.encode() for x in labels) + b"\x00"


def rr(name: bytes, rtype: int, rdata: bytes, ttl: int = 120, rclass: int = 0x8001) -> bytes:
    return name + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def txt(*strings: str) -> bytes:
    return b"".join(bytes([len(s.encode())]) + s.encode() for s in strings)


def srv(port: int, target: bytes) -> bytes:
    return struct.pack("!HHH", 0, 0, port) + target


def dns_response(answers: list[bytes], additional: list[bytes] = (), flags: int = 0x8400) -> bytes:
    head = struct.pack("!HHHHHH", 0, flags, 0, len(answers), 0, len(additional))
    return head + b"".join(answers) + b"".join(additional)


AXIS_INSTANCE = ("AXIS M1065-LW - ACCC8E123456", "_axis-video", "_tcp", "local")


def axis_response() -> bytes:
    """What an Axis camera answers to a `_axis-video._tcp.local` PTR query: PTR, then SRV,
    TXT (macaddress) and A as additional records."""
    inst = dname(*AXIS_INSTANCE)
    host = dname("axis-accc8e123456", "local")
    return dns_response(
        [rr(dname("_axis-video", "_tcp", "local"), mdns.T_PTR, inst, ttl=4500, rclass=1)],
        [
            rr(inst, mdns.T_SRV, srv(80, host)),
            rr(inst, mdns.T_TXT, txt("macaddress=ACCC8E123456")),
            rr(dname("other-host", "local"), mdns.T_A, bytes([192, 0, 2, 99])),
            rr(host, mdns.T_A, bytes([192, 0, 2, 50])),
        ],
    )


# =======================================================================================
# ARP
# =======================================================================================

class TestArp:
    def test_build_request_is_a_broadcast_who_has(self) -> None:
        frame = arp.build_request("02:00:00:aa:bb:cc", "192.0.2.10", "192.0.2.64")
        assert len(frame) == 60
        assert frame[:6] == b"\xff" * 6
        assert frame[6:12] == bytes.fromhex("020000aabbcc")
        assert frame[12:14] == b"\x08\x06"
        assert frame[14:22] == bytes.fromhex("0001080006040001")
        assert frame[28:32] == bytes([192, 0, 2, 10])
        assert frame[32:38] == b"\x00" * 6
        assert frame[38:42] == bytes([192, 0, 2, 64])

    def test_own_request_parses_as_the_senders_binding(self) -> None:
        frame = arp.build_request("02-00-00-AA-BB-CC", "192.0.2.10", "192.0.2.64")
        ev = one(arp.parse(frame[14:]))
        assert (ev.source, ev.ip, ev.mac) == ("arp", "192.0.2.10", "02:00:00:aa:bb:cc")

    def test_probe_with_zero_sender_ip_gives_nothing(self) -> None:
        frame = arp.build_request("02:00:00:aa:bb:cc", "0.0.0.0", "192.0.2.64")
        assert arp.parse(frame[14:]) == []

    @pytest.mark.parametrize("bad", [("nope", "192.0.2.1", "192.0.2.2"),
                                     ("ff:ff:ff:ff:ff:ff", "192.0.2.1", "192.0.2.2"),
                                     ("02:00:00:aa:bb:cc", "192.0.2.300", "192.0.2.2")])
    def test_build_request_rejects_bad_addresses(self, bad: tuple[str, str, str]) -> None:
        with pytest.raises(ValueError):
            arp.build_request(*bad)

    def test_reply(self) -> None:
        # is-at reply from a Hikvision-OUI camera, with Ethernet padding after it
        pkt = bytes.fromhex("0001080006040002" "5850ed1fe385" "c0000240" "020000aabbcc" "c000020a") + b"\x00" * 18
        ev = one(arp.parse(pkt))
        assert (ev.ip, ev.mac, ev.arp_op) == ("192.0.2.64", "58:50:ed:1f:e3:85", "reply")

    def test_gratuitous_announcement(self) -> None:
        pkt = bytes.fromhex("0001080006040001" "b0c5541c7185" "0a0a0a3a" "ffffffffffff" "0a0a0a3a")
        ev = one(arp.parse(pkt))
        assert (ev.ip, ev.mac, ev.arp_op) == ("10.10.10.58", "b0:c5:54:1c:71:85", "gratuitous")

    def test_not_ethernet_ipv4(self) -> None:
        ipv6ish = bytes.fromhex("0001" "86dd" "0610" "0001") + b"\x00" * 40
        tokenring = bytes.fromhex("0006080006040002") + b"\x01" * 20
        assert arp.parse(ipv6ish) == []
        assert arp.parse(tokenring) == []

    def test_rarp_opcode_ignored(self) -> None:
        assert arp.parse(bytes.fromhex("0001080006040003" "5850ed1fe385" "c0000240" + "00" * 10)) == []

    def test_zero_and_broadcast_sender_mac_ignored(self) -> None:
        body = "c0000240" "020000aabbcc" "c000020a"
        assert arp.parse(bytes.fromhex("0001080006040002" "000000000000" + body)) == []
        assert arp.parse(bytes.fromhex("0001080006040002" "ffffffffffff" + body)) == []

    @pytest.mark.parametrize("cut", [0, 1, 7, 8, 20, 27])
    def test_truncated(self, cut: int) -> None:
        pkt = bytes.fromhex("0001080006040002" "5850ed1fe385" "c0000240" "020000aabbcc" "c000020a")
        with pytest.raises(Malformed):
            arp.parse(pkt[:cut])

    def test_real_pcaps(self) -> None:
        seen: set[tuple[str, str]] = set()
        for path in real_files("iotsentinel-*.pcap"):
            for frame in pcap_frames(path):
                kind, payload, _ = split_frame(frame)
                if kind == "arp":
                    seen.update((e.ip, e.mac) for e in arp.parse(payload))
        assert ("10.10.10.37", "b0:c5:54:25:5b:0e") in seen      # D-Link DCS-935L reply
        assert ("10.10.10.58", "b0:c5:54:1c:71:85") in seen      # gratuitous ARP, target 1.1.1.1
        assert ("10.10.10.186", "3c:49:37:03:17:db") in seen     # Ednet camera request
        assert all(ip != "0.0.0.0" for ip, _ in seen)


def test_normalise_mac() -> None:
    assert arp.normalise_mac("58-50-ED-1F-E3-85") == "58:50:ed:1f:e3:85"
    assert arp.normalise_mac("5850.ed1f.e385") == "58:50:ed:1f:e3:85"
    assert arp.normalise_mac("ACCC8E123456") == "ac:cc:8e:12:34:56"
    assert arp.normalise_mac(bytes.fromhex("5850ed1fe385")) == "58:50:ed:1f:e3:85"
    for bad in ("", "00:00:00:00:00:00", "FF-FF-FF-FF-FF-FF", "01:00:5e:00:00:fb", "58:50:ed", "zz" * 6):
        assert arp.normalise_mac(bad) == ""


# =======================================================================================
# SADP
# =======================================================================================

class TestSadp:
    def test_build_probe_exact(self) -> None:
        probe = sadp.build_probe("e8ecfe09-90e4-44c0-842b-703f46b58c81")
        assert probe == (b'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>E8ECFE09-90E4-44C0-842B-'
                         b"703F46B58C81</Uuid><Types>inquiry</Types></Probe>")

    def test_build_probe_generates_upper_uuid(self) -> None:
        root = parse_xml(sadp.build_probe())
        uid = text(root, "Uuid")
        assert len(uid) == 36 and uid == uid.upper()
        assert text(root, "Types") == "inquiry"

    def test_build_probe_refuses_markup(self) -> None:
        with pytest.raises(ValueError):
            sadp.build_probe("</Uuid><x>")

    def test_own_probe_is_a_request(self) -> None:
        assert sadp.parse(sadp.build_probe(), NO_SRC) == []

    def test_nvr_not_activated_with_oem_info(self) -> None:
        ev = one(sadp.parse(fixture("sadp-probematch-nvr-not-activated.xml"), NO_SRC))
        assert ev.source == "sadp" and ev.platform == "Hikvision"
        assert ev.ip == "192.0.2.64"  # from IPv4Address, the source address being unknown
        assert ev.mac == "24:0f:9b:12:ab:cd"
        assert ev.model == "NVR-108MH-C/8P"  # DeviceDescription, not the numeric DeviceType 201732
        assert ev.serial == "NVR-108MH-C/8P0820210512CCRRG12345678WCVU"
        assert ev.firmware == "V4.30.085 build 210224"
        assert ev.vendor == "HiLook"
        assert "Activated=false" in ev.note
        assert "digital=8" in ev.note
        assert ev.device_type == "" and ev.form == ""

    def test_source_address_wins(self) -> None:
        ev = one(sadp.parse(fixture("sadp-probematch-nvr-not-activated.xml"), SRC))
        assert (ev.ip, ev.mac) == ("192.0.2.200", "aa:bb:cc:00:11:22")
        assert "192.0.2.64" in ev.note

    def test_textual_devicetype_used_when_no_description(self) -> None:
        ev = one(sadp.parse(fixture("sadp-probematch-short-textual-devicetype.xml"), NO_SRC))
        assert ev.model == "CS-C1C-D0-1D2WFR"
        assert ev.firmware == "V5.3.0 build 220802"
        assert ev.mac == "bc:ba:c2:01:02:03"
        assert ev.vendor == "" and ev.note == ""

    def test_numeric_devicetype_never_a_model(self) -> None:
        doc = b"<ProbeMatch><DeviceType>141945</DeviceType><MAC>58-50-ed-1f-e3-85</MAC></ProbeMatch>"
        ev = one(sadp.parse(doc, NO_SRC))
        assert ev.model == "" and ev.mac == "58:50:ed:1f:e3:85"

    def test_real_ds_2cd2385g1_i(self) -> None:
        ev = one(sadp.parse(real("hikvision-sadp-response-DS-2CD2385G1-I.xml"), NO_SRC))
        assert ev.model == "DS-2CD2385G1-I"
        assert ev.serial == "DS-2CD2385G1-I20200414AAWRE33842150"
        assert ev.firmware == "V5.6.2 build 190701"
        assert ev.mac == "58:50:ed:1f:e3:85"
        assert ev.ip == "192.168.124.40"
        assert ev.note == ""  # activated, a single digital channel

    def test_real_ds_2cd2320d_i_with_ipv6(self) -> None:
        ev = one(sadp.parse(real("hikvision-sadp-response-DS-2CD2320D-I.xml"), Endpoint("192.168.1.112")))
        assert (ev.model, ev.firmware, ev.mac) == ("DS-2CD2320D-I", "V5.5.6 build 180326", "44:47:cc:37:ce:81")
        assert ev.note == ""

    def test_real_ezviz_short_reply(self) -> None:
        ev = one(sadp.parse(real("ezviz-sadp-response-CS-C6TC-32WFR-possibly-trimmed.xml"), NO_SRC))
        assert (ev.platform, ev.model, ev.ip) == ("Hikvision", "CS-C6TC-32WFR", "172.20.20.100")
        assert ev.firmware == "V5.2.3 build 180804"
        assert ev.mac == "54:c4:15:9a:38:74"

    def test_real_universalscanner_crlf(self) -> None:
        ev = one(sadp.parse(real("universalscanner-hikvision-sadp-response-anonymized.xml"), NO_SRC))
        assert (ev.model, ev.serial, ev.ip) == ("Virtual", "Virtual-123456789", "240.0.5.0")
        assert ev.firmware == "V1.0 build 200101"

    def test_every_real_sample_parses(self) -> None:
        for path in real_files("*sadp*.xml"):
            ev = one(sadp.parse(path.read_bytes(), NO_SRC))
            assert ev.platform == "Hikvision" and ev.model and ev.mac, path.name

    def test_other_xml_is_not_ours(self) -> None:
        assert sadp.parse(b"<DeviceInfo><model>x</model></DeviceInfo>", NO_SRC) == []


# =======================================================================================
# WS-Discovery
# =======================================================================================

class TestWsDiscovery:
    def test_probe_envelope(self) -> None:
        probe = wsdiscovery.build_probe("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        root = parse_xml(probe)
        assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
        assert text(root, "Header", "MessageID") == "uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        assert text(root, "Header", "To") == "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
        assert text(root, "Header", "Action") == "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
        probe_el = find(root, "Body", "Probe")
        assert probe_el is not None
        assert probe_el.tag == "{http://schemas.xmlsoap.org/ws/2005/04/discovery}Probe"
        assert text(probe_el, "Types") == "dn:NetworkVideoTransmitter"
        assert b'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"' in probe

    def test_probe_variants(self) -> None:
        assert b"<a:MessageID>urn:uuid:abc-1</a:MessageID>" in wsdiscovery.build_probe("urn:uuid:abc-1")
        generated = text(parse_xml(wsdiscovery.build_probe()), "MessageID")
        assert generated.startswith("uuid:") and len(generated) == 41
        everything = parse_xml(wsdiscovery.build_probe(types=""))
        assert find(everything, "Types") is None
        with pytest.raises(ValueError):
            wsdiscovery.build_probe("<evil/>")
        with pytest.raises(ValueError):
            wsdiscovery.build_probe(types="dn:X</d:Types>")

    def test_own_probe_is_a_request(self) -> None:
        assert wsdiscovery.parse(wsdiscovery.build_probe(), SRC) == []

    def test_bye_is_not_evidence(self) -> None:
        assert wsdiscovery.parse(fixture("wsd-bye.xml"), SRC) == []

    def test_probematches_with_ptz_and_nvr(self) -> None:
        ptz, nvr = wsdiscovery.parse(fixture("wsd-probematches-ptz-and-nvr.xml"), NO_SRC)
        assert ptz.source == "wsd"
        assert ptz.ip == "192.0.2.71"
        assert ptz.mac == "c0:56:e3:a1:b2:c3"
        assert ptz.model == "DS-2DE4425IW-DE"
        assert ptz.name == "HIKVISION DS-2DE4425IW-DE"
        assert ptz.banners == {"wsd_name": "HIKVISION DS-2DE4425IW-DE", "wsd_hardware": "DS-2DE4425IW-DE",
                               "wsd_types": "device networkvideotransmitter ptz video_encoder"}
        assert ptz.form == "ptz" and ptz.device_type == ""
        assert nvr.ip == "192.0.2.72"  # first IPv4 http XAddr, the IPv6 one is skipped
        assert nvr.device_type == "nvr" and nvr.form == ""
        assert nvr.name == "Recorder Lobby" and nvr.model == "DHI-NVR4108HS-8P-4KS2"
        assert nvr.mac == ""

    def test_source_endpoint_wins(self) -> None:
        evs = wsdiscovery.parse(fixture("wsd-probematches-ptz-and-nvr.xml"), SRC)
        assert {e.ip for e in evs} == {"192.0.2.200"}
        assert {e.mac for e in evs} == {"aa:bb:cc:00:11:22"}

    def test_scopes_decoding(self) -> None:
        scopes = wsdiscovery.parse_scopes(
            "onvif://www.onvif.org/name/A%20B%2FC ONVIF://WWW.ONVIF.ORG/Hardware/X-1 "
            "http://example.com/other onvif://www.onvif.org/location/city/hangzhou")
        assert scopes == [("name", "A B/C"), ("hardware", "X-1"), ("location", "city/hangzhou")]

    def test_real_hikvision_body_without_namespace_declarations(self) -> None:
        ev = one(wsdiscovery.parse(real("hikvision-wsdiscovery-probematch-body-DS-2CD2385G1-I.xml"), NO_SRC))
        assert ev.ip == "192.168.124.40"
        assert ev.mac == "58:50:ed:1f:e3:85"
        assert ev.model == "DS-2CD2385G1-I"
        assert ev.name == "HIKVISION DS-2CD2385G1-I"
        assert ev.form == "" and ev.device_type == ""

    def test_real_dahua_hello(self) -> None:
        ev = one(wsdiscovery.parse(real("dahua-wsdiscovery-hello-IPC-HFW2228M-I1-V2.xml"), NO_SRC))
        assert (ev.ip, ev.model, ev.name) == ("192.168.1.45", "IPC-HFW2228M-I1-V2", "Dahua")
        assert {k: v for k, v in ev.banners.items() if k != "wsd_types"} == \
            {"wsd_name": "Dahua", "wsd_hardware": "IPC-HFW2228M-I1-V2"}
        assert "networkvideotransmitter" in ev.banners["wsd_types"]

    def test_real_generic_empty_scopes(self) -> None:
        ev = one(wsdiscovery.parse(real("universalscanner-generic-wsdiscovery-probematches-anonymized.xml"), NO_SRC))
        assert ev.ip == "240.0.2.0" and ev.model == "" and set(ev.banners) <= {"wsd_types"}

    def test_every_real_sample_parses(self) -> None:
        for path in real_files("*wsdiscovery*.xml"):
            ev = one(wsdiscovery.parse(path.read_bytes(), NO_SRC))
            assert ev.source == "wsd" and ev.ip, path.name


# =======================================================================================
# SSDP and the UPnP description
# =======================================================================================

class TestSsdp:
    def test_msearch(self) -> None:
        msg = ssdp.build_msearch()
        assert msg.startswith(b"M-SEARCH * HTTP/1.1\r\n") and msg.endswith(b"\r\n\r\n")
        assert b"HOST: 239.255.255.250:1900\r\n" in msg
        assert b'MAN: "ssdp:discover"\r\n' in msg
        assert b"MX: 2\r\n" in msg and b"ST: ssdp:all\r\n" in msg
        assert b"ST: upnp:rootdevice\r\n" in ssdp.build_msearch("upnp:rootdevice", 3)
        with pytest.raises(ValueError):
            ssdp.build_msearch("ssdp:all\r\nX: injected")
        with pytest.raises(ValueError):
            ssdp.build_msearch(mx=0)

    def test_own_msearch_is_a_request(self) -> None:
        assert ssdp.parse(ssdp.build_msearch(), SRC) == []
        assert ssdp.location(ssdp.build_msearch()) == ""

    def test_camera_msearch_is_a_request(self) -> None:
        assert ssdp.parse(fixture("ssdp-msearch-request-igd.txt"), SRC) == []

    def test_byebye_is_not_evidence(self) -> None:
        assert ssdp.parse(fixture("ssdp-notify-byebye.txt"), SRC) == []

    def test_response_lowercase_lf_no_space(self) -> None:
        payload = fixture("ssdp-msearch-response-lf-lowercase.txt")
        ev = one(ssdp.parse(payload, SRC))
        assert ev.source == "ssdp"
        assert (ev.ip, ev.mac) == ("192.0.2.200", "aa:bb:cc:00:11:22")
        assert ev.banners == {"ssdp_server": "Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
                              "ssdp_location": "/upnpdevicedesc.xml"}
        assert ev.location == "http://192.0.2.64:49152/upnpdevicedesc.xml"
        assert ssdp.location(payload) == "http://192.0.2.64:49152/upnpdevicedesc.xml"
        assert one(ssdp.parse(payload, NO_SRC)).ip == "192.0.2.64"

    def test_non_http_location_refused(self) -> None:
        payload = b"HTTP/1.1 200 OK\r\nLOCATION: file:///etc/passwd\r\nSERVER: x\r\n\r\n"
        assert ssdp.location(payload) == ""
        assert one(ssdp.parse(payload, SRC)).location == ""

    def test_real_notifies(self) -> None:
        ev = one(ssdp.parse(real("dlink-DCS-935L-ssdp-notify-frame80.txt"), NO_SRC))
        assert ev.banners["ssdp_server"] == "Linux,    UPnP/1.0 DCS-935L/1.0"
        assert (ev.ip, ev.location) == ("10.10.10.37", "http://10.10.10.37:50510/")
        generic = real("universalscanner-generic-ssdp-notify-anonymized.txt")
        assert ssdp.location(generic) == "http://240.0.1.0/rootDesc.xml"
        assert one(ssdp.parse(generic, NO_SRC)).banners == {"ssdp_server": "Universal Scanner/0.0, Virtual/1.0",
                                                            "ssdp_location": "/rootDesc.xml"}

    def test_every_real_sample_parses(self) -> None:
        for path in real_files("*ssdp*.txt"):
            ev = one(ssdp.parse(path.read_bytes(), NO_SRC))
            assert ev.banners.get("ssdp_server") and ev.location.startswith("http://"), path.name

    def test_real_pcaps(self) -> None:
        servers: dict[str, set[str]] = {}
        kinds: set[bool] = set()
        for path in real_files("iotsentinel-*.pcap"):
            for payload, src in udp_payloads(path, 1900):
                evs = ssdp.parse(payload, src)
                kinds.add(bool(evs))
                for ev in evs:
                    servers.setdefault(ev.ip, set()).add(ev.banners.get("ssdp_server", ""))
                    assert ev.mac == src.mac
        assert servers["10.10.10.58"] == {"Cellvision UPnP/1.0"}
        assert servers["10.10.10.51"] == {"Embedded UPnP/1.0"}
        assert servers["10.10.10.37"] == {"Linux,    UPnP/1.0 DCS-935L/1.0"}
        assert kinds == {True, False}  # the captures' byebyes and M-SEARCHes give []


class TestUpnpDescription:
    def test_hikvision_root_device(self) -> None:
        ev = one(ssdp.parse_description(fixture("upnp-description-hikvision.xml"), SRC))
        assert ev.source == "ssdp"
        assert (ev.ip, ev.mac) == ("192.0.2.200", "aa:bb:cc:00:11:22")
        assert ev.vendor == "Hikvision"
        assert ev.model == "DS-2CD2047G2-LU"
        assert ev.serial == "DS-2CD2047G2-LU20220101AAWRJ12345678"
        assert ev.name == "Car Park East"  # the root device's, not the embedded device's
        assert ev.banners["upnp_manufacturer"] == "Hikvision"
        assert ev.banners["upnp_model_description"] == "Network Camera"

    def test_model_code_preferred_over_prose(self) -> None:
        ev = one(ssdp.parse_description(fixture("upnp-description-prose-modelname.xml"), NO_SRC))
        assert ev.model == "IPC-HFW2431S-S-S2"
        assert ev.vendor == "General"
        assert ev.banners["upnp_model_name"] == "IP Camera"

    def test_version_modelnumber_loses_to_modelname(self) -> None:
        doc = (b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>D-Link</manufacturer>'
               b"<modelName>DCS-935L</modelName><modelNumber>1.0</modelNumber></device></root>")
        assert one(ssdp.parse_description(doc, NO_SRC)).model == "DCS-935L"

    def test_two_model_codes_modelnumber_wins(self) -> None:
        doc = (b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device><modelName>IPC-HDW1431T1</modelName>'
               b"<modelNumber>IPC-HDW1431T1-S4</modelNumber><modelDescription>x</modelDescription></device></root>")
        ev = one(ssdp.parse_description(doc, NO_SRC))
        assert ev.model == "IPC-HDW1431T1-S4" and ev.vendor == "" and ev.serial == ""

    def test_other_documents_are_not_ours(self) -> None:
        assert ssdp.parse_description(b"<html><body>login</body></html>", SRC) == []
        assert ssdp.parse_description(b'<root xmlns="urn:schemas-upnp-org:device-1-0"/>', SRC) == []

    def test_broken_xml(self) -> None:
        with pytest.raises(Malformed):
            ssdp.parse_description(b"<root><device><manufacturer>Hik", SRC)


# =======================================================================================
# DHIP
# =======================================================================================

def with_header(body: bytes) -> bytes:
    n = struct.pack("<I", len(body))
    return b"\x20\x00\x00\x00DHIP" + bytes(8) + n + bytes(4) + n + bytes(4) + body


class TestDhip:
    def test_probe_bytes(self) -> None:
        probe = dhip.build_probe()
        body = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'
        assert probe[:8] == b"\x20\x00\x00\x00DHIP"
        assert probe[8:16] == bytes(8)
        assert struct.unpack_from("<I", probe, 16)[0] == len(body)
        assert struct.unpack_from("<I", probe, 24)[0] == len(body)
        assert probe[20:24] == bytes(4) and probe[28:32] == bytes(4)
        assert probe[32:] == body
        assert probe == with_header(body)

    def test_probe_header_matches_real_reply_layout(self) -> None:
        sample = real("universalscanner-dahua-dhip-udp37810-response-anonymized-with-header.bin")
        assert sample[:16] == dhip.build_probe()[:16]
        assert struct.unpack_from("<I", sample, 16)[0] == len(sample) - 32

    def test_own_probe_is_a_request(self) -> None:
        assert dhip.parse(dhip.build_probe(), SRC) == []
        assert dhip.parse(dhip.build_probe()[32:], SRC) == []  # bare JSON too

    def test_speed_dome_bare_json(self) -> None:
        ev = one(dhip.parse(fixture("dhip-notifydevinfo-sd-ptz.json"), NO_SRC))
        assert ev.source == "dhip" and ev.platform == "Dahua"
        assert ev.ip == "192.0.2.108"
        assert ev.mac == "3c:ef:8c:11:22:33"
        assert ev.model == "SD49225XA-HNR"
        assert ev.vendor == "General"
        assert ev.serial == "7J01234PAZ5C6D7"
        assert ev.firmware == "2.820.0000000.3.R"
        assert ev.name == "PTZ-Gate"
        assert (ev.device_type, ev.form) == ("camera", "ptz")

    def test_nvr_with_header_and_source(self) -> None:
        ev = one(dhip.parse(with_header(fixture("dhip-notifydevinfo-nvr-amcrest.json")), SRC))
        assert (ev.ip, ev.mac) == ("192.0.2.200", "aa:bb:cc:00:11:22")
        assert (ev.model, ev.vendor, ev.device_type) == ("NV4108E-HS", "AC", "nvr")
        assert ev.firmware == "4.001.00AC000.0.R"

    @pytest.mark.parametrize(("cls", "kind", "form"), [
        ("IPC", "camera", ""), ("SD", "camera", "ptz"), ("NVS", "nvr", ""), ("HCVR", "dvr", ""),
        ("XVR", "dvr", ""), ("VTO", "intercom", ""), ("VTH", "intercom", ""), ("ARC", "alarm", ""),
        ("ASI", "other", ""), ("WEIRD", "", "")])
    def test_device_classes(self, cls: str, kind: str, form: str) -> None:
        body = json.dumps({"mac": "08:ed:ed:00:00:01", "method": "client.notifyDevInfo",
                           "params": {"deviceInfo": {"DeviceClass": cls, "DeviceType": "X-1"}}}).encode()
        ev = one(dhip.parse(body, NO_SRC))
        assert (ev.device_type, ev.form) == (kind, form)

    def test_manufacturer_when_no_vendor(self) -> None:
        body = b'{"mac":"08:ed:ed:00:00:01","method":"client.notifyDevInfo","params":{"deviceInfo":' \
               b'{"DeviceType":"IPC-X","Manufacturer":"Private"}}}'
        assert one(dhip.parse(body, NO_SRC)).vendor == "Private"

    def test_real_samples(self) -> None:
        ev = one(dhip.parse(with_header(real("dahua-dhip-notifyDevInfo-IPC-HDW1431T1-S4.json")), NO_SRC))
        assert (ev.model, ev.vendor, ev.serial) == ("IPC-HDW1431T1-S4", "Private", "6C01E93PAG69A7D")
        assert (ev.mac, ev.ip, ev.device_type) == ("08:ed:ed:87:42:7a", "192.168.124.17", "camera")
        assert ev.firmware == "2.800.0000000.13.R"
        assert ev.note == "DeviceClass IPC"
        ev = one(dhip.parse(real("intelbras-dahua-oem-dhip-notifyDevInfo-SS3530MF-FACE-W.json"), NO_SRC))
        assert (ev.model, ev.vendor, ev.device_type) == ("SS 3530 MF FACE W", "Intelbras", "other")
        assert ev.firmware == "2.000.00IB004.0.R"

    def test_real_malformed_json_is_salvaged(self) -> None:
        payload = real("universalscanner-dahua-dhip-udp37810-response-anonymized-with-header.bin")
        ev = one(dhip.parse(payload, NO_SRC))
        assert "salvaged from malformed JSON" in ev.note
        assert ev.mac == "00:11:22:33:44:55"
        assert ev.model == "Virtual (JSON)"
        assert ev.serial == "123456789"
        assert ev.vendor == "General"
        assert ev.name == "Virtual"
        assert ev.ip == "240.0.4.0"
        assert ev.firmware == "1.0000"

    def test_every_real_sample_parses(self) -> None:
        for path in real_files("*dhip*"):
            ev = one(dhip.parse(path.read_bytes(), NO_SRC))
            assert ev.platform == "Dahua" and ev.model and ev.mac, path.name

    def test_truncated_header(self) -> None:
        with pytest.raises(Malformed):
            dhip.parse(dhip.build_probe()[:20], NO_SRC)

    def test_header_claims_more_than_sent(self) -> None:
        with pytest.raises(Malformed):
            dhip.parse(dhip.build_probe()[:-5], NO_SRC)

    def test_unrelated_json_and_bytes(self) -> None:
        assert dhip.parse(b'{"method":"configManager.getConfig","params":{"name":"x"}}', SRC) == []
        assert dhip.parse(b"[1, 2, 3]", SRC) == []
        assert dhip.parse(b"\x00\x01binary that is not DHIP", SRC) == []

    @pytest.mark.parametrize(("body", "salvaged"), [
        (b"[" * 200_000 + b"]" * 200_000, False),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, False),
        (b'{"mac": "00:11:22:33:44:55"' + b', "x": {' * 50_000, True),
        (b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Version":"1.0,', False),
        (b"{" + b"\xff\xfe" * 1000, False),
        (b'{"DeviceType": 1' + b"9" * 5000 + b"}", True),  # too many digits for int()
    ])
    def test_hostile_json(self, body: bytes, salvaged: bool) -> None:
        start = time.monotonic()
        if salvaged:
            ev = one(dhip.parse(with_header(body), NO_SRC))
            assert ev.note.startswith("salvaged from malformed JSON")
        else:
            with pytest.raises(Malformed):
                dhip.parse(with_header(body), NO_SRC)
        assert time.monotonic() - start < 2
        # bare (no header): a body that does not even start like JSON is simply not DHIP
        bare = outcome(lambda b: dhip.parse(b, NO_SRC), body)
        if body.startswith(b"["):
            assert bare == []
        elif salvaged:
            assert isinstance(bare, list) and len(bare) == 1
        else:
            assert isinstance(bare, Malformed)

    def test_salvaged_mac_only_is_kept(self) -> None:
        ev = one(dhip.parse(b'{"mac":"08:ed:ed:87:42:7a","method":"client.notifyDevInfo","params":{', NO_SRC))
        assert ev.mac == "08:ed:ed:87:42:7a" and "salvaged" in ev.note

    def test_nothing_salvageable(self) -> None:
        with pytest.raises(Malformed):
            dhip.parse(b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Init":', NO_SRC)


# =======================================================================================
# mDNS
# =======================================================================================

class TestMdns:
    def test_build_query(self) -> None:
        query = mdns.build_query(list(mdns.DEFAULT_SERVICES))
        assert struct.unpack_from("!HHHHHH", query) == (0, 0, 5, 0, 0, 0)
        assert query[12:12 + len(dname("_axis-video", "_tcp", "local"))] == dname("_axis-video", "_tcp", "local")
        assert query.count(struct.pack("!HH", 12, 1)) == 5
        assert mdns.build_query(["_rtsp._tcp"]) == mdns.build_query(["_rtsp._tcp.local."])
        with pytest.raises(ValueError):
            mdns.build_query([])
        with pytest.raises(ValueError):
            mdns.build_query(["x" * 64 + "._tcp.local"])

    def test_own_query_is_a_request(self) -> None:
        assert mdns.parse(mdns.build_query(["_axis-video._tcp.local", "_onvif._tcp.local"]), SRC) == []

    def test_axis_response(self) -> None:
        ev = one(mdns.parse(axis_response(), NO_SRC))
        assert ev.source == "mdns"
        assert ev.name == "AXIS M1065-LW - ACCC8E123456"
        assert ev.banners["mdns_service"] == "_axis-video._tcp"
        assert ev.mac == "ac:cc:8e:12:34:56"
        assert ev.ip == "192.0.2.50"  # the A record of the SRV target, not the first A record
        assert ev.model == "M1065-LW"  # Axis names its instance "AXIS <model> - <serial>"

    def test_source_endpoint_wins(self) -> None:
        ev = one(mdns.parse(axis_response(), SRC))
        assert (ev.ip, ev.mac) == ("192.0.2.200", "aa:bb:cc:00:11:22")

    def test_compressed_names_and_dotted_instance_label(self) -> None:
        # PTR owner at offset 12; the instance name points back to it (0xC00C)
        owner = dname("_rtsp", "_tcp", "local")
        inst_label = "AXIS M5014 - ACCC8E3C0419 H.264"
        ptr_rdata = bytes([len(inst_label)]) + inst_label.encode() + b"\xc0\x0c"
        ptr = rr(owner, mdns.T_PTR, ptr_rdata, rclass=1)
        inst_offset = 12 + len(owner) + 10
        txt_rr = rr(struct.pack("!H", 0xC000 | inst_offset), mdns.T_TXT, txt("model=M5014", "macaddress=ACCC8E3C0419"))
        ev = one(mdns.parse(dns_response([ptr], [txt_rr]), NO_SRC))
        assert ev.name == inst_label
        assert ev.banners["mdns_service"] == "_rtsp._tcp"
        assert ev.model == "M5014"
        assert ev.mac == "ac:cc:8e:3c:04:19"

    def test_dlink_style_txt_without_ptr(self) -> None:
        inst = dname("D-Link HNAP Service", "_dhnap", "_tcp", "local")
        host = dname("DCS-935L-B0C554255B0E", "local")
        pkt = dns_response([
            rr(host, mdns.T_A, bytes([10, 10, 10, 37])),
            rr(inst, mdns.T_SRV, srv(80, host)),
            rr(inst, mdns.T_TXT, txt("mac=B0:C5:54:25:5B:0E", "wlan0_ssid=DCS-935L-5B0E",
                                     "model_number=DCS-935L", "hardware_ver=A1")),
        ])
        ev = one(mdns.parse(pkt, NO_SRC))
        assert (ev.name, ev.model, ev.mac, ev.ip) == (
            "D-Link HNAP Service", "DCS-935L", "b0:c5:54:25:5b:0e", "10.10.10.37")
        assert ev.banners["mdns_service"] == "_dhnap._tcp"

    def test_bracketed_mac_in_instance_label(self) -> None:
        inst = dname(" [74:da:38:80:7a:08]", "_http", "_tcp", "local")
        pkt = dns_response([rr(inst, mdns.T_SRV, srv(80, dname("localcam", "local"))),
                            rr(inst, mdns.T_TXT, txt("IC-3115W Network Camera"))])
        ev = one(mdns.parse(pkt, Endpoint("10.10.10.51")))
        assert (ev.name, ev.mac, ev.ip) == ("", "74:da:38:80:7a:08", "10.10.10.51")
        assert ev.banners["mdns_txt"] == "IC-3115W Network Camera"

    def test_hap_md_key(self) -> None:
        inst = dname("Doorbell 1A2B", "_hap", "_tcp", "local")
        pkt = dns_response([rr(dname("_hap", "_tcp", "local"), mdns.T_PTR, inst)],
                           [rr(inst, mdns.T_TXT, txt("md=Circle View Doorbell", "id=12:34:56:78:9A:BC", "ci=17"))])
        ev = one(mdns.parse(pkt, SRC))
        assert ev.model == "Circle View Doorbell"
        assert ev.mac == "aa:bb:cc:00:11:22"  # HomeKit id= is not a MAC

    def test_txt_owned_by_another_name_applies_to_the_packet(self) -> None:
        # as in the real Axis sample: the TXT record is owned by `_tcp.local`, not the instance
        inst = dname("AXIS Q6075-E - ACCC8E654321", "_axis-video", "_tcp", "local")
        pkt = dns_response([rr(dname("_axis-video", "_tcp", "local"), mdns.T_PTR, inst)],
                           [rr(dname("_tcp", "local"), mdns.T_TXT, txt("macaddress=ACCC8E654321", "model=Q6075-E"))])
        ev = one(mdns.parse(pkt, NO_SRC))
        assert (ev.model, ev.mac, ev.ip) == ("Q6075-E", "ac:cc:8e:65:43:21", "")
        assert ev.banners["mdns_txt"] == "macaddress=ACCC8E654321 model=Q6075-E"

    def test_host_only_announcement(self) -> None:
        pkt = dns_response([rr(dname("dcs-935l", "local"), mdns.T_A, bytes([10, 10, 10, 37]))])
        ev = one(mdns.parse(pkt, NO_SRC))
        assert (ev.ip, ev.name, ev.banners) == ("10.10.10.37", "dcs-935l", {"mdns_host": "dcs-935l"})

    def test_services_meta_records_are_not_instances(self) -> None:
        pkt = dns_response([rr(dname("_services", "_dns-sd", "_udp", "local"), mdns.T_PTR,
                               dname("_http", "_tcp", "local"))])
        assert mdns.parse(pkt, NO_SRC) == []

    def test_real_axis_sample(self) -> None:
        evs = mdns.parse(real("universalscanner-axis-mdns-axis-video-response-anonymized.bin"), NO_SRC)
        assert [e.name for e in evs] == ["Virtual - 001122334455", "AXIS M5014 - ACCC8E3C0419 H.264"]
        assert {e.banners["mdns_service"] for e in evs} == {"_axis-video._tcp"}
        assert {e.mac for e in evs} == {"00:11:22:33:44:55"}
        assert {e.ip for e in evs} == {"240.0.6.0"}

    def test_real_pcaps(self) -> None:
        found: dict[str, Evidence] = {}
        for path in real_files("iotsentinel-*.pcap"):
            for payload, src in udp_payloads(path, 5353):
                for ev in mdns.parse(payload, Endpoint(src.ip)):  # no MAC: it must come from TXT
                    found.setdefault(ev.name, ev)
        hnap = found["D-Link HNAP Service"]
        assert (hnap.model, hnap.mac, hnap.banners["mdns_service"]) == ("DCS-935L", "b0:c5:54:25:5b:0e", "_dhnap._tcp")
        assert found["DCS-930LB_1C7185"].banners["mdns_service"] == "_http._tcp"
        assert "D-Link DCS-935L Configuration Utility (2)" in found
        edimax = found[""]
        assert (edimax.mac, edimax.ip) == ("74:da:38:80:7a:08", "10.10.10.51")

    # ---- hostile packets ----

    def test_compression_loop(self) -> None:
        head = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0)
        looping = head + b"\xc0\x0c" + struct.pack("!HHIH", 12, 1, 120, 2) + b"\xc0\x0c"
        two_step = head + b"\x01a\xc0\x10" + b"\xc0\x0c" + b"\x00" * 20
        for pkt in (looping, two_step):
            start = time.monotonic()
            with pytest.raises(Malformed, match="looping"):
                mdns.parse(pkt, NO_SRC)
            assert time.monotonic() - start < 1

    def test_pointer_out_of_range(self) -> None:
        pkt = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + b"\xff\xff" + struct.pack("!HHIH", 1, 1, 1, 0)
        with pytest.raises(Malformed):
            mdns.parse(pkt, NO_SRC)

    def test_long_pointer_chain(self) -> None:
        # one PTR record whose owner name is a pointer into a chain of 80 pointers stored in its
        # own rdata (offset 24: a root label, then each pointer points at the one before it)
        chain = b"\x00" + b"".join(struct.pack("!H", 0xC000 | (24 if i == 0 else 25 + 2 * (i - 1)))
                                   for i in range(80))
        owner = struct.pack("!H", 0xC000 | (24 + len(chain) - 2))
        pkt = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + owner + struct.pack(
            "!HHIH", mdns.T_PTR, 1, 1, len(chain)) + chain
        with pytest.raises(Malformed, match="looping"):
            mdns.parse(pkt, NO_SRC)
        # the same chain cut to 30 pointers is legal, if odd: the name is the root
        short = b"\x00" + chain[1:61]
        pkt = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + struct.pack("!H", 0xC000 | (24 + 59)) + \
            struct.pack("!HHIH", mdns.T_A, 1, 1, len(short)) + short
        assert mdns.parse(pkt, NO_SRC) == []

    def test_counts_larger_than_packet(self) -> None:
        pkt = struct.pack("!HHHHHH", 0, 0x8400, 0, 60000, 60000, 60000) + b"\x00" * 40
        with pytest.raises(Malformed):
            mdns.parse(pkt, NO_SRC)

    def test_bad_label_type(self) -> None:
        pkt = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + b"\x41abc" + b"\x00" * 20
        with pytest.raises(Malformed):
            mdns.parse(pkt, NO_SRC)

    def test_at_most_100_records(self) -> None:
        owner = dname("_http", "_tcp", "local")
        answers = [rr(owner, mdns.T_PTR, dname(f"cam{i}", "_http", "_tcp", "local")) for i in range(150)]
        evs = mdns.parse(dns_response(answers), SRC)
        assert len(evs) == mdns.MAX_RECORDS
        assert evs[0].name == "cam0" and evs[-1].name == "cam99"

    def test_every_truncation_of_real_sample(self) -> None:
        sample = real("universalscanner-axis-mdns-axis-video-response-anonymized.bin")
        for cut in range(len(sample)):
            with pytest.raises(Malformed):
                mdns.parse(sample[:cut], NO_SRC)

    def test_every_truncation_of_own_response(self) -> None:
        pkt = axis_response()
        for cut in range(len(pkt)):
            with pytest.raises(Malformed):
                mdns.parse(pkt[:cut], NO_SRC)


# =======================================================================================
# hostile input common to every parser
# =======================================================================================

PARSERS: dict[str, Callable[[bytes], list[Evidence]]] = {
    "arp": arp.parse,
    "sadp": lambda b: sadp.parse(b, SRC),
    "wsd": lambda b: wsdiscovery.parse(b, SRC),
    "ssdp": lambda b: ssdp.parse(b, SRC),
    "upnp": lambda b: ssdp.parse_description(b, SRC),
    "dhip": lambda b: dhip.parse(b, SRC),
    "mdns": lambda b: mdns.parse(b, SRC),
}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ProbeMatch><DeviceDescription>&lol9;</DeviceDescription><MAC>58-50-ed-1f-e3-85</MAC></ProbeMatch>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>&xxe;</manufacturer></device></root>"""



@pytest.mark.parametrize("name", sorted(PARSERS))
class TestHostile:
    def test_empty(self, name: str) -> None:
        assert isinstance(outcome(PARSERS[name], b""), Malformed)

    def test_oversized(self, name: str) -> None:
        big = b"<ProbeMatch>" + b"A" * 1_100_000 + b"</ProbeMatch>"
        assert isinstance(outcome(PARSERS[name], big), Malformed)

    def test_random_bytes(self, name: str) -> None:
        rng = random.Random(20240601)
        for _ in range(300):
            outcome(PARSERS[name], rng.randbytes(rng.randint(1, 600)))

    def test_entity_bomb_and_external_entity(self, name: str) -> None:
        for doc in (BILLION_LAUGHS, EXTERNAL_ENTITY):
            result = outcome(PARSERS[name], doc)
            if name in ("sadp", "wsd", "upnp"):
                assert isinstance(result, Malformed)
            else:
                assert isinstance(result, Malformed) or result == []

    def test_malformed_message_does_not_echo_input(self, name: str) -> None:
        secret = b"<" + b"Q" * 500
        result = outcome(PARSERS[name], secret)
        if isinstance(result, Malformed):
            assert "Q" * 61 not in str(result)


def _samples() -> list[tuple[str, bytes]]:
    own = [
        ("sadp", fixture("sadp-probematch-nvr-not-activated.xml")),
        ("wsd", fixture("wsd-probematches-ptz-and-nvr.xml")),
        ("ssdp", fixture("ssdp-msearch-response-lf-lowercase.txt")),
        ("upnp", fixture("upnp-description-hikvision.xml")),
        ("dhip", with_header(fixture("dhip-notifydevinfo-sd-ptz.json"))),
        ("mdns", axis_response()),
    ]
    return own


@pytest.mark.parametrize(("name", "payload"), _samples(), ids=[n for n, _ in _samples()])
def test_every_truncation_is_handled(name: str, payload: bytes) -> None:
    """Every prefix of a good message gives Malformed or a list, never another exception."""
    parser = PARSERS[name]
    assert outcome(parser, payload)  # the whole message is evidence
    for cut in range(0, len(payload), 7):
        outcome(parser, payload[:cut])


@pytest.mark.parametrize(("name", "payload"), _samples(), ids=[n for n, _ in _samples()])
def test_byte_flips_are_handled(name: str, payload: bytes) -> None:
    rng = random.Random(7)
    parser = PARSERS[name]
    for _ in range(200):
        mutated = bytearray(payload)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        outcome(parser, bytes(mutated))
