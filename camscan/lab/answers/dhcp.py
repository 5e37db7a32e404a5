"""DHCP: what a device with a [dhcp] section keeps sending — a DISCOVER from 0.0.0.0 asking
for its address back, then a REQUEST from the address it holds (RFC 2131 REBINDING: ciaddr
set, broadcast) — each with its hostname (12), vendor class (60), parameter request list (55)
and client identifier (61), as the real clients do. The lab has no DHCP server, so it never
gets an answer and keeps asking, which is what lets a live scan's capture see it."""

from __future__ import annotations

import ipaddress
import zlib

from camscan.lab.answers.frames import BROADCAST_MAC, ipv4_udp_frame, mac_bytes
from camscan.lab.profile import Profile
from camscan.protocols import dhcp

# Axis' DHCP client asks for these (subnet, router, DNS, hostname, domain, broadcast, NTP, ...)
DEFAULT_PRL = (1, 3, 6, 12, 15, 28, 42, 2, 119)
DISCOVER, REQUEST = 1, 3


def _xid(p: Profile, round_no: int) -> int:
    return zlib.crc32(f"camscan-lab:{p.id}:dhcp:{round_no}".encode())


def dhcp_message(p: Profile, message_type: int, round_no: int = 0) -> bytes:
    """The BOOTP/DHCP payload of one DISCOVER (1) or REQUEST (3) of device `p`."""
    d = p.dhcp
    if d is None:
        raise ValueError(f"{p.id}: no [dhcp] section")
    chaddr = mac_bytes(p.mac)
    own = ipaddress.IPv4Address(p.ip).packed
    options: list[tuple[int, bytes]] = [(dhcp.OPT_MESSAGE_TYPE, bytes([message_type])),
                                        (dhcp.OPT_CLIENT_ID, b"\x01" + chaddr)]
    if message_type == DISCOVER:
        options.append((dhcp.OPT_REQUESTED_IP, own))
    options += [(57, (576).to_bytes(2, "big")), (dhcp.OPT_HOSTNAME, d["hostname"].encode()),
                (dhcp.OPT_VENDOR_CLASS, d["vendor_class"].encode()),
                (dhcp.OPT_PRL, bytes(d.get("prl", DEFAULT_PRL)))]
    ciaddr = own if message_type == REQUEST else bytes(4)
    return dhcp.build_message(1, chaddr, options, ciaddr=ciaddr, xid=_xid(p, round_no))


def dhcp_frames(p: Profile, round_no: int = 0) -> list[bytes]:
    """One round: the DISCOVER (from 0.0.0.0) and the REQUEST (from its address), as frames."""
    discover = dhcp_message(p, DISCOVER, round_no)
    request = dhcp_message(p, REQUEST, round_no)
    return [
        ipv4_udp_frame(p.mac, BROADCAST_MAC, "0.0.0.0", "255.255.255.255", dhcp.CLIENT_PORT,
                       dhcp.SERVER_PORT, discover, ident=round_no & 0xFFFF),
        ipv4_udp_frame(p.mac, BROADCAST_MAC, p.ip, "255.255.255.255", dhcp.CLIENT_PORT, dhcp.SERVER_PORT,
                       request, ident=(round_no + 1) & 0xFFFF),
    ]
