"""ARP sweep of the on-link targets: one request per address through a raw socket, paced by the
scan's rate limiter, and one retry for the addresses that stayed silent. Replies are read by
the live capture (capture.LiveCapture.arp_replies), which also writes them to the pcap."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from camscan.protocols import arp
from camscan.scan.link import Interface
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

ETH_P_ARP = 0x0806


def sweep(iface: Interface, targets: list[str], scope: Scope, limiter: RateLimiter, replies: dict[str, str],
          retries: int = 1, settle: float = 0.6, progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """ip → MAC of the targets that answered. `replies` is filled by the capture thread;
    `progress(1)` follows every request sent, the retries' too."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    try:
        sock.bind((iface.name, 0))
        pending = list(targets)
        sent = 0
        for _attempt in range(1 + retries):
            for ip in pending:
                scope.check(ip)
                limiter.wait()
                sock.send(arp.build_request(iface.mac, iface.ip, ip))
                sent += 1
                if progress:
                    progress(1)
            # wait until replies stop arriving for 150 ms (at most `settle` seconds)
            deadline = time.monotonic() + settle
            seen, quiet_since = len(replies), time.monotonic()
            while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.15:
                time.sleep(0.03)
                if len(replies) != seen:
                    seen, quiet_since = len(replies), time.monotonic()
            pending = [ip for ip in pending if ip not in replies]
            if not pending:
                break
    finally:
        sock.close()
    wanted = set(targets)
    # the capture thread is still adding replies: iterate a copy (dict(d) copies in one step
    # under the GIL; iterating `replies` itself raised "dictionary changed size" on a /22)
    return {ip: mac for ip, mac in dict(replies).items() if ip in wanted}
