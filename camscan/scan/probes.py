"""Unicast TCP probes: which of the camera ports answer, then an HTTP GET / and an RTSP OPTIONS
on what did, and the UPnP descriptions SSDP pointed at. An HTTP port that answered `/` is also
asked the page Hikvision firmware serves without login (hikweb.PROBE_PATHS: one more GET, no
credentials, redirects not followed). Read-only requests only; bounded concurrency,
per-connection timeouts, and every SYN paced by the scan's rate limiter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from camscan import __version__
from camscan.protocols import hikweb, http, rtsp
from camscan.scan.isolation import isolated
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope, ScopeError

HTTP_PORTS = frozenset(http.PORTS)
RTSP_PORTS = frozenset(rtsp.PORTS)
MAX_READ = 2 * 1024 * 1024 + 65536

# (ip, port, request bytes, response bytes)
ExchangeSink = Callable[[str, int, bytes, bytes], None]


def http_get(host: str, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: camscan/{__version__}\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n").encode()


async def _exchange(ip: str, port: int, request: bytes, timeout: float, limiter: RateLimiter,
                    scope: Scope) -> bytes | None:
    scope.check(ip)
    await limiter.wait_async()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), timeout)
    except (TimeoutError, OSError):
        return None
    try:
        if not request:
            return b""
        writer.write(request)
        await writer.drain()
        chunks, size = [], 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout * 3
        while size < MAX_READ:
            left = deadline - loop.time()
            if left <= 0:
                break
            try:
                data = await asyncio.wait_for(reader.read(65536), left)
            except TimeoutError:
                break
            if not data:
                break
            chunks.append(data)
            size += len(data)
            if port in RTSP_PORTS and b"\r\n\r\n" in b"".join(chunks):
                break  # RTSP keeps the connection open; one response is all we asked for
        return b"".join(chunks)
    except OSError:
        return b"".join(chunks) if "chunks" in locals() else None
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 0.5)
        except (TimeoutError, OSError):
            pass


async def probe_hosts(hosts: list[str], ports: tuple[int, ...], scope: Scope, limiter: RateLimiter,
                      sink: ExchangeSink, timeout: float = 1.0, concurrency: int = 2048,
                      progress: Callable[[int], None] | None = None,
                      errors: Callable[[str], None] | None = None) -> dict[str, list[int]]:
    """Connect to each port of each host; on open HTTP/RTSP ports send one read-only request.
    Whatever one answer makes go wrong is a note on that host (`errors`), never the scan's end."""
    sem = asyncio.Semaphore(concurrency)
    open_ports: dict[str, list[int]] = {}

    async def one(ip: str, port: int) -> None:
        await isolated(f"TCP {port}", ip, probe(ip, port), errors or (lambda _note: None))

    async def probe(ip: str, port: int) -> None:
        async with sem:
            if port in HTTP_PORTS:
                req = http_get(ip if port == http.PORT else f"{ip}:{port}", "/")
            elif port in RTSP_PORTS:
                req = rtsp.build_options(f"rtsp://{ip}:{port}/", 1)
            else:
                req = b""
            resp = await _exchange(ip, port, req, timeout, limiter, scope)
            if resp is None:
                return
            open_ports.setdefault(ip, []).append(port)
            if req and resp:
                sink(ip, port, req, resp)
            if port in HTTP_PORTS and resp.startswith(b"HTTP/"):
                await unauthenticated_pages(ip, port)

    async def unauthenticated_pages(ip: str, port: int) -> None:
        for path in hikweb.PROBE_PATHS:
            req = http_get(ip if port == http.PORT else f"{ip}:{port}", path)
            resp = await _exchange(ip, port, req, timeout, limiter, scope)
            if resp:
                sink(ip, port, req, resp)

    tasks = [asyncio.create_task(one(ip, p)) for ip in hosts for p in ports]
    for t in asyncio.as_completed(tasks):
        await t
        if progress:
            progress(1)
    return open_ports


DESCRIPTIONS_PER_DEVICE = 2
DESCRIPTION_CONCURRENCY = 32


def _description_path(url: str) -> str | None:
    """The request target of a LOCATION, or None when it holds characters no request line may."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in path):
        return None
    return path


def choose_descriptions(locations: Iterable[tuple[str, str]], scope: Scope, errors: Callable[[str], None],
                        per_device: int = DESCRIPTIONS_PER_DEVICE) -> list[tuple[str, int, str]]:
    """(ip, port, path) of the UPnP descriptions worth fetching, from (announcer, LOCATION)
    pairs: a LOCATION must lead back to the host that announced it (its own address, never a
    name, a valid port; Scope.check_url), and a device gets at most `per_device` fetches. What
    is refused is noted once per device, never fetched."""
    chosen: dict[str, list[tuple[str, int, str]]] = {}
    refused: dict[str, list[str]] = {}
    for ip, url in sorted(set(locations)):
        try:
            host, port = scope.check_url(url, ip)
            path = _description_path(url)
            if path is None:
                raise ScopeError("address with characters a request line cannot carry; not sent")
        except ScopeError as exc:
            refused.setdefault(ip, []).append(str(exc))
            continue
        mine = chosen.setdefault(ip, [])
        if (host, port, path) in mine:
            continue
        if len(mine) >= per_device:
            refused.setdefault(ip, []).append(f"more than {per_device} descriptions announced; the rest not fetched")
            continue
        mine.append((host, port, path))
    for ip, why in sorted(refused.items()):
        more = f" (and {len(why) - 1} more)" if len(why) > 1 else ""
        errors(f"SSDP LOCATION from {ip} not fetched: {why[0]}{more}")
    return [c for mine in chosen.values() for c in mine]


async def fetch_descriptions(locations: Iterable[tuple[str, str]], scope: Scope, limiter: RateLimiter,
                             sink: ExchangeSink, errors: Callable[[str], None], timeout: float = 2.0,
                             concurrency: int = DESCRIPTION_CONCURRENCY) -> None:
    """GET the UPnP descriptions SSDP announcers pointed at (choose_descriptions), a few at a
    time; a failure while fetching or reading one is a note on that device, nothing more."""
    sem = asyncio.Semaphore(concurrency)

    async def one(ip: str, port: int, path: str) -> None:
        async with sem:
            req = http_get(ip if port == http.PORT else f"{ip}:{port}", path)
            resp = await _exchange(ip, port, req, timeout, limiter, scope)
            if resp:
                sink(ip, port, req, resp)

    await asyncio.gather(*(isolated("UPnP description", ip, one(ip, port, path), errors)
                           for ip, port, path in choose_descriptions(locations, scope, errors)))
