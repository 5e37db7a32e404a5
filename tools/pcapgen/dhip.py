"""DHIP discovery: camscan's DHDiscover.search and each Dahua device's notifyDevInfo."""

from __future__ import annotations

from camscan.lab import answers
from camscan.protocols import dhip
from tools.pcapgen.capture import Capture, Peer, answer_scanner, probe_everywhere, udp_from_scanner


def dhip_phase(cap: Capture, peers: list[Peer]) -> int:
    sport = cap.port()
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, dhip.GROUP, sport, dhip.PORT, dhip.build_probe(), vlan=vlan))
    for peer in answer_scanner(cap, peers, "dhip", dhip.PORT, sport, answers.dhip_reply, (2000, 20000)):
        cap.credit(peer.profile, "dhip")
    return sport
