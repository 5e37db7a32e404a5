"""HTTPS sessions as a capture shows them, frame by frame, for the replay's TLS tests and the
replay benchmark: the TCP handshake, the client's ClientHello, the server's first flight
(ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, each in its own record as
OpenSSL writes them) cut into MSS-sized segments, the key exchange, then application data both
ways and the close. Any link type camscan reads (Ethernet with or without an 802.1Q tag, Linux
cooked v1 and v2 with or without one) over IPv4 or IPv6.

Certificates are DER X.509 v3 built here, deterministic (key and signature bytes are hashes of
the subject: well-formed, belonging to no key), with a 2048-bit modulus and a few extensions so
their size is a real one's and a flight does not fit one segment. Nothing is ever sent: these
functions only return bytes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from camscan.lab.answers.tls import der_name

DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2 = 1, 113, 276
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
HANDSHAKE, APPLICATION, CHANGE_CIPHER_SPEC = 22, 23, 20
TLS12 = 0x0303


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _hash_bytes(seed: str, size: int) -> bytes:
    out, n = b"", 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{n}".encode()).digest()
        n += 1
    return out[:size]


def certificate(subject: str, issuer: str = "", key_bytes: int = 256) -> bytes:
    """A DER certificate of `subject` signed (in form only) by `issuer` (self-signed when
    empty), RFC 4514 strings of CN, OU, O, L, ST and C as camscan.lab.answers.tls reads them."""
    sha256_rsa = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d01010b")) + b"\x05\x00")
    modulus = _der(0x02, b"\x00\xc1" + _hash_bytes(subject + ":modulus", key_bytes - 1))
    spki = _der(0x30, _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
                + _der(0x03, b"\x00" + _der(0x30, modulus + _der(0x02, b"\x01\x00\x01"))))
    validity = _der(0x30, _der(0x17, b"250101000000Z") + _der(0x17, b"350101000000Z"))
    key_id = _der(0x30, _der(0x06, bytes.fromhex("551d0e")) + _der(0x04, _der(0x04, _hash_bytes(subject, 20))))
    basic = _der(0x30, _der(0x06, bytes.fromhex("551d13")) + _der(0x04, _der(0x30, b"\x01\x01\xff")))
    extensions = _der(0xA3, _der(0x30, key_id + basic))
    tbs = _der(0x30, _der(0xA0, _der(0x02, b"\x02")) + _der(0x02, _hash_bytes(subject + ":serial", 8))
               + sha256_rsa + der_name(issuer or subject) + validity + der_name(subject) + spki + extensions)
    return _der(0x30, tbs + sha256_rsa + _der(0x03, b"\x00" + _hash_bytes(subject + ":signature", key_bytes)))


def record(content_type: int, body: bytes, version: int = TLS12) -> bytes:
    return struct.pack("!BHH", content_type, version, len(body)) + body


def handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def client_hello() -> bytes:
    suites = b"".join(struct.pack("!H", s) for s in (0xC02F, 0xC030, 0x009C))
    body = struct.pack("!H", TLS12) + _hash_bytes("client", 32) + b"\x00" + struct.pack("!H", len(suites)) + \
        suites + b"\x01\x00\x00\x00"
    return record(HANDSHAKE, handshake(1, body), version=0x0301)


def server_flight(chain: list[bytes], version: int = TLS12) -> bytes:
    """ServerHello, Certificate (the chain, leaf first), ServerKeyExchange and ServerHelloDone,
    each in its own handshake record."""
    hello = struct.pack("!H", version) + _hash_bytes("server", 32) + b"\x20" + _hash_bytes("session", 32) + \
        struct.pack("!HB", 0xC02F, 0) + bytes.fromhex("0005ff01000100")
    certs = b"".join(len(c).to_bytes(3, "big") + c for c in chain)
    key_exchange = b"\x03\x00\x17\x41\x04" + _hash_bytes("ecdhe", 64) + b"\x04\x01\x01\x00" + _hash_bytes("sig", 256)
    messages = (handshake(2, hello), handshake(11, len(certs).to_bytes(3, "big") + certs),
                handshake(12, key_exchange), handshake(14, b""))
    return b"".join(record(HANDSHAKE, m, version) for m in messages)


def application_data(size: int, seed: str = "data") -> bytes:
    """`size` bytes of ciphertext in application-data records of at most 16 KiB."""
    out, n = [], 0
    while size > 0:
        part = min(size, 16384 + 24)
        out.append(record(APPLICATION, _hash_bytes(f"{seed}:{n}", part)))
        size -= part
        n += 1
    return b"".join(out)


@dataclass(frozen=True, slots=True)
class Host:
    ip: str  # IPv4 or IPv6 (then every frame of the session is IPv6)
    mac: str
    ttl: int = 64  # what its packets arrive with: 63, 52 ... for a host behind a router


@dataclass(frozen=True, slots=True)
class Link:
    """How frames are framed: Ethernet or Linux cooked v1/v2, with an 802.1Q tag or not."""

    linktype: int = DLT_EN10MB
    vlan: int | None = None


def _mac(mac: str) -> bytes:
    return bytes(int(x, 16) for x in mac.split(":"))


def _ip_bytes(ip: str) -> bytes:
    import ipaddress

    return ipaddress.ip_address(ip).packed


def _l3(src: Host, dst: Host, segment: bytes) -> tuple[int, bytes]:
    if ":" in src.ip:
        return 0x86DD, struct.pack(">IHBB", 6 << 28, len(segment), 6, src.ttl) + _ip_bytes(src.ip) + \
            _ip_bytes(dst.ip) + segment
    return 0x0800, struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(segment), 0, 0x4000, src.ttl, 6, 0) + \
        _ip_bytes(src.ip) + _ip_bytes(dst.ip) + segment


def frame(link: Link, src: Host, dst: Host, segment: bytes) -> bytes:
    """One TCP `segment` from `src` to `dst` as `link` frames it."""
    etype, l3 = _l3(src, dst, segment)
    inner = struct.pack(">H", etype)
    if link.vlan is not None:
        inner = struct.pack(">HH", 0x8100, link.vlan) + inner
    if link.linktype == DLT_LINUX_SLL:  # packet type 0 (to us), ARPHRD_ETHER, 6-byte address
        return struct.pack(">HHH", 0, 1, 6) + _mac(src.mac) + b"\x00\x00" + inner + l3
    if link.linktype == DLT_LINUX_SLL2:
        return inner[:2] + b"\x00\x00" + struct.pack(">IHBB", 2, 1, 0, 6) + _mac(src.mac) + b"\x00\x00" + \
            inner[2:] + l3
    return _mac(dst.mac) + _mac(src.mac) + inner + l3


def tcp(sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes = b"") -> bytes:
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                       65535, 0, 0) + payload


def session(server: Host, client: Host, chain: list[bytes], port: int = 443, client_port: int = 50123,
            link: Link | None = None, mss: int = 1460, data: int = 20_000, flight: bytes = b"") -> list[bytes]:
    """A whole HTTPS connection: handshake, ClientHello, the server's flight (or `flight`) in
    `mss`-byte segments, key exchange, a request and `data` bytes of response, the close."""
    link = link or Link()
    cseq, sseq = 1_000_000, 7_000_000
    frames: list[bytes] = []

    def client_sends(flags: int, payload: bytes = b"") -> None:
        nonlocal cseq
        frames.append(frame(link, client, server, tcp(client_port, port, cseq, sseq, flags, payload)))
        cseq += len(payload) + (1 if flags & (SYN | FIN) else 0)

    def server_sends(flags: int, payload: bytes = b"") -> None:
        nonlocal sseq
        frames.append(frame(link, server, client, tcp(port, client_port, sseq, cseq, flags, payload)))
        sseq += len(payload) + (1 if flags & (SYN | FIN) else 0)

    def server_stream(payload: bytes) -> None:
        for i in range(0, len(payload), mss):
            server_sends(ACK | (PSH if i + mss >= len(payload) else 0), payload[i:i + mss])
        client_sends(ACK)

    client_sends(SYN)
    server_sends(SYN | ACK)
    client_sends(ACK)
    client_sends(PSH | ACK, client_hello())
    server_stream(flight or server_flight(chain))
    client_sends(PSH | ACK, record(HANDSHAKE, handshake(16, _hash_bytes("cke", 70)))
                 + record(CHANGE_CIPHER_SPEC, b"\x01") + record(HANDSHAKE, _hash_bytes("finished", 40)))
    server_sends(PSH | ACK, record(CHANGE_CIPHER_SPEC, b"\x01") + record(HANDSHAKE, _hash_bytes("sfinished", 40)))
    client_sends(PSH | ACK, application_data(300, "request"))
    if data:
        server_stream(application_data(data, f"{server.ip}:{client_port}"))
    client_sends(FIN | ACK)
    server_sends(FIN | ACK)
    client_sends(ACK)
    return frames


def write_pcap(path: Path, frames: list[bytes], linktype: int = DLT_EN10MB) -> None:
    """A classic little-endian pcap of `frames`, 1 ms apart."""
    rec = struct.Struct("<IIII")
    with path.open("wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for n, f in enumerate(frames):
            fh.write(rec.pack(1_740_823_200 + n // 1000, (n % 1000) * 1000, len(f), len(f)) + f)
