"""The live side of a lab device: serves one or more profiles from inside a lab namespace,
answering as the real device does — SADP, WS-Discovery (answers Probes, sends Hello on start),
SSDP (answers M-SEARCH, sends NOTIFY on start, serves its description over HTTP), DHIP, mDNS,
HTTP with the device's Server header and digest-protected ISAPI / Dahua CGI / ONVIF, and RTSP;
Bosch and Hanwha discovery, HTTPS, DHCP and NDP through camscan.lab.services.
ARP is the kernel's, with the MAC the namespace's interface was given.

The bytes come from camscan.lab.answers, the same functions the demo captures are generated from; this
module only moves them. It binds only to the profiles' own addresses and the discovery groups,
and is started by `camscan lab up` with `ip netns exec`, so it cannot reach a real network.

    python -m camscan.lab.emulator PROFILE_ID [PROFILE_ID...] [--clones FILE] [--raw-interface eth0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import struct
import sys
from pathlib import Path
from urllib.parse import urlsplit

from camscan.lab import answers, services
from camscan.lab.profile import Profile, load_profiles
from camscan.protocols import dhip, http, rtsp, sadp, ssdp, wsdiscovery
from camscan.protocols.registry import UDP_DISCOVERY

# (profile section, group, port) of every discovery protocol a lab device may answer
UDP_SERVICES = tuple((d.source, d.group, d.port) for d in UDP_DISCOVERY)
MAX_REQUEST = 64 * 1024


def _mcast_socket(group: str, port: int, local_ips: list[str]) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((group, port))
    for ip in local_ips:
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(ip))
        with contextlib.suppress(OSError):
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.setblocking(False)
    return s


def _unicast_socket(ip: str, port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((ip, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setblocking(False)
    return s


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, kind: str, group: str, port: int, profiles: list[Profile],
                 senders: dict[tuple[str, str], asyncio.DatagramTransport]) -> None:
        self.kind, self.group, self.port, self.profiles, self.senders = kind, group, port, profiles, senders

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        for p in self.profiles:
            try:
                out = answers.answer_probe(self.kind, p, data[:MAX_REQUEST])
            except Exception as exc:  # a profile bug must not stop the other devices
                print(f"{p.id}: {self.kind}: {exc}", file=sys.stderr)
                continue
            if out is None:
                continue
            payload, where = out
            tr = self.senders.get((p.ip, self.kind))
            if tr is not None:
                tr.sendto(payload, (self.group, self.port) if where == "group" else addr)


class _UnicastUdp(_Udp):
    """Unicast to one device's own address (e.g. WS-Discovery sent to an off-link camera)."""


async def _http(p: Profile, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            if len(head) > MAX_REQUEST:
                break
            lines = head.decode("utf-8", "replace").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) < 3:
                break
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip()] = v.strip()
            length = int(headers.get("Content-Length", headers.get("content-length", "0")) or 0)
            body = await reader.readexactly(min(length, MAX_REQUEST)) if length else b""
            delay = _slow().get(p.ip, 0.0)
            if delay and parts[1].startswith(("/ISAPI", "/cgi-bin", "/onvif")):
                await asyncio.sleep(delay)  # a device whose API answers slowly (lab: CAMSCAN_LAB_SLOW)
            writer.write(answers.http_response(p, parts[0], parts[1], headers, body))
            await writer.drain()
            if headers.get("Connection", headers.get("connection", "")).lower() == "close":
                break
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


def _slow() -> dict[str, float]:
    """CAMSCAN_LAB_SLOW="198.18.0.21=10,...": devices whose API answers take that many seconds."""
    out = {}
    for item in os.environ.get("CAMSCAN_LAB_SLOW", "").split(","):
        ip, _, secs = item.partition("=")
        with contextlib.suppress(ValueError):
            out[ip.strip()] = float(secs)
    return out


async def _rtsp(p: Profile, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            writer.write(answers.rtsp_response(p, head))
            await writer.drain()
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An open port that speaks a binary protocol we do not emulate (Hikvision's and Dahua's SDK ports)."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(reader.read(1024), 2)
    writer.close()


def _arp_responder(loop: asyncio.AbstractEventLoop, iface: str, hosts: dict[bytes, bytes]) -> socket.socket:
    """Answer ARP requests for `hosts` (IPv4 bytes -> MAC bytes) on `iface` from user space:
    the plain hosts of a scale lab, which answer nothing but ARP."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    s.bind((iface, 0))
    s.setblocking(False)

    def on_readable() -> None:
        while True:
            try:
                frame = s.recv(2048)
            except BlockingIOError:
                return
            if len(frame) < 42 or frame[20:22] != b"\x00\x01":  # not an ARP request
                continue
            mac = hosts.get(frame[38:42])
            if mac is None:
                continue
            sha, spa, tpa = frame[22:28], frame[28:32], frame[38:42]
            reply = (sha + mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x02" + mac + tpa + sha + spa)
            s.send(reply + b"\x00" * (60 - len(reply)))

    loop.add_reader(s.fileno(), on_readable)
    return s


async def serve(profiles: list[Profile], arp_hosts: list[tuple[str, str]] = (), arp_iface: str = "",
                raw_iface: str = "") -> None:
    loop = asyncio.get_running_loop()
    if arp_hosts:
        table = {socket.inet_aton(ip): bytes.fromhex(mac.replace(":", "")) for ip, mac in arp_hosts}
        _arp_responder(loop, arp_iface, table)
    senders: dict[tuple[str, str], asyncio.DatagramTransport] = {}  # (device ip, protocol) -> its socket
    servers = []
    ips = [p.ip for p in profiles]
    for kind, group, port in UDP_SERVICES:
        members = [p for p in profiles if getattr(p, kind) is not None]
        if not members:
            continue
        s = _mcast_socket(group, port, [p.ip for p in members])
        await loop.create_datagram_endpoint(lambda k=kind, g=group, pt=port, m=members: _Udp(k, g, pt, m, senders),
                                            sock=s)
        for p in members:
            u = _unicast_socket(p.ip, port)
            tr, _ = await loop.create_datagram_endpoint(
                lambda k=kind, g=group, pt=port, pp=p: _UnicastUdp(k, g, pt, [pp], senders), sock=u)
            senders[(p.ip, kind)] = tr
    for p in profiles:
        if p.http is not None or p.isapi is not None or p.cgi is not None or p.onvif is not None \
                or p.ssdp is not None:
            ports = {int((p.http or {}).get("port", http.PORT))}
            if p.ssdp is not None:  # the UPnP description may be served on its own port
                ports.add(urlsplit(p.ssdp["location"]).port or http.PORT)
            for port in sorted(ports):
                servers.append(await asyncio.start_server(lambda r, w, pp=p: _http(pp, r, w), p.ip, port))
        if p.rtsp is not None:
            servers.append(await asyncio.start_server(lambda r, w, pp=p: _rtsp(pp, r, w), p.ip, rtsp.PORT))
        if p.sadp is not None:
            servers.append(await asyncio.start_server(_silent, p.ip, sadp.SDK_PORT))
        if p.dhip is not None or p.cgi is not None:
            servers.append(await asyncio.start_server(_silent, p.ip, dhip.SDK_PORT))
    await services.start_broadcast_discovery(profiles)
    await services.start_tls_servers(profiles, servers)
    if raw_iface:  # a device namespace of its own: it may send frames nobody asked for
        services.start_unasked_senders(profiles, raw_iface, servers)
    # announce on start, as the real devices do
    for p in profiles:
        if p.wsd is not None and p.wsd.get("hello", True) and (p.ip, "wsd") in senders:
            senders[(p.ip, "wsd")].sendto(answers.wsd_hello(p), (wsdiscovery.GROUP, wsdiscovery.PORT))
        if p.ssdp is not None and p.ssdp.get("notify", True) and (p.ip, "ssdp") in senders:
            senders[(p.ip, "ssdp")].sendto(answers.ssdp_notify(p), (ssdp.GROUP, ssdp.PORT))
    print(f"serving {len(profiles)} device(s): {', '.join(ips[:5])}{' ...' if len(ips) > 5 else ''}"
          f"{f' and ARP for {len(arp_hosts)} plain hosts' if arp_hosts else ''}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="camscan.lab.emulator")
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--clones", help="JSON file of cloned profiles for the scale namespace")
    ap.add_argument("--arp-hosts", help="JSON file of [ip, mac] plain hosts to answer ARP for")
    ap.add_argument("--arp-interface", default="plain")
    ap.add_argument("--raw-interface", default="", help="interface to send DHCP and NDP frames on")
    args = ap.parse_args(argv)
    by_id = {p.id: p for p in load_profiles()}
    chosen = [by_id[i] for i in args.ids]
    if args.clones:
        from camscan.lab.scale import load_clones

        chosen += load_clones(Path(args.clones), by_id)
    arp_hosts = [tuple(x) for x in json.loads(Path(args.arp_hosts).read_text())] if args.arp_hosts else []
    if not chosen and not arp_hosts:
        return
    asyncio.run(serve(chosen, arp_hosts, args.arp_interface, args.raw_interface))


if __name__ == "__main__":
    main()
