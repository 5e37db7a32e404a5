"""Credentialed identification: the devices' own APIs, read-only, one account per device.

Hikvision ISAPI (System/deviceInfo; on recorders ContentMgmt/InputProxy/channels; PTZCtrl
channels), Dahua CGI (magicBox getSystemInfo/getSoftwareVersion/getVendor/getMachineName; on
recorders the RemoteDevice list) with HTTP digest auth, and ONVIF (GetSystemDateAndTime first,
unauthenticated, so the WS-Security timestamp is in the device's own clock; then
GetDeviceInformation, GetCapabilities, PTZ GetNodes) with a UsernameToken digest.

Every request is a GET or a read-only SOAP query from the fixed lists in the protocol modules;
nothing here can change a device. A device that refuses the account is left alone after that
one refusal (no other endpoint, no other password), so no account is ever locked by camscan.
What a device answers goes to the same parsers as everything else (through the capture or the
Collector); this module only reports, per device, what happened ("wrong credentials", "no
answer within 8 s").
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from camscan import __version__
from camscan.protocols import dahua_cgi, isapi, onvif
from camscan.safexml import parse_xml, text
from camscan.scan.credentials import Account, Credentials
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

DEVICE_TIMEOUT = 8.0
REQUEST_TIMEOUT = 4.0
ExchangeSink = Callable[[str, int, bytes, bytes], None]


@dataclass
class Target:
    """What discovery learned that tells which API to ask."""

    ip: str
    port: int = 80
    platform: str = ""  # "Hikvision" | "Dahua" | ""
    onvif_path: str = ""  # device service path from WS-Discovery XAddrs
    recorder: bool = False


@dataclass
class Outcome:
    ip: str
    account: str = ""
    notes: list[str] = field(default_factory=list)
    read: bool = False


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
    def __init__(self, client: httpx.AsyncClient, t: Target, acct: Account, scope: Scope, limiter: RateLimiter,
                 sink: ExchangeSink | None) -> None:
        self.client, self.t, self.acct, self.scope, self.limiter, self.sink = client, t, acct, scope, limiter, sink
        self.auth = httpx.DigestAuth(acct.username, acct.password)
        self.base = f"http://{t.ip}" + (f":{t.port}" if t.port != 80 else "")

    async def request(self, method: str, path: str, body: bytes = b"", auth: bool = True,
                      content_type: str = "") -> httpx.Response:
        self.scope.check(self.t.ip)
        await self.limiter.wait_async()
        headers = {"User-Agent": f"camscan/{__version__}"}
        if content_type:
            headers["Content-Type"] = content_type
        resp = await self.client.request(method, self.base + path, content=body or None, headers=headers,
                                         auth=self.auth if auth else None)
        if self.sink is not None:
            for r in [*resp.history, resp]:
                self.sink(self.t.ip, self.t.port, _raw_request(r.request), _raw_response(r))
        return resp


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
        out.notes.append(f"{api} {why}")
        return False, None
    if resp.status_code != 200:
        out.notes.append(f"{api} {path.rsplit('/', 1)[-1]}: HTTP {resp.status_code}")
        return True, None
    out.read = True
    return True, resp


async def _isapi(s: _Session, out: Outcome) -> bool:
    accepted, resp = await _first(s, out, "ISAPI", isapi.DEVICE_INFO)
    if resp is not None:
        kind = re.search(rb"<deviceType>\s*([^<]{1,40})<", resp.content)
        recorder = bool(kind and kind.group(1).strip().upper() in (b"NVR", b"DVR", b"HYBRIDNVR", b"HYBIRDNVR"))
        if recorder or s.t.recorder:
            await s.request("GET", isapi.INPUT_PROXY_CHANNELS)
        await s.request("GET", isapi.PTZ_CHANNELS)
    return accepted


async def _cgi(s: _Session, out: Outcome) -> bool:
    accepted, resp = await _first(s, out, "Dahua CGI", dahua_cgi.ACTIONS["getSystemInfo"])
    if resp is not None:
        for action in ("getSoftwareVersion", "getVendor", "getMachineName"):
            await s.request("GET", dahua_cgi.ACTIONS[action])
        m = re.search(rb"deviceType=([^\r\n]{1,60})", resp.content)
        model = (m.group(1).strip() if m else b"").upper()
        if s.t.recorder or model.isdigit() or re.search(rb"NVR|XVR|HCVR|DVR", model):
            await s.request("GET", dahua_cgi.ACTIONS["RemoteDevice"])
    return accepted


def _device_clock(body: bytes) -> datetime | None:
    try:
        root = parse_xml(body, "ONVIF GetSystemDateAndTime")
        y, mo, d = (int(text(root, "UTCDateTime", "Date", k) or 0) for k in ("Year", "Month", "Day"))
        h, mi, sec = (int(text(root, "UTCDateTime", "Time", k) or 0) for k in ("Hour", "Minute", "Second"))
        return datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    except Exception:  # a clock we cannot read: sign with our own
        return None


async def _onvif(s: _Session, out: Outcome) -> bool:
    path = s.t.onvif_path or "/onvif/device_service"
    soap = "application/soap+xml; charset=utf-8"
    resp = await s.request("POST", path, onvif.build_request("GetSystemDateAndTime"), auth=False, content_type=soap)
    clock = _device_clock(resp.content) if resp.status_code == 200 else None
    offset = (clock - datetime.now(UTC)) if clock else timedelta(0)
    if clock and abs(offset) > timedelta(minutes=5):
        out.notes.append(f"clock is {'ahead' if offset > timedelta(0) else 'behind'} by "
                         f"{abs(offset).total_seconds() / 3600:.1f} h (WS-Security used the device's time)")

    def signed(op: str) -> bytes:
        created = (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = onvif.make_password_digest(s.acct.password, os.urandom(16), created)
        return onvif.build_request(op, username=s.acct.username, password_digest=digest)

    resp = await s.request("POST", path, signed("GetDeviceInformation"), auth=False, content_type=soap)
    if (resp.status_code in (400, 401, 500) and b"NotAuthorized" in resp.content) or resp.status_code == 401:
        out.notes.append("ONVIF refused the account (NotAuthorized: wrong credentials, or the clock is far off)")
        return False
    if resp.status_code != 200:
        return True
    out.read = True
    caps = await s.request("POST", path, signed("GetCapabilities"), auth=False, content_type=soap)
    m = re.search(rb"<[\w:]*PTZ>\s*<[\w:]*XAddr>\s*https?://[^/<]+(/[^<\s]*)", caps.content)
    if m:
        await s.request("POST", m.group(1).decode(errors="replace"), signed("GetNodes"), auth=False,
                        content_type=soap)
    m = re.search(rb"<[\w:]*Media>\s*<[\w:]*XAddr>\s*https?://[^/<]+(/[^<\s]*)", caps.content)
    if m:  # how many video sources: a multi-sensor camera, or a recorder's channels
        await s.request("POST", m.group(1).decode(errors="replace"), signed("GetVideoSources"), auth=False,
                        content_type=soap)
    return True


async def enrich(targets: list[Target], creds: Credentials, scope: Scope, limiter: RateLimiter,
                 sink: ExchangeSink | None, concurrency: int = 64) -> list[Outcome]:
    """Ask each target's API with its one account; return what happened per device."""
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits, follow_redirects=False, trust_env=False,
                                 verify=False) as client:

        async def one(t: Target) -> Outcome | None:
            acct = creds.for_ip(t.ip)
            if acct is None:
                return None
            out = Outcome(t.ip, acct.username)
            s = _Session(client, t, acct, scope, limiter, sink)
            async with sem:
                try:
                    await asyncio.wait_for(_run(s, out), DEVICE_TIMEOUT)
                except (TimeoutError, httpx.TimeoutException):
                    out.notes.append(f"no complete answer within {REQUEST_TIMEOUT:.0f} s per request "
                                     f"({DEVICE_TIMEOUT:.0f} s in all): slow or busy device")
                except httpx.HTTPError as exc:
                    out.notes.append(f"API request failed ({type(exc).__name__})")
            return out

        results = await asyncio.gather(*(one(t) for t in targets))
    return [r for r in results if r is not None]


async def _run(s: _Session, out: Outcome) -> None:
    accepted = True
    if s.t.platform == "Hikvision":
        accepted = await _isapi(s, out)
    elif s.t.platform == "Dahua":
        accepted = await _cgi(s, out)
    if accepted:  # a refused account is asked nothing else
        await _onvif(s, out)
