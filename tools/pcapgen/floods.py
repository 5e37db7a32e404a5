"""Hostile captures, built fast (struct, not scapy, as they run to hundreds of thousands of
frames): what a rogue host on the scanned link sends to exhaust camscan. The tests replay small
ones; bench/hostile_bench.py replays the full-size ones against the caps.

- spoofed SADP devices: N ProbeMatch replies, each from its own made-up IP and MAC;
- fragment flood: 64 KB UDP datagrams to a discovery port, each in 8-byte IPv4 fragments;
- gzip bomb: one ISAPI exchange whose answer is `Content-Encoding: gzip, gzip`;
- one-byte segments: one HTTP connection whose server side is N one-byte TCP segments;
- ordinary traffic: unfragmented discovery-port datagrams, frame for frame the size of another
  capture's, to compare speeds with.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

SCANNER_IP = "198.18.0.2"
SCANNER_MAC = "00:1b:21:3a:4f:02"
DEVICE_IP = "198.18.0.10"
DEVICE_MAC = "44:19:b6:3c:5e:21"
ROGUE_MAC = "02:42:c6:12:00:66"
SADP_PORT = 37020
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
_REC = struct.Struct("<IIII")


def mac_bytes(mac: str) -> bytes:
    return bytes(int(x, 16) for x in mac.split(":"))


def ip_int(ip: str) -> int:
    a, b, c, d = (int(x) for x in ip.split("."))
    return a << 24 | b << 16 | c << 8 | d


def eth(src: str, dst: str, etype: int = 0x0800) -> bytes:
    return mac_bytes(dst) + mac_bytes(src) + struct.pack(">H", etype)


def ipv4(src: str, dst: str, proto: int, payload: bytes, ident: int = 0, frag: int = 0, ttl: int = 64) -> bytes:
    return struct.pack(">BBHHHBBHII", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0,
                       ip_int(src), ip_int(dst)) + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes = b"") -> bytes:
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                       65535, 0, 0) + payload


def arp_reply(sender_ip: str, sender_mac: str, target_ip: str = SCANNER_IP, target_mac: str = SCANNER_MAC) -> bytes:
    body = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 2) + mac_bytes(sender_mac) + bytes(
        int(x) for x in sender_ip.split(".")) + mac_bytes(target_mac) + bytes(int(x) for x in target_ip.split("."))
    return eth(sender_mac, target_mac, 0x0806) + body


def arp_request(sender_ip: str, sender_mac: str, target_ip: str) -> bytes:
    """Who has `target_ip`? asked by `sender_ip` (a broadcast frame)."""
    body = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + mac_bytes(sender_mac) + bytes(
        int(x) for x in sender_ip.split(".")) + bytes(6) + bytes(int(x) for x in target_ip.split("."))
    return eth(sender_mac, "ff:ff:ff:ff:ff:ff", 0x0806) + body


def write_pcap(path: Path, frames: Iterable[bytes]) -> int:
    """A classic little-endian Ethernet pcap of `frames`, 1 ms apart; returns the frame count."""
    n = 0
    with path.open("wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        chunk: list[bytes] = []
        for frame in frames:
            chunk += (_REC.pack(1_740_823_200 + n // 1000, (n % 1000) * 1000, len(frame), len(frame)), frame)
            n += 1
            if len(chunk) > 40_000:
                fh.write(b"".join(chunk))
                chunk.clear()
        fh.write(b"".join(chunk))
    return n


def sadp_match(ip: str, mac: str, model: str = "DS-2CD2386G2-IU", serial: str = "") -> bytes:
    fields = {"Uuid": "7C1A3B52-9E04-4D21-B5A8-3F6E20D19C44", "Types": "inquiry", "DeviceType": "0",
              "DeviceDescription": model, "DeviceSN": serial or f"{model}20231101AAWR{ip_int(ip):010d}",
              "CommandPort": "8000", "HttpPort": "80", "MAC": mac.replace(":", "-"), "IPv4Address": ip,
              "SoftwareVersion": "V5.7.15build 240201", "Activated": "true"}
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch>{body}</ProbeMatch>'.encode()


def spoofed_sadp(devices: int) -> Iterator[bytes]:
    """`devices` SADP replies, each from a made-up address in 198.18.0.0/15 and MAC."""
    for i in range(devices):
        ip = f"198.{18 + (i >> 16 & 1)}.{i >> 8 & 0xFF}.{i & 0xFF}"
        mac = f"02:5a:{i >> 24 & 0xFF:02x}:{i >> 16 & 0xFF:02x}:{i >> 8 & 0xFF:02x}:{i & 0xFF:02x}"
        yield eth(mac, "01:00:5e:7f:ff:fa") + ipv4(ip, "239.255.255.250", 17, udp(SADP_PORT, SADP_PORT,
                                                                            sadp_match(ip, mac)), ttl=1)


def fragment_flood(datagrams: int, size: int = 65_000, piece: int = 8) -> Iterator[bytes]:
    """`datagrams` UDP datagrams of `size` bytes to the SADP port, each in `piece`-byte
    fragments, the last one first (so the datagram's length is known from the start: the
    worst case for a reassembler that re-checks the whole datagram at every fragment)."""
    for n in range(datagrams):
        whole = udp(SADP_PORT, SADP_PORT, bytes(size - 8))
        ident = n & 0xFFFF
        offsets = list(range(0, len(whole), piece))
        for off in [offsets[-1], *offsets[:-1]]:
            more = 0x2000 if off + piece < len(whole) else 0
            part = whole[off:off + piece]
            yield eth(ROGUE_MAC, SCANNER_MAC) + ipv4(DEVICE_IP, SCANNER_IP, 17, part, ident, more | off // 8)


def ordinary_like(frames: Iterable[bytes]) -> Iterator[bytes]:
    """For each frame, an unfragmented SADP-port datagram of the same length (not XML, so it
    is read, parsed and counted as malformed: the work an ordinary frame costs)."""
    for frame in frames:
        pad = max(0, len(frame) - 14 - 20 - 8)
        yield eth(DEVICE_MAC, SCANNER_MAC) + ipv4(DEVICE_IP, SCANNER_IP, 17, udp(SADP_PORT, SADP_PORT, b"x" * pad))


class Conversation:
    """One TCP connection from the scanner to a device's port 80, handshake included."""

    def __init__(self, client_port: int = 40001, server_mac: str = DEVICE_MAC) -> None:
        self.cport, self.server_mac = client_port, server_mac
        self.cseq, self.sseq = 1000, 5000

    def to_server(self, flags: int, payload: bytes = b"") -> bytes:
        frame = eth(SCANNER_MAC, self.server_mac) + ipv4(SCANNER_IP, DEVICE_IP, 6, tcp(
            self.cport, 80, self.cseq, self.sseq, flags, payload))
        self.cseq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        return frame

    def to_client(self, flags: int, payload: bytes = b"", mac: str = "") -> bytes:
        frame = eth(mac or self.server_mac, SCANNER_MAC) + ipv4(DEVICE_IP, SCANNER_IP, 6, tcp(
            80, self.cport, self.sseq, self.cseq, flags, payload))
        self.sseq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        return frame

    def handshake(self) -> list[bytes]:
        return [self.to_server(SYN), self.to_client(SYN | ACK), self.to_server(ACK)]

    def close(self) -> list[bytes]:
        return [self.to_server(FIN | ACK), self.to_client(FIN | ACK)]


def isapi_request(authorization: bool = True) -> bytes:
    auth = ('Authorization: Digest username="admin", realm="IP Camera", nonce="abc", '
            'uri="/ISAPI/System/deviceInfo", response="0123456789abcdef0123456789abcdef"\r\n') if authorization else ""
    return f"GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: {DEVICE_IP}\r\n{auth}\r\n".encode()


def device_info(model: str = "DS-2CD2386G2-IU", serial: str = "DS-2CD2386G2-IU20231101AAWRL12345678") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema">'
            f"<deviceName>Yard</deviceName><model>{model}</model><serialNumber>{serial}</serialNumber>"
            f"<firmwareVersion>V5.7.15</firmwareVersion><firmwareReleasedDate>build 240201</firmwareReleasedDate>"
            f"<deviceType>IPCamera</deviceType></DeviceInfo>").encode()


def http_response(body: bytes, extra: str = "") -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def gzip_bytes(chunks: Iterable[bytes]) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join(packer.compress(c) for c in chunks) + packer.flush()


def gzip_bomb(expanded: int, layers: int = 2) -> bytes:
    """`expanded` zero bytes in `layers` gzip layers (2 GB in two layers is a few KB)."""
    block = bytes(1 << 20)
    data = gzip_bytes(block for _ in range(expanded >> 20))
    for _ in range(layers - 1):
        data = gzip_bytes([data])
    return data


def isapi_exchange(response: bytes, mss: int = 1460) -> list[bytes]:
    """The scanner asks a device for its deviceInfo (with credentials) and gets `response`."""
    c = Conversation()
    frames = [*c.handshake(), c.to_server(PSH | ACK, isapi_request())]
    frames += [c.to_client(PSH | ACK, response[i:i + mss]) for i in range(0, len(response), mss)]
    return frames + c.close()


def one_byte_segments(count: int) -> Iterator[bytes]:
    """One connection whose server side is `count` one-byte segments (an endless header)."""
    c = Conversation()
    yield from c.handshake()
    yield c.to_server(PSH | ACK, isapi_request())
    yield c.to_client(PSH | ACK, b"HTTP/1.1 200 OK\r\n")
    for _ in range(count):
        yield c.to_client(ACK, b"X")
    yield from c.close()
