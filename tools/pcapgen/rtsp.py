"""RTSP conversations: OPTIONS, then DESCRIBE (which the device answers with 401)."""

from __future__ import annotations

from camscan.lab import answers
from camscan.protocols import rtsp
from tools.pcapgen.capture import USER_AGENT, Capture, Peer, Tcp


def rtsp_calls(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    r = p.rtsp or {}
    tcp = Tcp(cap, peer, rtsp.PORT)
    tcp.open()
    base = f"rtsp://{p.ip}:{rtsp.PORT}"
    for cseq, (method, url, extra) in enumerate(
            [("OPTIONS", base + "/", ""), ("DESCRIBE", base + r.get("path", "/"), "Accept: application/sdp\r\n")],
            start=1):
        request = f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}User-Agent: {USER_AGENT}\r\n\r\n".encode()
        tcp.client_sends(request)
        tcp.server_sends(answers.rtsp_response(p, request))
    tcp.close()
    cap.credit(p, "rtsp")
