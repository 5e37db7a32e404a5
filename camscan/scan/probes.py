"""Unicast TCP probes: which of the camera ports answer, then an HTTP GET / and an RTSP OPTIONS
on what did, and the UPnP descriptions SSDP pointed at. Read-only requests only; bounded
concurrency, per-connection timeouts, and every SYN paced by the scan's rate limiter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

from camscan import __version__
from camscan.protocols import http, rtsp
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
                      progress: Callable[[int], None] | None = None) -> dict[str, list[int]]:
    """Connect to each port of each host; on open HTTP/RTSP ports send one read-only request."""
    sem = asyncio.Semaphore(concurrency)
    open_ports: dict[str, list[int]] = {}

    async def one(ip: str, port: int) -> None:
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

    tasks = [asyncio.create_task(one(ip, p)) for ip in hosts for p in ports]
    for t in asyncio.as_completed(tasks):
        await t
        if progress:
            progress(1)
    return open_ports


async def fetch_descriptions(urls: set[str], scope: Scope, limiter: RateLimiter, sink: ExchangeSink,
                             errors: Callable[[str], None], timeout: float = 2.0) -> None:
    """GET each UPnP description SSDP pointed at, when its host is a target (never elsewhere)."""

    async def one(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            return
        port = parts.port or http.PORT
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            scope.check(parts.hostname)
        except ScopeError:
            errors(f"SSDP location {parts.hostname} is outside the targets; not fetched")
            return
        req = http_get(parts.netloc, path)
        resp = await _exchange(parts.hostname, port, req, timeout, limiter, scope)
        if resp:
            sink(parts.hostname, port, req, resp)

    await asyncio.gather(*(one(u) for u in sorted(urls)))
