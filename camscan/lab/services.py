"""The live side of what issue 10 added to the lab: vendor broadcast discovery (Bosch, Hanwha)
answered by unicast to the sender's reply port, an HTTPS server presenting the device's own
certificate, and what a device sends unasked — DHCP DISCOVER/REQUEST rounds and IPv6 neighbour
advertisements — written as whole frames to a packet socket every second or so, so that a
scan's capture, whenever it starts, sees them.

Used by camscan.lab.emulator inside a device's namespace; the bytes come from
camscan.lab.answers like every other answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import sys
import tempfile
from pathlib import Path

from camscan.lab import answers
from camscan.lab.certs import make_certificate
from camscan.lab.profile import Profile
from camscan.protocols.registry import UDP_BROADCAST

MAX_REQUEST = 64 * 1024
ANNOUNCE_INTERVAL = 1.0  # seconds between a device's unasked NDP advertisements


class _BroadcastUdp(asyncio.DatagramProtocol):
    """One vendor's broadcast discovery port: every request gets each member's reply, sent to
    the requester's address on the protocol's reply port."""

    def __init__(self, source: str, reply_port: int, profiles: list[Profile]) -> None:
        self.source, self.reply_port, self.profiles = source, reply_port, profiles
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        for p in self.profiles:
            try:
                out = answers.answer_probe(self.source, p, data[:MAX_REQUEST])
            except Exception as exc:  # a profile bug must not stop the other devices
                print(f"{p.id}: {self.source}: {exc}", file=sys.stderr)
                continue
            if out is not None and self.transport is not None:
                self.transport.sendto(out[0], (addr[0], self.reply_port))


async def start_broadcast_discovery(profiles: list[Profile]) -> None:
    loop = asyncio.get_running_loop()
    for proto in UDP_BROADCAST:
        members = [p for p in profiles if getattr(p, proto.source) is not None]
        if not members:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.bind(("0.0.0.0", proto.port))  # the requests come to 255.255.255.255
        s.setblocking(False)
        await loop.create_datagram_endpoint(
            lambda src=proto.source, rp=proto.reply_port, m=members: _BroadcastUdp(src, rp, m), sock=s)


async def _tls_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The handshake is done by the time this runs; read what the client sends until it leaves."""
    with contextlib.suppress(Exception):
        while await asyncio.wait_for(reader.read(4096), 10):
            pass
    writer.close()


async def start_tls_servers(profiles: list[Profile], keep: list) -> None:
    """An HTTPS port per [tls] device, with a certificate made now (the key never leaves the
    emulator's temporary directory)."""
    tls_profiles = [p for p in profiles if p.tls is not None]
    if not tls_profiles:
        return
    tmp = tempfile.TemporaryDirectory(prefix="camscan-lab-tls-")
    keep.append(tmp)
    for p in tls_profiles:
        cert, key = make_certificate(p, Path(tmp.name))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        keep.append(await asyncio.start_server(_tls_session, p.ip, int(p.tls.get("port", 443)), ssl=ctx))


async def _send_forever(iface: str, frames_for_round, interval: float) -> None:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    round_no = 0
    try:
        while True:
            for frame in frames_for_round(round_no):
                with contextlib.suppress(OSError):
                    s.send(frame)
            round_no += 1
            await asyncio.sleep(interval)
    finally:
        s.close()


def start_unasked_senders(profiles: list[Profile], iface: str, keep: list) -> None:
    """DHCP rounds and NDP announcements of the devices that send them, on `iface`."""
    for p in profiles:
        if p.dhcp is not None:
            keep.append(asyncio.create_task(_send_forever(
                iface, lambda n, pp=p: answers.dhcp_frames(pp, n), float(p.dhcp.get("interval", 1.0)))))
        if p.ipv6 is not None:
            keep.append(asyncio.create_task(_send_forever(
                iface, lambda _n, pp=p: answers.ndp_announcements(pp), ANNOUNCE_INTERVAL)))
