"""DHCP / BOOTP (RFC 2131/2132, UDP 67 server, 68 client): read what a device says about
itself when it asks for an address, and what the server answers, into Evidence.

A camera that only ever sends DHCP, ARP and TFTP is still a device: its DISCOVER/REQUEST names
its MAC (chaddr), often its hostname (option 12, e.g. `DCS-935L`), its DHCP client build
(option 60, `udhcp 1.12.1`, or Axis' `AXIS,Network Camera,P3343,5.20.3`) and a
parameter-request list (option 55) whose order fingerprints the DHCP client. The server's ACK
gives the address the device holds from then on (yiaddr for that chaddr).

Pure: bytes in, Evidence out, passive only (camscan never sends DHCP, so there is no probe).
It must not decide the maker: option 60 goes to banners["dhcp_vendor_class"], the kind the
signatures already read. Banner kinds set here: dhcp_vendor_class, dhcp_hostname, dhcp_prl,
dhcp_requested_ip, dhcp_client_id, dhcp_message (DISCOVER/REQUEST/ACK...).

Hostile input: options are walked with their lengths checked against the packet, at most
MAX_OPTIONS of them; option overload (52) reads sname/file once; repeated options are joined
as RFC 3396 says, each value capped.
"""

from __future__ import annotations

import struct

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4
from camscan.protocols.arp import normalise_mac

SERVER_PORT = 67
CLIENT_PORT = 68
PORTS = (SERVER_PORT, CLIENT_PORT)
MAX_PAYLOAD = 65_535
MAX_OPTIONS = 255

BOOTP_LEN = 236
MAGIC_COOKIE = b"\x63\x82\x53\x63"
_OP_REQUEST, _OP_REPLY = 1, 2
_HTYPE_ETHERNET = 1

OPT_PAD, OPT_END = 0, 255
OPT_HOSTNAME, OPT_REQUESTED_IP, OPT_OVERLOAD, OPT_MESSAGE_TYPE = 12, 50, 52, 53
OPT_PRL, OPT_VENDOR_CLASS, OPT_CLIENT_ID, OPT_FQDN = 55, 60, 61, 81

MESSAGE_TYPES = {
    1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
    7: "RELEASE", 8: "INFORM",
}
_MAX_VALUE = 1024  # a concatenated option value longer than this is cut


def _walk_options(data: bytes, options: dict[int, bytes], budget: list[int]) -> None:
    """Add the options of one option area to `options`, joining repeats (RFC 3396)."""
    pos = 0
    while pos < len(data):
        code = data[pos]
        if code == OPT_END:
            return
        if code == OPT_PAD:
            pos += 1
            continue
        if pos + 1 >= len(data):
            raise Malformed("DHCP: option without a length byte")
        length = data[pos + 1]
        if pos + 2 + length > len(data):
            raise Malformed(f"DHCP: option {code} runs past the end of the packet")
        budget[0] -= 1
        if budget[0] < 0:
            raise Malformed("DHCP: too many options")
        value = data[pos + 2:pos + 2 + length]
        options[code] = (options.get(code, b"") + value)[:_MAX_VALUE]
        pos += 2 + length


def read_options(data: bytes) -> dict[int, bytes] | None:
    """Option code → value of a BOOTP/DHCP message; None when it has no magic cookie (plain
    BOOTP). Option overload (52) pulls in the file and sname fields, each read once."""
    if len(data) < BOOTP_LEN + 4 or data[BOOTP_LEN:BOOTP_LEN + 4] != MAGIC_COOKIE:
        return None
    options: dict[int, bytes] = {}
    budget = [MAX_OPTIONS]
    _walk_options(data[BOOTP_LEN + 4:], options, budget)
    overload = options.get(OPT_OVERLOAD, b"\x00")[:1]
    if overload and overload[0] & 1:
        _walk_options(data[108:236], options, budget)
    if overload and overload[0] & 2:
        _walk_options(data[44:108], options, budget)
    return options


def _text(raw: bytes, limit: int = 255) -> str:
    """Printable text of an option value (NUL-terminated by some clients)."""
    value = raw.split(b"\x00", 1)[0].decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:limit]


def _fqdn(raw: bytes) -> str:
    """Option 81's name: ASCII, or DNS wire format when the E flag (0x04) is set."""
    if len(raw) < 4:
        return ""
    flags, name = raw[0], raw[3:]
    if not flags & 0x04:
        return _text(name)
    labels, pos = [], 0
    while pos < len(name) and name[pos] and len(labels) < 64:
        length = name[pos]
        if length > 63:
            return ""
        labels.append(name[pos + 1:pos + 1 + length].decode("utf-8", "replace"))
        pos += 1 + length
    return _text(".".join(labels).encode())


def _hex(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw[:64])


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A BOOTP/DHCP message → [Evidence] about the client it concerns (the sender of a
    request; the chaddr of a server's OFFER/ACK); [] for NAKs and messages with no usable
    client MAC. Malformed for truncated, oversized or option-corrupt messages."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"DHCP: payload of {len(data)} bytes is too large")
    if len(data) < BOOTP_LEN:
        raise Malformed(f"DHCP: truncated header ({len(data)} of {BOOTP_LEN} bytes)")
    op, htype, hlen = data[0], data[1], data[2]
    if op not in (_OP_REQUEST, _OP_REPLY):
        raise Malformed(f"DHCP: unknown op {op}")
    options = read_options(data)
    if options is None:
        options = {}
    message_type = options.get(OPT_MESSAGE_TYPE, b"")
    kind = MESSAGE_TYPES.get(message_type[0], "") if message_type else ""
    if kind == "NAK":
        return []
    mac = normalise_mac(data[28:34]) if htype == _HTYPE_ETHERNET and hlen == 6 else ""
    client_id = options.get(OPT_CLIENT_ID, b"")
    if not mac and len(client_id) == 7 and client_id[0] == _HTYPE_ETHERNET:
        mac = normalise_mac(client_id[1:])
    if not mac:
        return []
    ciaddr, yiaddr, giaddr = (ipv4(".".join(str(b) for b in data[i:i + 4])) for i in (12, 16, 24))
    if op == _OP_REPLY:
        # an OFFER is only a proposal; the ACK (or a plain BOOTP reply) is the address held
        ip = "" if kind == "OFFER" else (yiaddr or ciaddr)
    else:
        # a relayed request arrives from the relay agent, not from the client
        ip = ciaddr or ("" if giaddr else ipv4(src.ip))
    return [_evidence(options, kind or ("BOOTREPLY" if op == _OP_REPLY else "BOOTREQUEST"),
                      mac, ip, yiaddr if kind == "OFFER" else "")]


def _evidence(options: dict[int, bytes], kind: str, mac: str, ip: str, offered: str) -> Evidence:
    banners: dict[str, str] = {"dhcp_message": kind}
    hostname = _text(options.get(OPT_HOSTNAME, b""), 200)
    fqdn = _fqdn(options.get(OPT_FQDN, b""))
    if hostname:
        banners["dhcp_hostname"] = hostname
    if fqdn:
        banners["dhcp_fqdn"] = fqdn
    vendor_class = _text(options.get(OPT_VENDOR_CLASS, b""))
    if vendor_class:
        banners["dhcp_vendor_class"] = vendor_class
    prl = options.get(OPT_PRL, b"")
    if prl:
        banners["dhcp_prl"] = ",".join(str(b) for b in prl[:255])
    requested = options.get(OPT_REQUESTED_IP, b"")
    if len(requested) == 4:
        requested_ip = ipv4(".".join(str(b) for b in requested))
        if requested_ip:
            banners["dhcp_requested_ip"] = requested_ip
    if options.get(OPT_CLIENT_ID):
        banners["dhcp_client_id"] = _hex(options[OPT_CLIENT_ID])
    if offered:
        banners["dhcp_offered_ip"] = offered
    return Evidence(
        source="dhcp",
        ip=ip,
        mac=mac,
        name=hostname or fqdn.split(".", 1)[0],
        banners=banners,
        note=f"DHCP {kind}",
    )


def build_message(op: int, chaddr: bytes, options: list[tuple[int, bytes]], *, yiaddr: bytes = bytes(4),
                  ciaddr: bytes = bytes(4), giaddr: bytes = bytes(4), xid: int = 0x1234) -> bytes:
    """A BOOTP/DHCP message with the given options (for the lab and tests; camscan itself never
    sends DHCP)."""
    if len(chaddr) != 6:
        raise ValueError("chaddr must be 6 bytes")
    head = struct.pack("!BBBBIHH", op, _HTYPE_ETHERNET, 6, 0, xid, 0, 0)
    head += ciaddr + yiaddr + bytes(4) + giaddr + chaddr + bytes(10) + bytes(64) + bytes(128)
    body = b"".join(bytes([code, len(value)]) + value for code, value in options)
    return head + MAGIC_COOKIE + body + bytes([OPT_END])
