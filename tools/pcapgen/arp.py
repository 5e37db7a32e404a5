"""The ARP sweep: the scanner asks every address; on-link devices (and the router) answer."""

from __future__ import annotations

from collections.abc import Iterable

from scapy.layers.l2 import ARP
from scapy.packet import Padding

from camscan.lab.profile import SCANNER_IP
from tools.pcapgen.capture import SCANNER_MAC, Capture, Peer, l2


def arp_phase(cap: Capture, peers: list[Peer], ask: Iterable[str], router: Peer | None) -> None:
    """Scanner asks every address in `ask`; on-link devices (and the router) answer."""
    by_ip = {peer.ip: peer for peer in peers if peer.profile.on_link}
    if router is not None:
        by_ip[router.ip] = router
    vlans = sorted({peer.vlan for peer in by_ip.values() if peer.vlan})
    for ip in ask:
        peer = by_ip.get(ip)
        tags = [peer.vlan] if peer is not None and peer.vlan else [None, *vlans] if peer is None else [None]
        for vlan in tags:
            cap.add(l2(SCANNER_MAC, "ff:ff:ff:ff:ff:ff", vlan)
                    / ARP(op=1, hwsrc=SCANNER_MAC, psrc=SCANNER_IP, hwdst="00:00:00:00:00:00", pdst=ip),
                    gap_us=cap.rng.randint(800, 1200))
        if peer is not None:
            pkt = (l2(peer.mac, SCANNER_MAC, peer.vlan)
                   / ARP(op=2, hwsrc=peer.mac, psrc=peer.ip, hwdst=SCANNER_MAC, pdst=SCANNER_IP))
            pad = 60 - len(pkt)
            cap.add(pkt / Padding(b"\x00" * pad) if pad > 0 else pkt, gap_us=cap.rng.randint(150, 900))
            cap.credit(peer.profile, "arp")
