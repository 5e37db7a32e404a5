"""Tests for the lab: profiles load and are self-consistent, every answer is well-formed and
authenticates the way the real devices do, and the pcap generator is deterministic and writes
captures that hold the protocols they claim.

These tests never open a socket; the generator only writes files into a temporary directory.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import ipaddress
import json
import struct
import sys
from pathlib import Path
from urllib.parse import unquote

import defusedxml.ElementTree as DET
import pytest

from camscan.firmware import normalise_firmware
from camscan.lab import answers
from camscan.lab.profile import Profile, ProfileError, load_profile, load_profiles

ROOT = Path(__file__).resolve().parent.parent
PROFILES = load_profiles()
BY_ID = {p.id: p for p in PROFILES}
COLUMNS = ["ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial",
           "name", "via", "channel", "site", "advisories", "evidence", "confidence"]
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


# ----------------------------------------------------------------------------------- profiles


def test_the_estate_has_every_kind_of_device_the_demo_needs():
    assert len(PROFILES) >= 17
    brands = {p.expect["brand"] for p in PROFILES}
    assert {"Hikvision", "HiLook", "HiWatch", "EZVIZ", "Pyronix", "Annke", "Dahua", "Amcrest", "Axis"} <= brands
    types = {p.expect["device_type"] for p in PROFILES}
    assert {"camera", "nvr", "dvr", "intercom", "alarm", "other"} <= types
    assert [p.id for p in PROFILES if p.subnet == "far"], "no off-link host"
    assert [p.id for p in PROFILES if p.role == "router"], "no router"
    assert any(int(p.mac.split(":")[0], 16) & 0x02 for p in PROFILES), "no locally administered MAC"
    forms = {(p.expect["device_type"], p.expect["form"]) for p in PROFILES}
    assert ("camera", "ptz") in forms and ("camera", "static") in forms
    assert sum(len(p.channels) for p in PROFILES) >= 4


def test_a_broken_profile_names_its_file_and_key(tmp_path: Path):
    text = BY_ID["hik-bullet"].path.read_text().replace('ip = "198.18.0.10"\n', "")
    bad = tmp_path / "broken-cam.toml"
    bad.write_text(text)
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*\[device\].*'ip'"):
        load_profile(bad)
    bad.write_text(text.replace("[device]", '[device]\nip = "10.0.0.1"'))
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*not in the lan subnet"):
        load_profile(bad)
    bad.write_text(BY_ID["hik-bullet"].path.read_text().replace('device_type = "camera"', 'device_type = "cam"'))
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*\[expect\].*device_type"):
        load_profile(bad)


def test_two_profiles_cannot_share_an_address(tmp_path: Path):
    for name in ("hik-bullet.toml", "hik-izs.toml"):
        (tmp_path / name).write_text((BY_ID[name[:-5]].path).read_text().replace("198.18.0.11", "198.18.0.10"))
    with pytest.raises(ProfileError, match="already used"):
        load_profiles(tmp_path)


def _claims(p: Profile) -> dict[str, set[str]]:
    """What the profile's protocol sections report, field by field."""
    got: dict[str, set[str]] = {"model": set(), "serial": set(), "firmware": set(), "name": set()}
    if p.sadp:
        got["model"].add(p.sadp["description"])
        got["serial"].add(p.sadp["serial"])
        got["firmware"].add(normalise_firmware(p.sadp["software_version"]))
    if p.isapi:
        info = p.isapi["device_info"]
        got["model"].add(info["model"])
        got["serial"].add(info["serialNumber"])
        got["firmware"].add(normalise_firmware(info["firmwareVersion"], info.get("firmwareReleasedDate", "")))
        got["name"].add(info.get("deviceName", ""))
    if p.cgi:
        info = p.cgi["system_info"]
        got["model"] |= {info["deviceType"], info.get("updateSerial", "")}
        got["serial"].add(info["serialNumber"])
        got["firmware"].add(normalise_firmware(p.cgi["software_version"]))
        got["name"].add(p.cgi["machine_name"])
    if p.dhip:
        got["model"].add(p.dhip["device_type"])
        got["serial"].add(p.dhip["serial"])
        got["name"].add(p.dhip.get("machine_name", ""))
    if p.onvif:
        got["model"].add(p.onvif["model"])
        got["serial"].add(p.onvif["serial"])
        got["firmware"].add(normalise_firmware(p.onvif["firmware"]))
    if p.ssdp:
        got["model"] |= {p.ssdp["model_name"], p.ssdp.get("model_number", "")}
        got["serial"].add(p.ssdp.get("serial", ""))
        got["name"].add(p.ssdp["friendly_name"])
    if p.wsd:
        got["name"] |= {unquote(s.rsplit("/", 1)[1]) for s in p.wsd["scopes"] if "/name/" in s}
    if p.mdns:
        got["name"].add(p.mdns["instance"])
        got["model"] |= set(p.mdns["instance"].split(" "))
    return got


@pytest.mark.parametrize("p", PROFILES, ids=ids(PROFILES))
def test_every_expected_value_is_backed_by_a_section(p: Profile):
    claims = _claims(p)
    for field in ("model", "serial", "firmware", "name"):
        value = p.expect[field]
        if value:
            assert value in claims[field], f"{p.path.name}: expect.{field} {value!r} is not what any section says"
    if p.expect["manufacturer"]:
        assert p.protocols, f"{p.path.name}: names a manufacturer but answers no protocol"
    if p.expect["form"] == "ptz":
        assert ((p.isapi and {"pan", "tilt"} & set(p.isapi.get("ptz_axes", [])))
                or (p.onvif and p.onvif["ptz"] and "pan" in p.onvif.get("ptz_axes", ["pan"]))
                or (p.dhip and p.dhip["device_class"] == "SD")), f"{p.path.name}: ptz without a PTZ answer"
    if p.isapi:
        assert p.isapi["device_info"].get("macAddress", p.mac) == p.mac
        kind = p.isapi["device_info"]["deviceType"]
        assert {"IPCamera": "camera", "IPDome": "camera", "NVR": "nvr", "DVR": "dvr",
                "VIS": "intercom"}[kind] == p.expect["device_type"]
        if kind == "IPCamera":
            assert p.expect["form"] == "static"
    if p.wsd:
        macs = [s.rsplit("/", 1)[1] for s in p.wsd["scopes"] if "/MAC/" in s]
        assert macs in ([], [p.mac])
        assert p.wsd["xaddr"].startswith(f"http://{p.ip}/")
    if p.ssdp:
        assert p.ssdp["location"].startswith(f"http://{p.ip}:")


@pytest.mark.parametrize("p", [p for p in PROFILES if p.channels], ids=ids([p for p in PROFILES if p.channels]))
def test_recorder_channels_match_what_the_recorder_reports(p: Profile):
    if p.isapi:
        reported = {ch["id"]: (ch["ip"], ch["model"], ch["serial"], normalise_firmware(ch["firmware"]), ch["name"])
                    for ch in p.isapi.get("channels", [])}
    else:
        reported = {rd["slot"] + 1: (rd["address"], rd.get("device_type", ""), rd.get("serial", ""),
                                     normalise_firmware(rd.get("version", "")), rd.get("name", ""))
                    for rd in p.cgi.get("remote_devices", []) if rd["enable"]}
    expected = {ch["channel"]: (ch["ip"], ch["model"], ch["serial"], ch["firmware"], ch["name"]) for ch in p.channels}
    assert expected == reported
    for ch in p.channels:
        assert ipaddress.IPv4Address(ch["ip"]).is_private and not ch["ip"].startswith("198.18.")


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


# -------------------------------------------------------------------------------- generator


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
    for p in PROFILES:
        row = by_ip[(p.ip, "")]
        # off the link only a device's own API (ISAPI, WS-Discovery scope) can report its MAC
        assert row["mac"] == (p.mac if p.subnet == "lan" or p.isapi or p.wsd else "")
        assert row["model"] == p.expect["model"] and row["manufacturer"] == p.expect["manufacturer"]
        for ch in p.channels:
            crow = by_ip[(ch["ip"], p.ip)]
            assert crow["channel"] == str(ch["channel"]) and crow["evidence"] == "nvr"
    assert len(demo) == len(PROFILES) + sum(len(p.channels) for p in PROFILES)
    keys = [(int(ipaddress.IPv4Address(r["ip"])), r["via"], int(r["channel"] or 0)) for r in demo]
    assert keys == sorted(keys)
    bullet = by_ip[("198.18.0.10", "")]
    assert bullet["evidence"] == "arp;oui;sadp;wsd;http;rtsp;onvif;isapi" and bullet["confidence"] == "high"
    assert by_ip[("198.18.0.32", "")]["evidence"] == "arp;sadp;http;rtsp;onvif"  # randomised MAC: no OUI
    assert by_ip[("198.18.0.50", "")]["confidence"] == "medium"
    assert by_ip[("198.18.4.20", "")]["evidence"] == "oui;http;rtsp;onvif;isapi"  # its MAC from its own ISAPI
    assert _rows(generated / "stress-tcp.expected.csv") == demo
    hostile = _rows(generated / "hostile.expected.csv")
    assert [r["ip"] for r in hostile if r["ip"] in ("198.18.0.10", "198.18.0.40", "198.18.0.50")] == \
        ["198.18.0.10", "198.18.0.40", "198.18.0.50"]
    doc = json.loads((generated / "demo.expected.json").read_text())
    assert {d["id"] for d in doc["devices"]} == set(BY_ID)
