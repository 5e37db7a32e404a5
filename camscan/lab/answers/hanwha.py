"""Hanwha (Samsung Techwin / Wisenet) discovery: the 262-byte record a camera sends to UDP 7711
of whoever broadcast the type-0x01 request to UDP 7701 — type 0x0B, then its MAC, address, mask
and gateway as NUL-padded text, its model and its web address, at the offsets of
UniversalScanner's Hanwha self-test."""

from __future__ import annotations

from camscan.lab.profile import Profile
from camscan.protocols import hanwha
from camscan.protocols.hanwha import RECORD_LEN, TYPE_REPLY, TYPE_REQUEST

# field -> (offset, width) in the record; each text is NUL-terminated inside its width
_FIELDS = {"mac": (19, 18), "ip": (37, 16), "mask": (53, 16), "gateway": (69, 16), "model": (109, 24),
           "url": (133, 39)}


def _put(record: bytearray, name: str, text: str) -> None:
    offset, width = _FIELDS[name]
    raw = text.encode("ascii")[:width - 1]
    record[offset:offset + len(raw)] = raw


def hanwha_reply(p: Profile) -> bytes:
    h = p.hanwha
    if h is None:
        raise ValueError(f"{p.id}: no [hanwha] section")
    record = bytearray(RECORD_LEN)
    record[0] = TYPE_REPLY
    _put(record, "mac", p.mac)
    _put(record, "ip", p.ip)
    _put(record, "mask", "255.255.255.0")
    _put(record, "gateway", p.gateway)
    _put(record, "model", h["model"])
    _put(record, "url", h.get("url", f"http://{p.ip}/index.htm"))
    return bytes(record)


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(record, "reply-port": to the sender's address, UDP 7711) for a request; None otherwise."""
    if not probe or probe[0] != TYPE_REQUEST:
        return None
    return hanwha_reply(p), "reply-port"


REPLY_PORT = hanwha.REPLY_PORT
