"""Bosch video discovery: the reply a Bosch camera sends to UDP 1758 of whoever broadcast the
12-byte scan request to UDP 1757 — the XML `<root><device>` document newer firmware sends
(field set and order as in UniversalScanner's Bosch.xml self-test), or the 32-byte binary
record of older firmware (magic, the request's transaction id, MAC, address, mask, gateway)."""

from __future__ import annotations

import hashlib
import struct

from camscan.lab.answers.common import esc
from camscan.lab.profile import Profile
from camscan.protocols import bosch, http
from camscan.protocols.bosch import MAGIC, REQUEST_LEN, REQUEST_MAGIC


def _guid(p: Profile) -> str:
    return (p.bosch or {}).get("guid") or hashlib.sha256(f"camscan-lab:{p.id}:bosch".encode()).hexdigest()


def bosch_reply(p: Profile, transaction_id: int = 0x00010203) -> bytes:
    """The scan reply of device `p` (its [bosch] style), echoing the request's transaction id."""
    b = p.bosch
    if b is None:
        raise ValueError(f"{p.id}: no [bosch] section")
    mac = bytes.fromhex(p.mac.replace(":", ""))
    ip = [int(x) for x in p.ip.split(".")]
    gw = [int(x) for x in p.gateway.split(".")]
    if b.get("style", "xml") == "binary":
        return (struct.pack("!II", MAGIC, transaction_id) + mac + b"\x03\xff" + bytes(ip)
                + bytes([255, 255, 255, 0]) + bytes(gw) + bytes.fromhex("00030071"))
    fields = [
        ("deviceType", "OEMExt00:device:deviceID0"), ("App", "1"), ("friendlyName", b["friendly_name"]),
        ("unitName", b["unit_name"]), ("deviceGUID", _guid(p)), ("serialNumber", b["serial"]),
        ("physAddress", p.mac.replace(":", "-")), ("sessionKey", "0000000000000001"),
        ("unitIPAddress", p.ip), ("unitSubnetMask", "255.255.255.0"), ("unitGatewayIp", p.gateway),
        ("unitIPv6Address", "::"), ("activeConnections", "0"), ("RCPPort", "1756"),
        ("HTTPPort", str(http.PORT)), ("HTTPSPort", "443"), ("dhcp", "0"), ("dhcpState", "0"),
        ("Lines", "1"), ("deviceTypeIDs", b.get("device_type_ids", "000000300000000000001311")),
    ]
    body = "".join(f"<{k}>{esc(v)}</{k}>" for k, v in fields)
    return ('<?xml version="1.0" encoding="UTF-8"?><root xmlns="OEMExt00:device-1-0"><device>'
            f"{body}</device></root>").encode()


def is_request(probe: bytes) -> bool:
    return (len(probe) == REQUEST_LEN and probe[:4] == struct.pack("!I", MAGIC)
            and probe[8:12] == struct.pack("!I", REQUEST_MAGIC))


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(reply, "reply-port": to the sender's address, UDP 1758) for a scan request; None otherwise."""
    if not is_request(probe):
        return None
    return bosch_reply(p, struct.unpack("!I", probe[4:8])[0]), "reply-port"


REPLY_PORT = bosch.REPLY_PORT
