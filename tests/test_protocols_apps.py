"""Tests for the TCP application-protocol parsers: httpmsg framing, HTTP banners and dispatch,
RTSP, ONVIF, Hikvision ISAPI and Dahua CGI.

Fixtures in tests/fixtures/apps are our own, in the real formats. The real samples in
../shared/realworld are read in place (never copied into the project); tests that need them
skip when that folder is absent.
"""

from __future__ import annotations

import json
import re
import sys
import time
import tracemalloc
import types
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

import camscan.protocols
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import dahua_cgi, http, httpmsg, isapi, onvif, rtsp
from camscan.protocols.httpmsg import MAX_BODY, HttpMessage, pair, read_messages
from camscan.values import normalise_mac

FIX = Path(__file__).parent / "fixtures" / "apps"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realworld"

EXAMPLE = re.compile(r"<example[^>]*>([^<]*)</example>")
CAM = Endpoint(ip="198.18.0.10", mac="", port=80)
CAM_MAC = Endpoint(ip="198.18.0.10", mac="aa:bb:cc:00:11:22", port=80)
NVR = Endpoint(ip="198.18.0.30", mac="", port=80)



def behind(evs: list) -> list:
    """The cameras a recorder's channel list names (without the recorder's own listed marker)."""
    return [e for e in evs if e.via]

def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real sample {name} not available ({REAL} absent)")
    return path.read_bytes()


def real_glob(pattern: str) -> list[Path]:
    if not REAL.is_dir():
        pytest.skip(f"real samples folder {REAL} absent")
    found = sorted(REAL.glob(pattern))
    assert found, f"no real samples match {pattern}"
    return found


def response(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
             truncated: bool = False) -> HttpMessage:
    return HttpMessage(f"HTTP/1.1 {status} X", "", "", status, headers or [], body, truncated, "HTTP/1.1")


def get(target: str, method: str = "GET") -> HttpMessage:
    return HttpMessage(f"{method} {target} HTTP/1.1", method, target, 0, [], b"", False, "HTTP/1.1")


def raw_response(status_line: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    head = status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + body


# --------------------------------------------------------------------------- httpmsg framing

def test_keepalive_stream_pairs_four_exchanges_with_chunked_and_head() -> None:
    pairs = pair(fixture("http-hik-keepalive-client.bin"), fixture("http-hik-keepalive-server.bin"))
    assert [(q.method, q.target) for q, _ in pairs if q] == [
        ("GET", "/"), ("GET", "/ISAPI/System/deviceInfo"), ("GET", "/ISAPI/System/deviceInfo"),
        ("HEAD", "/doc/page/login.asp")]
    assert [r.status for _, r in pairs] == [200, 401, 200, 200]
    assert all(not r.truncated for _, r in pairs)
    assert pairs[2][1].body == fixture("hik-ipdome-deviceInfo.xml")  # chunked, with a chunk extension
    assert pairs[2][1].header("transfer-ENCODING") == "chunked"
    assert pairs[3][1].body == b"" and pairs[3][1].header("Content-Length") == "5120"
    assert pairs[1][1].header_values("www-authenticate")[1] == 'Basic realm="IP Camera(C1234)"'
    assert pairs[0][1].header("X-Missing") == ""
    assert pairs[0][1].start_line == "HTTP/1.1 200 OK" and pairs[0][1].method == "" and pairs[0][0].status == 0


def test_missing_client_side_pairs_with_none() -> None:
    server = fixture("http-hik-keepalive-server.bin")
    pairs = pair(b"", server)
    assert [q for q, _ in pairs] == [None, None, None, None]
    assert [r.status for _, r in pairs] == [200, 401, 200, 200]
    assert pairs[2][1].body == fixture("hik-ipdome-deviceInfo.xml")
    # without the request we cannot know the last one answered HEAD: its declared body is missing
    assert pairs[3][1].truncated and pairs[3][1].body == b""


def test_response_cut_at_every_offset_never_raises_and_keeps_whole_messages() -> None:
    server = fixture("http-hik-keepalive-server.bin")
    full = read_messages(server, requests=False, request_methods=["GET", "GET", "GET", "HEAD"])
    for cut in range(len(server) + 1):
        got = read_messages(server[:cut], requests=False, request_methods=["GET", "GET", "GET", "HEAD"])
        assert len(got) <= len(full)
        for a, b in zip(got[:-1], full, strict=False):
            assert a == b
        if got and got[-1] != full[len(got) - 1]:
            last = got[-1]
            assert last.truncated, f"cut at {cut}: incomplete message not flagged"
            assert full[len(got) - 1].body.startswith(last.body)


def test_awkward_splits_reassemble_to_the_same_messages() -> None:
    server = fixture("http-hik-keepalive-server.bin")
    # a reassembler hands over the concatenation; splitting between \r and \n, inside the chunk
    # size line and inside a header name must not matter
    points = sorted({server.index(b"\r\n") + 1, server.index(b"Transfer-Enc") + 5,
                     server.index(b"\r\n\r\n<!DOCTYPE") + 2, len(server) - 3})
    pieces = [server[a:b] for a, b in zip([0, *points], [*points, len(server)], strict=True)]
    assert b"".join(pieces) == server
    assert read_messages(b"".join(pieces), requests=False) == read_messages(server, requests=False)


def test_bare_lf_and_folded_headers_are_read() -> None:
    data = b"HTTP/1.0 200 OK\nServer: DNVRS-Webs\nX-Long: one\n two\nContent-Length: 2\n\nok"
    [msg] = read_messages(data, requests=False)
    assert msg.header("server") == "DNVRS-Webs" and msg.header("x-long") == "one two" and msg.body == b"ok"


def test_head_304_204_and_interim_100_have_no_body() -> None:
    client = (b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /c HTTP/1.1\r\nHost: x\r\n\r\nPOST /d HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
              b"GET /e HTTP/1.1\r\n\r\n")
    server = (raw_response("HTTP/1.1 304 Not Modified", [("Content-Length", "999"), ("ETag", '"x"')])
              + raw_response("HTTP/1.1 200 OK", [("Content-Length", "4096")])
              + raw_response("HTTP/1.1 204 No Content", [])
              + raw_response("HTTP/1.1 100 Continue", [])
              + raw_response("HTTP/1.1 201 Created", [("Content-Length", "2")], b"ok")
              + raw_response("HTTP/1.1 200 OK", [("Content-Length", "5")], b"hello"))
    pairs = pair(client, server)
    assert [(q.target if q else None, r.status, r.body) for q, r in pairs] == [
        ("/a", 304, b""), ("/b", 200, b""), ("/c", 204, b""), ("/d", 201, b"ok"), ("/e", 200, b"hello")]
    assert not any(r.truncated for _, r in pairs)
    reqs = read_messages(client, requests=True)
    assert reqs[3].body == b"abc"


def test_body_over_max_is_cut_and_flagged_and_next_message_still_read() -> None:
    big = MAX_BODY + 1_000_000
    server = (raw_response("HTTP/1.1 200 OK", [("Content-Length", str(big))], b"A" * big)
              + raw_response("HTTP/1.1 200 OK", [("Content-Length", "2")], b"ok"))
    first, second = read_messages(server, requests=False)
    assert first.truncated and len(first.body) == MAX_BODY
    assert not second.truncated and second.body == b"ok"


def test_chunked_and_read_to_end_bodies_are_bounded() -> None:
    chunk = b"B" * 65536
    n = (MAX_BODY // len(chunk)) + 10
    chunked = raw_response("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked")]) + (
        b"10000\r\n" + chunk + b"\r\n") * n + b"0\r\n\r\n" + raw_response("HTTP/1.1 404 Not Found", [])
    first, second = read_messages(chunked, requests=False)
    assert first.truncated and len(first.body) == MAX_BODY and second.status == 404
    to_end = raw_response("HTTP/1.0 200 OK", [("Server", "Hikvision-Webs")], b"C" * (MAX_BODY + 5))
    [msg] = read_messages(to_end, requests=False)
    assert msg.truncated and len(msg.body) == MAX_BODY


def test_memory_stays_bounded_for_a_huge_body() -> None:
    data = raw_response("HTTP/1.1 200 OK", [("Content-Type", "text/html")], b"<p>" * (8 * MAX_BODY // 3))
    tracemalloc.start()
    try:
        [msg] = read_messages(data, requests=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert msg.truncated and len(msg.body) == MAX_BODY
    assert peak < 2 * MAX_BODY + 512 * 1024, peak


def test_header_bombs_are_malformed_for_the_first_message() -> None:
    many = raw_response("HTTP/1.1 200 OK", [(f"X-H{i}", "v") for i in range(150)])
    with pytest.raises(Malformed, match="more than 100"):
        read_messages(many, requests=False)
    huge = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n"
    with pytest.raises(Malformed, match="header block"):
        read_messages(huge, requests=False)
    endless = b"GET /" + b"a" * (70 * 1024)
    with pytest.raises(Malformed):
        read_messages(endless, requests=True)
    with pytest.raises(Malformed):
        pair(b"", many)
    # a bomb after a good message ends the list quietly
    ok = raw_response("HTTP/1.1 200 OK", [("Content-Length", "0"), ("Server", "App-webs/")])
    assert [m.header("server") for m in read_messages(ok + many, requests=False)] == ["App-webs/"]


def test_streams_that_are_not_http_give_nothing() -> None:
    tls_hello = bytes.fromhex("160301020001000200fc03039a") + b"\x00" * 200
    for data in (b"", b"\r\n\r\n", tls_hello, b"SSH-2.0-dropbear_2019.78\r\n", bytes(range(256)) * 300,
                 b"<?xml version='1.0'?><Probe/>", b"hello world " * 10000):
        assert read_messages(data, requests=False) == []
        assert read_messages(data, requests=True) == []
        assert pair(data, data) == []


def test_conflicting_content_length_stops_with_truncated_flag() -> None:
    data = raw_response("HTTP/1.1 200 OK", [("Content-Length", "3"), ("Content-Length", "5")], b"abcde")
    [msg] = read_messages(data, requests=False)
    assert msg.truncated and msg.body == b""


def test_rtsp_framing_no_length_means_no_body_and_interleaved_frames_are_skipped() -> None:
    rtp = b"$\x00\x00\x04abcd"
    server = (raw_response("RTSP/1.0 200 OK", [("CSeq", "3"), ("Session", "12345678")]) + rtp
              + raw_response("RTSP/1.0 200 OK", [("CSeq", "4"), ("Content-Length", "4")], b"v=0\n"))
    msgs = read_messages(server, requests=False)
    assert [(m.version, m.header("cseq"), m.body) for m in msgs] == [
        ("RTSP/1.0", "3", b""), ("RTSP/1.0", "4", b"v=0\n")]


def test_rtsp_pairs_by_cseq_when_a_response_is_missing() -> None:
    url = "rtsp://198.18.0.11:554/"
    client = rtsp.build_options(url, 1) + rtsp.build_describe(url, 2) + rtsp.build_describe(url, 3)
    server = (raw_response("RTSP/1.0 401 Unauthorized", [("CSeq", "2")])
              + raw_response("RTSP/1.0 401 Unauthorized", [("CSeq", "3")]))
    got = [(q.header("CSeq") if q else None, r.header("CSeq")) for q, r in pair(client, server)]
    assert got == [("2", "2"), ("3", "3")]
    [first] = read_messages(rtsp.build_options(url, 7), requests=True)
    assert first.method == "OPTIONS" and first.target == "/" and first.version == "RTSP/1.0"


def test_absolute_form_request_target_is_reduced_to_path_and_query() -> None:
    [req] = read_messages(b"GET http://198.18.0.10/ISAPI/System/deviceInfo?x=1 HTTP/1.1\r\n\r\n", requests=True)
    assert req.target == "/ISAPI/System/deviceInfo?x=1"


# --------------------------------------------------------------------------- HTTP banners and dispatch

def test_keepalive_stream_through_http_parse_exchange() -> None:
    pairs = pair(fixture("http-hik-keepalive-client.bin"), fixture("http-hik-keepalive-server.bin"))
    results = [http.parse_exchange(q, r, CAM) for q, r in pairs]
    page, challenge, info, head = results
    assert page[0].source == "http" and page[0].ip == "198.18.0.10"
    assert page[0].banners == {"http_server": "App-webs/", "http_title": "Network Camera & NVR"}
    assert challenge[0].banners["http_realm"] == "IP Camera(C1234)"  # Digest and Basic, same realm once
    assert len(challenge) == 1 and challenge[0].note == ""  # a 401 is not parsed as an API answer
    assert len(info) == 2
    ev = info[1]
    assert (ev.source, ev.platform, ev.model, ev.device_type, ev.form) == (
        "isapi", "Hikvision", "DS-2DE4A425IW-DE", "camera", "ptz")
    assert ev.firmware == "V5.5.71 build 180725" and ev.mac == "c0:56:e3:12:34:56" and ev.authenticated
    assert head == [Evidence(source="http", ip="198.18.0.10", banners={"http_server": "App-webs/"})]


def test_dahua_close_delimited_response_through_http() -> None:
    [(req, resp)] = pair(fixture("http-dahua-close-client.bin"), fixture("http-dahua-close-server.bin"))
    assert resp.body == fixture("dahua-getSystemInfo-nvr-numeric-type.txt") and not resp.truncated
    banner, cgi = http.parse_exchange(req, resp, NVR)
    assert banner.banners == {"http_server": "Webs"}
    assert (cgi.source, cgi.platform, cgi.model, cgi.serial) == (
        "cgi", "Dahua", "DH-NVR608H-128-4KS3/I", "7J0AB12CDE34F56")


@pytest.mark.parametrize(("header", "realm"), [
    ('Digest realm="Login to 4X7C5A1ZAG21L3F", qop="auth", nonce="1", opaque="2"', "Login to 4X7C5A1ZAG21L3F"),
    ('Basic realm="Hikvision"', "Hikvision"),
    ('Digest qop="auth", realm="DS-2CD2143G0-I", nonce="abc", stale="FALSE"', "DS-2CD2143G0-I"),
    ('Digest realm=DVR, nonce="x"', "DVR"),
    ('Basic realm="say \\"cheese\\""', 'say "cheese"'),
    ('Bearer error="invalid_token"', None),
])
def test_realm_extraction(header: str, realm: str | None) -> None:
    [ev] = http.parse_exchange(None, response(401, headers=[("WWW-Authenticate", header)]), CAM)
    assert ev.banners.get("http_realm") == realm


def test_several_distinct_realms_are_joined_in_order() -> None:
    resp = response(401, headers=[("WWW-Authenticate", 'Digest realm="Hikvision", nonce="1"'),
                                  ("WWW-Authenticate", 'Basic realm="/"')])
    assert http.parse_exchange(None, resp, CAM)[0].banners["http_realm"] == "Hikvision | /"


def test_title_is_decoded_cleaned_and_capped() -> None:
    body = b"<html><head><TITLE lang=en>\n  Web&nbsp;Service \xe2\x80\x93 <b>NVR</b>\n</TITLE></head></html>"
    [ev] = http.parse_exchange(None, response(200, body, [("Content-Type", "text/html; charset=UTF-8")]), CAM)
    assert ev.banners == {"http_title": "Web Service – NVR"}
    long = b"<title>" + b"x" * 5000 + b"</title>"
    assert len(http.parse_exchange(None, response(200, long), CAM)[0].banners["http_title"]) == 200
    gbk = "<title>网络视频录像机</title>".encode("gbk")
    [ev] = http.parse_exchange(None, response(200, gbk, [("Content-Type", "text/html;charset=gb2312")]), CAM)
    assert ev.banners["http_title"] == "网络视频录像机"
    [ev] = http.parse_exchange(None, response(200, b"<html><title>  </title></html>"), CAM)
    assert "http_title" not in ev.banners
    for charset in ("base64", "rot13", "idna", "hex", "no-such-codec"):  # hostile or bogus charsets
        body = f'<meta charset="{charset}"><title>NVR</title>'.encode()
        [ev] = http.parse_exchange(None, response(200, body, [("Content-Type", f"text/html; charset={charset}")]), CAM)
        assert ev.banners["http_title"] == "NVR", charset


def test_endpoint_mac_is_normalised_everywhere() -> None:
    odd = Endpoint(ip="198.18.0.10", mac="AA-BB-CC-00-11-22")
    assert http.parse_exchange(None, response(200), odd)[0].mac == "aa:bb:cc:00:11:22"
    assert rtsp.parse_exchange(None, response(200), odd)[0].mac == "aa:bb:cc:00:11:22"
    assert isapi.parse_device_info(fixture("hik-ipdome-deviceInfo.xml"), odd)[0].mac == "aa:bb:cc:00:11:22"
    assert onvif.parse_response(fixture("onvif-GetServices-ptz.xml"), odd)[0].mac == "aa:bb:cc:00:11:22"
    assert dahua_cgi.parse(dahua_cgi.ACTIONS["getSerialNo"], b"sn=X1", odd)[0].mac == "aa:bb:cc:00:11:22"


def test_control_characters_in_banners_are_removed() -> None:
    [ev] = http.parse_exchange(None, response(200, headers=[("Server", "Web\x00s\x1b[31m")]), CAM)
    assert ev.banners["http_server"] == "Web s [31m"


def test_dispatch_without_request_uses_the_root_element() -> None:
    body = fixture("hik-ipdome-deviceInfo.xml")
    _, ev = http.parse_exchange(None, response(200, body), CAM_MAC)
    assert ev.source == "isapi" and ev.mac == "aa:bb:cc:00:11:22" and ev.form == "ptz"
    out = http.parse_exchange(None, response(200, fixture("hik-nvr-inputproxy-mixed.xml")), NVR)
    assert [e.channel for e in behind(out)] == [1, 2, 3, 4]
    out = http.parse_exchange(None, response(200, fixture("onvif-GetServices-ptz.xml")), CAM)
    assert out[1].source == "onvif" and out[1].form == "ptz"
    out = http.parse_exchange(None, response(200, fixture("dahua-RemoteDevice-nvr.txt")), NVR)
    assert [e.channel for e in behind(out)] == [1, 2, 16]
    out = http.parse_exchange(None, response(200, fixture("dahua-getSystemInfo-nvr-numeric-type.txt")), NVR)
    assert out[1].model == "DH-NVR608H-128-4KS3/I"
    # a DeviceInfo outside the ISAPI namespaces is not claimed for Hikvision
    other = b'<DeviceInfo xmlns="urn:example:other"><model>X1</model></DeviceInfo>'
    assert len(http.parse_exchange(None, response(200, other), CAM)) == 1


def test_dispatch_by_target_is_case_insensitive_and_ignores_query() -> None:
    body = fixture("hik-ipdome-deviceInfo.xml")
    out = http.parse_exchange(get("/isapi/system/DEVICEINFO?format=xml"), response(200, body), CAM)
    assert out[1].model == "DS-2DE4A425IW-DE"
    ptz = response(200, fixture("hik-ptz-channels-camera.xml"))
    out = http.parse_exchange(get("/ISAPI/PTZCtrl/channels"), ptz, CAM)
    assert out[1].form == "ptz"
    out = http.parse_exchange(get("/cgi-bin/magicBox.cgi?action=getSoftwareVersion"),
                              response(200, fixture("dahua-getSoftwareVersion.txt")), CAM)
    assert out[1].firmware == "2.800.0000016.0.R build 2020-06-05"
    # a plain page at another path is only a banner
    assert len(http.parse_exchange(get("/doc/page/login.asp"), response(200, b"<html></html>"), CAM)) == 1


def test_onvif_fault_is_read_even_with_http_400() -> None:
    fault = response(400, fixture("onvif-Fault-NotAuthorized.xml"))
    out = http.parse_exchange(get("/onvif/device_service", "POST"), fault, CAM)
    assert len(out) == 2
    assert out[1].source == "onvif" and out[1].note == "onvif fault: NotAuthorized (Sender not Authorized)"
    assert not out[1].authenticated


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema"><model>&lol4;</model></DeviceInfo>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE DeviceInfo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema"><model>&xxe;</model></DeviceInfo>"""
BROKEN = b'<DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema"><model>DS-2CD</mod'
FIVE_MB = (b'<DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema"><model>'
           + b"A" * 5_000_000 + b"</model></DeviceInfo>")
SOAP_BOMB = BILLION_LAUGHS.replace(b"<DeviceInfo", b"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><x").replace(
    b"</DeviceInfo>", b"</x></s:Body></s:Envelope>")


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, BROKEN, FIVE_MB], ids=["laughs", "xxe", "broken", "5MB"])
@pytest.mark.parametrize("target", ["/ISAPI/System/deviceInfo", "/ISAPI/ContentMgmt/InputProxy/channels", None])
def test_hostile_xml_keeps_banner_and_notes_malformed(body: bytes, target: str | None) -> None:
    resp = response(200, body, [("Server", "App-webs/")])
    out = http.parse_exchange(get(target) if target else None, resp, CAM)
    assert len(out) == 1
    assert out[0].banners == {"http_server": "App-webs/"}
    assert out[0].problem == "malformed" and out[0].note.startswith("ISAPI")
    assert "passwd" not in out[0].note and "AAAA" not in out[0].note and len(out[0].note) < 200


@pytest.mark.parametrize("target", ["/onvif/device_service", "/cgi-bin/magicBox.cgi?action=getSystemInfo"])
def test_hostile_bodies_on_other_apis(target: str) -> None:
    body = SOAP_BOMB if "onvif" in target else b"deviceType=\x00\x01\x02"
    out = http.parse_exchange(get(target, "POST" if "onvif" in target else "GET"), response(200, body), CAM)
    assert len(out) == 1 and out[0].problem == "malformed" and out[0].note


def test_truncated_api_body_from_the_stream_is_noted_not_parsed() -> None:
    client = b"GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: x\r\n\r\n"
    server = raw_response("HTTP/1.1 200 OK", [("Server", "App-webs/"), ("Content-Length", str(len(FIVE_MB)))], FIVE_MB)
    [(req, resp)] = pair(client, server)
    assert resp.truncated and len(resp.body) == MAX_BODY
    [ev] = http.parse_exchange(req, resp, CAM)
    assert ev.problem == "malformed" and ev.note.startswith("ISAPI deviceInfo: body truncated")
    # cut short by the capture rather than by the cap
    body = fixture("hik-ipdome-deviceInfo.xml")
    server = raw_response("HTTP/1.1 200 OK", [("Content-Length", str(len(body)))], body[:100])
    [(req, resp)] = pair(client, server)
    [ev] = http.parse_exchange(req, resp, CAM)
    assert ev.problem == "malformed" and ev.note.startswith("ISAPI deviceInfo")


def test_a_parser_bug_is_counted_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(body: bytes, server: Endpoint) -> list[Evidence]:
        raise KeyError("bug")

    monkeypatch.setitem(http._BY_PATH, "/isapi/system/deviceinfo", ("ISAPI deviceInfo", boom))
    [ev] = http.parse_exchange(get("/ISAPI/System/deviceInfo"), response(200, b"<DeviceInfo/>"), CAM)
    assert ev.problem == "malformed" and ev.note == "ISAPI deviceInfo: parser error (KeyError)"


def test_upnp_description_goes_to_ssdp_whatever_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, Endpoint]] = []

    def parse_description(body: bytes, src: Endpoint) -> list[Evidence]:
        calls.append((body, src))
        return [Evidence(source="ssdp", ip=src.ip, model="DS-2CD2143G0-I")]

    fake = types.ModuleType("camscan.protocols.ssdp")
    fake.parse_description = parse_description  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "camscan.protocols.ssdp", fake)
    monkeypatch.setattr(camscan.protocols, "ssdp", fake, raising=False)
    body = fixture("upnp-description-hikvision.xml")
    out = http.parse_exchange(get("/upnpdevicedesc.xml"), response(200, body), CAM)
    assert calls == [(body, CAM)] and out[1].source == "ssdp"
    out = http.parse_exchange(None, response(200, body), CAM)
    assert len(calls) == 2 and len(out) == 2


def test_upnp_description_with_the_real_ssdp_module() -> None:
    ssdp = pytest.importorskip("camscan.protocols.ssdp")
    assert hasattr(ssdp, "parse_description")
    out = http.parse_exchange(get("/upnpdevicedesc.xml"), response(200, fixture("upnp-description-hikvision.xml")), CAM)
    assert out[0].source == "http" and not out[0].problem
    assert all(isinstance(e, Evidence) for e in out)
    assert any(e.model == "DS-2CD2143G0-I" and e.ip == CAM.ip for e in out[1:])


def test_recog_http_banners_come_through_unchanged() -> None:
    servers = EXAMPLE.findall(real("recog-http_servers-camera-fingerprints.xml").decode())
    assert len(servers) >= 15
    for example in servers:
        value = example.replace("&quot;", '"').replace("&amp;", "&")
        [ev] = http.parse_exchange(None, response(200, headers=[("Server", value)]), CAM)
        assert ev.banners["http_server"] == value
    titles = EXAMPLE.findall(real("recog-html_title-camera-fingerprints.xml").decode())
    assert len(titles) >= 10
    for example in titles:
        body = f"<html><head><title>{example}</title></head></html>".encode()
        [ev] = http.parse_exchange(None, response(200, body), CAM)
        assert ev.banners["http_title"] == " ".join(example.replace("&amp;", "&").split())


def test_recog_wwwauth_realms_are_extracted() -> None:
    text = real("recog-http_wwwauth-camera-fingerprints.xml").decode()
    examples = [e.replace("&quot;", '"').replace("&amp;", "&")
                for e in EXAMPLE.findall(text)]
    assert len(examples) >= 10
    seen = 0
    for header in examples:
        m = re.search(r'realm="([^"]*)"', header)
        if not m:
            continue
        seen += 1
        [ev] = http.parse_exchange(None, response(401, headers=[("WWW-Authenticate", header)]), CAM)
        assert ev.banners["http_realm"] == m.group(1), header
    assert seen >= 10


# --------------------------------------------------------------------------- RTSP

def test_rtsp_probes_are_exact_and_refuse_injection() -> None:
    assert rtsp.build_options("rtsp://198.18.0.11:554/") == (
        b"OPTIONS rtsp://198.18.0.11:554/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camscan/0.1.0\r\n\r\n")
    assert rtsp.build_describe("rtsp://198.18.0.11/Streaming/Channels/101", cseq=5) == (
        b"DESCRIBE rtsp://198.18.0.11/Streaming/Channels/101 RTSP/1.0\r\nCSeq: 5\r\n"
        b"User-Agent: camscan/0.1.0\r\nAccept: application/sdp\r\n\r\n")
    for bad in ("http://198.18.0.11/", "rtsp://x/\r\nSET_PARAMETER", "rtsp://a b", "rtsp://"):
        with pytest.raises(ValueError):
            rtsp.build_options(bad)


def test_rtsp_dahua_stream() -> None:
    pairs = pair(fixture("rtsp-dahua-client.bin"), fixture("rtsp-dahua-server.bin"))
    assert [(q.method, r.status) for q, r in pairs if q] == [("OPTIONS", 200), ("DESCRIBE", 401)]
    [ev] = rtsp.parse_exchange(*pairs[1], Endpoint("198.18.0.11"))
    assert ev.source == "rtsp" and ev.ip == "198.18.0.11"
    assert ev.banners == {"rtsp_server": "Dahua Rtsp Server", "rtsp_realm": "Login to 4X7C5A1ZAG21L3F",
                          "rtsp_url": "/cam/realmonitor?channel=1&subtype=0"}
    [ev] = rtsp.parse_exchange(*pairs[0], Endpoint("198.18.0.11"))
    assert ev.banners == {"rtsp_server": "Dahua Rtsp Server", "rtsp_url": "/cam/realmonitor?channel=1&subtype=0"}


def test_rtsp_hikvision_one_direction() -> None:
    [(req, resp)] = pair(b"", fixture("rtsp-hikvision-server-only.bin"))
    assert req is None
    [ev] = rtsp.parse_exchange(req, resp, CAM)
    assert ev.banners == {"rtsp_realm": "Hikvision | /"}


def test_recog_rtsp_servers() -> None:
    examples = EXAMPLE.findall(real("recog-rtsp_servers-camera-fingerprints.xml").decode())
    assert "Dahua Rtsp Server" in examples
    for example in examples:
        data = raw_response("RTSP/1.0 200 OK", [("CSeq", "1"), ("Server", example)])
        [(req, resp)] = pair(b"", data)
        assert rtsp.parse_exchange(req, resp, CAM)[0].banners["rtsp_server"] == example


# --------------------------------------------------------------------------- Hikvision ISAPI

def test_isapi_paths_are_read_only_constants() -> None:
    assert isapi.DEVICE_INFO == "/ISAPI/System/deviceInfo"
    assert isapi.INPUT_PROXY_CHANNELS == "/ISAPI/ContentMgmt/InputProxy/channels"
    assert isapi.PTZ_CHANNELS == "/ISAPI/PTZCtrl/channels"


def test_isapi_device_info_ipdome_fixture() -> None:
    [ev] = isapi.parse_device_info(fixture("hik-ipdome-deviceInfo.xml"), CAM)
    assert (ev.source, ev.ip, ev.platform, ev.vendor) == ("isapi", "198.18.0.10", "Hikvision", "")
    assert (ev.model, ev.serial, ev.name) == (
        "DS-2DE4A425IW-DE", "DS-2DE4A425IW-DE20190101AAWRD00000001", "Car Park PTZ")
    assert (ev.device_type, ev.form, ev.firmware) == ("camera", "ptz", "V5.5.71 build 180725")
    assert ev.mac == "c0:56:e3:12:34:56" and ev.authenticated
    assert "firmwareVersionInfo=B-R-R7-0" in ev.note
    # the address the answer came from wins over the body's own claim
    assert isapi.parse_device_info(fixture("hik-ipdome-deviceInfo.xml"), CAM_MAC)[0].mac == "aa:bb:cc:00:11:22"


@pytest.mark.parametrize(("raw", "device_type", "form"), [
    ("IPCamera", "camera", "static"), ("IPDome", "camera", "ptz"), ("IPZoom", "camera", "static"),
    ("NVR", "nvr", ""), ("DVR", "dvr", ""), ("HybirdNVR", "nvr", ""), ("HybridNVR", "nvr", ""),
    ("DVS", "encoder", ""), ("VIS", "intercom", ""), ("ACS", "other", ""), ("AlarmHost", "alarm", ""),
    ("SecurityCP", "alarm", ""), ("Thermometer", "", ""), ("", "", ""),
])
def test_isapi_device_types(raw: str, device_type: str, form: str) -> None:
    body = (f'<DeviceInfo xmlns="http://www.isapi.org/ver20/XMLSchema"><model>M</model>'
            f"<deviceType>{raw}</deviceType></DeviceInfo>").encode()
    [ev] = isapi.parse_device_info(body, CAM)
    assert (ev.device_type, ev.form) == (device_type, form)
    if raw and not device_type:
        assert f"deviceType={raw}" in ev.note


def test_isapi_not_ours_and_malformed() -> None:
    assert isapi.parse_device_info(b'<ResponseStatus><statusCode>4</statusCode></ResponseStatus>', CAM) == []
    assert isapi.parse_input_proxy_channels(b"<DeviceInfo/>", CAM) == []
    assert isapi.parse_ptz_channels(b"<DeviceInfo/>", CAM) == []
    for body in (BILLION_LAUGHS, XXE, BROKEN, FIVE_MB, b"", b"\xff\xfe\x00garbage"):
        for parser in (isapi.parse_device_info, isapi.parse_input_proxy_channels, isapi.parse_ptz_channels):
            with pytest.raises(Malformed):
                parser(body, CAM)


def test_isapi_input_proxy_mixed_fixture() -> None:
    listed, *evs = isapi.parse_input_proxy_channels(fixture("hik-nvr-inputproxy-mixed.xml"), NVR)
    assert (listed.ip, listed.channels_listed, listed.via) == (NVR.ip, True, "")
    assert [(e.channel, e.ip, e.platform, e.model) for e in evs] == [
        (1, "192.168.254.3", "Hikvision", "DS-2CD2143G0-I"),
        (2, "198.18.4.21", "", "M3024-L"),
        (3, "198.18.4.22", "Hikvision", "IPC"),
        (4, "", "Hikvision", ""),
    ]
    assert all((e.source, e.via, e.device_type) == ("nvr", "198.18.0.30", "camera") for e in evs)
    assert evs[0].firmware == "V5.5.0 build 191126" and evs[0].name == "Main Entrance"
    assert evs[0].serial == "DS-2CD2143G0-I20200101AAWRE00000001"
    assert evs[1].note == "proxyProtocol=ONVIF" and evs[1].platform == ""
    assert "host=gate-cam.example.org" in evs[3].note
    assert "admin" not in repr(evs)


def test_isapi_single_channel_document() -> None:
    body = (b'<InputProxyChannel xmlns="http://www.isapi.org/ver20/XMLSchema"><id>12</id><name>Lift</name>'
            b"<sourceInputPortDescriptor><proxyProtocol>HIKVISION</proxyProtocol><ipAddress>999.1.1.1</ipAddress>"
            b"</sourceInputPortDescriptor></InputProxyChannel>")
    [ev] = behind(isapi.parse_input_proxy_channels(body, NVR))
    assert (ev.channel, ev.ip, ev.name) == (12, "", "Lift")


def test_isapi_ptz_channels() -> None:
    [ev] = isapi.parse_ptz_channels(fixture("hik-ptz-channels-camera.xml"), CAM_MAC)
    assert (ev.source, ev.platform, ev.form, ev.device_type, ev.authenticated, ev.mac) == (
        "isapi", "Hikvision", "ptz", "camera", True, "aa:bb:cc:00:11:22")
    evs = isapi.parse_ptz_channels(fixture("hik-ptz-channels-nvr.xml"), NVR)
    assert [(e.source, e.via, e.channel, e.form) for e in evs] == [
        ("nvr", "198.18.0.30", 3, "ptz"), ("nvr", "198.18.0.30", 7, "ptz")]
    assert isapi.parse_ptz_channels(fixture("hik-ptz-channels-empty.xml"), CAM) == []


def test_isapi_real_device_info_samples() -> None:
    expected = {
        "hikvision-isapi-deviceInfo-DS-2CD2386G2-IU-V5.7.14.xml": (
            "DS-2CD2386G2-IU", "camera", "static", "V5.7.14 build 231028", "14:92:3c:4f:f8:42", "hikvision"),
        "hikvision-isapi-deviceInfo-DS-2CD2386G2-IU-V5.7.18.xml": (
            "DS-2CD2386G2-IU", "camera", "static", "V5.7.18 build 240826", "a6:63:9e:f8:01:09", "hikvision"),
        "hikvision-isapi-deviceInfo-DS-7608NXI-I2-8P-S-nvr.xml": (
            "DS-7608NXI-I2/8P/S", "nvr", "", "V4.62.210 build 230612", "cc:ed:d6:41:a8:39", ""),
    }
    for name, (model, device_type, form, firmware, mac, vendor) in expected.items():
        [ev] = isapi.parse_device_info(real(name), CAM)
        assert (ev.model, ev.device_type, ev.form, ev.firmware, ev.mac, ev.vendor) == (
            model, device_type, form, firmware, mac, vendor), name
    [ev] = isapi.parse_device_info(real("hikvision-isapi-deviceInfo-DS-2CD2386G2-IU-V5.7.14.xml"), CAM)
    assert ev.note == "firmwareVersionInfo=B-R-G5-0; OEMCode=1" and ev.name == "yard"


def dict_to_xml(tag: str, value: object) -> str:
    """xmltodict output back to XML: `@attr` → attribute (so `@xmlns` sets the namespace),
    `#text` → text, lists → repeated elements, None → empty element."""
    if isinstance(value, list):
        return "".join(dict_to_xml(tag, item) for item in value)
    if value is None:
        return f"<{tag}/>"
    if isinstance(value, dict):
        attrs = "".join(f" {k[1:]}={quoteattr(str(v))}" for k, v in value.items() if k.startswith("@"))
        inner = escape(str(value.get("#text", "")))
        inner += "".join(dict_to_xml(k, v) for k, v in value.items() if not k.startswith(("@", "#")))
        return f"<{tag}{attrs}>{inner}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def dump_document(data: dict, path: str) -> bytes | None:
    entry = data["data"]["ISAPI"].get(path) or {}
    doc = entry.get("response")
    if not isinstance(doc, dict) or len(doc) != 1:
        return None
    [(root, value)] = doc.items()
    return dict_to_xml(root, value).encode()


DUMPS = {
    # model in the dump: (deviceType, device_type, form, firmware, channels listed by the recorder)
    "DS-2CD2146G2-ISU": ("DS-2CD2146G2-ISU", "camera", "static", "V5.7.17 build 240606", None),
    "DS-2CD2346G2-ISU": ("DS-2CD2346G2-ISU/SL", "camera", "static", "V5.7.18 build 240826", None),
    "DS-2CD2386G2-IU": ("DS-2CD2386G2-IU", "camera", "static", "V5.7.15 build 240201", None),
    "DS-2CD2443G0-IW": ("DS-2CD2443G0-IW", "camera", "static", "V5.6.5 build 200316", None),
    "DS-2CD2532F-IWS": ("DS-2CD2532F-IWS", "camera", "static", "V5.2.0 build 140721", None),
    "DS-2CD2T46G2-ISU": ("DS-2CD2T46G2-ISU/SL", "camera", "static", "V5.7.18 build 240826", None),
    "DS-2CD2T86G2-ISU": ("DS-2CD2T86G2-ISU/SL", "camera", "static", "V5.7.18 build 240826", None),
    "DS-2SE4C425MWG-E-26": ("DS-2SE4C425MWG-E-26", "camera", "ptz", "V5.8.1 build 240929", None),
    "DS-2TD1228-2-QA": ("DS-2TD1228-2-QA", "camera", "static", "V5.5.98 build 240726", None),
    "DS-7608NXI-I2": ("DS-7608NXI-I2/8P/S", "nvr", "", "V4.62.210 build 230619", 4),
    "DS-7616NI-K2": ("DS-7616NI-K2", "nvr", "", "V4.74.210 build 240108", 6),
    "DS-7616NI-Q2": ("DS-7616NI-Q2/16P", "nvr", "", "V4.30.097 build 240401", 9),
    "DS-7732NI-M4": ("DS-7732NI-M4", "nvr", "", "V5.03.020 build 240904", 18),
    "iDS-7204HUHI-M1": ("iDS-7204HUHI-M1/E", "dvr", "", "V4.75.011 build 240625", 0),
    "iDS-7208HQHI-M1": ("iDS-7208HQHI-M1(A)/S(C)", "dvr", "", "V4.75.011 build 240625", 0),
}


def test_every_isapi_dump_goes_through_the_parsers() -> None:
    files = real_glob("hikvision-isapi-dump-*.json")
    assert len(files) == 15
    seen, macs = set(), 0
    for path in files:
        key = path.name.removeprefix("hikvision-isapi-dump-").removesuffix(".json")
        model, device_type, form, firmware, n_channels = DUMPS[key]
        seen.add(key)
        data = json.loads(path.read_text())
        info = dump_document(data, "System/deviceInfo")
        assert info is not None
        out = http.parse_exchange(get(isapi.DEVICE_INFO), response(200, info), NVR)
        assert len(out) == 2, (key, out[0].note)
        ev = out[1]
        assert (ev.model, ev.device_type, ev.form, ev.firmware, ev.platform) == (
            model, device_type, form, firmware, "Hikvision"), key
        assert ev.serial and ev.name
        # upstream replaced the MACs with random values, some with the group bit set: those are
        # not station addresses and are dropped, the rest come through normalised
        raw_mac = data["data"]["ISAPI"]["System/deviceInfo"]["response"]["DeviceInfo"]["macAddress"]
        assert ev.mac == normalise_mac(raw_mac)
        macs += bool(ev.mac)
        channels = dump_document(data, "ContentMgmt/InputProxy/channels")
        if n_channels is None:
            assert channels is None, key  # cameras answered 403
            continue
        assert channels is not None
        evs = behind(isapi.parse_input_proxy_channels(channels, NVR))
        assert len(evs) == n_channels, key
        assert all(e.source == "nvr" and e.via == NVR.ip and e.device_type == "camera" and e.ip for e in evs)
        assert [e.channel for e in evs] == list(range(1, n_channels + 1))
    assert seen == set(DUMPS)
    assert macs >= 8


def test_isapi_dump_channel_details() -> None:
    [path] = real_glob("hikvision-isapi-dump-DS-7608NXI-I2.json")
    channels = dump_document(json.loads(path.read_text()), "ContentMgmt/InputProxy/channels")
    evs = behind(isapi.parse_input_proxy_channels(channels, NVR))
    assert [(e.name, e.ip, e.model, e.firmware, e.platform) for e in evs] == [
        ("garden", "1.0.0.236", "DS-2CD2386G2-IU", "V5.7.15 build 240201", "Hikvision"),
        ("home", "1.0.0.50", "DS-2CD2386G2-IU", "V5.7.15 build 240201", "Hikvision"),
        ("road", "1.0.0.80", "IPC", "V6.26 build 150513", "Hikvision"),
        ("gate", "1.0.0.238", "", "", "Hikvision"),
    ]
    [path] = real_glob("hikvision-isapi-dump-DS-7732NI-M4.json")
    channels = dump_document(json.loads(path.read_text()), "ContentMgmt/InputProxy/channels")
    evs = behind(isapi.parse_input_proxy_channels(channels, NVR))
    onvif_channels = [e.channel for e in evs if e.note == "proxyProtocol=ONVIF"]
    assert onvif_channels == list(range(9, 17))
    assert all(e.vendor == "" and e.model == "JVSWO708-PO300M2" for e in evs if e.channel in onvif_channels)
    assert evs[6].model == "IPC-T620-Z" and evs[6].platform == "Hikvision" and evs[6].vendor == ""


# --------------------------------------------------------------------------- ONVIF

def test_onvif_device_information() -> None:
    [ev] = onvif.parse_response(fixture("onvif-GetDeviceInformation-dahua.xml"), CAM_MAC)
    assert (ev.source, ev.ip, ev.mac, ev.vendor, ev.model, ev.serial) == (
        "onvif", "198.18.0.10", "aa:bb:cc:00:11:22", "Dahua", "IPC-HDW5831R-ZE", "4X7C5A1ZAG21L3F")
    assert ev.firmware == "2.800.0000016.0.R build 2020-06-05" and ev.note == "HardwareId=1.00" and ev.authenticated
    [ev] = onvif.parse_response(real("hikvision-onvif-GetDeviceInformation-body-iDS-2PT91JNLC-CS-CXS-ptz.xml"), CAM)
    assert (ev.vendor, ev.model, ev.firmware, ev.note) == (
        "HIKVISION", "iDS-2PT91JNLC-CS/CXS", "V5.5.23 build 190821", "HardwareId=88")
    assert ev.serial == "iDS-2PT91JNLC-CS/CXS20190924CCCHD65746854"


def test_onvif_capabilities_real_samples() -> None:
    [ev] = onvif.parse_response(real("hikvision-onvif-GetCapabilities-body-iDS-2PT91JNLC-CS-CXS-ptz-hikxsd.xml"), CAM)
    assert ev.form == "ptz" and ev.note == "video sources: 2"
    [ev] = onvif.parse_response(real("dahua-onvif-GetCapabilities-response-fixed-cam.xml"), CAM)
    assert ev.form == "static" and ev.note == "video sources: 1"
    md = real("xiongmai-onvif-GetCapabilities-body-XM530_50X50-WG_8M.xml.md")
    # the upstream file is a Markdown ```xml fence with the address redacted as `<camera-ip>`
    body = md.split(b"```xml", 1)[1].rsplit(b"```", 1)[0].replace(b"<camera-ip>", b"192.0.2.10")
    [ev] = onvif.parse_response(body, CAM)
    assert ev.form == "ptz"  # Xiongmai advertises a PTZ service; fusion must weigh that
    with pytest.raises(Malformed):  # as published, the redaction makes it ill-formed
        onvif.parse_response(md.split(b"```xml", 1)[1].rsplit(b"```", 1)[0], CAM)


def test_onvif_services_nodes_hostname_scopes_sources() -> None:
    assert [e.form for e in onvif.parse_response(fixture("onvif-GetServices-ptz.xml"), CAM)] == ["ptz"]
    assert [e.form for e in onvif.parse_response(fixture("onvif-GetServices-fixed.xml"), CAM)] == ["static"]
    for name in ("hikvision-onvif-ptz-GetNodes-response-PTZNODETOKEN.xml",
                 "unknown-vendor-gsoap-onvif-ptz-GetNodes-response.xml"):
        [ev] = onvif.parse_response(real(name), CAM)
        assert ev.form == "ptz" and ev.note == "PTZ nodes: 1" and ev.authenticated
    [ev] = onvif.parse_response(real("hikvision-onvif-GetHostname-body-iDS-2PT91JNLC-CS-CXS.xml"), CAM)
    assert ev.name == "Hikvision"
    [ev] = onvif.parse_response(fixture("onvif-GetScopes-hikvision-ptz.xml"), CAM)
    assert (ev.name, ev.model, ev.form, ev.device_type, ev.mac) == (
        "HIKVISION DS-2DE4A425IW-DE", "DS-2DE4A425IW-DE", "ptz", "", "c0:56:e3:12:34:56")
    assert ev.banners == {"wsd_name": "HIKVISION DS-2DE4A425IW-DE", "wsd_hardware": "DS-2DE4A425IW-DE"}
    [ev] = onvif.parse_response(fixture("onvif-GetVideoSources-two.xml"), CAM)
    assert ev.note == "video sources: 2"
    assert onvif.parse_response(fixture("onvif-GetSystemDateAndTime.xml"), CAM) == []
    for name in ("dahua-onvif-GetStreamUri-response.xml", "hikvision-onvif-GetStreamUri-body-iDS-2PT91JNLC-CS-CXS.xml",
                 "hikvision-onvif-ptz-GetConfigurations-response.xml"):
        assert onvif.parse_response(real(name), CAM) == []


def test_onvif_faults() -> None:
    [ev] = onvif.parse_response(fixture("onvif-Fault-NotAuthorized.xml"), CAM)
    assert ev.note == "onvif fault: NotAuthorized (Sender not Authorized)" and not ev.authenticated
    soap11 = (b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
              b"<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>Unauthorized</faultstring>"
              b"</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>")
    [ev] = onvif.parse_response(soap11, CAM)
    assert ev.note == "onvif fault: Client (Unauthorized)"


def test_scope_fields_match_real_discovery_samples() -> None:
    for name, expected in (
        ("hikvision-wsdiscovery-probematch-body-DS-2CD2385G1-I.xml",
         {"name": "HIKVISION DS-2CD2385G1-I", "model": "DS-2CD2385G1-I", "mac": "58:50:ed:1f:e3:85"}),
        ("dahua-wsdiscovery-hello-IPC-HFW2228M-I1-V2.xml", {"name": "Dahua", "model": "IPC-HFW2228M-I1-V2"}),
    ):
        scopes = re.search(rb"<d:Scopes>(.*?)</d:Scopes>", real(name), re.S).group(1).decode().split()
        assert onvif.scope_fields(scopes) == expected
    assert onvif.scope_fields(["onvif://www.onvif.org/type/Network_Video_Storage"]) == {"device_type": "nvr"}
    assert onvif.scope_fields(["urn:other:thing", "onvif://www.onvif.org/name/"]) == {}


# --------------------------------------------------------------------------- Dahua CGI

def test_dahua_actions_are_read_only() -> None:
    assert set(dahua_cgi.ACTIONS) == {"getSystemInfo", "getDeviceType", "getSoftwareVersion", "getVendor",
                                      "getSerialNo", "getMachineName", "RemoteDevice", "VideoAnalyseCaps",
                                      "VideoAnalyseRule"}
    for path in dahua_cgi.ACTIONS.values():
        assert path.startswith("/cgi-bin/") and not re.search(r"set|reboot|RPC2|shutdown", path, re.I)
    assert dahua_cgi.ACTIONS["RemoteDevice"] == "/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice"


def test_dahua_real_getsysteminfo_with_indentation() -> None:
    body = real("dahua-magicbox-getSystemInfo-IPC-HDW5831R-ZE.txt")
    [ev] = dahua_cgi.parse(dahua_cgi.ACTIONS["getSystemInfo"], body, CAM_MAC)
    assert (ev.source, ev.platform, ev.model, ev.serial, ev.mac, ev.authenticated) == (
        "cgi", "Dahua", "IPC-HDW5831R-ZE", "4X7C5A1ZAG21L3F", "aa:bb:cc:00:11:22", True)
    assert "updateSerial=IPC-HDW5830R-Z" in ev.note


@pytest.mark.parametrize(("action", "name", "field", "value"), [
    ("getSystemInfo", "dahua-getSystemInfo-nvr-numeric-type.txt", "model", "DH-NVR608H-128-4KS3/I"),
    ("getSoftwareVersion", "dahua-getSoftwareVersion.txt", "firmware", "2.800.0000016.0.R build 2020-06-05"),
    ("getSoftwareVersion", "dahua-getSoftwareVersion-amcrest-old.txt", "firmware", "2.420.AC00.15.R build 2016-09-08"),
    ("getVendor", "dahua-getVendor-amcrest-nvr.txt", "vendor", "AC"),
    ("getDeviceType", "dahua-getDeviceType.txt", "model", "IPC-HDW5831R-ZE"),
    ("getSerialNo", "dahua-getSerialNo.txt", "serial", "4X7C5A1ZAG21L3F"),
    ("getMachineName", "dahua-getMachineName.txt", "name", "Reception-IPC"),
])
def test_dahua_magicbox_actions(action: str, name: str, field: str, value: str) -> None:
    [ev] = dahua_cgi.parse(dahua_cgi.ACTIONS[action], fixture(name), CAM)
    assert getattr(ev, field) == value
    assert (ev.source, ev.platform, ev.ip) == ("cgi", "Dahua", "198.18.0.10")


def test_dahua_numeric_device_type_is_kept_in_note_only() -> None:
    [ev] = dahua_cgi.parse(dahua_cgi.ACTIONS["getSystemInfo"], fixture("dahua-getSystemInfo-nvr-numeric-type.txt"), NVR)
    assert ev.serial == "7J0AB12CDE34F56" and "deviceType=31" in ev.note


def test_dahua_not_ours_and_malformed() -> None:
    assert dahua_cgi.parse(dahua_cgi.ACTIONS["getSystemInfo"], fixture("dahua-error-bad-request.txt"), CAM) == []
    assert dahua_cgi.parse("/cgi-bin/magicBox.cgi?action=getLanguageCaps", b"Languages=English", CAM) == []
    assert dahua_cgi.parse("/cgi-bin/snapshot.cgi", b"\xff\xd8", CAM) == []
    with pytest.raises(Malformed, match="binary"):
        dahua_cgi.parse(dahua_cgi.ACTIONS["getVendor"], b"vendor=\x00\x00", CAM)
    with pytest.raises(Malformed, match="exceeds"):
        dahua_cgi.parse(dahua_cgi.ACTIONS["RemoteDevice"], b"a=b\n" * 300_000, CAM)


def test_dahua_remote_devices() -> None:
    listed, *evs = dahua_cgi.parse("/cgi-bin/configManager.cgi?name=RemoteDevice&action=getConfig",
                                   fixture("dahua-RemoteDevice-nvr.txt"), NVR)
    assert (listed.source, listed.ip, listed.channels_listed) == ("cgi", NVR.ip, True)
    assert [(e.channel, e.ip, e.model, e.vendor, e.platform) for e in evs] == [
        (1, "198.18.6.11", "IPC-HDW1431T1-S4", "", "Dahua"),
        (2, "198.18.6.12", "DS-2CD1143G0-I", "", ""),
        (16, "198.18.6.26", "DS-2DE4A425IW-DE", "Hikvision", ""),
    ]
    assert all((e.source, e.via, e.device_type) == ("nvr", "198.18.0.30", "camera") for e in evs)
    first, second, third = evs
    assert (first.name, first.mac, first.serial) == ("Front Door", "08:ed:ed:28:8f:97", "5J0A9B8C7D6E5F4")
    assert first.firmware == "2.800.0000000.13.R build 2021-03-01" and first.note == "protocol=Private"
    assert (second.name, second.mac, second.firmware) == ("Stairwell", "", "V5.7.1 build 211102")
    assert third.name == "Car Park PTZ"
    assert "fixture-secret" not in repr(evs) and "admin" not in repr(evs)


def test_dahua_remote_device_ids_without_numbers_use_order() -> None:
    body = (b"table.RemoteDevice.alpha.Enable=true\ntable.RemoteDevice.alpha.Address=198.18.7.1\n"
            b"table.RemoteDevice.beta.Enable=false\ntable.RemoteDevice.gamma.Enable=true\n"
            b"table.RemoteDevice.gamma.Address=198.18.7.3\n")
    evs = behind(dahua_cgi.parse(dahua_cgi.ACTIONS["RemoteDevice"], body, NVR))
    assert [(e.channel, e.ip) for e in evs] == [(1, "198.18.7.1"), (3, "198.18.7.3")]


# --------------------------------------------------------------------------- robustness: only Malformed, ever

XML_FIXTURES = [p.name for p in sorted(FIX.glob("*.xml"))]


@pytest.mark.parametrize("name", XML_FIXTURES)
def test_every_prefix_of_every_fixture_raises_only_malformed(name: str) -> None:
    body = fixture(name)
    parsers = (isapi.parse_device_info, isapi.parse_input_proxy_channels, isapi.parse_ptz_channels,
               onvif.parse_response)
    for cut in range(0, len(body) + 1, 29):
        for parser in parsers:
            try:
                out = parser(body[:cut], CAM)
            except Malformed as exc:
                assert len(str(exc)) < 200
                continue
            assert isinstance(out, list) and all(isinstance(e, Evidence) for e in out)
        for target in (isapi.DEVICE_INFO, "/onvif/device_service", None):
            out = http.parse_exchange(get(target) if target else None, response(200, body[:cut]), CAM)
            assert out[0].source == "http"


def test_every_prefix_of_the_dahua_fixtures_is_safe() -> None:
    for path in sorted(FIX.glob("dahua-*.txt")):
        body = path.read_bytes()
        for cut in range(0, len(body) + 1, 7):
            for target in dahua_cgi.ACTIONS.values():
                assert isinstance(dahua_cgi.parse(target, body[:cut], CAM), list)


@pytest.mark.parametrize("case", ["status", "realm", "title", "tag", "meta", "lines", "chunks"])
def test_pathological_inputs_stay_linear(case: str) -> None:
    """Inputs shaped to make a backtracking regex go quadratic; each must finish fast."""
    big = 256 * 1024
    resp = {
        "status": lambda: read_messages(b"HTTP/1.1 200 " + b" " * 60000 + b"x\r\n\r\n", requests=False),
        "realm": lambda: http.parse_exchange(None, response(401, headers=[
            ("WWW-Authenticate", 'realm="' * 8000)]), CAM),
        "title": lambda: http.parse_exchange(None, response(200, b"<title>" * (big // 7)), CAM),
        "tag": lambda: http.parse_exchange(None, response(200, b"<a " * (big // 3)), CAM),
        "meta": lambda: http.parse_exchange(None, response(200, b"<title>t</title>" + b"<meta " * 800), CAM),
        "lines": lambda: http.parse_exchange(None, response(200, b"\n" * big), CAM),
        "chunks": lambda: read_messages(raw_response("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked")])
                                        + b"1\r\na\r\n" * 200_000, requests=False),
    }[case]
    started = time.perf_counter()
    resp()
    assert time.perf_counter() - started < 2.0


def test_httpmsg_module_guards_are_the_documented_values() -> None:
    assert (httpmsg.MAX_BODY, httpmsg.MAX_HEADER_BYTES, httpmsg.MAX_HEADERS) == (2 * 1024 * 1024, 65536, 100)


def test_older_isapi_schema_version_is_recognised_without_the_request() -> None:
    """Older recorders answer in the ver10 schema; a capture holding only the response is enough."""
    body = (b'<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="1.0" '
            b'xmlns="http://www.hikvision.com/ver10/XMLSchema"><model>DS-7608NI-E2</model>'
            b"<serialNumber>DS-7608NI-E20120170101CCRR</serialNumber><firmwareVersion>V3.4.92</firmwareVersion>"
            b"<firmwareReleasedDate>build 170518</firmwareReleasedDate><deviceType>NVR</deviceType></DeviceInfo>")
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    [(req, msg)] = httpmsg.pair(b"", resp)
    assert req is None
    evs = http.parse_exchange(None, msg, Endpoint("198.18.0.9"))
    api = [e for e in evs if e.source == "isapi"]
    assert [(e.model, e.firmware, e.device_type, e.platform) for e in api] == [
        ("DS-7608NI-E2", "V3.4.92 build 170518", "nvr", "Hikvision")]
