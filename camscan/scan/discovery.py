"""Multicast discovery on the chosen link (SADP, WS-Discovery, SSDP, DHIP, mDNS), broadcast
discovery on that link (Bosch, Hanwha: to 255.255.255.255, which no router forwards, from a
socket bound to the link's own address so it leaves by that interface only), and unicast
WS-Discovery to off-link targets. Sends each protocol's own probe (built by its protocol
module) and hands every datagram received to the Collector; only responders inside the
targets are kept (fusion drops the rest, see runner)."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable

from camscan.protocols import wsdiscovery
from camscan.protocols.registry import BROADCAST, UDP_BROADCAST, UDP_DISCOVERY
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

Sink = Callable[[str, int, int, bytes], None]  # (src ip, src port, local port, payload)


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, sink: Sink, local_port: int) -> None:
        self.sink, self.local_port = sink, local_port

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.sink(addr[0], addr[1], self.local_port, data)


def _socket(local_ip: str, port: int, group: str | None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0" if group else local_ip, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local_ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    if group:
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(local_ip))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.setblocking(False)
    return s


def _broadcast_socket(local_ip: str, reply_port: int) -> socket.socket:
    """Bound to the link's address and the protocol's reply port: the answers come back there by
    unicast, and a limited broadcast from a bound address leaves only by that address's link."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind((local_ip, reply_port))
    s.setblocking(False)
    return s


async def discover(local_ip: str | None, off_link: list[str], scope: Scope, limiter: RateLimiter,
                   sink: Sink, wait: float, errors: Callable[[str], None]) -> None:
    """Probe the link's discovery groups (when `local_ip` is on a link) and, by unicast
    WS-Discovery, each off-link target; collect replies for `wait` seconds."""
    loop = asyncio.get_running_loop()
    transports = []
    sends: list[tuple[asyncio.DatagramTransport, Callable[[], bytes], tuple[str, int]]] = []
    try:
        if local_ip:
            for proto in UDP_DISCOVERY:
                bind = proto.replies_on_port
                try:
                    s = _socket(local_ip, proto.port if bind else 0, proto.group if bind else None)
                except OSError as exc:
                    errors(f"{proto.name}: cannot open socket ({exc.strerror})")
                    continue
                local_port = s.getsockname()[1]
                tr, _ = await loop.create_datagram_endpoint(lambda lp=local_port: _Receiver(sink, lp), sock=s)
                transports.append(tr)
                scope.check(proto.group)
                sends.append((tr, proto.probe, (proto.group, proto.port)))
            for bcast in UDP_BROADCAST:
                try:
                    s = _broadcast_socket(local_ip, bcast.reply_port)
                except OSError as exc:
                    errors(f"{bcast.name}: cannot open socket ({exc.strerror})")
                    continue
                tr, _ = await loop.create_datagram_endpoint(
                    lambda lp=bcast.reply_port: _Receiver(sink, lp), sock=s)
                transports.append(tr)
                scope.check_broadcast(BROADCAST)
                sends.append((tr, bcast.probe, (BROADCAST, bcast.port)))
        if off_link:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 0))
            s.setblocking(False)
            local_port = s.getsockname()[1]
            tr, _ = await loop.create_datagram_endpoint(lambda: _Receiver(sink, local_port), sock=s)
            transports.append(tr)
            for ip in off_link:
                scope.check(ip)
                sends.append((tr, wsdiscovery.build_probe, (ip, wsdiscovery.PORT)))
        # every probe twice, the second half-way through the listening time: UDP on a busy link
        # (an ARP sweep runs at the same time) gets lost, and devices answer late
        for _ in range(2):
            for tr, build, addr in sends:
                await limiter.wait_async()
                tr.sendto(build(), addr)
            await asyncio.sleep(wait / 2)
    finally:
        for tr in transports:
            tr.close()
