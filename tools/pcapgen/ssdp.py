"""SSDP: camscan's M-SEARCH, the answers and NOTIFYs, and the fetch of each UPnP description."""

from __future__ import annotations

import re

from camscan.lab import answers
from camscan.protocols import http, ssdp
from tools.pcapgen.capture import Capture, Peer, Tcp, answer_scanner, probe_everywhere, udp_from_peer, udp_from_scanner
from tools.pcapgen.web import exchange


def ssdp_phase(cap: Capture, peers: list[Peer]) -> int:
    sport = cap.port()
    probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, ssdp.GROUP, sport, ssdp.PORT, ssdp.build_msearch("upnp:rootdevice", 2), vlan=vlan, ttl=2))
    found = answer_scanner(cap, peers, "ssdp", ssdp.PORT, sport, answers.ssdp_response, (5000, 60000))
    for peer in peers:
        p = peer.profile
        if p.ssdp is not None and p.on_link and p.ssdp.get("notify"):
            cap.add(udp_from_peer(cap, peer, ssdp.GROUP, ssdp.PORT, ssdp.PORT, answers.ssdp_notify(p), ttl=4))
    for peer in found:
        upnp_fetch(cap, peer)
        cap.credit(peer.profile, "ssdp")
    return sport


def upnp_fetch(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    loc = (p.ssdp or {})["location"]
    m = re.match(r"http://([^/:]+)(?::(\d+))?(/.*)?$", loc)
    if not m:
        raise ValueError(f"{p.id}: cannot read SSDP location {loc!r}")
    port = int(m.group(2) or http.PORT)
    tcp = Tcp(cap, peer, port)
    tcp.open()
    exchange(tcp, p, "GET", m.group(3) or "/", f"{p.ip}:{port}" if port != http.PORT else p.ip)
    tcp.close()
