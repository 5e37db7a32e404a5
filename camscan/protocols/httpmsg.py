"""HTTP/1.x and RTSP/1.0 message framing for one direction of a reassembled TCP stream.

What it is for: the live prober and the pcap replay both end up with the bytes a client sent
and the bytes a server sent on one connection. `read_messages` cuts one direction into
messages (start line, headers, body) and `pair` matches requests with their responses, so the
HTTP, ISAPI, Dahua CGI, ONVIF and RTSP parsers all see the same `HttpMessage`.

Framing follows RFC 9112 (HTTP/1.1) and RFC 2326 (RTSP/1.0, same syntax): a chunked
Transfer-Encoding wins over Content-Length; a response without either is read to the end of
the stream (HTTP) or has no body (RTSP, where an absent Content-Length means zero); responses
to HEAD and 1xx/204/304 responses never have a body. Bare LF line ends are accepted, as some
camera web servers send them. RTSP interleaved binary frames (`$`, channel, 16-bit length)
between RTSP messages are skipped.

What it must not do: trust the peer. A header block over MAX_HEADER_BYTES or with more than
MAX_HEADERS fields stops the reader (Malformed for the first message, so the caller can count
it; later messages are dropped quietly); a body over MAX_BODY is cut and flagged
`truncated=True` and no more than MAX_BODY bytes of it are ever copied; at most MAX_MESSAGES
messages are read from one stream. Bytes that are not HTTP/RTSP at all give an empty list.
A response body in one content coding (gzip, deflate) is decompressed to at most MAX_BODY
bytes, never more (a 1.8 KB gzip bomb would otherwise become gigabytes); a body in nested
codings (`gzip, gzip`) is refused, not decoded. Either sets `problem` for the caller to count.
Nothing here does I/O, and nothing here logs: bodies can hold credentials (a recorder's
RemoteDevice table lists camera passwords), so callers must not log them either.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from camscan.model import Malformed

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100
MAX_BODY = 2 * 1024 * 1024
MAX_MESSAGES = 1000
_MAX_CHUNK_LINE = 1024

_REQUEST_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9_-]{0,31})[ \t]+(\S+)[ \t]+((?:HTTP|RTSP)/\d\.\d)[ \t]*$")
_STATUS_LINE = re.compile(rb"^((?:HTTP|RTSP)/\d\.\d)[ \t]+(\d{3})(?:[ \t].*)?$")
# Every pattern here is linear in its input (bounded repeats, no nested or overlapping ones):
# device bytes must not be able to make a regex run for seconds.
# What the start of a message looks like, before its line is complete (used to tell a header
# bomb, which is HTTP and Malformed, from a stream that is not HTTP at all).
_REQUEST_PREFIX = re.compile(rb"^[A-Z][A-Z0-9_-]{1,31}[ \t]+(?:/|\*|[A-Za-z]+://)")
_STATUS_PREFIX = re.compile(rb"^(?:HTTP|RTSP)/")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_REALM = re.compile(r"""realm[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.){0,400})"|([^\s,"]{1,400}))""", re.I)


@dataclass(slots=True)
class HttpMessage:
    """One HTTP or RTSP message. For requests `status` is 0; for responses `method` and
    `target` are "". `target` is the path and query (an absolute-form target such as an RTSP
    URL is reduced to its path and query). `truncated` means the body is incomplete: the
    stream ended early, the framing broke, or the body was longer than MAX_BODY."""

    start_line: str
    method: str
    target: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    version: str = field(default="")
    # why the body could not be used as sent: "nested content encoding", "decompressed body
    # over the limit", "undecodable content encoding" (see decode_body); "" when it could
    problem: str = field(default="")

    def header(self, name: str) -> str:
        """First value of header `name` (case-insensitive), or ""."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return ""

    def header_values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in order."""
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    @property
    def is_rtsp(self) -> bool:
        return self.version.upper().startswith("RTSP")


def auth_realms(message: HttpMessage) -> list[str]:
    """The realm of every challenge in every WWW-Authenticate header, distinct, in order
    (Hikvision RTSP sends `Digest realm="Hikvision"` then `Basic realm="/"`)."""
    realms: list[str] = []
    for value in message.header_values("WWW-Authenticate"):
        for quoted, bare in _REALM.findall(value):
            realm = re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
            realm = " ".join(realm.split())[:200]
            if realm and realm not in realms:
                realms.append(realm)
    return realms


def _target_path(raw: str) -> str:
    """Path and query of a request target; absolute-form (`rtsp://host/x?y`) is reduced."""
    if "://" in raw[:16]:
        parts = urlsplit(raw)
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path
    return raw


def _parse_headers(lines: list[bytes]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for raw in lines:
        if raw[:1] in (b" ", b"\t"):
            # obsolete line folding: continue the previous value
            if headers:
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {raw.strip().decode('latin-1')}".strip())
            continue
        name, sep, value = raw.partition(b":")
        if not sep or not name.strip():
            continue  # not a header line; lenient, as embedded web servers vary
        headers.append((name.strip().decode("latin-1"), value.strip().decode("latin-1")))
        if len(headers) > MAX_HEADERS:
            raise Malformed(f"header block has more than {MAX_HEADERS} fields")
    return headers


NESTED_ENCODING = "nested content encoding (refused)"
DECOMPRESSED_OVER_LIMIT = "decompressed body over the limit (cut)"
UNDECODABLE_ENCODING = "undecodable content encoding"
_ZLIB_CODINGS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


def _inflate(data: bytes, wbits: int, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of `data` decompressed, and whether there was more."""
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(data, limit)
    return out, bool(inflater.unconsumed_tail) or (len(out) >= limit and not inflater.eof)


def decode_body(codings: str, body: bytes, limit: int = MAX_BODY) -> tuple[bytes, str]:
    """A body as its `Content-Encoding` header describes it, decoded: (body, problem). One
    gzip or deflate coding is decompressed to at most `limit` bytes (problem
    DECOMPRESSED_OVER_LIMIT past that); several codings are refused (b"", NESTED_ENCODING),
    as no camera needs them and each layer multiplies a bomb. A body that is not in the
    coding it claims is UNDECODABLE_ENCODING (a raw deflate stream, which servers send for
    "deflate", is tried too). Other codings are left alone."""
    names = [c.strip().lower() for c in codings.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not names or not body:
        return body, ""
    if len(names) > 1:
        return b"", NESTED_ENCODING
    wbits = _ZLIB_CODINGS.get(names[0])
    if wbits is None:
        return body, ""
    try:
        out, more = _inflate(body, wbits, limit)
    except zlib.error:
        if wbits & 16:
            return body, UNDECODABLE_ENCODING
        try:  # "deflate" is often sent raw, without the zlib wrapper RFC 9110 asks for
            out, more = _inflate(body, -zlib.MAX_WBITS, limit)
        except zlib.error:
            return body, UNDECODABLE_ENCODING
    return out, DECOMPRESSED_OVER_LIMIT if more else ""


def _decode_response(msg: HttpMessage) -> None:
    codings = ",".join(msg.header_values("Content-Encoding"))
    if codings and msg.body:
        msg.body, msg.problem = decode_body(codings, msg.body)
        if msg.problem in (NESTED_ENCODING, DECOMPRESSED_OVER_LIMIT):
            msg.truncated = True


class _Stop(Exception):
    """Internal: the stream cannot be read further (not HTTP, or framing lost)."""


def _content_length(msg: HttpMessage) -> int | None:
    values = msg.header_values("Content-Length")
    if not values:
        return None
    first = values[0].split(",")[0].strip()
    if not first.isdigit() or len(first) > 15:
        raise _Stop
    if any(v.split(",")[0].strip() != first for v in values[1:]):
        raise _Stop  # conflicting lengths: the framing cannot be trusted
    return int(first)


def _read_chunked(data: bytes, pos: int) -> tuple[bytes, int, bool, bool]:
    """Decode a chunked body at `pos`. Returns (body, next_pos, truncated, can_continue)."""
    n = len(data)
    body = bytearray()
    truncated = False
    while True:
        eol = data.find(b"\n", pos, pos + _MAX_CHUNK_LINE)
        if eol < 0:
            return bytes(body), n, True, False
        size_text = data[pos:eol].split(b";", 1)[0].strip()
        if not size_text or len(size_text) > 16 or not all(c in b"0123456789abcdefABCDEF" for c in size_text):
            return bytes(body), n, True, False
        size = int(size_text, 16)
        pos = eol + 1
        if size == 0:
            # trailer fields, then an empty line
            for _ in range(MAX_HEADERS + 1):
                eol = data.find(b"\n", pos, pos + MAX_HEADER_BYTES)
                if eol < 0:
                    return bytes(body), n, truncated, False
                line = data[pos:eol].strip(b"\r")
                pos = eol + 1
                if not line:
                    return bytes(body), pos, truncated, True
            return bytes(body), n, truncated, False
        end = pos + size
        room = MAX_BODY - len(body)
        if room > 0:
            body += data[pos:min(end, n, pos + room)]
        if size > room:
            truncated = True
        if end > n:
            return bytes(body), n, True, False
        pos = end
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
        elif data[pos:pos + 1] == b"\n":
            pos += 1
        else:
            return bytes(body), n, True, False


def _read_one(data: bytes, pos: int, requests: bool, method: str) -> tuple[HttpMessage, int, bool]:
    """Read one message at `pos`. Returns (message, next_pos, can_continue).
    Raises _Stop when the bytes are not a message, Malformed for a hostile header block."""
    eol, start_line, meth, target, status, version = _start_line(data, pos, requests)
    lines, body_start, complete = _header_lines(data, pos, eol)
    headers = _parse_headers([ln.rstrip(b"\r") for ln in lines if ln.rstrip(b"\r")])
    msg = HttpMessage(start_line, meth, target, status, headers, b"", not complete, version)
    if not complete:
        return msg, len(data), False
    return _read_body(msg, data, body_start, requests, method)


def _start_line(data: bytes, pos: int, requests: bool) -> tuple[int, str, str, str, int, str]:
    """The request or status line at `pos`: (its end, the line, method, target, status, version)."""
    eol = data.find(b"\n", pos, pos + MAX_HEADER_BYTES)
    if eol < 0:
        head = data[pos:pos + 40]
        looks_http = _REQUEST_PREFIX.match(head) if requests else _STATUS_PREFIX.match(head)
        if looks_http and len(data) - pos > MAX_HEADER_BYTES:
            raise Malformed(f"start line longer than {MAX_HEADER_BYTES} bytes")
        raise _Stop
    line = data[pos:eol].rstrip(b"\r")
    m = (_REQUEST_LINE if requests else _STATUS_LINE).match(line)
    if not m:
        raise _Stop
    start_line = line.decode("latin-1")
    if requests:
        meth, raw_target, version = (g.decode("latin-1") for g in m.groups())
        return eol, start_line, meth.upper(), _target_path(raw_target), 0, version
    return eol, start_line, "", "", int(m.group(2)), m.group(1).decode("latin-1")


def _header_lines(data: bytes, pos: int, eol: int) -> tuple[list[bytes], int, bool]:
    """The header lines after the start line ending at `eol`: (lines, where the body starts,
    whether the block is complete). A stream that ends inside the block keeps its whole lines."""
    n = len(data)
    end = _HEADER_END.search(data, eol - 1 if data[eol - 1:eol] == b"\r" else eol, pos + MAX_HEADER_BYTES + 4)
    if end is None:
        if n - pos > MAX_HEADER_BYTES:
            raise Malformed(f"header block longer than {MAX_HEADER_BYTES} bytes")
        block = data[eol + 1:n]
        return (block.split(b"\n")[:-1] if not block.endswith(b"\n") else block.split(b"\n")), n, False
    block = data[eol + 1:end.start()]
    return (block.split(b"\n") if block else []), end.end(), True


def _read_body(msg: HttpMessage, data: bytes, body_start: int, requests: bool,
               method: str) -> tuple[HttpMessage, int, bool]:
    """The body of `msg` (chunked, by length, or to the end of the connection), capped at MAX_BODY."""
    n, status = len(data), msg.status
    rtsp = msg.version.upper().startswith("RTSP")
    te = msg.header("Transfer-Encoding").lower()
    no_body = (not requests) and (method == "HEAD" or 100 <= status < 200 or status in (204, 304))
    if no_body:
        return msg, body_start, status != 101
    if te and te.split(",")[-1].strip() == "chunked" and not rtsp:
        body, nxt, truncated, more = _read_chunked(data, body_start)
        msg.body, msg.truncated = body, truncated
        return msg, nxt, more
    try:
        length = _content_length(msg)
    except _Stop:
        msg.truncated = True
        return msg, n, False
    if length is None:
        if requests or rtsp:
            return msg, body_start, True
        # HTTP response without a length: the body runs to the end of the connection
        msg.body = data[body_start:body_start + MAX_BODY]
        msg.truncated = n - body_start > MAX_BODY
        return msg, n, False
    end_body = body_start + length
    msg.body = data[body_start:min(end_body, body_start + MAX_BODY)]
    msg.truncated = length > MAX_BODY or end_body > n
    if end_body > n:
        return msg, n, False
    return msg, end_body, True


def read_messages(data: bytes, *, requests: bool, request_methods: Sequence[str] = ()) -> list[HttpMessage]:
    """Split one direction of a TCP stream into HTTP/RTSP messages.

    `requests` says which direction this is. For the server side, `request_methods` (the
    methods of the client's requests, in order) lets a response to HEAD be read without a
    body; `pair` passes it. Raises Malformed only when the first message has a hostile header
    block; a problem later in the stream ends the list quietly.
    """
    messages: list[HttpMessage] = []
    pos, n, final_index = 0, len(data), 0
    while pos < n and len(messages) < MAX_MESSAGES:
        while pos < n and data[pos] in (10, 13):
            pos += 1
        if pos >= n:
            break
        if data[pos] == 0x24 and messages and messages[-1].is_rtsp:
            if pos + 4 > n:
                break
            pos += 4 + int.from_bytes(data[pos + 2:pos + 4], "big")
            continue
        method = ""
        if not requests and final_index < len(request_methods):
            method = request_methods[final_index].upper()
        try:
            msg, pos, more = _read_one(data, pos, requests, method)
        except _Stop:
            break
        except Malformed:
            if not messages:
                raise
            break
        if not requests:
            _decode_response(msg)
        messages.append(msg)
        if not requests and not (100 <= msg.status < 200 and msg.status != 101):
            final_index += 1
        if not more:
            break
    return messages


def pair(client: bytes, server: bytes) -> list[tuple[HttpMessage | None, HttpMessage]]:
    """Match each final response with the request it answers, in order.

    Interim 1xx responses are skipped. RTSP responses are matched by CSeq when both sides
    carry one. When the client side is missing or unreadable (a capture that saw only one
    direction), every response is paired with None. Raises Malformed when the server side's
    first message has a hostile header block.
    """
    try:
        reqs = read_messages(client, requests=True) if client else []
    except Malformed:
        reqs = []
    resps = read_messages(server, requests=False, request_methods=[r.method for r in reqs])
    by_cseq = {r.header("CSeq").strip(): r for r in reqs if r.is_rtsp and r.header("CSeq").strip()}
    out: list[tuple[HttpMessage | None, HttpMessage]] = []
    index = 0
    for resp in resps:
        if 100 <= resp.status < 200 and resp.status != 101:
            continue
        req: HttpMessage | None = None
        cseq = resp.header("CSeq").strip()
        if resp.is_rtsp and cseq and cseq in by_cseq:
            req = by_cseq[cseq]
        elif index < len(reqs):
            req = reqs[index]
        index += 1
        out.append((req, resp))
    return out
