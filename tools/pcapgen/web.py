"""HTTP conversations with a device: the web page (and on a Hikvision device the page it serves
without login, /SDK/activateStatus, as a scan asks every HTTP port), its digest-protected ISAPI
or Dahua CGI API (401, then the retry with the challenge), and raw responses the hostile
capture needs. The device's
side comes from camscan.lab.answers.
"""

from __future__ import annotations

import hashlib
import random
import re

from camscan.lab import answers
from camscan.lab.profile import Profile
from camscan.protocols import dahua_cgi, hikweb, http, isapi
from tools.pcapgen.capture import USER_AGENT, Capture, Peer, Tcp


def http_request(method: str, target: str, host: str, extra: list[tuple[str, str]] | None = None,
                 body: bytes = b"") -> tuple[bytes, dict[str, str]]:
    headers = [("Host", host), ("Accept", "*/*"), ("Accept-Encoding", "identity"),
               ("Connection", "keep-alive"), ("User-Agent", USER_AGENT), *(extra or [])]
    if body:
        headers.append(("Content-Length", str(len(body))))
    raw = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return raw.encode() + body, dict(headers)


def response_header(response: bytes, name: str) -> str:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


class DigestClient:
    """What an RFC 7616 client does after a 401: reuse the challenge with an increasing nc."""

    def __init__(self, rng: random.Random, username: str, password: str) -> None:
        self.rng, self.username, self.password = rng, username, password
        self.params: dict[str, str] = {}
        self.nc = 0

    def challenge(self, response: bytes) -> None:
        value = response_header(response, "WWW-Authenticate")
        self.params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                       for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', value)}

    def authorization(self, method: str, uri: str) -> str:
        self.nc += 1
        realm, nonce = self.params["realm"], self.params["nonce"]
        cnonce = f"{self.rng.getrandbits(64):016x}"
        nc = f"{self.nc:08x}"
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{self.username}:{realm}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        resp = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        opaque = f', opaque="{self.params["opaque"]}"' if self.params.get("opaque") else ""
        return (f'Digest username="{self.username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}", algorithm=MD5{opaque}')


def exchange(tcp: Tcp, p: Profile, method: str, target: str, host: str,
             extra: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
    raw, headers = http_request(method, target, host, extra, body)
    tcp.client_sends(raw)
    response = answers.http_response(p, method, target, headers, body)
    tcp.server_sends(response)
    return response


def web_page(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    tcp = Tcp(cap, peer, int((p.http or {}).get("port", http.PORT)))
    tcp.open()
    exchange(tcp, p, "GET", "/", p.ip)
    tcp.close()
    cap.credit(p, "http")
    if p.isapi is not None:  # camscan/scan/probes.py asks it next, on its own connection
        tcp = Tcp(cap, peer, int((p.http or {}).get("port", http.PORT)))
        tcp.open()
        for path in hikweb.PROBE_PATHS:
            exchange(tcp, p, "GET", path, p.ip)
        tcp.close()
        cap.credit(p, "hikweb")


def api_calls(cap: Capture, peer: Peer) -> None:
    """ISAPI or Dahua CGI over one keep-alive connection: 401, the digest retry, then the rest."""
    p = peer.profile
    if p.isapi is not None:
        # as camscan/scan/enrich.py asks them
        recorder = p.isapi["device_info"]["deviceType"] in ("NVR", "DVR")
        targets = [isapi.DEVICE_INFO]
        if recorder:
            targets += [isapi.INPUT_PROXY_CHANNELS, isapi.VIDEO_INPUTS]
        targets += [isapi.PTZ_CHANNELS, isapi.CAPABILITIES]
        if not recorder:
            targets += list(isapi.SMART_CONFIGS)
        source = "isapi"
    elif p.cgi is not None:
        targets = [f"/cgi-bin/magicBox.cgi?action={a}" for a in
                   ("getSystemInfo", "getDeviceType", "getSoftwareVersion", "getVendor", "getMachineName")]
        if p.cgi.get("remote_devices"):
            targets.append("/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice")
        targets += [dahua_cgi.ACTIONS["VideoAnalyseCaps"], dahua_cgi.ACTIONS["VideoAnalyseRule"]]
        source = "cgi"
    else:
        return
    tcp = Tcp(cap, peer, http.PORT)
    tcp.open()
    digest = DigestClient(cap.rng, p.username, p.password)
    first = exchange(tcp, p, "GET", targets[0], p.ip)
    if first.startswith(b"HTTP/1.1 401"):
        digest.challenge(first)
        for target in targets:
            exchange(tcp, p, "GET", target, p.ip, [("Authorization", digest.authorization("GET", target))])
    else:  # an unprotected API
        for target in targets[1:]:
            exchange(tcp, p, "GET", target, p.ip)
    tcp.close()
    cap.credit(p, source)


def raw_http(cap: Capture, peer: Peer, target: str, response: bytes, gro: bool = False) -> None:
    tcp = Tcp(cap, peer, http.PORT, gro=gro)
    tcp.open()
    tcp.client_sends(http_request("GET", target, peer.ip)[0])
    tcp.server_sends(response)
    tcp.close()
