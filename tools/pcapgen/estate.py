"""The estates the captures show: the lab's devices as the scanner sees them, and one scan of them,
phase by phase, in the order camscan runs its phases.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from camscan.lab.profile import SCANNER_IP, Profile
from camscan.values import ip_number
from tools.pcapgen.arp import arp_phase
from tools.pcapgen.capture import SEED, Capture, Peer
from tools.pcapgen.dhip import dhip_phase
from tools.pcapgen.mdns import mdns_phase
from tools.pcapgen.onvif import onvif_calls
from tools.pcapgen.rtsp import rtsp_calls
from tools.pcapgen.sadp import sadp_phase
from tools.pcapgen.ssdp import ssdp_phase
from tools.pcapgen.tls import tls_handshake
from tools.pcapgen.unasked import dhcp_round, ndp_announcements
from tools.pcapgen.vendor import broadcast_phase
from tools.pcapgen.web import api_calls, web_page
from tools.pcapgen.wsd import wsd_phase

STRESS_FRAGMENTED = "hik-nvr"  # its SADP reply is padded past the MTU and sent as IP fragments
STRESS_DUPLICATED = "hik-bullet"  # its SADP reply arrives twice


def unicast_phase(cap: Capture, peers: list[Peer]) -> None:
    for peer in peers:
        p = peer.profile
        if p.http is not None:
            web_page(cap, peer)
        if p.isapi is not None or p.cgi is not None:
            api_calls(cap, peer)
        if p.onvif is not None:
            onvif_calls(cap, peer)
        if p.rtsp is not None:
            rtsp_calls(cap, peer)
        if p.tls is not None:
            tls_handshake(cap, peer)


def make_peers(profiles: list[Profile], stress: bool) -> tuple[list[Peer], Peer]:
    routers = [p for p in profiles if p.role == "router"]
    if len(routers) != 1:
        raise SystemExit(f"expected exactly one router profile, found {len(routers)}")
    router_p = routers[0]
    router = Peer(router_p, router_p.mac, 64)
    peers = []
    for p in sorted((p for p in profiles if p.role != "router"), key=lambda p: ip_number(p.ip)):
        if p.on_link:
            peers.append(Peer(p, p.mac, 64, p.vlan if stress else None))
        else:
            peers.append(Peer(p, router_p.mac, 63))
    return peers, router


def scan(cap: Capture, peers: list[Peer], router: Peer | None, ask: Iterable[str],
         fragment_id: str = "", duplicate_id: str = "") -> tuple[int, int, int]:
    """One scan, phase by phase; returns the scanner's WS-Discovery, SSDP and DHIP source ports."""
    cap.at(0)
    arp_phase(cap, peers, ask, router)
    cap.at(1)
    dhcp_round(cap, peers, 0)
    ndp_announcements(cap, peers)
    cap.at(2)
    sadp_phase(cap, peers, fragment_id, duplicate_id)
    cap.at(4)
    wsd_port = wsd_phase(cap, peers)
    cap.at(6)
    ssdp_port = ssdp_phase(cap, peers)
    cap.at(9)
    dhip_port = dhip_phase(cap, peers)
    cap.at(11)
    mdns_phase(cap, peers)
    cap.at(12)
    broadcast_phase(cap, peers)
    cap.at(13)
    unicast_phase(cap, peers)
    return wsd_port, ssdp_port, dhip_port


def lan_sweep() -> list[str]:
    return [f"198.18.0.{i}" for i in range(1, 255) if f"198.18.0.{i}" != SCANNER_IP]


def build_demo(profiles: list[Profile]) -> Capture:
    cap = Capture(random.Random(SEED))
    peers, router = make_peers(profiles, stress=False)
    scan(cap, peers, router, lan_sweep())
    return cap


def build_stress(profiles: list[Profile]) -> Capture:
    cap = Capture(random.Random(SEED + 1), stress=True)
    peers, router = make_peers(profiles, stress=True)
    scan(cap, peers, router, lan_sweep(), fragment_id=STRESS_FRAGMENTED, duplicate_id=STRESS_DUPLICATED)
    return cap
