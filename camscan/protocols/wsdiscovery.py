"""ONVIF WS-Discovery (SOAP over UDP 3702, multicast 239.255.255.250): build the Probe for
network video transmitters and read ProbeMatches / ResolveMatches / Hello into Evidence.

The identifying facts are in the Scopes: space-separated, percent-encoded URIs such as
`onvif://www.onvif.org/name/HIKVISION%20DS-2CD2385G1-I`, `.../hardware/DS-2CD2385G1-I`,
`.../MAC/58:50:ed:1f:e3:85`, `.../type/ptz`. The name and hardware scopes are passed on
raw as banners (wsd_name, wsd_hardware) for the signatures to match.

Pure: bytes in, Evidence out. It must not open sockets or fetch the XAddrs, must parse
device XML only through camscan.safexml (which also copes with a SOAP Body logged without
its prefix declarations), and must not decide the maker: the name scope is what the device
claims, often a rebadge.
"""

from __future__ import annotations

import ipaddress
import re
import uuid as _uuid
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from camscan.model import Endpoint, Evidence, Malformed
from camscan.safexml import find_all, parse_xml, text
from camscan.values import normalise_mac

PORT = 3702
GROUP = "239.255.255.250"
MAX_PAYLOAD = 1_000_000

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_DISCOVERY = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DISCOVERY_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
ACTION_PROBE = NS_DISCOVERY + "/Probe"

_SCOPE_PREFIX = re.compile(r"^onvif://www\.onvif\.org/", re.I)
_MESSAGE_ID = re.compile(r"(?:urn:)?uuid:[0-9A-Za-z-]{1,64}|[0-9A-Za-z-]{1,64}")
_TYPES_OK = re.compile(r"[\w:. -]{0,200}")

# type scope values that say what kind of device this is, where that is unambiguous.
# Network_Video_Transmitter / video_encoder are left alone: cameras, encoders and some
# recorders all announce them.
_TYPE_HINTS = {
    "nvr": "nvr",
    "nvs": "nvr",
    "network_video_storage": "nvr",
    "network_video_recorder": "nvr",
    "dvr": "dvr",
}
_ONVIF_PREFIXES = {
    "dn": "http://www.onvif.org/ver10/network/wsdl",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "tdn": "http://www.onvif.org/ver10/network/wsdl",
}


def build_probe(message_id: str | None = None, types: str = "dn:NetworkVideoTransmitter") -> bytes:
    """A SOAP 1.2 WS-Discovery Probe envelope with wsa MessageID, To and Action headers.

    `types` is a space-separated list of QNames using the dn:/tds: prefixes (declared in the
    envelope); an empty string probes for every type. Replies carry the MessageID in their
    RelatesTo header."""
    mid = message_id if message_id is not None else f"uuid:{_uuid.uuid4()}"
    if not _MESSAGE_ID.fullmatch(mid):
        raise ValueError("WS-Discovery MessageID must be a uuid (optionally uuid:/urn:uuid: prefixed)")
    if not mid.lower().startswith(("uuid:", "urn:uuid:")):
        mid = "uuid:" + mid
    if not _TYPES_OK.fullmatch(types):
        raise ValueError("WS-Discovery Types must be space-separated QNames")
    ns_decl = "".join(f' xmlns:{p}="{u}"' for p, u in _ONVIF_PREFIXES.items())
    types_el = f"<d:Types>{escape(types.strip())}</d:Types>" if types.strip() else ""
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{NS_SOAP}" xmlns:a="{NS_ADDRESSING}" xmlns:d="{NS_DISCOVERY}"{ns_decl}>'
        "<s:Header>"
        f"<a:MessageID>{escape(mid)}</a:MessageID>"
        f'<a:To s:mustUnderstand="1">{DISCOVERY_TO}</a:To>'
        f'<a:Action s:mustUnderstand="1">{ACTION_PROBE}</a:Action>'
        "</s:Header>"
        f"<s:Body><d:Probe>{types_el}</d:Probe></s:Body>"
        "</s:Envelope>"
    )
    return envelope.encode("utf-8")


def parse_scopes(scopes: str) -> list[tuple[str, str]]:
    """`onvif://www.onvif.org/name/HIKVISION%20X ...` → [("name", "HIKVISION X"), ...].
    Keys are lower-cased; values are percent-decoded and keep any further slashes
    (`location/city/hangzhou` → ("location", "city/hangzhou")). Non-ONVIF scopes are skipped."""
    out: list[tuple[str, str]] = []
    for scope in scopes.split()[:200]:
        m = _SCOPE_PREFIX.match(scope)
        if not m:
            continue
        key, _, value = scope[m.end():].partition("/")
        out.append((key.lower(), unquote(value, errors="replace").strip()))
    return out


def _first(scopes: list[tuple[str, str]], key: str) -> str:
    return next((v for k, v in scopes if k == key and v), "")


def _xaddr_ipv4(xaddrs: list[str]) -> str:
    for url in xaddrs:
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            if parts.scheme.lower() not in ("http", "https"):
                continue
            addr = ipaddress.ip_address(host)
        except ValueError:
            continue
        if addr.version == 4 and not addr.is_unspecified:
            return str(addr)
    return ""


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A WS-Discovery datagram → one Evidence per ProbeMatch / ResolveMatch / Hello;
    [] for Probe, Resolve, Bye or any other SOAP message. Malformed for broken, hostile or
    oversized XML."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"WS-Discovery: payload of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("WS-Discovery: empty payload")
    root = parse_xml(data, "WS-Discovery")
    matches = find_all(root, "ProbeMatch") + find_all(root, "ResolveMatch") + find_all(root, "Hello")
    return [_evidence(m, src) for m in matches[:64]]


def _evidence(match: Element, src: Endpoint) -> Evidence:
    scopes = parse_scopes(text(match, "Scopes"))
    xaddrs = text(match, "XAddrs").split()
    name = _first(scopes, "name")
    hardware = _first(scopes, "hardware")
    kinds = {v.lower() for k, v in scopes if k == "type"}

    device_type = next((_TYPE_HINTS[k] for k in sorted(kinds) if k in _TYPE_HINTS), "")
    banners = {}
    if name:
        banners["wsd_name"] = name
    if hardware:
        banners["wsd_hardware"] = hardware
    announced = " ".join(sorted(kinds | {t.rsplit(":", 1)[-1].lower() for t in text(match, "Types").split()}))
    if announced:
        banners["wsd_types"] = announced[:200]  # e.g. "networkvideotransmitter video_encoder"
    return Evidence(
        source="wsd",
        ip=src.ip or _xaddr_ipv4(xaddrs),
        mac=normalise_mac(src.mac) or normalise_mac(_first(scopes, "mac")),
        model=hardware,
        name=name,
        device_type=device_type,
        form="ptz" if "ptz" in kinds else "",
        banners=banners,
        xaddrs=tuple(x[:200] for x in xaddrs[:8]),
        note=f"xaddr {xaddrs[0][:200]}" if xaddrs else "",
    )
