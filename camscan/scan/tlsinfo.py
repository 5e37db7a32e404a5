"""HTTPS for the devices' APIs: the certificate a device showed, and its answers kept.

Where a device serves HTTPS (443 open), its ISAPI/CGI API is asked over it, so the digest
exchange is not readable on the wire by anyone else on the link. camscan cannot check the
certificate (cameras' are self-signed), but it records the SHA-256 fingerprint of the one it
saw, and sends no credentials to a device whose certificate is not the one expected: the one a
previous scan recorded (`known_certs`, from the history), or the first one of this session.
The scan's capture holds only ciphertext for these exchanges, so what the device answered is
turned into Evidence here, the way the capture's replay would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator

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


class PinnedDigestAuth(httpx.DigestAuth):
    """Digest auth that looks at the certificate of the challenge before answering it: when
    the device's certificate is not `expected` (the one a previous scan recorded, or the first
    one of this session), the credentials are not sent."""

    def __init__(self, username: str, password: str, expected: Callable[[], str]) -> None:
        super().__init__(username, password)
        self.expected = expected

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = super().auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            seen, want = peer_sha256(response), self.expected()
            if seen and want and seen != want:
                raise CertificateChanged(f"HTTPS certificate changed (was {fingerprint(want)[:23]}…, now "
                                         f"{fingerprint(seen)[:23]}…): no credentials were sent")
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return


def fingerprint(sha256: str) -> str:
    return ":".join(sha256[i:i + 2] for i in range(0, len(sha256), 2)).upper()


def fingerprint_note(sha256: str) -> str:
    return f"HTTPS certificate SHA-256 {fingerprint(sha256)}"


def exchange_evidence(ip: str, port: int, request: bytes, response: bytes) -> list[Evidence]:
    """What one decrypted exchange says, read by the same parsers as the capture's streams."""
    from camscan.collect import Collector

    c = Collector()
    c.tcp_stream(Endpoint(ip, "", port), request, response)
    return list(c.evidence)
