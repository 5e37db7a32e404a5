"""RTSP (RFC 2326): the OPTIONS/DESCRIBE probes camscan sends, and the banner in the answer.

An RTSP server answers OPTIONS without credentials and DESCRIBE with a 401 carrying a realm:
both are banners for the signatures (`Server: Dahua Rtsp Server`; Hikvision's
`WWW-Authenticate: Digest realm="Hikvision"` plus `Basic realm="/"`; newer Hikvision
`realm="IP Camera(C1234)"`). Framing is shared with HTTP (see httpmsg).

What it must not do: send SETUP/PLAY/ANNOUNCE/RECORD or credentials, or pull media; build a
request from a URL with spaces or line breaks (header injection); raise on what a device sends.
"""

from __future__ import annotations

import re

from camscan import __version__
from camscan.model import Endpoint, Evidence
from camscan.protocols.httpmsg import HttpMessage, auth_realms
from camscan.values import normalise_mac

USER_AGENT = f"camscan/{__version__}"
PORT = 554
PORTS = (554, 8554)  # every port whose TCP streams are read as RTSP
_URL = re.compile(r"^rtsp://[!-~]{1,2000}$")


def _build(method: str, url: str, cseq: int, extra: str = "") -> bytes:
    if not _URL.match(url):
        raise ValueError("RTSP URL must be rtsp://... with no spaces or control characters")
    if not 0 <= cseq < 2**31:
        raise ValueError("CSeq out of range")
    return f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {USER_AGENT}\r\n{extra}\r\n".encode("ascii")


def build_options(url: str, cseq: int = 1) -> bytes:
    """`OPTIONS <url> RTSP/1.0` with CSeq and User-Agent."""
    return _build("OPTIONS", url, cseq)


def build_describe(url: str, cseq: int = 2) -> bytes:
    """`DESCRIBE <url> RTSP/1.0` asking for SDP; without credentials it draws the 401 realm."""
    return _build("DESCRIBE", url, cseq, "Accept: application/sdp\r\n")


def _clean(value: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:200]


_SDP_KEEP = re.compile(r"^(s=|i=|a=tool:|a=packetization-supported:|a=rtppayload-supported:|a=x-)", re.I)
_MEDIA = re.compile(r"^m=(\w+) ")
_RTPMAP = re.compile(r"^a=rtpmap:\d+ ([\w.-]+)/", re.I)
MAX_SDP_LINES = 200


def sdp_summary(body: bytes) -> str:
    """The lines of an SDP description that say what served it — session name and info, the
    tool that made it (`a=tool:vlc 3.0.12`), vendor attributes (`a=packetization-supported:DH`)
    — and each media line with its codec (`m=video H264`), joined with " | "."""
    out: list[str] = []
    media = ""
    for raw in body[:16384].decode("utf-8", "replace").splitlines()[:MAX_SDP_LINES]:
        line = _clean(raw)
        if _SDP_KEEP.match(line):
            out.append(line[:80])
        elif found := _MEDIA.match(line):
            media = found.group(1).lower()
            out.append(f"m={media}")
        elif (found := _RTPMAP.match(line)) and out and out[-1] == f"m={media}":
            out[-1] = f"m={media} {found.group(1)}"
    return " | ".join(dict.fromkeys(out))[:400]


def url_path(target: str) -> str:
    """The path (and query) of an RTSP request URL, without scheme, credentials and host."""
    path = re.sub(r"^rtsp://[^/]*", "", target.strip(), flags=re.I)
    return _clean(path or "/")


def parse_exchange(request: HttpMessage | None, response: HttpMessage, server: Endpoint) -> list[Evidence]:
    """One RTSP exchange → one Evidence(source="rtsp") with the banners that were present:
    `rtsp_server`, `rtsp_realm` (several distinct realms joined with " | ", in header order),
    `rtsp_url` (the path the client asked for: vendors' stream URL conventions) and, for an
    SDP answer, `rtsp_sdp` (see sdp_summary)."""
    banners: dict[str, str] = {}
    server_header = _clean(response.header("Server"))
    if server_header:
        banners["rtsp_server"] = server_header
    realms = auth_realms(response)
    if realms:
        banners["rtsp_realm"] = _clean(" | ".join(realms))
    if request is not None and request.target and request.target != "*":
        banners["rtsp_url"] = url_path(request.target)
    if 200 <= response.status < 300 and "sdp" in response.header("Content-Type").lower() and response.body:
        summary = sdp_summary(response.body)
        if summary:
            banners["rtsp_sdp"] = summary
    return [Evidence(source="rtsp", ip=server.ip, mac=normalise_mac(server.mac), banners=banners)]
