"""HTTP: banners from any response, and the dispatcher that hands API answers to their parsers.

Every response gives one Evidence(source="http") carrying the banners the signatures match:
`http_server` (Server header), `http_realm` (the realm of every WWW-Authenticate challenge,
distinct, in header order, joined with " | "; e.g. `IP Camera(C1234)`, `Login to
4X7C5A1ZAG21L3F`) and `http_title` (the HTML <title>, at most 200 characters) and `http_redirect` (where the page
sends a browser: a 3xx Location or a script's `window.location`, as a path without its query;
Hikvision's index page goes to `/doc/page/login.asp`). Only the keys that were present are set.

Then a 2xx answer whose body is complete goes to the parser for what was asked:
`/ISAPI/System/deviceInfo`, `/ISAPI/ContentMgmt/InputProxy/channels`, `/ISAPI/PTZCtrl/channels`
(isapi), `/cgi-bin/magicBox.cgi` and `/cgi-bin/configManager.cgi` (dahua_cgi), `/onvif/...`
(onvif); paths compare case-insensitively. When the request is unknown (a capture with only the
server side) or its path is not one of those, the body's root element decides: an ISAPI
DeviceInfo/InputProxyChannelList/PTZChannelList in an ISAPI namespace, a SOAP Envelope, or a
UPnP device description (`root` in `urn:schemas-upnp-org:device-1-0`, whatever its URL, since
SSDP LOCATION paths vary), which goes to ssdp.parse_description. Without a request, Dahua
key=value bodies are recognised by shape (getSystemInfo's deviceType + serialNumber lines,
RemoteDevice's `table.RemoteDevice.` lines). ONVIF SOAP Faults usually come with HTTP 400/500,
so an ONVIF answer is parsed whatever its status, to record the fault.

Issue 10 added: Dahua's web UI (`/web_caps/webCapsConfig`, `/RPC2_Login`, `/RPC2`, by path:
dahua_web), JVC's GetCamFeature JSON and Axis VAPIX parameter lists (by shape: jvc,
axis_vapix), and D-Link HNAP (SOAP in HNAP's namespace, routed before the ONVIF route takes the
envelope: hnap), and Hikvision's unauthenticated pages (`/SDK/activateStatus`,
`/ISAPI/Security/extern/capabilities`, by path, and an ActivateStatus document by its root:
hikweb). Bodies are inflated first when the server deflated or gzipped them.

What it must not do: raise. A truncated or broken API body (entity bomb, DTD, bad XML,
oversized) keeps the banner Evidence with `problem = "malformed"` and the detail in its note,
which is how the caller counts skipped messages. Nothing here sends requests.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import axis_vapix, dahua_cgi, dahua_web, hikweb, hnap, isapi, jvc, onvif
from camscan.protocols.httpmsg import UNDECODABLE_ENCODING, HttpMessage, auth_realms
from camscan.values import normalise_mac

Handler = Callable[[bytes, Endpoint], list[Evidence]]

PORT = 80
ALT_PORT = 8080
TLS_PORT = 443  # HTTPS: probed for being open, never read (no TLS here)
# Every port whose TCP streams are read as HTTP (2869, 49152, 49153: where many devices serve
# their UPnP description).
PORTS = (80, 81, 82, 88, 2020, 2869, 5000, 7001, 8080, 8081, 8088, 8899, 10080, 49152, 49153)

ISAPI_NAMESPACES = (
    "http://www.hikvision.com/ver20/XMLSchema",
    "http://www.isapi.org/ver20/XMLSchema",
    "http://www.std-cgi.com/ver20/XMLSchema",  # Hikvision OEM firmware
)
# any schema version of the same publishers (older firmware answers in ver10)
_ISAPI_NS = re.compile(r"^https?://www\.(hikvision\.com|isapi\.org|std-cgi\.com)/ver\d+/XMLSchema/?$", re.I)
SOAP_NAMESPACES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
UPNP_DEVICE_NS = "urn:schemas-upnp-org:device-1-0"
TITLE_MAX = 200
_SNIFF_BYTES = 64 * 1024

_TITLE_OPEN = re.compile(rb"<title[^>]{0,200}>", re.I)
_TITLE_CLOSE = re.compile(rb"</title[ \t\r\n]{0,20}>", re.I)
_TAGS = re.compile(r"<[^>]*>")
_META_CHARSET = re.compile(rb"""<meta[^>]{1,300}charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]{1,40})", re.I)
_TAG_START = re.compile(rb"<[A-Za-z_]")
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.-]{0,100}(?::[A-Za-z_][\w.-]{0,100})?)((?:\s[^>]{0,4096})?)/?>")
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")
# a page whose script sends the browser on (Hikvision's index: window.location.href = "/doc/...")
_SCRIPT_REDIRECT = re.compile(rb"""window\.location(?:\.href)?\s{0,4}=\s{0,4}["']([^"'\s<>]{1,200})["']""")
_REDIRECT_SNIFF = 16 * 1024

_ISAPI_DEVICE_INFO = "ISAPI deviceInfo"
_ISAPI_CHANNELS = "ISAPI InputProxy channels"
_ISAPI_PTZ = "ISAPI PTZ channels"
_ISAPI_CAPS = "ISAPI capabilities"
_ISAPI_INPUTS = "ISAPI video inputs"
_ISAPI_SMART = "ISAPI smart event"
_ONVIF = "ONVIF"
_UPNP = "UPnP description"
_DAHUA = "Dahua CGI"
_DAHUA_WEB = "Dahua web UI"
_HNAP = "HNAP"
_JVC = "JVC CGI"
_AXIS = "Axis VAPIX"
_HIKWEB = "Hikvision web page"


def _clean(value: str, limit: int = 200) -> str:
    """Printable, single-spaced, at most `limit` characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:limit]


def _charset(response: HttpMessage, head: bytes) -> str:
    for found in (_CT_CHARSET.search(response.header("Content-Type")), _META_CHARSET.search(head)):
        if found:
            name = found.group(1)
            name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
            try:
                return codecs.lookup(name).name
            except LookupError:
                continue
    return "utf-8"


def html_title(response: HttpMessage) -> str:
    """The <title> of an HTML body, entity-decoded and single-spaced, or ""."""
    head = response.body[:256 * 1024]
    opened = _TITLE_OPEN.search(head)
    if not opened:
        return ""
    closed = _TITLE_CLOSE.search(head, opened.end(), opened.end() + 8192)
    if not closed:
        return ""
    raw = head[opened.end():closed.start()]
    try:
        title = raw.decode(_charset(response, head[:4096]), "replace")
    except (LookupError, UnicodeError, ValueError):  # charset=base64/rot13/idna: not text codecs
        title = raw.decode("utf-8", "replace")
    return _clean(html.unescape(_TAGS.sub(" ", title)), TITLE_MAX)


def redirect_path(response: HttpMessage) -> str:
    """Where a response sends a browser, as a path without its query: a 3xx answer's Location,
    or the target of a `window.location` assignment in the first 16 KiB of a page; "" when
    neither (or the target is not a URL)."""
    if 300 <= response.status < 400:
        target = response.header("Location")
    else:
        found = _SCRIPT_REDIRECT.search(response.body[:_REDIRECT_SNIFF])
        target = found.group(1).decode("latin-1") if found else ""
    try:
        return _clean(urlsplit(target.strip()).path) if target.strip() else ""
    except ValueError:  # an unparseable URL (a bracketed host that is not IPv6...)
        return ""


def banners(response: HttpMessage) -> dict[str, str]:
    """The http_server / http_realm / http_title / http_redirect banners present in a response."""
    out: dict[str, str] = {}
    server = _clean(response.header("Server"))
    if server:
        out["http_server"] = server
    realms = auth_realms(response)
    if realms:
        out["http_realm"] = _clean(" | ".join(realms), 400)
    title = html_title(response)
    if title:
        out["http_title"] = title
    redirect = redirect_path(response)
    if redirect:
        out["http_redirect"] = redirect
    return out


def sniff_root(body: bytes) -> tuple[str, str]:
    """(local name, namespace) of the first element of an XML body, without parsing it; ("", "")
    when the body does not look like XML. Only used to choose a parser, which then parses safely."""
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return "", ""
    start = _TAG_START.search(head)  # skips <?xml ...?>, <!DOCTYPE ...>, <!-- ... -->
    m = _FIRST_TAG.match(head, start.start()) if start else None
    if not m:
        return "", ""
    tag = m.group(1).decode("ascii", "replace")
    prefix, _, name = tag.rpartition(":")
    namespace = ""
    for ns_prefix, uri in _XMLNS.findall(m.group(2)):
        if ns_prefix.decode("ascii", "replace") == prefix:
            namespace = uri.decode("utf-8", "replace")
    return name, namespace


def _upnp(body: bytes, server: Endpoint) -> list[Evidence]:
    try:
        from camscan.protocols import ssdp  # written separately; imported lazily
    except ImportError:
        return []
    return ssdp.parse_description(body, server)


def _dahua(target: str) -> Handler:
    return lambda body, server: dahua_cgi.parse(target, body, server)


_BY_PATH: dict[str, tuple[str, Handler]] = {
    isapi.DEVICE_INFO.lower(): (_ISAPI_DEVICE_INFO, isapi.parse_device_info),
    "/psia/system/deviceinfo": (_ISAPI_DEVICE_INFO, isapi.parse_device_info),
    isapi.INPUT_PROXY_CHANNELS.lower(): (_ISAPI_CHANNELS, isapi.parse_input_proxy_channels),
    isapi.PTZ_CHANNELS.lower(): (_ISAPI_PTZ, isapi.parse_ptz_channels),
    isapi.CAPABILITIES.lower(): (_ISAPI_CAPS, isapi.parse_capabilities),
    isapi.VIDEO_INPUTS.lower(): (_ISAPI_INPUTS, isapi.parse_video_inputs),
    **{path.lower(): (_ISAPI_SMART, isapi.parse_smart_config) for path in isapi.SMART_CONFIGS},
    hikweb.ACTIVATE_STATUS.lower(): (_HIKWEB, hikweb.parse_activate_status),
    hikweb.EXTERN_CAPABILITIES.lower(): (_HIKWEB, hikweb.parse_extern_capabilities),
}
_BY_ROOT: dict[str, tuple[str, Handler]] = {
    "DeviceInfo": (_ISAPI_DEVICE_INFO, isapi.parse_device_info),
    "InputProxyChannelList": (_ISAPI_CHANNELS, isapi.parse_input_proxy_channels),
    "PTZChannelList": (_ISAPI_PTZ, isapi.parse_ptz_channels),
    "DeviceCap": (_ISAPI_CAPS, isapi.parse_capabilities),
    "VideoInputChannelList": (_ISAPI_INPUTS, isapi.parse_video_inputs),
    "ActivateStatus": (_HIKWEB, hikweb.parse_activate_status),
}


def _dahua_web(path: str, request: HttpMessage) -> tuple[str, Handler] | None:
    """Dahua's web UI documents: the capabilities, the login challenge and RPC2 answers (which
    need the request, to know what each JSON-RPC id asked)."""
    if path == dahua_web.WEB_CAPS:
        return _DAHUA_WEB, dahua_web.parse_web_caps
    if path == dahua_web.RPC2_LOGIN:
        return _DAHUA_WEB, dahua_web.parse_login
    if path == dahua_web.RPC2 and request.body:
        asked = request.body
        return _DAHUA_WEB, lambda body, server: dahua_web.parse_rpc2(asked, body, server)
    return None


def route(request: HttpMessage | None, response: HttpMessage) -> tuple[str, Handler] | None:
    """Which API parser (label, handler) an exchange belongs to, or None for a plain page."""
    if request is not None and request.target:
        target = request.target
        path = urlsplit(target).path.lower().rstrip("/")
        if path in _BY_PATH:
            return _BY_PATH[path]
        if path in ("/cgi-bin/magicbox.cgi", "/cgi-bin/configmanager.cgi", "/cgi-bin/devvideoanalyse.cgi"):
            return _DAHUA, _dahua(target)
        dahua_web_route = _dahua_web(path, request)
        if dahua_web_route is not None:
            return dahua_web_route
        if path.startswith("/onvif/"):
            return _ONVIF, onvif.parse_response
    if jvc.is_feature_answer(response.body):
        return _JVC, jvc.parse
    if axis_vapix.is_param_list(response.body):
        return _AXIS, axis_vapix.parse
    name, namespace = sniff_root(response.body)
    if name in _BY_ROOT and (namespace in ISAPI_NAMESPACES or _ISAPI_NS.search(namespace)):
        return _BY_ROOT[name]
    # HNAP is SOAP too: D-Link's namespace decides before the ONVIF route takes the envelope
    if hnap.is_hnap(response.body):
        return _HNAP, hnap.parse_response
    if name == "Envelope" and namespace in SOAP_NAMESPACES:
        return _ONVIF, onvif.parse_response
    if name == "root" and namespace == UPNP_DEVICE_NS:
        return _UPNP, _upnp
    if request is None and not name:
        head = response.body[:4096]
        if re.search(rb"(?m)^[ \t]*table\.RemoteDevice\.", head):
            return _DAHUA, _dahua(dahua_cgi.ACTIONS["RemoteDevice"])
        if (re.search(rb"(?m)^[ \t]*deviceType=", head)
                and re.search(rb"(?m)^[ \t]*(?:serialNumber|updateSerial)=", head)):
            return _DAHUA, _dahua(dahua_cgi.ACTIONS["getSystemInfo"])
    return None


_WS_SECURITY = re.compile(rb"<(?:[\w.-]{1,64}:)?Security\b[^>]{0,2000}>.{0,4000}?UsernameToken", re.S)
# a Dahua RPC2 call made inside a session (the session came from a challenge-response login)
_RPC2_SESSION = re.compile(rb'"session"[ \t]*:[ \t]*"?([0-9A-Za-z_-]{4,128})')


def credentials_accepted(request: HttpMessage | None, response: HttpMessage) -> bool:
    """Whether the exchange is one where the client sent credentials — an Authorization header,
    a WS-Security UsernameToken in a SOAP request, or a Dahua RPC2 session from a login — and
    the device accepted them (2xx). Only such an answer is "authenticated" provenance: an
    answer to no request (a capture holding one side), to a request without credentials, or a
    refusal proves nothing about who answered, since any host can send an ISAPI body."""
    if request is None or not 200 <= response.status < 300:
        return False
    if request.header("Authorization").strip():
        return True
    head = request.body[:_SNIFF_BYTES]
    return bool(_WS_SECURITY.search(head) or (request.method == "POST" and _RPC2_SESSION.search(head)))


def decoded_body(response: HttpMessage) -> bytes:
    """The body with its Content-Encoding (deflate, gzip) undone — httpmsg did that as it read
    the message, bounded (httpmsg.decode_body; Dahua's web UI deflates its RPC2 answers);
    Malformed for a body that does not inflate."""
    if response.problem == UNDECODABLE_ENCODING:
        raise Malformed(f"HTTP: {response.header('Content-Encoding').strip().lower()[:40]} body does not inflate")
    return response.body


def parse_exchange(request: HttpMessage | None, response: HttpMessage, server: Endpoint) -> list[Evidence]:
    """One HTTP exchange → [banner Evidence, API Evidence...]; API answers are `authenticated`
    only on an exchange where credentials were sent and accepted. Never raises."""
    banner = Evidence(source="http", ip=server.ip, mac=normalise_mac(server.mac), banners=banners(response))
    out = [banner]
    routed = route(request, response)
    if routed is None:
        return out
    label, handler = routed
    if not 200 <= response.status < 300 and not (label == _ONVIF and response.status >= 400 and response.body):
        return out
    if response.truncated:
        banner.problem = "malformed"
        banner.note = f"{label}: body truncated ({len(response.body)} bytes kept)"
        return out
    try:
        answers = handler(decoded_body(response), server)
        if not credentials_accepted(request, response):
            for ev in answers:
                ev.authenticated = False
        out.extend(answers)
    except Malformed as exc:
        banner.problem, banner.note = "malformed", _clean(str(exc), 160)
    except Exception as exc:  # a parser bug must not end the run; count it like a bad message
        banner.problem, banner.note = "malformed", f"{label}: parser error ({type(exc).__name__})"
    return out
