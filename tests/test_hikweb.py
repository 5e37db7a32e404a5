"""Hikvision's unauthenticated pages (protocols/hikweb.py) and the index page's redirect banner:
what an inventory says about a device that answered them, read as a replay reads them (real
HTTP bytes through the Collector) and fused into rows.

The fixtures are written from what public clients read (code search, 2026; see hikweb.py):
`/SDK/activateStatus` is an `ActivateStatus` document in an ISAPI namespace with one
`Activated` child, newer firmware adding `supportVersion` (an activation tool reads both, a
discovery script checks the root and `Activated`); the index page's script is the line public
scanners match, `window.location.href = "/doc/page/login.asp?_" + (new Date()).getTime();`.
"""

from __future__ import annotations

import pytest

from camscan.collect import Collector
from camscan.identify.fusion import fuse
from camscan.identify.signatures import load
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import hikweb

SIGS = load()
CAM = Endpoint("192.0.2.64", "44:19:b6:3c:5e:21", 80)
NS_HIK = "http://www.hikvision.com/ver20/XMLSchema"
NS_ISAPI = "http://www.isapi.org/ver20/XMLSchema"


def activate_status(activated: str, ns: str = NS_HIK, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ActivateStatus version="2.0" xmlns="{ns}">\n'
            f"<Activated>{activated}</Activated>\n{extra}</ActivateStatus>\n").encode()


def response(body: bytes, status: str = "200 OK", ctype: str = "application/xml",
             server: str = "App-webs/", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nServer: {server}\r\nContent-Type: {ctype}\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 192.0.2.64\r\nConnection: close\r\n\r\n".encode()


def replayed(*exchanges: tuple[bytes, bytes]) -> Collector:
    """Each (request, response) as one finished TCP conversation, as replay and scans hand them."""
    collector = Collector()
    for request, answer in exchanges:
        collector.tcp_stream(CAM, request, answer, seen=1_700_000_000.0)
    return collector


def hikweb_evidence(collector: Collector) -> list[Evidence]:
    return [e for e in collector.evidence if e.source == "hikweb"]


# ------------------------------------------------------------------------------ the parsers


def test_activated_device_is_hikvision_platform_without_a_note() -> None:
    (ev,) = hikweb.parse_activate_status(activate_status("true"), CAM)
    assert (ev.source, ev.platform, ev.ip, ev.mac, ev.note) == ("hikweb", "Hikvision", CAM.ip, CAM.mac, "")
    assert not ev.authenticated and ev.model == "" and ev.firmware == ""


def test_device_not_activated_says_so_in_isapi_org_namespace_with_support_version() -> None:
    body = activate_status("false", NS_ISAPI, "<supportVersion>3</supportVersion>\n")
    (ev,) = hikweb.parse_activate_status(body, CAM)
    assert ev.platform == "Hikvision" and ev.note == hikweb.NOT_ACTIVATED


@pytest.mark.parametrize("body", [
    activate_status("true", "http://example.com/ver20/XMLSchema"),  # someone else's namespace
    activate_status("true", ""),
    activate_status("maybe"),
    b'<ActivateStatus xmlns="http://www.hikvision.com/ver20/XMLSchema"/>',
    f'<DeviceStatus xmlns="{NS_HIK}"><Activated>true</Activated></DeviceStatus>'.encode(),
])
def test_other_documents_say_nothing(body: bytes) -> None:
    assert hikweb.parse_activate_status(body, CAM) == []


@pytest.mark.parametrize("body", [
    b"",
    b"<ActivateStatus><Activated>true</Activ",
    b'<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><ActivateStatus><Activated>&x;</Activated></ActivateStatus>',
    b"<a>" * 10 + b"x" * 1_100_000,
])
def test_broken_or_hostile_bodies_are_malformed(body: bytes) -> None:
    with pytest.raises(Malformed):
        hikweb.parse_activate_status(body, CAM)


def test_extern_capabilities_in_an_isapi_namespace_is_hikvision() -> None:
    # only the namespace is read: the document's element names are not established publicly,
    # so the root here is a placeholder named after the guide's XML_externSecurityCap
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<ExternSecurityCap version="2.0" xmlns="{NS_ISAPI}"/>'.encode()
    (ev,) = hikweb.parse_extern_capabilities(body, CAM)
    assert (ev.source, ev.platform) == ("hikweb", "Hikvision")
    assert hikweb.parse_extern_capabilities(b"<capabilities><x>1</x></capabilities>", CAM) == []


# ------------------------------------------------------------------- as a replay reads them


def test_the_exchange_is_read_by_its_path_and_without_a_request_by_its_root() -> None:
    answer = response(activate_status("false"))
    with_request = hikweb_evidence(replayed((get("/SDK/activateStatus"), answer)))
    assert [e.note for e in with_request] == [hikweb.NOT_ACTIVATED]
    server_side_only = hikweb_evidence(replayed((b"", answer)))
    assert [e.platform for e in server_side_only] == ["Hikvision"]
    caps = f'<ExternSecurityCap version="2.0" xmlns="{NS_HIK}"/>'.encode()
    by_path = hikweb_evidence(replayed((get("/ISAPI/Security/extern/capabilities"), response(caps))))
    assert [e.platform for e in by_path] == ["Hikvision"]


def test_a_refusal_or_a_broken_body_is_counted_never_raised() -> None:
    refused = replayed((get("/SDK/activateStatus"), response(b"Not Found", "404 Not Found", "text/plain")))
    assert hikweb_evidence(refused) == [] and refused.counters.counts == {}
    broken = replayed((get("/SDK/activateStatus"), response(b"<ActivateStatus><Activated>tr")))
    assert hikweb_evidence(broken) == []
    assert broken.counters.counts == {"malformed device API bodies": 1}


# ------------------------------------------------------------- the index page's redirect banner

INDEX = (b'<!DOCTYPE html>\n<html><head><meta http-equiv="X-UA-Compatible" content="IE=edge"><title>index</title>'
         b'</head>\n<body><script type="text/javascript">window.location.href = "/doc/page/login.asp?_" + '
         b"(new Date()).getTime();</script></body></html>")


@pytest.mark.parametrize(("answer", "want"), [
    (response(INDEX, ctype="text/html", server="webserver"), "/doc/page/login.asp"),
    (response(INDEX.replace(b'"/doc', b'"./doc'), ctype="text/html", server=""), "./doc/page/login.asp"),
    (response(b"", "302 Redirect", "text/html", "Hikvision-Webs", "Location: http://192.0.2.64:80/index.asp\r\n"),
     "/index.asp"),
    (response(b"<html><title>x</title></html>", ctype="text/html"), ""),
    (response(b"", "302 Found", "text/html", "x", "Location: http://[bad/\r\n"), ""),
])
def test_redirect_banner(answer: bytes, want: str) -> None:
    (banner,) = [e for e in replayed((get("/"), answer)).evidence if e.source == "http"]
    assert banner.banners.get("http_redirect", "") == want


def test_the_login_redirect_names_hikvision_through_the_signatures() -> None:
    match = SIGS.banner("http_redirect", "/doc/page/login.asp")
    assert match is not None and match.manufacturer == "Hikvision"
    assert SIGS.banner("http_redirect", "/login.asp") is None


# ------------------------------------------------------------------------------- the row


def test_a_hikvision_camera_that_only_answers_http_gets_its_maker_and_its_activation_note() -> None:
    """A camera with SADP off and no credentials: its web server's pages are all there is."""
    index = response(INDEX, ctype="text/html", server="webserver")
    collector = replayed((get("/"), index), (get("/SDK/activateStatus"), response(activate_status("false"))))
    (row,) = fuse(collector.evidence, SIGS)
    assert (row.ip, row.manufacturer, row.confidence) == (CAM.ip, "Hikvision", "high")
    assert row.evidence == ["oui", "http", "hikweb"]  # the OUI: its MAC is a Hikvision block
    assert hikweb.NOT_ACTIVATED in row.notes


def test_an_activated_camera_has_no_activation_note() -> None:
    (row,) = fuse(replayed((get("/SDK/activateStatus"), response(activate_status("true")))).evidence, SIGS)
    assert row.manufacturer == "Hikvision" and row.notes == []


def test_a_redirect_alone_names_the_maker_with_medium_confidence() -> None:
    (row,) = fuse(replayed((get("/"), response(INDEX, ctype="text/html", server=""))).evidence, SIGS)
    assert (row.manufacturer, row.confidence) == ("Hikvision", "medium")
