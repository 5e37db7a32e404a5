"""ONVIF WS-Discovery: the ProbeMatches a device answers a Probe with, and the Hello it sends on joining."""

from __future__ import annotations

import re
from typing import Any

from camscan.lab.answers.common import esc, stable_uuid
from camscan.lab.profile import Profile

NS_WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
WSD_TYPES = "dn:NetworkVideoTransmitter tds:Device"

_WSD_NS = (
    'xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:soapenc="http://www.w3.org/2003/05/soap-encoding" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    f'xmlns:wsadis="{NS_WSA}" xmlns:d="{NS_WSD}" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
)


def _wsd_match_body(w: dict[str, Any]) -> str:
    return (
        f"<wsadis:EndpointReference><wsadis:Address>{esc(w['endpoint'])}</wsadis:Address>"
        f"</wsadis:EndpointReference><d:Types>{esc(w.get('types', WSD_TYPES))}</d:Types>"
        f"<d:Scopes>{esc(' '.join(w['scopes']))}</d:Scopes>"
        f"<d:XAddrs>{esc(w['xaddr'])}</d:XAddrs>"
        f"<d:MetadataVersion>{int(w.get('metadata_version', 1))}</d:MetadataVersion>"
    )


def _wsd_envelope(p: Profile, msg_id: str, to: str, action: str, number: int, body: str,
                  relates_to: str = "") -> bytes:
    """A WS-Discovery message from this device: the header every one of them carries, then `body`."""
    w = p.wsd or {}
    relates = f"<wsadis:RelatesTo>{esc(relates_to)}</wsadis:RelatesTo>" if relates_to else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {_WSD_NS}><env:Header>'
        f"<wsadis:MessageID>{msg_id}</wsadis:MessageID>{relates}"
        f"<wsadis:To>{to}</wsadis:To>"
        f"<wsadis:Action>{NS_WSD}/{action}</wsadis:Action>"
        f'<d:AppSequence InstanceId="{int(w.get("instance_id", 1740800000))}" MessageNumber="{number}"/>'
        f"</env:Header><env:Body>{body}</env:Body></env:Envelope>\n"
    ).encode()


def wsd_probe_match(p: Profile, relates_to: str) -> bytes:
    """WS-Discovery ProbeMatches answering the Probe whose MessageID is `relates_to` (UDP 3702)."""
    w = p.wsd
    if w is None:
        raise ValueError(f"{p.id}: no [wsd] section")
    msg_id = "urn:uuid:" + stable_uuid(p, "probematch", relates_to)
    return _wsd_envelope(p, msg_id, "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
                         "ProbeMatches", 2,
                         f"<d:ProbeMatches><d:ProbeMatch>{_wsd_match_body(w)}</d:ProbeMatch></d:ProbeMatches>",
                         relates_to)


def wsd_hello(p: Profile) -> bytes:
    """The WS-Discovery Hello a device multicasts when it joins the network."""
    w = p.wsd
    if w is None:
        raise ValueError(f"{p.id}: no [wsd] section")
    msg_id = "urn:uuid:" + stable_uuid(p, "hello")
    return _wsd_envelope(p, msg_id, "urn:schemas-xmlsoap-org:ws:2005:04:discovery", "Hello", 1,
                         f"<d:Hello>{_wsd_match_body(w)}</d:Hello>")


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(ProbeMatches, "sender") for a WS-Discovery Probe; None for anything else (matches, Hellos)."""
    text = probe.decode("utf-8", "replace")
    if "Probe" not in text or "ProbeMatch" in text or "Hello" in text:
        return None
    m = re.search(r"MessageID[^>]*>([^<]{1,100})<", text)
    return wsd_probe_match(p, m.group(1) if m else "urn:uuid:0"), "sender"
