"""A real certificate for a live lab device with a [tls] section: a fresh RSA key and a
self-signed certificate with the profile's subject, made with Debian's `openssl` command when
the device's emulator starts. The key lives in a private temporary directory for the life of
the emulator and is never written to the repository."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

from camscan.lab.profile import Profile


class CertificateError(RuntimeError):
    """openssl is missing or refused to make the certificate."""


def openssl_subject(rfc4514: str) -> str:
    """`CN=a,O=b` (RFC 4514: last RDN first) as openssl's -subj wants it: `/O=b/CN=a`."""
    return "".join(f"/{part}" for part in reversed(rfc4514.split(",")))


def make_certificate(p: Profile, directory: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for device `p` in `directory`."""
    if p.tls is None:
        raise ValueError(f"{p.id}: no [tls] section")
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertificateError("the `openssl` command is missing (Debian: apt-get install openssl)")
    cert, key = directory / f"{p.id}.crt", directory / f"{p.id}.key"
    serial = zlib.crc32(p.id.encode())
    proc = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                           "-days", "3650", "-set_serial", str(serial), "-subj", openssl_subject(p.tls["subject"]),
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise CertificateError(f"openssl req: {proc.stderr.strip()[-300:]}")
    key.chmod(0o600)
    return cert, key
