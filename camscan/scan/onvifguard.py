"""onvif-zeep-async kept inside the scope, and the device's clock kept to the device.

onvif-zeep-async talks through an aiohttp session of its own, which follows redirects (a `307
Location: http://<another host>/` would carry the WS-Security token there) and resolves any
host name it is given. `ScopedCamera` puts a `ScopedSession` in front of every service's
session: each request is first checked by the scan's Scope (`Scope.check_url`: the device's
own address as a literal, its own port, never a name) and paced by the scan's limiter, and
is sent with redirects off; a redirect answer is refused, not followed, and the answer is read
within bounds (bounded.py). Service addresses the
device advertises are rewritten to its own address and port (nat_override) before that
check, so a device can point the client only at itself.

The library's adjust_time adopts whatever clock the device claims and crashes on a time reply
without UTCDateTime. camscan reads the time itself (`device_clock_offset`, None when the reply
does not say) and `clock_use` decides how far to trust it: the offset only ever signs requests
to that one device (the camera object is per device and thrown away), and a clock further
ahead than CLOCK_BOUND gets one request only — a token dated in the future is one a rogue
device could replay to real devices once that time comes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from onvif import ONVIFCamera

from camscan.scan.bounded import IDENTITY, read_aiohttp

CLOCK_BOUND = dt.timedelta(hours=24)
# within this, the clocks agree well enough that nothing is worth saying
CLOCK_QUIET = dt.timedelta(minutes=5)
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Gate = Callable[[str], Awaitable[None]]


class RedirectRefused(Exception):
    """The device answered with a redirect; camscan never follows one (the next hop could be
    any host, and the request carries the account's token)."""


class ScopedSession:
    """Stands in for onvif-zeep-async's aiohttp ClientSession: the same post/get the transport
    calls, each passed through `gate` first and sent with redirects off."""

    def __init__(self, inner: Any, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    @property
    def closed(self) -> bool:
        return bool(self.inner.closed)

    @property
    def timeout(self) -> Any:
        return self.inner.timeout

    async def _send(self, method: str, url: Any, **kwargs: Any) -> Any:
        await self.gate(str(url))
        kwargs["allow_redirects"] = False
        kwargs["auto_decompress"] = False  # an encoded answer is refused, never inflated (bounded)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **IDENTITY}
        kwargs.pop("proxy", None)  # never through a proxy: the device's address is the only peer
        resp = await getattr(self.inner, method)(url, **kwargs)
        if resp.status in REDIRECTS:
            resp.release()
            raise RedirectRefused(f"HTTP {resp.status} redirect not followed")
        return await read_aiohttp(resp)

    async def post(self, url: Any, **kwargs: Any) -> Any:
        return await self._send("post", url, **kwargs)

    async def get(self, url: Any, **kwargs: Any) -> Any:
        return await self._send("get", url, **kwargs)

    async def close(self) -> None:
        await self.inner.close()


class ScopedCamera(ONVIFCamera):
    """ONVIFCamera whose every service goes through a ScopedSession, with service addresses
    pinned to the device (nat_override), no adopted clock (adjust_time off) and WS-Security
    timestamps shifted by `signing_offset` — set by the caller from `clock_use`."""

    def __init__(self, ip: str, port: int, user: str, password: str, gate: Gate) -> None:
        super().__init__(ip, port, user, password, adjust_time=False, nat_override=True)
        self.gate = gate
        self.signing_offset: dt.timedelta | None = None

    async def create_onvif_service(self, name: str, port_type: str | None = None,
                                   read_timeout: int | None = None, write_timeout: int | None = None) -> Any:
        service = await super().create_onvif_service(name, port_type, read_timeout, write_timeout)
        if not isinstance(service.transport.session, ScopedSession):
            service.transport.session = ScopedSession(service.transport.session, self.gate)
        self._sign(service)
        return service

    def sign_with(self, offset: dt.timedelta | None) -> None:
        """Shift the WS-Security timestamps of this device's requests by `offset`."""
        self.signing_offset = offset
        for service in self.services.values():
            self._sign(service)

    def _sign(self, service: Any) -> None:
        wsse = getattr(service.zeep_client, "wsse", None) if service.zeep_client is not None else None
        if wsse is not None:
            wsse.dt_diff = self.signing_offset


def device_clock_offset(reply: Any, now: dt.datetime | None = None) -> dt.timedelta | None:
    """The device's UTC clock minus ours, from a GetSystemDateAndTime reply; None when the
    reply has no readable UTCDateTime (missing, out of range, not numbers)."""
    try:
        when = reply.UTCDateTime
        d, t = when.Date, when.Time
        device = dt.datetime(int(d.Year), int(d.Month), int(d.Day), int(t.Hour), int(t.Minute), int(t.Second),
                             tzinfo=dt.UTC)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    return device - (now or dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class ClockUse:
    """How one device's clock is used: `offset` signs its requests, `one_request` limits the
    conversation to GetDeviceInformation, `note` says so on the device's row."""

    offset: dt.timedelta | None
    one_request: bool = False
    note: str = ""


def clock_use(offset: dt.timedelta | None, bound: dt.timedelta = CLOCK_BOUND) -> ClockUse:
    if offset is None:
        return ClockUse(None, False, "ONVIF time reply gave no readable UTC time: requests were signed with "
                                     "the scanner's clock")
    size = abs(offset)
    if size <= CLOCK_QUIET:
        return ClockUse(offset)
    hours = size.total_seconds() / 3600
    if offset > dt.timedelta(0) and size > bound:
        limit = bound.total_seconds() / 3600
        return ClockUse(offset, True, f"clock is ahead by {hours:.1f} h, more than {limit:.0f} h: its time signed "
                                      "one request only (GetDeviceInformation); nothing else was asked over ONVIF")
    way = "ahead" if offset > dt.timedelta(0) else "behind"
    return ClockUse(offset, False, f"clock is {way} by {hours:.1f} h (WS-Security used the device's time, "
                                   "for this device only)")
