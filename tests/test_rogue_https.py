"""The API over HTTPS, against a device on loopback: the certificate is recorded, a device
whose certificate is not the one a previous scan saw gets no credentials, and an answer that
comes compressed is refused without being inflated."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import shutil
import ssl
import subprocess
from pathlib import Path

import netaddr
import pytest

from camscan.scan.credentials import Account, Credentials
from camscan.scan.enrich import Outcome, Target, enrich
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

LOOPBACK = "127.0.0.1"
INFO = (b'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/'
        b'XMLSchema"><model>DS-2CD2043G2-I</model><serialNumber>S1</serialNumber>'
        b"<firmwareVersion>V5.7.3</firmwareVersion><deviceType>IPCamera</deviceType></DeviceInfo>")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is missing: no certificate for the device's HTTPS")
    d = tmp_path_factory.mktemp("cert")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=cam", "-days", "1",
                    "-keyout", str(d / "k.pem"), "-out", str(d / "c.pem")], check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert((d / "c.pem").read_text())
    return d / "c.pem", d / "k.pem", hashlib.sha256(der).hexdigest()


async def _device(cert: tuple[Path, Path, str] | None, seen: list[dict], body: bytes = INFO,
                  encoding: str = "") -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                auth = "authorization:" in head.lower()
                seen.append({"auth": auth, "tls": writer.get_extra_info("ssl_object") is not None})
                if not auth:
                    out = (b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="n", qop="auth"'
                           b"\r\nContent-Length: 0\r\n\r\n")
                else:
                    extra = f"Content-Encoding: {encoding}\r\n".encode() if encoding else b""
                    out = (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n" + extra
                           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                writer.write(out)
                await writer.drain()
        except (asyncio.IncompleteReadError, OSError):
            writer.close()

    ctx = None
    if cert is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return await asyncio.start_server(handle, LOOPBACK, 0, ssl=ctx)


def _ask(cert: tuple[Path, Path, str] | None, known: dict[str, str], **device: str | bytes) -> tuple[Outcome,
                                                                                                  list[dict]]:
    seen: list[dict] = []

    async def run() -> list[Outcome]:
        server = await _device(cert, seen, **device)  # type: ignore[arg-type]
        port = server.sockets[0].getsockname()[1]
        # ISAPI on `port`; ONVIF would go to the HTTP port, closed here (port 9: discard)
        t = Target(LOOPBACK, port=9 if cert else port, platform="Hikvision", tls_port=port if cert else 0)
        creds = Credentials(None, [], {LOOPBACK: Account("admin", "pw-not-shown", "test")})
        try:
            return await enrich([t], creds, Scope(netaddr.IPSet([LOOPBACK])), RateLimiter(1000), None,
                                known_certs=known)
        finally:
            server.close()

    return asyncio.run(run())[0], seen


def test_the_certificate_is_recorded_and_the_answer_kept(cert) -> None:
    out, seen = _ask(cert, {})
    assert out.cert_sha256 == cert[2]
    assert any(n.startswith("HTTPS certificate SHA-256 ") for n in out.notes)
    assert any(s["auth"] for s in seen) and all(s["tls"] for s in seen)
    assert any(e.model == "DS-2CD2043G2-I" for e in out.tls_evidence)


def test_a_changed_certificate_gets_no_credentials(cert) -> None:
    out, seen = _ask(cert, {LOOPBACK: "ab" * 32})
    assert seen and not any(s["auth"] for s in seen), "the credentials must not follow the new certificate"
    assert any("certificate changed" in n and "no credentials were sent" in n for n in out.notes)
    assert not out.read


def test_a_compressed_answer_is_refused_not_inflated() -> None:
    out, _ = _ask(None, {}, body=gzip.compress(gzip.compress(bytes(64 << 20))), encoding="gzip, gzip")
    assert any("encoded answer refused" in n for n in out.notes)
