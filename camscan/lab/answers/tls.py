"""TLS: the certificate a device with a [tls] section presents, and the server's first flight
of a TLS 1.2 handshake (ServerHello, Certificate, ServerHelloDone) as the demo captures show it.

The certificate is self-signed, subject = issuer = the profile's RFC 4514 subject, written in
DER here so the captures stay byte-identical from run to run: its public key and signature are
derived from the profile by hashing, so they are well-formed but belong to no private key (a
capture needs none). A live lab device serves a real certificate with the same subject,
made with a fresh key when it starts (camscan.lab.certs).
"""

from __future__ import annotations

import hashlib
import struct

from camscan.lab.profile import Profile

# attribute short name -> (OID content bytes, DER string tag): C is a PrintableString, the rest
# UTF8String, as OpenSSL writes them
_ATTRIBUTES = {"CN": ("550403", 0x0C), "C": ("550406", 0x13), "L": ("550407", 0x0C),
               "ST": ("550408", 0x0C), "O": ("55040a", 0x0C), "OU": ("55040b", 0x0C)}
_SHA256_RSA = bytes.fromhex("2a864886f70d01010b")
_RSA = bytes.fromhex("2a864886f70d010101")
TLS12 = 0x0303
CIPHER_RSA_AES128_GCM_SHA256 = 0x009C


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _seq(*parts: bytes) -> bytes:
    return _der(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _der(0x02, raw)


def _stream(p: Profile, what: str, size: int) -> bytes:
    out, n = b"", 0
    while len(out) < size:
        out += hashlib.sha256(f"camscan-lab:{p.id}:{what}:{n}".encode()).digest()
        n += 1
    return out[:size]


def der_name(rfc4514: str) -> bytes:
    """An X.501 Name from an RFC 4514 string (whose first RDN is the Name's last)."""
    rdns = []
    for part in reversed(rfc4514.split(",")):
        key, _, value = part.partition("=")
        oid, tag = _ATTRIBUTES[key]
        rdns.append(_der(0x31, _seq(_der(0x06, bytes.fromhex(oid)), _der(tag, value.encode()))))
    return _seq(*rdns)


def certificate_der(p: Profile) -> bytes:
    """The device's self-signed X.509 v3 certificate, DER, deterministic."""
    t = p.tls
    if t is None:
        raise ValueError(f"{p.id}: no [tls] section")
    name = der_name(t["subject"])
    algorithm = _seq(_der(0x06, _SHA256_RSA), b"\x05\x00")
    modulus = int.from_bytes(b"\xc0" + _stream(p, "modulus", 255), "big") | 1
    spki = _seq(_seq(_der(0x06, _RSA), b"\x05\x00"), _der(0x03, b"\x00" + _seq(_int(modulus), _int(65537))))
    validity = _seq(_der(0x17, b"250101000000Z"), _der(0x17, b"350101000000Z"))
    serial = int.from_bytes(_stream(p, "serial", 8), "big") >> 1
    tbs = _seq(_der(0xA0, _int(2)), _int(serial), algorithm, name, validity, name, spki)
    return _seq(tbs, algorithm, _der(0x03, b"\x00" + _stream(p, "signature", 256)))


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def _record(content_type: int, body: bytes, version: int = TLS12) -> bytes:
    return struct.pack("!BHH", content_type, version, len(body)) + body


def server_flight(p: Profile) -> bytes:
    """ServerHello (TLS 1.2, RSA key exchange), Certificate, ServerHelloDone: the records a
    client reads before it sends its key exchange."""
    hello = (struct.pack("!H", TLS12) + _stream(p, "server-random", 32) + b"\x20" + _stream(p, "session", 32)
             + struct.pack("!HB", CIPHER_RSA_AES128_GCM_SHA256, 0) + bytes.fromhex("0005ff01000100"))
    der = certificate_der(p)
    chain = len(der).to_bytes(3, "big") + der
    certificate = len(chain).to_bytes(3, "big") + chain
    messages = _handshake(2, hello) + _handshake(11, certificate) + _handshake(14, b"")
    return _record(22, messages)


def client_hello(seed: bytes) -> bytes:
    """The scanner's ClientHello (TLS 1.2, a few common suites, no server name: it asks by address)."""
    suites = [0xC02F, 0xC030, 0xC02B, 0x009C, 0x009D, 0x002F, 0x0035]
    random32 = hashlib.sha256(b"camscan-client:" + seed).digest()
    extensions = (bytes.fromhex("ff01000100") + bytes.fromhex("000a00080006001d00170018")
                  + bytes.fromhex("000b00020100") + bytes.fromhex("000d000a00080401040305010804"))
    body = (struct.pack("!H", TLS12) + random32 + b"\x00" + struct.pack("!H", 2 * len(suites))
            + b"".join(struct.pack("!H", s) for s in suites) + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    return _record(22, _handshake(1, body), version=0x0301)


CLOSE_NOTIFY = _record(21, b"\x01\x00")
