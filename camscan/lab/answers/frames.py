"""Whole Ethernet frames for what a lab device sends on its own rather than through a socket:
DHCP from 0.0.0.0 before it has an address, and IPv6 neighbour advertisements. The emulator
writes them to a packet socket; checksums are computed here so the frames are exactly what a
capture shows."""

from __future__ import annotations

import ipaddress
import struct

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", "").replace("-", ""))


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_udp_frame(src_mac: str, dst_mac: str, src_ip: str, dst_ip: str, sport: int, dport: int,
                   payload: bytes, ttl: int = 64, ident: int = 0) -> bytes:
    """Ethernet II / IPv4 / UDP, with both checksums."""
    src, dst = ipaddress.IPv4Address(src_ip).packed, ipaddress.IPv4Address(dst_ip).packed
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    udp_sum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", udp_sum) + udp[8:]
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ident, 0, ttl, 17, 0, src, dst)
    head = head[:10] + struct.pack("!H", checksum(head)) + head[12:]
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" + head + udp


def ipv6_multicast_mac(group: str) -> str:
    low = ipaddress.IPv6Address(group).packed[-4:]
    return "33:33:" + ":".join(f"{b:02x}" for b in low)


def neighbour_advertisement(mac: str, src_ip: str, target: str, dst_ip: str = "ff02::1",
                            solicited: bool = False) -> bytes:
    """An ICMPv6 neighbour advertisement (RFC 4861 §4.4) with the override flag and the target
    link-layer address option: `target` belongs to `mac`. Unsolicited ones go to all-nodes."""
    src, dst = ipaddress.IPv6Address(src_ip).packed, ipaddress.IPv6Address(dst_ip).packed
    flags = 0x20 | (0x40 if solicited else 0)
    body = (struct.pack("!BBHB3x", 136, 0, 0, flags) + ipaddress.IPv6Address(target).packed
            + b"\x02\x01" + mac_bytes(mac))
    pseudo = src + dst + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", checksum(pseudo + body)) + body[4:]
    head = struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + src + dst
    dst_mac = ipv6_multicast_mac(dst_ip) if ipaddress.IPv6Address(dst_ip).is_multicast else BROADCAST_MAC
    return mac_bytes(dst_mac) + mac_bytes(mac) + b"\x86\xdd" + head + body
