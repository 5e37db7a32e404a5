"""SADP discovery: camscan's own probe, and each Hikvision device's ProbeMatch (optionally sent as
out-of-order IP fragments, or twice, for the stress capture).
"""

from __future__ import annotations

from scapy.layers.inet import fragment

from camscan.lab import answers
from camscan.protocols import sadp
from tools.pcapgen.capture import Capture, Peer, probe_everywhere, udp_from_peer, udp_from_scanner


def sadp_phase(cap: Capture, peers: list[Peer], fragment_id: str = "", duplicate_id: str = "") -> None:
    probe_uuid = "7C1A3B52-9E04-4D21-B5A8-3F6E20D19C44"
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, sadp.GROUP, sadp.PORT, sadp.PORT, sadp.build_probe(probe_uuid), vlan=vlan))
    for peer in peers:
        p = peer.profile
        if p.sadp is None or not p.on_link:
            continue
        payload = answers.sadp_reply(p, probe_uuid)
        if fragment_id == p.id:
            # padded past the Ethernet MTU: the datagram travels as IP fragments, delivered out of order
            payload = payload.replace(b"</ProbeMatch>", b"\n" + b" " * 2400 + b"\n</ProbeMatch>")
            pkt = udp_from_peer(cap, peer, sadp.GROUP, sadp.PORT, sadp.PORT, payload, ttl=1)
            frags = fragment(pkt, fragsize=1200)
            for frag in [frags[-1], *frags[:-1]]:
                cap.add(frag, gap_us=cap.rng.randint(30, 120))
        else:
            reply = udp_from_peer(cap, peer, sadp.GROUP, sadp.PORT, sadp.PORT, payload, ttl=1)
            cap.add(reply, gap_us=cap.rng.randint(2000, 30000))
            if duplicate_id == p.id:  # some firmware sends its reply twice
                cap.add(reply, gap_us=cap.rng.randint(500, 3000))
        cap.credit(p, "sadp")
