"""DHIP discovery: camscan's DHDiscover.search and each Dahua device's notifyDevInfo."""

from __future__ import annotations

from camscan.lab import answers
from camscan.lab.profile import SCANNER_IP
from camscan.protocols import dhip
from tools.pcapgen.capture import Capture, Peer, probe_everywhere, udp_from_peer, udp_from_scanner


def dhip_phase(cap: Capture, peers: list[Peer]) -> int:
    sport = cap.port()
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, dhip.GROUP, sport, dhip.PORT, dhip.build_probe(), vlan=vlan))
    for peer in peers:
        p = peer.profile
        if p.dhip is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, SCANNER_IP, dhip.PORT, sport, answers.dhip_reply(p)),
                gap_us=cap.rng.randint(2000, 20000))
        cap.credit(p, "dhip")
    return sport
