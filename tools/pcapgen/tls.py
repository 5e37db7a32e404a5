"""A TLS port's certificate, as camscan's scan reads it: ClientHello, the device's ServerHello,
Certificate and ServerHelloDone (camscan.lab.answers), then the scanner closes (it only wanted
the certificate)."""

from __future__ import annotations

from camscan.lab import answers
from tools.pcapgen.capture import Capture, Peer, Tcp


def tls_handshake(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    if p.tls is None:
        return
    tcp = Tcp(cap, peer, int(p.tls.get("port", 443)))
    tcp.open()
    tcp.client_sends(answers.client_hello(p.ip.encode()))
    tcp.server_sends(answers.server_flight(p))
    tcp.client_sends(answers.CLOSE_NOTIFY)
    tcp.close()
    # The replay reads the certificate from the first segment of the server's flight, the only
    # one its filter keeps (replay/pcapfile.py). The stress capture cuts the flight into
    # 50-200-byte segments, so there the first ends before the certificate's subject: nothing.
    if not cap.stress:
        cap.credit(p, "tls")
