"""SSDP (UPnP discovery, UDP 1900, multicast 239.255.255.250) and the UPnP device description
it points to: build the M-SEARCH, read M-SEARCH responses and NOTIFY ssdp:alive adverts into
Evidence (SERVER banner, LOCATION), give the live scanner the LOCATION to fetch, and read the
fetched description XML (manufacturer, model, serial, friendly name).

Pure: bytes in, Evidence out. It must not open sockets or fetch LOCATION itself (the scanner
decides whether the LOCATION host is a target it may contact), must parse device XML only
through camscan.safexml, and must not decide the maker: `manufacturer` is what the device
claims, often a rebadge.

Real-world quirks handled: header names in any case, with or without a space after the
colon (`LOCATION:http://...`), runs of spaces inside SERVER (`Linux,    UPnP/1.0 DCS-935L/1.0`),
LF-only line ends, and descriptions whose modelName is prose while modelNumber holds the
model code (or the other way round).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from camscan.model import Endpoint, Evidence, Malformed
from camscan.safexml import local, parse_xml
from camscan.values import normalise_mac

PORT = 1900
GROUP = "239.255.255.250"
MAX_PAYLOAD = 1_000_000
_MAX_HEADERS = 100
_MAX_VALUE = 512

_ST_OK = re.compile(r"[\x21-\x7e]{1,200}")
_VERSIONISH = re.compile(r"[vV]?\d+(?:[._-]\d+)*[a-zA-Z]?")


def build_msearch(st: str = "ssdp:all", mx: int = 2) -> bytes:
    """An M-SEARCH request for search target `st`, devices answering within `mx` seconds."""
    if not _ST_OK.fullmatch(st):
        raise ValueError("SSDP ST must be printable ASCII without spaces")
    if not 1 <= int(mx) <= 120:
        raise ValueError("SSDP MX must be between 1 and 120 seconds")
    return (
        "M-SEARCH * HTTP/1.1\r\n"
        f"HOST: {GROUP}:{PORT}\r\n"
        'MAN: "ssdp:discover"\r\n'
        f"MX: {int(mx)}\r\n"
        f"ST: {st}\r\n"
        "\r\n"
    ).encode("ascii")


def _split(data: bytes) -> tuple[str, dict[str, str]]:
    """Start line and headers (lower-cased names, first occurrence wins)."""
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = head.decode("latin-1").splitlines()
    start = lines[0].strip() if lines else ""
    headers: dict[str, str] = {}
    for line in lines[1:_MAX_HEADERS + 1]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        if key and key not in headers:
            headers[key] = value.strip()[:_MAX_VALUE]
    return start, headers


def _kind(start: str) -> str:
    words = start.split()
    if len(words) >= 2 and words[0].upper().startswith("HTTP/1."):
        return "response" if words[1] == "200" else "other"
    if len(words) == 3 and words[1] == "*" and words[2].upper().startswith("HTTP/1."):
        return words[0].upper()  # NOTIFY, M-SEARCH
    return "other"


def _check(data: bytes) -> None:
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"SSDP: payload of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("SSDP: empty payload")


def _http_url(value: str) -> str:
    value = value.strip()
    if len(value) > 2048 or any(c.isspace() or ord(c) < 0x20 for c in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return value


def _url_ipv4(url: str) -> str:
    try:
        addr = ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return ""
    return str(addr) if addr.version == 4 and not addr.is_unspecified else ""


def location(payload: bytes) -> str:
    """The http(s) LOCATION of an M-SEARCH response or NOTIFY ssdp:alive, "" if there is
    none (or it is not an http URL). Never raises."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        return ""
    start, headers = _split(data)
    if _kind(start) not in ("response", "NOTIFY"):
        return ""
    return _http_url(headers.get("location", ""))


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """An SSDP datagram → [Evidence] for `HTTP/1.1 200 OK` search responses and NOTIFY
    ssdp:alive/update; [] for M-SEARCH requests, ssdp:byebye and anything else.
    Malformed for an empty or oversized payload."""
    data = bytes(payload)
    _check(data)
    start, headers = _split(data)
    kind = _kind(start)
    if kind == "NOTIFY":
        if headers.get("nts", "ssdp:alive").lower() not in ("ssdp:alive", "ssdp:update"):
            return []
    elif kind != "response":
        return []
    loc = _http_url(headers.get("location", ""))
    server = headers.get("server", "")
    banners = {"ssdp_server": server} if server else {}
    if loc:  # the description's file name sometimes says what the device is (/IPCamDesc.xml)
        banners["ssdp_location"] = urlsplit(loc).path[:200]
    return [Evidence(
        source="ssdp",
        ip=src.ip or _url_ipv4(loc),
        mac=normalise_mac(src.mac),
        banners=banners,
        location=loc,
    )]


# ---- the UPnP device description fetched from LOCATION ----

def _child_text(el: Element, name: str) -> str:
    """Text of a direct child (namespace-agnostic), so an embedded device's fields are not
    mistaken for the root device's."""
    for child in el:
        if local(child.tag) == name:
            return " ".join((child.text or "").split())[:_MAX_VALUE]
    return ""


def _model_score(value: str) -> int:
    """How much `value` looks like a model code: DS-2CD2043G2-I → 3, "Network Camera" → 1,
    "1.0" or "" → 0. Short codes (hardware revisions like A1) score lower."""
    if not value or len(value) > 64 or _VERSIONISH.fullmatch(value):
        return 0
    letters = any(c.isalpha() for c in value)
    digits = any(c.isdigit() for c in value)
    if letters and digits:
        return 3 if " " not in value and len(value) >= 4 else 2
    return 1 if letters else 0


def parse_description(body: bytes, src: Endpoint) -> list[Evidence]:
    """The UPnP device description XML (root `urn:schemas-upnp-org:device-1-0`) → [Evidence]
    for its root device; [] for any other document. Malformed for broken, hostile or
    oversized XML."""
    data = bytes(body)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"UPnP description: {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("UPnP description: empty body")
    root = parse_xml(data, "UPnP description")
    if local(root.tag) != "root":
        return []
    device = next((c for c in root if local(c.tag) == "device"), None)
    if device is None:
        return []
    manufacturer = _child_text(device, "manufacturer")
    model_name = _child_text(device, "modelName")
    model_number = _child_text(device, "modelNumber")
    description = _child_text(device, "modelDescription")
    # modelNumber wins a tie: where both are codes they are usually the same string.
    model = max((model_number, model_name), key=_model_score)
    if _model_score(model) == 0:
        model = ""
    banners = {k: v for k, v in (
        ("upnp_manufacturer", manufacturer),
        ("upnp_model_name", model_name),
        ("upnp_model_number", model_number),
        ("upnp_model_description", description),
    ) if v}
    return [Evidence(
        source="ssdp",
        ip=src.ip,
        mac=normalise_mac(src.mac),
        vendor=manufacturer,
        model=model,
        serial=_child_text(device, "serialNumber"),
        name=_child_text(device, "friendlyName"),
        banners=banners,
    )]
