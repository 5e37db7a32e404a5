"""What every lab answer shares: the lab's clock, XML escaping, stable identifiers and the HTTP
response framing the web, API and SSDP answers use.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from camscan.lab.profile import Profile

# The lab's clock: every Date header and ONVIF GetSystemDateAndTime says this.
LAB_TIME = (2025, 3, 1, 10, 0, 0)
HTTP_DATE = "Sat, 01 Mar 2025 10:00:00 GMT"

_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 500: "Internal Server Error",
}


def esc(value: Any) -> str:
    """Text escaped for an XML element."""
    return escape(str(value))


def stable_uuid(p: Profile, *what: str) -> str:
    """A UUID that depends only on the profile and what it is for (no randomness)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "camscan-lab:" + ":".join((p.id, *what))))


def dash_mac(mac: str) -> str:
    return mac.replace(":", "-")


def link_local_ipv6(mac: str) -> str:
    octets = bytearray(int(b, 16) for b in mac.split(":"))
    octets[0] ^= 0x02
    eui = bytes(octets[:3]) + b"\xff\xfe" + bytes(octets[3:])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\x00" * 6 + eui))


def header_value(headers: Mapping[str, str], name: str) -> str:
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return ""


def server_header(p: Profile) -> str:
    return (p.http or {}).get("server", "")


def http_message(status: int, body: bytes = b"", content_type: str = "", server: str = "",
                 extra: list[tuple[str, str]] | None = None, close: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}"]
    if server:
        lines.append(f"Server: {server}")
    lines.append(f"Date: {HTTP_DATE}")
    for key, value in extra or []:
        lines.append(f"{key}: {value}")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close" if close else "Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
