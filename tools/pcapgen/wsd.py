"""WS-Discovery: the Hellos of devices that have just joined, camscan's Probe and the ProbeMatches."""

from __future__ import annotations

from camscan.lab import answers
from camscan.lab.profile import Profile
from camscan.protocols import wsdiscovery
from tools.pcapgen.capture import Capture, Peer, answer_scanner, probe_everywhere, udp_from_peer, udp_from_scanner


def wsd_phase(cap: Capture, peers: list[Peer]) -> int:
    for peer in peers:  # a device that has just joined says Hello on its own
        p = peer.profile
        if p.wsd is not None and p.on_link and p.wsd.get("hello"):
            hello = answers.wsd_hello(p)
            cap.add(udp_from_peer(cap, peer, wsdiscovery.GROUP, wsdiscovery.PORT, wsdiscovery.PORT, hello, ttl=1))
            cap.credit(p, "wsd")
    sport = cap.port()
    message_id = "uuid:0d2f7a4e-5b61-4c83-9a1e-6f20b8c4d315"
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, wsdiscovery.GROUP, sport, wsdiscovery.PORT, wsdiscovery.build_probe(message_id), vlan=vlan))
    def match(p: Profile) -> bytes:
        return answers.wsd_probe_match(p, message_id)

    for peer in answer_scanner(cap, peers, "wsd", wsdiscovery.PORT, sport, match, (3000, 40000)):
        cap.credit(peer.profile, "wsd")
    return sport
