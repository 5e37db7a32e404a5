"""The certificate of each TLS port that answered the TCP probes: one handshake, no request.

An HTTPS-only camera shows a scan nothing but the certificate its TLS server presents, and its
default certificate often names the maker (Axis' CN=axis-<mac>, Hikvision's O=HIKVISION ...).
The handshake is capped at TLS 1.2 so the server's Certificate message travels in clear and the
scan's capture records it (TLS 1.3 would encrypt it): the inventory of a root scan, the replay
of that capture, reads it there. Without a capture the DER certificate is handed to `sink`.

Nothing is verified (the point is to read a self-signed certificate, not to trust it), nothing
is sent inside the connection — no request, no credentials — and every connection goes through
the scope gate and the rate limiter like every other probe.
"""

from __future__ import annotations

import asyncio
import ssl
import struct
import warnings
from collections.abc import Callable

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import tls
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

# (ip, port, DER certificate)
CertificateSink = Callable[[str, int, bytes], None]


def client_context() -> ssl.SSLContext:
    """A client that accepts any certificate and old servers, and offers at most TLS 1.2."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:  # cameras of a certain age speak only TLS 1.0 with old suites (deprecated for trust, fine for reading)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pass
    return ctx


async def fetch_certificate(ip: str, port: int, scope: Scope, limiter: RateLimiter,
                            timeout: float = 3.0) -> bytes | None:
    """The DER leaf certificate `ip`:`port` presents, or None when the handshake fails."""
    scope.check(ip)
    await limiter.wait_async()
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(ip, port, ssl=client_context(), ssl_handshake_timeout=timeout), timeout * 2)
    except (TimeoutError, OSError, ssl.SSLError):
        return None
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 0.5)
        except (TimeoutError, OSError, ssl.SSLError):
            pass


async def fetch_certificates(open_ports: dict[str, list[int]], scope: Scope, limiter: RateLimiter,
                             sink: CertificateSink, timeout: float = 3.0, concurrency: int = 64,
                             ports: tuple[int, ...] = tls.PORTS) -> int:
    """Fetch the certificate of every open TLS port (`ports`) in `open_ports`; returns how many
    were read."""
    sem = asyncio.Semaphore(concurrency)
    jobs = [(ip, port) for ip, found in sorted(open_ports.items()) for port in sorted(found) if port in ports]
    read = 0

    async def one(ip: str, port: int) -> None:
        nonlocal read
        async with sem:
            der = await fetch_certificate(ip, port, scope, limiter, timeout)
        if der:
            read += 1
            sink(ip, port, der)

    await asyncio.gather(*(one(ip, port) for ip, port in jobs))
    return read


def certificate_evidence(der: bytes, src: Endpoint) -> list[Evidence]:
    """What a fetched certificate says: the certificate is framed as the Certificate message of
    a handshake record and read by the TLS parser, so a scan without a capture and the replay
    of a capture say the same of it. [] for a certificate the parser refuses."""
    chain = len(der).to_bytes(3, "big") + der
    body = len(chain).to_bytes(3, "big") + chain
    message = bytes([11]) + len(body).to_bytes(3, "big") + body
    record = struct.pack("!BHH", 22, 0x0303, len(message)) + message
    try:
        return tls.parse(record, src)
    except Malformed:
        return []
