"""A TLS port's certificate, as camscan's scan reads it: ClientHello, the device's ServerHello,
Certificate and ServerHelloDone (camscan.lab.answers), then the scanner closes (it only wanted
the certificate)."""

from __future__ import annotations

from camscan.lab import answers
from camscan.protocols.registry import TCP_PORTS, TLS_PORTS
from tools.pcapgen.capture import Capture, Peer, Tcp

# The replay reads a TLS conversation only once its capture filter keeps the TLS ports (see
# registry.TLS_PORTS: not yet, for speed); until then the handshake is in the capture but not
# evidence of the expected inventory.
REPLAY_READS_TLS = set(TLS_PORTS) <= set(TCP_PORTS)


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
    if REPLAY_READS_TLS:
        cap.credit(p, "tls")
