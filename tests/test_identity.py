"""Issue 10's identity rules, each on a fixture written from what the real formats show: DNS
queries and PPPP device IDs a device sends, Dahua's web UI documents, JVC's feature CGI, RTSP
URLs and SDP, deflated HTTP bodies, HNAP before ONVIF, the collector's dispatch of the wired
parsers, and fusion's use of them (vendor as stated over DHIP, OUI never `other`, oui_vendor,
banner-captured serials). Real-capture tests are in test_realworld_captures.py."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from camscan.collect import Collector
from camscan.identify.fusion import fuse
from camscan.identify.signatures import load
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import dahua_web, dns, http, jvc, pppp, rtsp
from camscan.protocols.httpmsg import pair

SIGS = load()
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
CAM = Endpoint("198.18.0.30", "0c:8c:24:0b:39:7b", 0)


def dns_query(*names: str, flags: int = 0x0100) -> bytes:
    out = struct.pack("!HHHHHH", 0x1234, flags, len(names), 0, 0, 0)
    for name in names:
        out += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    return out


# --- DNS ---------------------------------------------------------------------------------------

def test_dns_query_names_are_banners_of_the_sender() -> None:
    [ev] = dns.parse(dns_query("V720.naxclow.com"), CAM)
    assert (ev.source, ev.ip, ev.mac, ev.banners) == ("dns", CAM.ip, CAM.mac, {"dns_query": "v720.naxclow.com"})


def test_dns_answers_are_not_the_devices_they_name() -> None:
    assert dns.parse(dns_query("v720.naxclow.com", flags=0x8180), CAM) == []


def test_dns_hostile_pointer_loop_is_malformed() -> None:
    looped = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    with pytest.raises(Malformed):
        dns.parse(looped, CAM)


# --- PPPP --------------------------------------------------------------------------------------

def pppp_msg(mtype: int, body: bytes) -> bytes:
    return bytes([0xF1, mtype]) + struct.pack("!H", len(body)) + body


# the layout of the real LAN notify (mudproject Yi capture frame 468): prefix, number, check
YI_DID = b"TNPUSAF\0" + struct.pack("!I", 430014) + b"KGTGK\0\0\0"


def test_pppp_lan_notify_names_the_device() -> None:
    [ev] = pppp.parse(pppp_msg(0x31, YI_DID), CAM)
    assert ev.banners == {"p2p_did": "TNPUSAF-430014-KGTGK"} and ev.source == "pppp"


def test_pppp_client_messages_name_the_peer_not_the_sender() -> None:
    # a punch (0x41) or P2P request (0x20) carries the DID of the camera it is aimed at
    assert pppp.parse(pppp_msg(0x41, YI_DID), CAM) == []
    assert pppp.parse(pppp_msg(0x20, YI_DID), CAM) == []
    assert pppp.parse(b"\xf1\x00\x00\x00", CAM) == []  # HELLO


def test_pppp_length_past_the_datagram_is_malformed() -> None:
    with pytest.raises(Malformed):
        pppp.parse(b"\xf1\x31\x00\x40" + YI_DID, CAM)


def test_collector_reads_pppp_even_from_another_protocols_port() -> None:
    # the Yi camera sends its PPPP HELLO and login from UDP 10000, Vivotek's search port
    collector = Collector()
    collector.udp(Endpoint(CAM.ip, CAM.mac, 10000), 10000, pppp.SERVER_PORT, pppp_msg(0x14, YI_DID + bytes(80)))
    assert [e.banners for e in collector.evidence] == [{"p2p_did": "TNPUSAF-430014-KGTGK"}]
    assert collector.counters.counts == {}


# --- Dahua web UI --------------------------------------------------------------------------------

# the fields of the real webCapsConfig answer (tue2ic80 web capture, frame 686)
WEB_CAPS = json.dumps({"DeviceSubClass": "SDC", "SN": "4H01D66PAJ2FA64", "WebVersion": "3.2.1.563437",
                       "deviceClass": "SD", "deviceType": "SD", "vendor": "Dahua", "TCPPort": 37777}).encode()


def test_dahua_web_caps_give_class_form_and_serial() -> None:
    [ev] = dahua_web.parse_web_caps(WEB_CAPS, CAM)
    assert (ev.platform, ev.vendor, ev.serial, ev.device_type, ev.form) == ("Dahua", "Dahua", "4H01D66PAJ2FA64",
                                                                             "camera", "ptz")


def test_dahua_rpc2_multicall_builds_the_firmware_from_product_definitions() -> None:
    names = ["HasPtz", "MajorVersion", "MinorVersion", "OEMVersion", "Revision", "TypeVersion"]
    values = [True, 2, 622, "0000000", 7, "R"]
    request = {"method": "system.multicall", "id": 140, "session": "be7d", "params": [
        {"method": "magicBox.getProductDefinition", "params": {"name": n}, "id": 11 + i} for i, n in enumerate(names)]}
    response = {"id": 140, "result": True, "params": [
        {"id": 11 + i, "result": True, "params": {"definition": v}} for i, v in enumerate(values)]}
    [ev] = dahua_web.parse_rpc2(json.dumps(request).encode(), json.dumps(response).encode(), CAM)
    assert (ev.firmware, ev.form, ev.authenticated) == ("2.622.0000000.7.R", "ptz", True)


def test_http_inflates_a_deflated_rpc2_answer() -> None:
    body = json.dumps({"id": 3, "result": True, "params": {"version": {"Version": "2.800.0000016.0.R"}}}).encode()
    deflated = zlib.compress(body)
    asked = b'{"method":"magicBox.getSoftwareVersion","id":3,"session":"be7d"}'
    request = b"POST /RPC2 HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(asked) + asked
    response = (b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n" % len(deflated)
                + deflated)
    [(req, resp)] = pair(request, response)
    found = http.parse_exchange(req, resp, CAM)
    assert [e.firmware for e in found if e.source == "cgi"] == ["2.800.0000016.0.R"]


def test_http_body_that_does_not_inflate_is_counted_not_raised() -> None:
    response = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: 4\r\n\r\nnope"
    [(req, resp)] = pair(b"GET /web_caps/webCapsConfig HTTP/1.1\r\n\r\n", response)
    [banner] = http.parse_exchange(req, resp, CAM)
    assert banner.problem == "malformed"


# --- JVC ---------------------------------------------------------------------------------------

# the real answer's fields (klppr JVC captures, hello.cgi frame 21)
JVC_FEATURES = (b'{"Requested" : "GetCamFeature","Result" : "Success","Data" : {"CamVer": 2,"FirmwareVer": "1.04",'
                b'"IsAdmin": "Administrator","HasMechaPanTilt": true,"MechaPanMax": 150}}')


def test_jvc_feature_answer_gives_firmware_and_ptz() -> None:
    [(req, resp)] = pair(b"GET /cgi-bin/hello.cgi HTTP/1.1\r\n\r\n",
                         b"HTTP/1.1 200 OK\r\nServer: Undefined\r\nContent-Length: %d\r\n\r\n" % len(JVC_FEATURES)
                         + JVC_FEATURES)
    [_, ev] = http.parse_exchange(req, resp, CAM)
    assert (ev.platform, ev.firmware, ev.device_type, ev.form) == ("JVC", "1.04", "camera", "ptz")
    assert jvc.parse(JVC_FEATURES.replace(b"true", b"false"), CAM)[0].form == "static"


# --- RTSP --------------------------------------------------------------------------------------

def test_rtsp_url_and_sdp_are_banners() -> None:
    # the shape of the real Dahua DESCRIBE answer (tue2ic80 RTSP capture, frame 24)
    sdp = (b"v=0\r\no=- 2251938202 2251938202 IN IP4 0.0.0.0\r\ns=Media Server\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
           b"a=packetization-supported:DH\r\na=rtppayload-supported:DH\r\nm=video 0 RTP/AVP 96\r\n"
           b"a=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n")
    client = b"DESCRIBE rtsp://192.168.1.108:554 RTSP/1.0\r\nCSeq: 4\r\n\r\n"
    server = (b"RTSP/1.0 200 OK\r\nCSeq: 4\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n"
              % len(sdp)) + sdp
    [(req, resp)] = pair(client, server)
    [ev] = rtsp.parse_exchange(req, resp, CAM)
    assert ev.banners["rtsp_url"] == "/"
    assert ev.banners["rtsp_sdp"] == ("s=Media Server | a=packetization-supported:DH | a=rtppayload-supported:DH"
                                      " | m=video H264")


# --- HNAP before ONVIF -------------------------------------------------------------------------

HNAP_SETTINGS = (b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
                 b'envelope/"><soap:Body><GetDeviceSettingsResponse xmlns="http://purenetworks.com/HNAP1/">'
                 b"<GetDeviceSettingsResult>OK</GetDeviceSettingsResult><VendorName>D-Link</VendorName>"
                 b"<ModelDescription>D-Link ConnectedHome Gateway</ModelDescription><ModelName>DCH-G020</ModelName>"
                 b"<FirmwareVersion>1.22</FirmwareVersion><ModuleTypes><string>Gateway</string></ModuleTypes>"
                 b"</GetDeviceSettingsResponse></soap:Body></soap:Envelope>")


def test_hnap_soap_goes_to_hnap_not_onvif() -> None:
    [(req, resp)] = pair(b"POST /HNAP1/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                         b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(HNAP_SETTINGS) + HNAP_SETTINGS)
    [_, ev] = http.parse_exchange(req, resp, CAM)
    assert (ev.source, ev.model, ev.firmware, ev.banners["hnap_module_types"]) == ("hnap", "DCH-G020", "1.22",
                                                                                     "Gateway")
    [row] = fuse([ev], SIGS)
    assert (row.manufacturer, row.device_type) == ("D-Link", "other")  # its own module types say so


# --- fusion ------------------------------------------------------------------------------------

def dhip(vendor: str, device_class: str = "IPC", model: str = "IPC-HDW1431T1-S4") -> Evidence:
    # a MAC whose OUI names no maker, so the brand is the DHIP vendor's alone
    return Evidence(source="dhip", platform="Dahua", ip="198.18.0.40", mac="02:00:00:f4:e3:01",
                    vendor=vendor, model=model, device_type="camera" if device_class == "IPC" else "")


@pytest.mark.parametrize(("vendor", "brand"), [
    ("Intelbras", "Intelbras"),     # listed in brands.toml
    ("Q-See", "Q-See"),             # not listed: the brand as the device states it, not "Dahua"
    ("Panasonic", "Panasonic"),     # a brand other hardware wears too: on DHIP the maker is Dahua
    ("Private", ""),                # Dahua's white-label placeholder
    ("General", ""),
])
def test_dhip_vendor_is_the_brand_as_stated(vendor: str, brand: str) -> None:
    [row] = fuse([dhip(vendor)], SIGS)
    assert (row.manufacturer, row.brand) == ("Dahua", brand)


def test_real_intelbras_dhip_reply_keeps_its_brand() -> None:
    path = REAL / "intelbras-dahua-oem-dhip-notifyDevInfo-SS3530MF-FACE-W.json"
    if not path.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    from camscan.protocols import dhip as dhip_proto

    body = path.read_bytes()
    size = struct.pack("<I", len(body))
    [ev] = dhip_proto.parse(b"\x20\x00\x00\x00DHIP" + bytes(8) + size + bytes(4) + size + bytes(4) + body,
                            Endpoint("192.168.3.175", "b4:4c:3b:f4:e3:01", 37810))
    [row] = fuse([ev], SIGS)
    # Vendor "Intelbras", DeviceClass BSC (access control terminal), firmware OEM code IB
    assert (row.manufacturer, row.brand, row.device_type) == ("Dahua", "Intelbras", "other")


def test_dahua_model_prefix_is_the_class_fallback() -> None:
    from camscan.protocols import dhip as dhip_proto

    body = json.dumps({"mac": "3c:e3:6b:8a:52:1f", "method": "client.notifyDevInfo", "params": {"deviceInfo": {
        "DeviceType": "MHDX 1104", "SerialNo": "X", "Vendor": "Intelbras"}}}).encode()
    size = struct.pack("<I", len(body))
    [ev] = dhip_proto.parse(b"\x20\x00\x00\x00DHIP" + bytes(8) + size + bytes(4) + size + bytes(4) + body, CAM)
    assert ev.device_type == "dvr"


def test_an_oui_alone_is_not_other_and_is_shown() -> None:
    [row] = fuse([Evidence(source="arp", ip="198.18.0.9", mac="ec:f0:0e:02:21:62")], SIGS)
    assert (row.device_type, row.oui_vendor, row.manufacturer) == ("unknown", "AboCom", "")


def test_other_needs_the_devices_own_word() -> None:
    phone = [Evidence(source="arp", ip="198.18.0.9", mac="f0:25:b7:eb:5e:65"),
             Evidence(source="mdns", ip="198.18.0.9", mac="f0:25:b7:eb:5e:65", banners={"mdns_host": "Android"})]
    [row] = fuse(phone, SIGS)
    assert row.device_type == "other"


def test_a_realm_serial_fills_the_serial_below_the_devices_own_answer() -> None:
    realm = Evidence(source="rtsp", ip="198.18.0.5", mac="38:af:29:bb:bc:ab",
                     banners={"rtsp_realm": "Login to 4H01D66PAJ2FA64"})
    [row] = fuse([realm], SIGS)
    assert (row.serial, row.provenance["serial"]) == ("4H01D66PAJ2FA64", "rtsp:banners")
    own = Evidence(source="cgi", ip="198.18.0.5", mac="38:af:29:bb:bc:ab", platform="Dahua", serial="OWNSERIAL",
                   authenticated=True)
    [row] = fuse([realm, own], SIGS)
    assert row.serial == "OWNSERIAL"


def test_a_certificate_alone_from_elsewhere_is_not_a_row() -> None:
    cloud = Evidence(source="tls", ip="52.8.178.58", banners={"x509_subject": "CN=*.auto.mydlink.com,O=D-Link"})
    assert fuse([cloud], SIGS) == []


def test_collector_reads_tls_certificates_on_tls_ports() -> None:
    collector = Collector()
    collector.tcp_stream(Endpoint("198.18.0.5", "", 443), b"", b"\x16\x03\x01\x00\x02\x02\x00")
    collector.tcp_stream(Endpoint("198.18.0.5", "", 443), b"", b"GET / HTTP/1.1\r\n\r\n")
    assert collector.evidence == [] and collector.counters.counts == {}


# --- Axis VAPIX ----------------------------------------------------------------------------------

def test_axis_vapix_brand_and_properties_from_the_real_samples() -> None:
    brand, props = REAL / "axis-vapix-param-brand-M1065-LW.txt", REAL / "axis-vapix-param-properties-M1065-LW.txt"
    if not brand.exists():
        pytest.skip("shared/realworld is not beside this checkout")
    items = []
    for path, group in ((brand, "Brand"), (props, "Properties")):
        body = path.read_bytes()
        [(req, resp)] = pair(b"GET /axis-cgi/param.cgi?action=list&group=%s HTTP/1.1\r\n\r\n" % group.encode(),
                             b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        items += http.parse_exchange(req, resp, Endpoint("198.18.0.70", "ac:cc:8e:01:02:03", 80))
    [row] = fuse(items, SIGS)
    assert (row.manufacturer, row.brand, row.device_type, row.model, row.firmware) == (
        "Axis", "Axis", "camera", "M1065-LW", "9.10.1")


# --- what devices send that is broken: skipped and counted, never a crash -----------------------

@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'{"params": "x"}', b"null", b'{"id": "a", "params": [1]}'])
def test_dahua_rpc2_shapes_it_does_not_know_say_nothing(body: bytes) -> None:
    asked = b'{"method": "magicBox.getDeviceType", "id": 1}'
    assert dahua_web.parse_rpc2(asked, body, CAM) == []


@pytest.mark.parametrize("parse", [dahua_web.parse_web_caps, dahua_web.parse_login, jvc.parse])
def test_json_device_documents_that_are_not_json_are_malformed(parse) -> None:
    with pytest.raises(Malformed):
        parse(b"<html>not json</html>", CAM)


def test_a_broken_dahua_answer_on_the_wire_is_counted_not_raised() -> None:
    collector = Collector()
    client = b"GET /web_caps/webCapsConfig HTTP/1.1\r\n\r\n"
    server = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{not json"
    collector.tcp_stream(Endpoint("198.18.0.5", "", 80), client, server)
    assert collector.counters.counts == {"malformed device API bodies": 1}
