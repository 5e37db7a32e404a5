"""Credentialed identification: the devices' own APIs, read-only, one account per device.

Hikvision ISAPI (System/deviceInfo; on recorders ContentMgmt/InputProxy/channels and
System/Video/inputs/channels; PTZCtrl channels; System/capabilities and, on cameras, the Smart
event configurations) and Dahua CGI (magicBox getSystemInfo/getSoftwareVersion/getVendor/
getMachineName; on recorders the RemoteDevice list; devVideoAnalyse getCaps and VideoAnalyseRule)
with HTTP digest auth (httpx); ONVIF with onvif-zeep-async (GetSystemDateAndTime first,
unauthenticated, so the WS-Security timestamp is in the device's own clock; then
GetDeviceInformation, GetCapabilities, PTZ GetNodes, GetVideoSources).

Every request is a GET from the fixed lists in the protocol modules (require_read_only refuses
anything else before it is sent) or a read-only ONVIF query; nothing here can change a device.
A device that refuses the account is left alone after that one refusal (no other endpoint, no
other password), so no account is ever locked by camscan. What a device answers goes to the
same parsers as everything else (through the capture or the Collector); this module only
reports, per device, what happened ("wrong credentials", "no answer within 8 s").
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from camscan import __version__
from camscan.firmware import normalise_firmware
from camscan.model import Evidence
from camscan.protocols import dahua_cgi, isapi
from camscan.protocols.onvif import PTZ_NS
from camscan.scan.bounded import IDENTITY, AnswerRefused, BoundedTransport
from camscan.scan.credentials import Account, Credentials
from camscan.scan.isolation import printable, unreadable_note
from camscan.scan.offer import account_for
from camscan.scan.onvifguard import RedirectRefused, ScopedCamera, clock_use, device_clock_offset
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope, ScopeError
from camscan.scan.tlsinfo import (
    CertificateChanged,
    PinnedDigestAuth,
    exchange_evidence,
    fingerprint_note,
    peer_sha256,
)

DEVICE_TIMEOUT = 8.0
REQUEST_TIMEOUT = 4.0
ExchangeSink = Callable[[str, int, bytes, bytes], None]
# Every path this module may request: the protocol modules' read-only lists. A request for
# anything else is refused before it is sent (require_read_only), so a new call site cannot
# slip in a path that changes a device.
READ_ONLY_PATHS = frozenset((*isapi.READ_ONLY_PATHS, *dahua_cgi.ACTIONS.values()))


class NotReadOnly(RuntimeError):
    """A request camscan must never send (a programming error, not a device's fault)."""


def require_read_only(method: str, path: str) -> None:
    """Refuse any request that is not a GET of one of READ_ONLY_PATHS."""
    if method != "GET" or path not in READ_ONLY_PATHS:
        raise NotReadOnly(f"refusing {method} {path[:80]}: not one of the read-only requests camscan sends")


@dataclass
class Target:
    """What discovery learned that tells which API to ask."""

    ip: str
    port: int = 80
    platform: str = ""  # "Hikvision" | "Dahua" | ""
    onvif_path: str = ""  # device service path from WS-Discovery XAddrs
    recorder: bool = False
    tls_port: int = 0  # 443 when open: ISAPI/CGI are asked over HTTPS (offer.corroborate)
    # makers two kinds of evidence agree on, and every kind seen (offer.corroborate)
    corroborated: tuple[str, ...] = ()
    maker_kinds: tuple[str, ...] = ()


@dataclass
class Outcome:
    ip: str
    account: str = ""
    notes: list[str] = field(default_factory=list)
    read: bool = False
    # the device refused the account (HTTP 401/403, ONVIF NotAuthorized): nothing else was asked
    refused: bool = False
    # ONVIF answers as Evidence, for scans without a capture (zeep's exchanges bypass `sink`)
    evidence: list[Evidence] = field(default_factory=list)
    # which API was being asked when something went wrong ("ISAPI", "Dahua CGI", "ONVIF")
    step: str = "API"
    # an answer could not be read (any exception in this device's steps): noted, counted, skipped
    unreadable: bool = False
    # the account was not offered (offer.py: a [default] account to an uncorroborated maker)
    withheld: bool = False
    # SHA-256 (hex) of the HTTPS certificate the API was asked through, "" when over HTTP
    cert_sha256: str = ""
    # what the API answered over HTTPS, for scans whose inventory is the capture's replay
    tls_evidence: list[Evidence] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The summary's word for what happened to this device."""
        if self.read:
            return "read"
        if self.refused:
            return "refused"
        if self.unreadable:
            return "unreadable"
        return "not offered" if self.withheld else "no answer"


def _raw_request(req: httpx.Request) -> bytes:
    head = f"{req.method} {req.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items() if k.lower() != "authorization")
    return (head + "\r\n").encode() + (req.content or b"")


def _raw_response(resp: httpx.Response) -> bytes:
    head = f"HTTP/1.1 {resp.status_code} {resp.reason_phrase}\r\n"
    headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in ("transfer-encoding", "content-length")]
    head += "".join(f"{k}: {v}\r\n" for k, v in headers) + f"Content-Length: {len(resp.content)}\r\n"
    return (head + "\r\n").encode() + resp.content


class _Session:
    """One device's API conversation: over HTTPS when it serves it (tlsinfo), else HTTP."""

    def __init__(self, client: httpx.AsyncClient, t: Target, acct: Account, scope: Scope, limiter: RateLimiter,
                 sink: ExchangeSink | None, out: Outcome, known_cert: str = "") -> None:
        self.client, self.t, self.acct, self.scope, self.limiter, self.sink = client, t, acct, scope, limiter, sink
        self.out, self.known_cert = out, known_cert
        self.auth = PinnedDigestAuth(acct.username, acct.password, lambda: self.known_cert or self.out.cert_sha256)
        self.port = t.tls_port or t.port
        self.answered = False  # a TLS failure after the first answer is not a reason to fall back

    @property
    def base(self) -> str:
        scheme, default = ("https", 443) if self.port == self.t.tls_port else ("http", 80)
        return f"{scheme}://{self.t.ip}" + (f":{self.port}" if self.port != default else "")

    async def request(self, method: str, path: str) -> httpx.Response:
        require_read_only(method, path)
        try:
            resp = await self._send(method, path)
        except httpx.ConnectError as exc:
            if self.port != self.t.tls_port or self.answered or not self.t.port:
                raise
            if self.known_cert:  # it showed a certificate before: plain HTTP could be an impostor's
                raise CertificateChanged(f"HTTPS on {self.port} failed ({type(exc).__name__}) where the last scan "
                                         "saw a certificate: not asked over HTTP") from None
            # the handshake failed before any request was sent: nothing of the account has gone
            self.out.notes.append(f"HTTPS on {self.port} failed ({type(exc).__name__}); asked over HTTP")
            self.port = self.t.port
            resp = await self._send(method, path)
        self.answered = True
        return resp

    async def _send(self, method: str, path: str) -> httpx.Response:
        self.scope.check(self.t.ip)
        await self.limiter.wait_async()
        headers = {"User-Agent": f"camscan/{__version__}", **IDENTITY}
        resp = await self.client.request(method, self.base + path, headers=headers, auth=self.auth)
        tls = self.port == self.t.tls_port
        if tls:
            for r in [*resp.history, resp]:
                self._check_certificate(r)
        for r in [*resp.history, resp]:
            raw = (_raw_request(r.request), _raw_response(r))
            if self.sink is not None:
                self.sink(self.t.ip, self.port, *raw)
            if tls:  # the capture holds only ciphertext: keep what the answer said
                self.out.tls_evidence.extend(exchange_evidence(self.t.ip, self.port, *raw))
        return resp

    def _check_certificate(self, resp: httpx.Response) -> None:
        seen = peer_sha256(resp)
        if not seen:
            return
        if not self.out.cert_sha256:
            self.out.cert_sha256 = seen
            self.out.notes.append(fingerprint_note(seen))
        elif seen != self.out.cert_sha256:
            raise CertificateChanged("the device showed another HTTPS certificate mid-session")
        if self.known_cert and seen != self.known_cert:
            raise CertificateChanged("HTTPS certificate changed since the last scan")


def _refused(resp: httpx.Response) -> str:
    if resp.status_code == 401:
        return "refused the account (HTTP 401: wrong credentials, or the account is locked)"
    if resp.status_code == 403:
        return "refused the account (HTTP 403: no permission, or locked after failed logins)"
    return ""


async def _first(s: _Session, out: Outcome, api: str, path: str) -> tuple[bool, httpx.Response | None]:
    """The first, authenticated request to an API: (account accepted?, the 200 response or None)."""
    resp = await s.request("GET", path)
    if why := _refused(resp):
        out.refused = True
        out.notes.append(f"{api} {why}")
        return False, None
    if resp.status_code != 200:
        out.notes.append(f"{api} {path.rsplit('/', 1)[-1]}: HTTP {resp.status_code}")
        return True, None
    out.read = True
    return True, resp


async def _isapi(s: _Session, out: Outcome) -> bool:
    out.step = "ISAPI"
    accepted, resp = await _first(s, out, "ISAPI", isapi.DEVICE_INFO)
    if resp is not None:
        kind = re.search(rb"<deviceType>\s*([^<]{1,40})<", resp.content)
        recorder = bool(kind and kind.group(1).strip().upper() in (b"NVR", b"DVR", b"HYBRIDNVR", b"HYBIRDNVR"))
        if recorder or s.t.recorder:
            await s.request("GET", isapi.INPUT_PROXY_CHANNELS)
            await s.request("GET", isapi.VIDEO_INPUTS)  # a DVR's analogue cameras
        await s.request("GET", isapi.PTZ_CHANNELS)
        await s.request("GET", isapi.CAPABILITIES)  # what it can analyse
        if not (recorder or s.t.recorder):  # which of its analytics are switched on
            for path in isapi.SMART_CONFIGS:
                await s.request("GET", path)
    return accepted


async def _cgi(s: _Session, out: Outcome) -> bool:
    out.step = "Dahua CGI"
    accepted, resp = await _first(s, out, "Dahua CGI", dahua_cgi.ACTIONS["getSystemInfo"])
    if resp is not None:
        for action in ("getSoftwareVersion", "getVendor", "getMachineName"):
            await s.request("GET", dahua_cgi.ACTIONS[action])
        m = re.search(rb"deviceType=([^\r\n]{1,60})", resp.content)
        model = (m.group(1).strip() if m else b"").upper()
        if s.t.recorder or model.isdigit() or re.search(rb"NVR|XVR|HCVR|DVR", model):
            await s.request("GET", dahua_cgi.ACTIONS["RemoteDevice"])
        for action in ("VideoAnalyseCaps", "VideoAnalyseRule"):  # what it can analyse, what is on
            await s.request("GET", dahua_cgi.ACTIONS[action])
    return accepted


def _quiet_libraries() -> None:
    """onvif-zeep-async calls logging.basicConfig(level=INFO) when imported, which would print
    every HTTP request of the scan; camscan reports what happened itself."""
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    for name in ("httpx", "httpcore", "zeep", "onvif", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _onvif_evidence(ip: str, info: object, ptz: bool | None) -> Evidence:
    """What ONVIF said, for a scan without a capture (no root): the same fields the SOAP parser
    reads from the captured answers when there is one."""
    return Evidence(source="onvif", ip=ip, authenticated=True, vendor=str(getattr(info, "Manufacturer", "") or ""),
                    model=str(getattr(info, "Model", "") or ""),
                    firmware=normalise_firmware(str(getattr(info, "FirmwareVersion", "") or "")),
                    serial=str(getattr(info, "SerialNumber", "") or ""),
                    form="" if ptz is None else ("ptz" if ptz else "static"))


async def _onvif(s: _Session, out: Outcome) -> bool:
    """ONVIF through onvif-zeep-async, every request kept to the device (onvifguard): the time
    first, unauthenticated, read by camscan (a reply without it signs in the scanner's clock; a
    clock far ahead gets one request only); then GetServices, GetDeviceInformation,
    GetCapabilities, PTZ GetNodes when there is a PTZ service, and the media service's video
    sources."""
    from onvif.exceptions import ONVIFError
    from zeep.exceptions import Fault, TransportError

    _quiet_libraries()
    out.step = "ONVIF"
    ip, port = s.t.ip, s.t.port

    async def gate(url: str) -> None:
        s.scope.check_url(url, ip, (port,))
        await s.limiter.wait_async()

    cam = ScopedCamera(ip, port, s.acct.username, s.acct.password, gate)
    try:
        dev = await cam.create_devicemgmt_service()
        try:
            when = await dev.authless_GetSystemDateAndTime()
        except Fault:
            when = None
        use = clock_use(device_clock_offset(when))
        cam.sign_with(use.offset)
        if use.note:
            out.notes.append(use.note)
        if use.one_request:
            info = await dev.GetDeviceInformation()
            out.read = True
            out.evidence.append(_onvif_evidence(ip, info, None))
            return True
        await cam.update_xaddrs()
        info = await (await cam.create_devicemgmt_service()).GetDeviceInformation()
        out.read = True
        caps = await cam.get_capabilities()
        ptz = bool(caps and caps.get("PTZ")) or PTZ_NS in cam.xaddrs
        if ptz:
            await (await cam.create_ptz_service()).GetNodes()
        await (await cam.create_media_service()).GetVideoSources()
        out.evidence.append(_onvif_evidence(ip, info, ptz if caps is not None else None))
        return True
    except (RedirectRefused, ScopeError, AnswerRefused) as exc:
        out.notes.append(f"ONVIF: {exc}")
        return True
    except (Fault, ONVIFError, TransportError) as exc:
        text = str(getattr(exc, "reason", "") or exc)
        if re.search(r"NotAuthori[sz]ed|Unauthori[sz]ed|401|not authori|Sender not", text, re.I):
            out.refused = True
            out.notes.append("ONVIF refused the account (NotAuthorized: wrong credentials, or the clock is far off)")
            return False
        out.notes.append(f"ONVIF: {printable(text, 120)}")
        return True
    finally:
        await cam.close()


async def enrich(targets: list[Target], creds: Credentials, scope: Scope, limiter: RateLimiter,
                 sink: ExchangeSink | None, concurrency: int = 64,
                 known_certs: Mapping[str, str] | None = None,
                 progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Ask each target's API with its one account; return what happened per device
    (`progress(1)` as each device is done, for the terminal's bar).
    `known_certs` (ip → hex SHA-256, from the history): a device whose HTTPS certificate is
    another one now gets no credentials, and a note saying so."""
    _quiet_libraries()  # onvif may be imported already (its basicConfig): no INFO line per request
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)

    async def in_scope(request: httpx.Request) -> None:  # every request, whoever builds it: the scope gate
        scope.check_url(str(request.url), request.url.host)

    transport = BoundedTransport(httpx.AsyncHTTPTransport(verify=False, limits=limits, trust_env=False))
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, transport=transport, follow_redirects=False,
                                 trust_env=False, event_hooks={"request": [in_scope]}) as client:

        async def one(t: Target) -> Outcome | None:
            acct, why_not = account_for(creds, t)
            if acct is None:
                return Outcome(t.ip, notes=[why_not], withheld=True) if why_not else None
            out = Outcome(t.ip, acct.username)
            s = _Session(client, t, acct, scope, limiter, sink, out, (known_certs or {}).get(t.ip, ""))
            async with sem:
                try:
                    await asyncio.wait_for(_run(s, out), DEVICE_TIMEOUT)
                except (TimeoutError, httpx.TimeoutException):
                    out.notes.append(f"no complete answer within {REQUEST_TIMEOUT:.0f} s per request "
                                     f"({DEVICE_TIMEOUT:.0f} s in all): slow or busy device")
                except (httpx.HTTPError, OSError) as exc:
                    out.notes.append(f"API request failed ({type(exc).__name__})")
                except (CertificateChanged, AnswerRefused) as exc:
                    out.notes.append(f"{out.step}: {exc}; nothing more was asked")
                except Exception as exc:  # one device's answers can spoil only its own row
                    out.unreadable = True
                    out.notes.append(unreadable_note(out.step, exc))
            return out

        # the first device alone: onvif-zeep-async parses its WSDLs once and caches them, so the
        # fan-out that follows does not parse them once per device
        async def counted(t: Target) -> Outcome | None:
            try:
                return await one(t)
            finally:
                if progress is not None:
                    progress(1)

        first = [await counted(targets[0])] if targets else []
        results = first + list(await asyncio.gather(*(counted(t) for t in targets[1:])))
    return [r for r in results if r is not None]


async def _run(s: _Session, out: Outcome) -> None:
    accepted = True
    if s.t.platform == "Hikvision":
        accepted = await _isapi(s, out)
    elif s.t.platform == "Dahua":
        accepted = await _cgi(s, out)
    if accepted:  # a refused account is asked nothing else
        await _onvif(s, out)
