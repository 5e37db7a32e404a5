"""The makers' own broadcast discovery (Bosch 1757→1758, Hanwha 7701→7711): camscan's request
to the link's limited broadcast, and each device's reply by unicast to the scanner's reply port.
"""

from __future__ import annotations

from camscan.lab import answers
from camscan.lab.profile import SCANNER_IP
from camscan.protocols.registry import BROADCAST, UDP_BROADCAST
from tools.pcapgen.capture import Capture, Peer, probe_everywhere, udp_from_peer, udp_from_scanner


def broadcast_phase(cap: Capture, peers: list[Peer]) -> None:
    for proto in UDP_BROADCAST:
        probe = proto.probe()
        probe_everywhere(cap, peers, lambda vlan, pr=proto, pb=probe: udp_from_scanner(
            cap, BROADCAST, pr.reply_port, pr.port, pb, dst_mac="ff:ff:ff:ff:ff:ff", vlan=vlan, ttl=64))
        for peer in peers:
            p = peer.profile
            if getattr(p, proto.source) is None or not p.on_link:
                continue
            reply = answers.answer_probe(proto.source, p, probe)
            if reply is None:
                continue
            cap.add(udp_from_peer(cap, peer, SCANNER_IP, proto.port, proto.reply_port, reply[0]),
                    gap_us=cap.rng.randint(2000, 20000))
            cap.credit(p, proto.source)
