"""Fixed-width and NUL-terminated text fields as the makers' binary discovery replies carry
them (Hanwha, Dahua's old search, Panasonic, Vivotek, Bosch), read one way: bounded, decoded
without raising, control characters dropped, so no device string can break a CSV row."""

from __future__ import annotations

from camscan.protocols.addresses import ipv4


def cstring(raw: bytes, limit: int = 200) -> str:
    """The text before the first NUL, printable characters only, whitespace collapsed."""
    value = bytes(raw[:4096]).split(b"\x00", 1)[0].decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:limit]


def ipv4_bytes(raw: bytes) -> str:
    """Four bytes in network order → dotted quad; "" for anything else or 0.0.0.0."""
    return ipv4(".".join(str(b) for b in raw)) if len(raw) == 4 else ""
