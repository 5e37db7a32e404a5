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


def parse_exchange(request: HttpMessage | None, response: HttpMessage, server: Endpoint) -> list[Evidence]:
    """One RTSP response → one Evidence(source="rtsp") with the `rtsp_server` and `rtsp_realm`
    banners that were present (several distinct realms are joined with " | ", in header order).
    `request` is accepted for symmetry with http.parse_exchange; the answer alone is read."""
    banners: dict[str, str] = {}
    server_header = _clean(response.header("Server"))
    if server_header:
        banners["rtsp_server"] = server_header
    realms = auth_realms(response)
    if realms:
        banners["rtsp_realm"] = _clean(" | ".join(realms))
    return [Evidence(source="rtsp", ip=server.ip, mac=normalise_mac(server.mac), banners=banners)]
