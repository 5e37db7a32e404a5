"""HTTPS for the devices' APIs: the certificate a device showed, and its answers kept.

Where a device serves HTTPS (443 open), its ISAPI/CGI API is asked over it, so the digest
exchange is not readable on the wire by anyone else on the link. camscan cannot check the
certificate (cameras' are self-signed), but it records the SHA-256 fingerprint of the one it
saw — a later scan that sees another is a reason to look — and refuses a session whose
certificate changes half-way. The scan's capture holds only ciphertext for these exchanges, so
what the device answered is turned into Evidence here, the way the capture's replay would.
"""

from __future__ import annotations

import hashlib

import httpx

from camscan.model import Endpoint, Evidence


class CertificateChanged(Exception):
    """The device showed a different certificate within one session: nothing more is asked."""


def peer_sha256(resp: httpx.Response) -> str:
    """Hex SHA-256 of the DER certificate the server showed for `resp`, "" if not over TLS."""
    stream = resp.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return hashlib.sha256(der).hexdigest() if der else ""


def fingerprint_note(sha256: str) -> str:
    pairs = ":".join(sha256[i:i + 2] for i in range(0, len(sha256), 2)).upper()
    return f"HTTPS certificate SHA-256 {pairs}"


def exchange_evidence(ip: str, port: int, request: bytes, response: bytes) -> list[Evidence]:
    """What one decrypted exchange says, read by the same parsers as the capture's streams."""
    from camscan.collect import Collector

    c = Collector()
    c.tcp_stream(Endpoint(ip, "", port), request, response)
    return list(c.evidence)
