"""What devices send without being asked, as a scan's capture catches it: a DHCP-only device's
DISCOVER (from 0.0.0.0) and REQUEST (from the address it holds), and a dual-stack device's
IPv6 neighbour advertisements. The frames are camscan.lab.answers', as the live lab sends them.
"""

from __future__ import annotations

from camscan.lab import answers
from tools.pcapgen.capture import Capture, Peer


def dhcp_round(cap: Capture, peers: list[Peer], round_no: int) -> None:
    for peer in peers:
        p = peer.profile
        if p.dhcp is None or not p.on_link:
            continue
        for frame in answers.dhcp_frames(p, round_no):
            cap.add(frame, gap_us=cap.rng.randint(200, 2000))
        cap.credit(p, "dhcp")


def ndp_announcements(cap: Capture, peers: list[Peer]) -> None:
    for peer in peers:
        p = peer.profile
        if p.ipv6 is None or not p.on_link:
            continue
        for frame in answers.ndp_announcements(p):
            cap.add(frame, gap_us=cap.rng.randint(50, 400))
        cap.credit(p, "ndp")
