"""Every answer a lab device gives is well-formed and authenticates the way the real devices do
(the profiles' own tests are in test_lab_profiles.py, the pcap generator's in test_pcapgen.py).
These tests never open a socket."""

from __future__ import annotations

import base64
import hashlib
import json
import struct

import defusedxml.ElementTree as DET
import pytest

from camscan.lab import answers
from camscan.lab.profile import Profile, load_profiles

PROFILES = load_profiles()
BY_ID = {p.id: p for p in PROFILES}
NS_HIK = "{http://www.hikvision.com/ver20/XMLSchema}"
NS_ISAPI = "{http://www.isapi.org/ver20/XMLSchema}"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml(data: bytes):
    return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def find_text(root, name: str) -> str:
    for el in root.iter():
        if local(el.tag) == name:
            return (el.text or "").strip()
    raise AssertionError(f"<{name}> not found")


def split_http(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, sep, body = response.partition(b"\r\n\r\n")
    assert sep, "no end of headers"
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return status, headers, body


def with_section(name: str) -> list[Profile]:
    return [p for p in PROFILES if getattr(p, name) is not None]


def ids(profiles: list[Profile]) -> list[str]:
    return [p.id for p in profiles]


# --------------------------------------------------------------------------------- discovery


@pytest.mark.parametrize("p", with_section("sadp"), ids=ids(with_section("sadp")))
def test_sadp_reply_is_the_real_format(p: Profile):
    root = xml(answers.sadp_reply(p, "ABCD-1234"))
    assert root.tag == "ProbeMatch"
    assert find_text(root, "Uuid") == "ABCD-1234"
    assert find_text(root, "DeviceDescription") == p.sadp["description"]
    assert find_text(root, "DeviceSN") == p.sadp["serial"]
    assert find_text(root, "MAC") == p.mac.replace(":", "-")
    assert find_text(root, "IPv4Address") == p.ip
    assert find_text(root, "SoftwareVersion") == p.sadp["software_version"]
    assert "build" in p.sadp["software_version"] and " build" not in p.sadp["software_version"]
    if p.sadp.get("style", "full") == "full":
        assert find_text(root, "HCPlatformEnable") == "flase"
        assert find_text(root, "IPv4Gateway") == p.gateway


def test_wsd_probe_match_and_hello():
    p = BY_ID["dahua-fixed"]
    root = xml(answers.wsd_probe_match(p, "uuid:probe-1"))
    assert local(root.tag) == "Envelope" and root.tag.startswith("{http://www.w3.org/2003/05/soap-envelope}")
    assert find_text(root, "RelatesTo") == "uuid:probe-1"
    assert find_text(root, "Action").endswith("/ProbeMatches")
    assert find_text(root, "XAddrs") == p.wsd["xaddr"]
    assert "onvif://www.onvif.org/hardware/IPC-HFW2431S-S-S2" in find_text(root, "Scopes").split()
    hello = xml(answers.wsd_hello(p))
    assert find_text(hello, "Action").endswith("/Hello")
    assert [el for el in hello.iter() if local(el.tag) == "Hello"]


@pytest.mark.parametrize("p", with_section("ssdp"), ids=ids(with_section("ssdp")))
def test_ssdp_and_upnp_description(p: Profile):
    status, headers, _ = split_http(answers.ssdp_response(p))
    assert status == 200 and headers["location"] == p.ssdp["location"] and headers["server"] == p.ssdp["server"]
    notify = answers.ssdp_notify(p).decode()
    assert notify.startswith("NOTIFY * HTTP/1.1\r\n") and "NTS: ssdp:alive" in notify
    root = xml(answers.upnp_description(p))
    assert find_text(root, "manufacturer") == p.ssdp["manufacturer"]
    assert find_text(root, "modelName") == p.ssdp["model_name"]
    # the HTTP server hands out the same document at the LOCATION path
    path = "/" + p.ssdp["location"].split("/", 3)[3]
    status, headers, body = split_http(answers.http_response(p, "GET", path, {}))
    assert status == 200 and body == answers.upnp_description(p)


@pytest.mark.parametrize("p", with_section("dhip"), ids=ids(with_section("dhip")))
def test_dhip_reply_header_and_json(p: Profile):
    data = answers.dhip_reply(p, session_id=7, request_id=9)
    assert data[:8] == b"\x20\x00\x00\x00DHIP"
    assert struct.unpack_from("<II", data, 8) == (7, 9)
    body = data[32:]
    assert struct.unpack_from("<I", data, 16)[0] == len(body) == struct.unpack_from("<I", data, 24)[0]
    doc = json.loads(body)
    info = doc["params"]["deviceInfo"]
    assert doc["method"] == "client.notifyDevInfo" and doc["mac"] == p.mac
    assert info["DeviceType"] == p.dhip["device_type"] and info["Version"] == p.dhip["version"]
    assert info["IPv4Address"]["IPAddress"] == p.ip and info["SerialNo"] == p.dhip["serial"]
    assert b"\\/" in body  # Dahua escapes "/" as the real samples show


def test_mdns_answer_for_axis():
    from scapy.layers.dns import DNS

    p = BY_ID["axis"]
    msg = DNS(answers.mdns_response(p))
    assert msg.qr == 1 and msg.aa == 1 and msg.ancount == 1 and msg.arcount == 3
    assert msg.an[0].rrname == b"_axis-video._tcp.local."
    assert msg.an[0].rdata == b"AXIS M1065-LW - ACCC8E7B1F24._axis-video._tcp.local."
    records = {rr.type: rr for rr in msg.ar}
    assert records[33].port == 80 and records[16].rdata == [b"macaddress=ACCC8E7B1F24"]
    assert records[1].rdata == p.ip


# -------------------------------------------------------------------------------------- HTTP


def digest_header(p: Profile, method: str, uri: str, challenge: str, password: str | None = None,
                  nc: str = "00000001", cnonce: str = "0a4f113b") -> str:
    params = dict(part.strip().split("=", 1) for part in challenge[len("Digest "):].split(", "))
    realm, nonce = params["realm"].strip('"'), params["nonce"].strip('"')
    ha1 = hashlib.md5(f"{p.username}:{realm}:{p.password if password is None else password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    resp = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
    return (f'Digest username="{p.username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'algorithm=MD5, response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}"')


def authed_get(p: Profile, uri: str, password: str | None = None) -> bytes:
    status, headers, _ = split_http(answers.http_response(p, "GET", uri, {}))
    assert status == 401
    return answers.http_response(p, "GET", uri, {"authorization": digest_header(
        p, "GET", uri, headers["www-authenticate"], password)})


@pytest.mark.parametrize("p", with_section("http"), ids=ids(with_section("http")))
def test_web_page_has_server_header_title_and_right_length(p: Profile):
    status, headers, body = split_http(answers.http_response(p, "GET", "/", {"Host": p.ip}))
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert headers.get("server", "") == p.http.get("server", "")
    assert f"<title>{p.http['title']}</title>".encode() in body


@pytest.mark.parametrize("p", with_section("isapi"), ids=ids(with_section("isapi")))
def test_isapi_needs_digest_and_answers_in_its_namespace(p: Profile):
    uri = "/ISAPI/System/deviceInfo"
    status, headers, body = split_http(answers.http_response(p, "GET", uri, {}))
    assert status == 401 and int(headers["content-length"]) == len(body)
    challenge = headers["www-authenticate"]
    assert challenge.startswith("Digest ") and f'realm="{p.http["realm"]}"' in challenge and 'qop="auth"' in challenge
    status, headers, body = split_http(authed_get(p, uri))
    assert status == 200 and int(headers["content-length"]) == len(body)
    root = xml(body)
    ns = NS_ISAPI if p.isapi["namespace"] == "isapi" else NS_HIK
    assert root.tag == ns + "DeviceInfo"
    assert root.find(ns + "model").text == p.isapi["device_info"]["model"]
    assert root.find(ns + "deviceType").text == p.isapi["device_info"]["deviceType"]
    # a wrong password, a different URI and a stale nonce are all refused
    assert split_http(authed_get(p, uri, password="wrong-password"))[0] == 401
    good = digest_header(p, "GET", uri, challenge)
    assert split_http(answers.http_response(p, "GET", "/ISAPI/PTZCtrl/channels", {"Authorization": good}))[0] == 401
    stale = good.replace(answers.digest_nonce(p, p.http["realm"]), "0" * 32)
    assert split_http(answers.http_response(p, "GET", uri, {"Authorization": stale}))[0] == 401


def test_nvr_lists_its_cameras_and_its_ptz_channel():
    p = BY_ID["hik-nvr"]
    root = xml(split_http(authed_get(p, "/ISAPI/ContentMgmt/InputProxy/channels"))[2])
    assert local(root.tag) == "InputProxyChannelList" and root.get("size") == "4"
    chans = [el for el in root if local(el.tag) == "InputProxyChannel"]
    assert [find_text(c, "ipAddress") for c in chans] == [ch["ip"] for ch in p.isapi["channels"]]
    assert [find_text(c, "model") for c in chans] == [ch["model"] for ch in p.isapi["channels"]]
    ptz = xml(split_http(authed_get(p, "/ISAPI/PTZCtrl/channels"))[2])
    assert [find_text(c, "id") for c in ptz if local(c.tag) == "PTZChannel"] == ["2"]


def test_ptz_channels_separate_a_speed_dome_from_a_motorised_zoom():
    dome = xml(split_http(authed_get(BY_ID["hik-ptz"], "/ISAPI/PTZCtrl/channels"))[2])
    assert find_text(dome, "panSupport") == "true"
    zoom = xml(split_http(authed_get(BY_ID["hik-izs"], "/ISAPI/PTZCtrl/channels"))[2])
    assert (find_text(zoom, "panSupport"), find_text(zoom, "zoomSupport")) == ("false", "true")
    status, _, body = split_http(authed_get(BY_ID["hik-bullet"], "/ISAPI/PTZCtrl/channels"))
    assert status == 403 and find_text(xml(body), "subStatusCode") == "notSupport"
    status, _, _ = split_http(authed_get(BY_ID["hik-bullet"], "/ISAPI/ContentMgmt/InputProxy/channels"))
    assert status == 403


@pytest.mark.parametrize("p", with_section("cgi"), ids=ids(with_section("cgi")))
def test_dahua_cgi_key_value_text_behind_digest(p: Profile):
    uri = "/cgi-bin/magicBox.cgi?action=getSystemInfo"
    status, headers, body = split_http(authed_get(p, uri))
    assert status == 200 and int(headers["content-length"]) == len(body)
    pairs = dict(line.split("=", 1) for line in body.decode().split("\r\n") if line)
    assert pairs == p.cgi["system_info"]
    vendor = split_http(authed_get(p, "/cgi-bin/magicBox.cgi?action=getVendor"))[2]
    assert vendor == f"vendor={p.cgi['vendor']}\r\n".encode()
    assert split_http(authed_get(p, uri, password="nope"))[0] == 401


def test_dahua_nvr_numeric_type_and_remote_devices():
    p = BY_ID["dahua-nvr"]
    info = split_http(authed_get(p, "/cgi-bin/magicBox.cgi?action=getSystemInfo"))[2].decode()
    assert "deviceType=31\r\n" in info and "updateSerial=DHI-NVR5208-8P-4KS2\r\n" in info
    table = split_http(authed_get(p, "/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice"))[2].decode()
    assert "table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Address=10.1.1.65\r\n" in table
    assert "table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_2.ProtocolType=Onvif\r\n" in table
    assert "table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_7.Enable=false\r\n" in table


def test_unknown_paths_and_methods():
    p = BY_ID["hik-bullet"]
    assert split_http(answers.http_response(p, "GET", "/nothing/here", {}))[0] == 404
    assert split_http(answers.http_response(p, "PUT", "/SDK/webLanguage", {}))[0] == 405
    assert split_http(answers.http_response(p, "DELETE", "/", {}))[0] == 405
    assert split_http(answers.http_response(p, "POST", "/", {}, b"x=1"))[0] == 405
    assert split_http(answers.http_response(p, "GET", "/cgi-bin/magicBox.cgi?action=getSystemInfo", {}))[0] == 404
    assert split_http(answers.http_response(BY_ID["dahua-fixed"], "GET", "/ISAPI/System/deviceInfo", {}))[0] == 404
    assert split_http(answers.http_response(p, "POST", "/onvif/PTZ", {}, b"<x/>"))[0] == 404  # a fixed camera


# ------------------------------------------------------------------------------------- ONVIF


def soap(action: str, ns: str, p: Profile | None = None, password: str | None = None) -> bytes:
    header = ""
    if p is not None:
        nonce, created = b"0123456789abcdef", "2025-03-01T10:00:00Z"
        pw = p.password if password is None else password
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + pw.encode()).digest()).decode()
        header = ('<s:Header><Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-'
                  f'secext-1.0.xsd"><UsernameToken><Username>{p.username}</Username><Password Type="http://docs.'
                  'oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">'
                  f"{digest}</Password><Nonce>{base64.b64encode(nonce).decode()}</Nonce>"
                  '<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">'
                  f"{created}</Created></UsernameToken></Security></s:Header>")
    return (f'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">{header}'
            f'<s:Body><{action} xmlns="{ns}"/></s:Body></s:Envelope>').encode()


DEV = "http://www.onvif.org/ver10/device/wsdl"


@pytest.mark.parametrize("p", with_section("onvif"), ids=ids(with_section("onvif")))
def test_onvif_ws_security(p: Profile):
    status, headers, body = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                             soap("GetSystemDateAndTime", DEV)))
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert find_text(xml(body), "Year") == "2025"
    status, _, body = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                       soap("GetDeviceInformation", DEV)))
    assert status == 400 and find_text(xml(body), "Value").endswith("Sender") and b"ter:NotAuthorized" in body
    status, _, body = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                       soap("GetDeviceInformation", DEV, p, "wrong")))
    assert status == 400
    status, _, body = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                       soap("GetDeviceInformation", DEV, p)))
    root = xml(body)
    assert status == 200
    assert find_text(root, "Manufacturer") == p.onvif["manufacturer"] and find_text(root, "Model") == p.onvif["model"]
    status, _, body = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                       soap("GetCapabilities", DEV, p)))
    caps = xml(body)
    ptz = [el for el in caps.iter() if local(el.tag) == "PTZ"]
    assert status == 200 and bool(ptz) == p.onvif["ptz"]
    if ptz:
        path = "/" + find_text(ptz[0], "XAddr").split("/", 3)[3]
        status, _, body = split_http(answers.http_response(
            p, "POST", path, {}, soap("GetNodes", "http://www.onvif.org/ver20/ptz/wsdl", p)))
        nodes = xml(body)
        assert status == 200 and [el for el in nodes.iter() if local(el.tag) == "PTZNode"]
        has_pan = any(local(el.tag) == "AbsolutePanTiltPositionSpace" for el in nodes.iter())
        assert has_pan == ("pan" in p.onvif.get("ptz_axes", ["pan", "tilt", "zoom"]))
    status, _, _ = split_http(answers.http_response(p, "POST", "/onvif/device_service", {},
                                                    soap("SystemReboot", DEV, p)))
    assert status == 500


def test_onvif_refuses_entities():
    p = BY_ID["hik-bullet"]
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&b;</s:Body></s:Envelope>')
    assert split_http(answers.http_response(p, "POST", "/onvif/device_service", {}, bomb))[0] == 400


# -------------------------------------------------------------------------------------- RTSP


@pytest.mark.parametrize("p", with_section("rtsp"), ids=ids(with_section("rtsp")))
def test_rtsp_options_and_describe(p: Profile):
    reply = answers.rtsp_response(p, f"OPTIONS rtsp://{p.ip}:554/ RTSP/1.0\r\nCSeq: 3\r\n\r\n".encode()).decode()
    assert reply.startswith("RTSP/1.0 200 OK\r\nCSeq: 3\r\n") and "Public: OPTIONS, DESCRIBE" in reply
    if p.rtsp.get("server"):
        assert f"Server: {p.rtsp['server']}\r\n" in reply
    url = f"rtsp://{p.ip}:554{p.rtsp.get('path', '/')}"
    reply = answers.rtsp_response(p, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 4\r\n\r\n".encode()).decode()
    assert reply.startswith("RTSP/1.0 401 Unauthorized\r\nCSeq: 4\r\n")
    challenge = next(line for line in reply.split("\r\n") if line.startswith("WWW-Authenticate: "))
    challenge = challenge[len("WWW-Authenticate: "):]
    assert f'realm="{p.rtsp["realm"]}"' in challenge
    auth = digest_header(p, "DESCRIBE", url, challenge)
    ok = answers.rtsp_response(p, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 5\r\nAuthorization: {auth}\r\n\r\n".encode())
    assert ok.startswith(b"RTSP/1.0 200 OK") and b"m=video" in ok
    assert answers.rtsp_response(p, b"\x00\xff garbage").startswith(b"RTSP/1.0 400")
