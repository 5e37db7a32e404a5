"""mDNS: a PTR query for the services the estate advertises, and each device's answer."""

from __future__ import annotations

from scapy.layers.dns import DNS, DNSQR

from camscan.lab import answers
from camscan.protocols import mdns
from tools.pcapgen.capture import Capture, Peer, probe_everywhere, udp_from_peer, udp_from_scanner


def mdns_phase(cap: Capture, peers: list[Peer]) -> None:
    services = sorted({peer.profile.mdns["service"] for peer in peers
                       if peer.profile.mdns is not None and peer.profile.on_link})
    if not services:
        return
    query = bytes(DNS(id=0, rd=0, qd=[DNSQR(qname=s, qtype="PTR") for s in services]))
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(cap, mdns.GROUP, mdns.PORT, mdns.PORT, query,
                                                                vlan=vlan, ttl=255))
    for peer in peers:
        p = peer.profile
        if p.mdns is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, mdns.GROUP, mdns.PORT, mdns.PORT, answers.mdns_response(p), ttl=255),
                gap_us=cap.rng.randint(1000, 90000))
        cap.credit(p, "mdns")
