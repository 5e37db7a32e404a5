"""ONVIF SOAP conversations: GetSystemDateAndTime in the clear, then the WS-Security-signed calls."""

from __future__ import annotations

import base64
import hashlib
import re

from camscan.lab.profile import Profile
from camscan.protocols import http
from tools.pcapgen.capture import Capture, Peer, Tcp
from tools.pcapgen.web import exchange

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSS_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


def soap_request(cap: Capture, p: Profile, ns: str, action: str, secured: bool) -> bytes:
    header = ""
    if secured:
        nonce = bytes(cap.rng.getrandbits(8) for _ in range(16))
        created = f"2025-03-01T10:00:{cap.rng.randint(10, 59):02d}.{cap.rng.randint(0, 999):03d}Z"
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + p.password.encode()).digest()).decode()
        header = (f'<soap-env:Header><wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
                  f"<wsse:Username>{p.username}</wsse:Username>"
                  f'<wsse:Password Type="{WSS_PROFILE}#PasswordDigest">{digest}</wsse:Password>'
                  f'<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
                  f'soap-message-security-1.0#Base64Binary">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
                  f'<wsu:Created xmlns:wsu="{WSU}">{created}</wsu:Created>'
                  "</wsse:UsernameToken></wsse:Security></soap-env:Header>")
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope">'
            f'{header}<soap-env:Body><ns0:{action} xmlns:ns0="{ns}"/></soap-env:Body></soap-env:Envelope>').encode()


def onvif_calls(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    o = p.onvif or {}
    dev_ns = "http://www.onvif.org/ver10/device/wsdl"
    device_path = "/onvif/device_service"
    tcp = Tcp(cap, peer, http.PORT)
    tcp.open()
    calls = [(device_path, dev_ns, "GetSystemDateAndTime", False),
             (device_path, dev_ns, "GetDeviceInformation", True),
             (device_path, dev_ns, "GetCapabilities", True)]
    for path, ns, action, secured in calls:
        body = soap_request(cap, p, ns, action, secured)
        response = exchange(tcp, p, "POST", path, p.ip,
                            [("Content-Type", f'application/soap+xml; charset=utf-8; action="{ns}/{action}"')],
                             body)
        if action == "GetCapabilities" and o.get("ptz"):
            m = re.search(rb"<tt:PTZ><tt:XAddr>http://[^/<]+(/[^<]*)</tt:XAddr>", response)
            if m:
                ptz_ns = "http://www.onvif.org/ver20/ptz/wsdl"
                body = soap_request(cap, p, ptz_ns, "GetNodes", True)
                exchange(tcp, p, "POST", m.group(1).decode(), p.ip,
                         [("Content-Type", f'application/soap+xml; charset=utf-8; action="{ptz_ns}/GetNodes"')],
                          body)
    tcp.close()
    cap.credit(p, "onvif")
