"""The device's RTSP server: OPTIONS answered openly, DESCRIBE only with digest authorisation."""

from __future__ import annotations

from camscan.lab.answers.auth import digest_challenge, digest_ok
from camscan.lab.answers.common import HTTP_DATE, header_value
from camscan.lab.profile import Profile


def rtsp_response(p: Profile, request: bytes) -> bytes:
    """The device's RTSP server answer to one request: OPTIONS 200, DESCRIBE 401 unless digest-authorised."""
    r = p.rtsp
    if r is None:
        raise ValueError(f"{p.id}: no [rtsp] section")
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    parts = head[0].split(" ") if head else []
    headers: dict[str, str] = {}
    for line in head[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip()] = value.strip()
    cseq = header_value(headers, "CSeq")
    cseq = cseq if cseq.isdigit() else "0"

    def answer(status: int, reason: str, extra: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
        lines = [f"RTSP/1.0 {status} {reason}", f"CSeq: {cseq}"]
        if r.get("server"):
            lines.append(f"Server: {r['server']}")
        lines.append(f"Date: {HTTP_DATE}")
        lines += [f"{k}: {v}" for k, v in extra or []]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    if len(parts) != 3 or not parts[2].startswith("RTSP/1."):
        return answer(400, "Bad Request")
    method, url = parts[0].upper(), parts[1]
    if method == "OPTIONS":
        return answer(200, "OK", [("Public", "OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, "
                                             "GET_PARAMETER")])
    if method in ("DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"):
        if not digest_ok(p, r["realm"], method, url, header_value(headers, "Authorization")):
            return answer(401, "Unauthorized", [("WWW-Authenticate", digest_challenge(p, r["realm"]))])
        if method != "DESCRIBE":
            return answer(455, "Method Not Valid in This State")
        sdp = (f"v=0\r\no=- 1740823200 1 IN IP4 {p.ip}\r\ns=Media Presentation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
               "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n").encode()
        return answer(200, "OK", [("Content-Base", url), ("Content-Type", "application/sdp")], sdp)
    return answer(405, "Method Not Allowed")
