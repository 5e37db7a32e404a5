"""TLS 1.0-1.2 server handshakes: the leaf certificate's subject and issuer, as text the
signatures read (banners["x509_subject"], banners["x509_issuer"], RFC 4514 order as recog writes
them: `CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN`).

Input is what a TCP stream reassembles from the server side: TLS records of type 22 carrying
ServerHello, Certificate, ... possibly one handshake message spread over several records.
Up to TLS 1.2 the Certificate message is in clear; TLS 1.3 encrypts it, so a 1.3 server says
nothing here. A certificate names the *server* of the connection: in a passive capture that is
often a cloud service the camera talks to, not a device on the LAN (the caller decides).

Pure: bytes in, Evidence out, no sockets. Certificates are read by a small bounded DER walker
(the `cryptography` package is not a camscan dependency): only the path tbsCertificate →
issuer/subject is followed, lengths are checked against their parent, at most MAX_RECORDS
records and MAX_HANDSHAKE bytes of handshake are looked at; only the leaf certificate is read.

A capture may hold only the first segment of the server's flight: a replay keeps just the
segments that start a handshake record (replay/pcapfile.py), because HTTPS is most of a site's
traffic. That segment usually holds ServerHello and the start of the Certificate message, and
the leaf's issuer and subject lie in its first few hundred bytes. So a Certificate message the
capture cut is still read when the cut falls after the leaf's subject: declared lengths are
checked against their parents as always, and never read past the bytes there are. A cut before
the end of the subject gives nothing, and is not malformed (the bytes are simply not there).
"""

from __future__ import annotations

import functools
import struct

from camscan.model import Endpoint, Evidence, Malformed

PORTS = (443, 8443)
MAX_PAYLOAD = 1_000_000
MAX_RECORDS = 64
MAX_RECORD_LEN = 16384 + 2048  # TLSCiphertext limit (RFC 5246 §6.2.3)
MAX_HANDSHAKE = 262_144
MAX_RDNS = 64

_CT_CHANGE_CIPHER_SPEC, _CT_ALERT, _CT_HANDSHAKE, _CT_APPLICATION = 20, 21, 22, 23
_HS_SERVER_HELLO, _HS_CERTIFICATE, _HS_SERVER_HELLO_DONE = 2, 11, 14
_VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2"}

# attribute type OIDs (DER content bytes) → RFC 4514 / OpenSSL short names
_ATTRIBUTES = {
    bytes.fromhex("550403"): "CN", bytes.fromhex("550406"): "C", bytes.fromhex("550407"): "L",
    bytes.fromhex("550408"): "ST", bytes.fromhex("55040a"): "O", bytes.fromhex("55040b"): "OU",
    bytes.fromhex("550405"): "serialNumber", bytes.fromhex("550409"): "street",
    bytes.fromhex("2a864886f70d010901"): "emailAddress",
    bytes.fromhex("0992268993f22c640119"): "DC", bytes.fromhex("0992268993f22c640101"): "UID",
}
_SEQUENCE, _SET, _OID, _CONTEXT_0 = 0x30, 0x31, 0x06, 0xA0
# tbsCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, ...
_ISSUER, _SUBJECT = 2, 4
_STRING_CODECS = {0x0C: "utf-8", 0x13: "latin-1", 0x16: "latin-1", 0x14: "latin-1", 0x1A: "latin-1",
                  0x1E: "utf-16-be", 0x1C: "utf-32-be", 0x12: "latin-1"}
_RFC4514_SPECIAL = {",", "+", '"', "\\", "<", ">", ";"}


# The first bytes of a TCP segment that can begin a server's certificate: a handshake record
# (SSL 3.0 to TLS 1.2 record versions 0x0300-0x0303) whose first message is ServerHello or
# Certificate. The replay's kernel filter tests the same bytes (replay/pcapfile.py), so a
# segment of bulk data (application records and their continuations) never reaches Python.
FLIGHT_START_TYPE = _CT_HANDSHAKE
FLIGHT_START_MAJOR = 3
FLIGHT_START_MAX_MINOR = 3
FLIGHT_START_MESSAGES = (_HS_SERVER_HELLO, _HS_CERTIFICATE)


def starts_server_flight(payload: bytes) -> bool:
    """Whether a server's TCP segment starts with a handshake record that may lead to its
    certificate (the test the replay's filter makes in the kernel)."""
    return (len(payload) > 5 and payload[0] == FLIGHT_START_TYPE and payload[1] == FLIGHT_START_MAJOR
            and payload[2] <= FLIGHT_START_MAX_MINOR and payload[5] in FLIGHT_START_MESSAGES)


# ---- TLS records and handshake messages ----

def _handshake_bytes(data: bytes) -> tuple[bytes, int]:
    """The concatenated handshake-record payloads up to the first ChangeCipherSpec or
    application record (or the first byte that is not a record), and the record-layer
    version; (b"", 0) for input that does not start with a TLS record."""
    pos, out, version = 0, bytearray(), 0
    for _ in range(MAX_RECORDS):
        if pos >= len(data):
            break
        if len(data) - pos < 5:
            break  # the capture stops inside a record header
        ctype, record_version, length = struct.unpack_from("!BHH", data, pos)
        if ctype not in (_CT_CHANGE_CIPHER_SPEC, _CT_ALERT, _CT_HANDSHAKE, _CT_APPLICATION) or \
                record_version >> 8 != 3:
            if pos == 0:
                return b"", 0  # not TLS at all
            break  # a gap in the capture: what came before still stands
        if length > MAX_RECORD_LEN:
            raise Malformed(f"TLS: record of {length} bytes is too long")
        version = version or record_version
        if ctype in (_CT_CHANGE_CIPHER_SPEC, _CT_APPLICATION):
            break  # what follows is encrypted
        body = data[pos + 5:pos + 5 + length]
        if ctype == _CT_HANDSHAKE:
            out += body
            if len(out) > MAX_HANDSHAKE:
                raise Malformed("TLS: handshake larger than the limit")
        if len(body) < length:
            break  # the capture stops inside this record; use what there is
        pos += 5 + length
    return bytes(out), version


def _messages(handshake: bytes) -> list[tuple[int, bytes, bool]]:
    """(type, body, complete) of each handshake message; the last may be incomplete."""
    out, pos = [], 0
    while pos + 4 <= len(handshake) and len(out) < MAX_RECORDS:
        mtype = handshake[pos]
        length = int.from_bytes(handshake[pos + 1:pos + 4], "big")
        body = handshake[pos + 4:pos + 4 + length]
        out.append((mtype, body, len(body) == length))
        if mtype == _HS_SERVER_HELLO_DONE or len(body) < length:
            break
        pos += 4 + length
    return out


def _leaf_certificate(body: bytes, complete: bool) -> tuple[bytes, int]:
    """The first (leaf) DER certificate of a Certificate message body and its declared length:
    all of it when the message is `complete`, else what the capture kept of it (possibly less
    than declared; lengths are still checked against their parents)."""
    if len(body) < 3:
        if complete:
            raise Malformed("TLS: Certificate message too short")
        raise _Cut
    total = int.from_bytes(body[:3], "big")
    if complete and total > len(body) - 3:
        raise Malformed("TLS: certificate list longer than its message")
    if total < 3:
        raise Malformed("TLS: empty certificate list")
    if len(body) < 6:
        raise _Cut  # (a complete message this short has failed a check above)
    first = int.from_bytes(body[3:6], "big")
    if first == 0 or first > total - 3:
        raise Malformed("TLS: certificate longer than the list")
    return body[6:6 + first], first


# ---- DER ----

class _Cut(Exception):
    """The capture stops before the bytes needed: nothing to read, and nothing malformed."""


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at `pos`, checked against its parent's
    declared `end`. `data` may stop before `end` (a certificate the capture cut): a header
    that is not all there raises _Cut; the content's end is returned as declared."""
    if pos + 2 > end:
        raise Malformed("X.509: truncated element")
    if pos + 2 > len(data):
        raise _Cut
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise Malformed("X.509: high tag numbers are not used in certificates")
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise Malformed("X.509: bad length")
        if pos + count > len(data):
            raise _Cut
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise Malformed("X.509: element longer than its parent")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int, limit: int) -> list[tuple[int, int, int]]:
    out, pos = [], start
    while pos < end:
        if len(out) >= limit:
            raise Malformed("X.509: too many elements")
        tag, cstart, cend = _tlv(data, pos, end)
        out.append((tag, cstart, cend))
        pos = cend
    return out


def _escape(value: str) -> str:
    out = "".join("\\" + c if c in _RFC4514_SPECIAL else c for c in value)
    if out.startswith(("#", " ")):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _oid_text(raw: bytes) -> str:
    if not raw or len(raw) > 32:
        return "?"
    parts, value = [raw[0] // 40, raw[0] % 40], 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _name(der: bytes, start: int, end: int) -> str:
    """An X.501 Name → its RFC 4514 string (last RDN first, as OpenSSL and recog write it)."""
    raw = der[start:end]
    return _name_text(raw) if len(raw) <= MAX_CACHED_NAME else _name_text.__wrapped__(raw)


# A busy capture shows the same few certificates (a camera's cloud, the sites its users visit)
# in thousands of connections: each distinct Name is read once (at most NAMES_CACHED of them,
# each at most MAX_CACHED_NAME bytes: a hostile stream of huge names is read, not kept).
NAMES_CACHED, MAX_CACHED_NAME = 1024, 1024


@functools.lru_cache(maxsize=NAMES_CACHED)
def _name_text(der: bytes) -> str:
    """The RFC 4514 string of a Name's content bytes (cached: Malformed is raised, not kept)."""
    rdns = []
    for tag, rstart, rend in _children(der, 0, len(der), MAX_RDNS):
        if tag != _SET:
            raise Malformed("X.509: RDN is not a SET")
        parts = []
        for atag, astart, aend in _children(der, rstart, rend, 16):
            if atag != _SEQUENCE:
                raise Malformed("X.509: attribute is not a SEQUENCE")
            pair = _children(der, astart, aend, 2)
            if len(pair) != 2 or pair[0][0] != _OID:
                raise Malformed("X.509: attribute without a type")
            oid = der[pair[0][1]:pair[0][2]]
            vtag, vstart, vend = pair[1]
            codec = _STRING_CODECS.get(vtag)
            raw = der[vstart:vend]
            value = raw.decode(codec, "replace") if codec else "#" + raw.hex()
            value = "".join(c if c.isprintable() else " " for c in value)
            parts.append(f"{_ATTRIBUTES.get(oid) or _oid_text(oid)}={_escape(value)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))[:500]


def _tbs(der: bytes, declared: int) -> tuple[int, int]:
    """(start, declared end) of the tbsCertificate of a certificate of `declared` bytes."""
    tag, start, end = _tlv(der, 0, declared)
    if tag != _SEQUENCE:
        raise Malformed("X.509: certificate is not a SEQUENCE")
    tag, tstart, tend = _tlv(der, start, end)
    if tag != _SEQUENCE:
        raise Malformed("X.509: tbsCertificate is not a SEQUENCE")
    return tstart, tend


def _names(der: bytes, fields: list[tuple[int, int, int]]) -> tuple[str, str]:
    if fields and fields[0][0] == _CONTEXT_0:
        fields = fields[1:]  # explicit version
    if len(fields) <= _SUBJECT or fields[_ISSUER][0] != _SEQUENCE or fields[_SUBJECT][0] != _SEQUENCE:
        raise Malformed("X.509: tbsCertificate lacks issuer or subject")
    issuer, subject = fields[_ISSUER], fields[_SUBJECT]
    return _name(der, subject[1], subject[2]), _name(der, issuer[1], issuer[2])


def certificate_names(der: bytes) -> tuple[str, str]:
    """(subject, issuer) of one DER certificate, RFC 4514 strings."""
    tstart, tend = _tbs(der, len(der))
    return _names(der, _children(der, tstart, tend, 12))


def cut_certificate_names(der: bytes, declared: int) -> tuple[str, str] | None:
    """(subject, issuer) from the first bytes of a certificate of `declared` bytes that the
    capture cut; None when the cut falls before the end of the subject. Every length is still
    checked against its parent's (Malformed), and nothing past `der` is read."""
    if len(der) >= declared:
        return certificate_names(der[:declared])
    try:
        tstart, tend = _tbs(der, declared)
        fields: list[tuple[int, int, int]] = []
        pos, wanted = tstart, _SUBJECT + 1
        while len(fields) < wanted and pos < tend:
            tag, cstart, cend = _tlv(der, pos, tend)
            if cend > len(der):
                return None  # this field is cut: the subject is not (all) there
            if not fields and tag == _CONTEXT_0:
                wanted += 1  # the explicit version comes first
            fields.append((tag, cstart, cend))
            pos = cend
        return _names(der, fields)
    except _Cut:
        return None


def flight_certificate(data: bytes) -> tuple[str, str, int] | None:
    """(subject, issuer, version) of the leaf certificate in a server's flight, read afresh
    (parse keeps what it said); None when the bytes hold none (not TLS, TLS 1.3, a capture that
    stops before the subject's end)."""
    handshake, version = _handshake_bytes(data)
    for mtype, body, complete in _messages(handshake):
        if mtype == _HS_SERVER_HELLO and complete and len(body) >= 2:
            version = int.from_bytes(body[:2], "big")  # the negotiated version, not the record's
        if mtype != _HS_CERTIFICATE:
            continue
        try:
            leaf, declared = _leaf_certificate(body, complete)
        except _Cut:
            return None  # the capture stops before the leaf's length
        names = cut_certificate_names(leaf, declared) if len(leaf) < declared else certificate_names(leaf)
        return None if names is None else (*names, version)
    return None


# A server sends the same bytes after its ServerHello in every connection (its certificate
# chain), and a busy capture holds thousands of connections to the same few servers: what a
# flight says is kept by the bytes that decide it (the record and negotiated versions, and all
# after a record holding the ServerHello alone), for at most FLIGHTS_CACHED flights of at most
# MAX_CACHED_FLIGHT bytes. Malformed flights are read each time, never kept.
FLIGHTS_CACHED, MAX_CACHED_FLIGHT = 256, 16384
_flights: dict[tuple[bytes, bytes], tuple[str, str, int] | None] = {}


def _flight_key(data: bytes) -> tuple[bytes, bytes] | None:
    if len(data) < 11 or data[0] != _CT_HANDSHAKE or data[5] != _HS_SERVER_HELLO:
        return None
    end = 5 + int.from_bytes(data[3:5], "big")
    if end > len(data) or int.from_bytes(data[6:9], "big") + 9 != end or len(data) - end > MAX_CACHED_FLIGHT:
        return None  # the record holds more than the ServerHello, or is cut
    return data[1:3] + data[9:11], data[end:]


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """The server side of a TLS connection (records from the first) → [Evidence] with the
    leaf certificate's subject and issuer; [] when the bytes are not TLS or hold no
    certificate (TLS 1.3, a capture that stops before it). Malformed for broken records,
    oversized handshakes and certificates the DER walker cannot read."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"TLS: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("TLS: empty payload")
    key = _flight_key(data)
    if key is not None and key in _flights:
        said = _flights[key]
    else:
        said = flight_certificate(data)
        if key is not None:
            if len(_flights) >= FLIGHTS_CACHED:
                del _flights[next(iter(_flights))]
            _flights[key] = said
    if said is None:
        return []
    subject, issuer, version = said
    banners = {"x509_subject": subject, "x509_issuer": issuer}
    if version in _VERSIONS:
        banners["tls_version"] = _VERSIONS[version]
    return [Evidence(
        source="tls",
        ip=src.ip,
        mac=src.mac,
        banners=banners,
        note="self-signed certificate" if subject == issuer and subject else "",
    )]
