#!/usr/bin/env python3
"""Generate the committed demo and test captures in pcaps/ from the lab's device profiles.

    python tools/make_pcaps.py [--out DIR]

Builds, with scapy, the traffic a scanner at 198.18.0.2 would capture while scanning the lab
estate (camscan/lab/profiles): an ARP sweep, SADP / WS-Discovery / SSDP / DHIP / mDNS
discovery and their replies, and full TCP conversations (handshake, requests, responses, FIN)
for each device's web page, its digest-protected ISAPI or CGI API (401 then the retry),
ONVIF SOAP with WS-Security, the UPnP description and RTSP OPTIONS/DESCRIBE. The bytes the
devices send come from camscan.lab.answers, so captures and a live lab agree.

Outputs (see pcaps/README.md): demo.pcap, demo.pcapng, stress-tcp.pcap, hostile.pcap, each
with NAME.expected.csv (the inventory a correct replay produces, INVENTORY.md column order)
and NAME.expected.json (the raw [expect] data per device and the sources in the capture).
The expected files are written from the profiles, never by running camscan.

Deterministic: a fixed seed and a fixed clock, so re-running gives byte-identical files.
It only writes files: it never opens a socket or sends a packet (no send/sendp/sr).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import hashlib
import ipaddress
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

from scapy.layers.dns import DNS, DNSQR  # noqa: E402
from scapy.layers.inet import IP, TCP, UDP, fragment  # noqa: E402
from scapy.layers.l2 import ARP, Dot1Q, Ether  # noqa: E402
from scapy.packet import Packet, Padding, Raw  # noqa: E402
from scapy.utils import PcapNgWriter, RawPcapWriter  # noqa: E402

from camscan.lab import answers  # noqa: E402
from camscan.lab.profile import SCANNER_IP, Profile, load_profiles  # noqa: E402
from camscan.protocols import dhip, sadp, ssdp, wsdiscovery  # noqa: E402  (the scanner side is camscan's own)
from camscan.values import ip_number  # noqa: E402

SEED = 20250301
T0_US = 1_740_823_200_000_000  # 2025-03-01 10:00:00 UTC, the lab's clock (answers.LAB_TIME)
SCANNER_MAC = "00:1b:21:3a:4f:02"  # Intel Corporate
USER_AGENT = "camscan/0.1"
MSS = 1460
GRO_SEGMENT = 64_000  # receive offload: how a capturing host sees a bulk transfer

# INVENTORY.md: names and order are a contract
COLUMNS = ("ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial",
           "name", "via", "channel", "site", "advisories", "evidence", "confidence")
VENDOR_SOURCES = {"sadp", "dhip", "isapi", "cgi", "onvif"}  # vendor protocols / authenticated APIs
BANNER_SOURCES = {"http", "rtsp", "ssdp", "wsd", "mdns"}
HOSTILE_GOOD = ("hik-bullet", "dahua-fixed", "axis")  # the devices hostile.pcap keeps beside the noise
STRESS_FRAGMENTED = "hik-nvr"  # its SADP reply is padded past the MTU and sent as IP fragments
STRESS_DUPLICATED = "hik-bullet"  # its SADP reply arrives twice

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSS_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


# ------------------------------------------------------------------------------------ the capture


@dataclass(frozen=True)
class Peer:
    """A device as the scanner's interface sees it."""

    profile: Profile
    mac: str  # source MAC of its frames at the scanner: the router's for an off-link host
    ttl: int
    vlan: int | None = None

    @property
    def ip(self) -> str:
        return self.profile.ip


@dataclass
class Capture:
    """Frames in order with their timestamps, and which evidence sources each device gave."""

    rng: random.Random
    stress: bool = False
    frames: list[tuple[int, bytes, int | None]] = field(default_factory=list)
    now: int = T0_US
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _ipid: dict[str, int] = field(default_factory=dict)
    _port: int = 40000

    def at(self, offset_s: float) -> None:
        """Move the clock to T0 + offset (never backwards)."""
        self.now = max(self.now, T0_US + int(offset_s * 1_000_000))

    def add(self, pkt: Packet | bytes, gap_us: int | None = None, wirelen: int | None = None) -> None:
        self.now += self.rng.randint(40, 400) if gap_us is None else gap_us
        self.frames.append((self.now, pkt if isinstance(pkt, bytes) else bytes(pkt), wirelen))

    def ipid(self, ip: str) -> int:
        value = self._ipid.get(ip)
        value = self.rng.randint(1, 60000) if value is None else (value + 1) % 65536
        self._ipid[ip] = value
        return value

    def port(self) -> int:
        self._port += self.rng.randint(1, 7)
        return self._port

    def credit(self, p: Profile, source: str) -> None:
        self.sources[p.id].add(source)
        if source in ("onvif", "isapi", "cgi"):
            self.sources[p.id].add("http")  # every HTTP response also shows its banner


def _mcast_mac(group: str) -> str:
    low = int(ipaddress.IPv4Address(group)) & 0x7FFFFF
    return f"01:00:5e:{low >> 16:02x}:{(low >> 8) & 0xFF:02x}:{low & 0xFF:02x}"


def _l2(src: str, dst: str, vlan: int | None) -> Packet:
    eth = Ether(src=src, dst=dst)
    return eth / Dot1Q(vlan=vlan) if vlan else eth


def udp_from_scanner(cap: Capture, dst_ip: str, sport: int, dport: int, payload: bytes,
                     dst_mac: str | None = None, vlan: int | None = None, ttl: int = 1) -> None:
    mac = dst_mac or _mcast_mac(dst_ip)
    cap.add(_l2(SCANNER_MAC, mac, vlan) / IP(src=SCANNER_IP, dst=dst_ip, ttl=ttl, id=cap.ipid(SCANNER_IP))
            / UDP(sport=sport, dport=dport) / Raw(payload))


def udp_from_peer(cap: Capture, peer: Peer, dst_ip: str, sport: int, dport: int, payload: bytes,
                  ttl: int | None = None) -> Packet:
    mac = SCANNER_MAC if dst_ip == SCANNER_IP else _mcast_mac(dst_ip)
    return (_l2(peer.mac, mac, peer.vlan)
            / IP(src=peer.ip, dst=dst_ip, ttl=ttl or peer.ttl, id=cap.ipid(peer.ip))
            / UDP(sport=sport, dport=dport) / Raw(payload))


# -------------------------------------------------------------------------------------------- TCP


class Tcp:
    """One TCP conversation between the scanner and a device, written frame by frame."""

    def __init__(self, cap: Capture, peer: Peer, dport: int, gro: bool = False) -> None:
        self.cap, self.peer, self.dport, self.gro = cap, peer, dport, gro
        self.sport = cap.port()
        self.c_seq = cap.rng.getrandbits(32)
        self.s_seq = cap.rng.getrandbits(32)

    def _client(self, flags: str, payload: bytes = b"", seq: int | None = None, opts: list | None = None) -> Packet:
        p = self.peer
        tcp = TCP(sport=self.sport, dport=self.dport, flags=flags, seq=self.c_seq if seq is None else seq,
                  ack=self.s_seq if "A" in flags else 0, window=64240, options=opts or [])
        pkt = (_l2(SCANNER_MAC, p.mac, p.vlan) / IP(src=SCANNER_IP, dst=p.ip, ttl=64, flags="DF",
                                                     id=self.cap.ipid(SCANNER_IP)) / tcp)
        return pkt / Raw(payload) if payload else pkt

    def _server(self, flags: str, payload: bytes = b"", seq: int | None = None, opts: list | None = None) -> Packet:
        p = self.peer
        tcp = TCP(sport=self.dport, dport=self.sport, flags=flags, seq=self.s_seq if seq is None else seq,
                  ack=self.c_seq, window=29200, options=opts or [])
        pkt = (_l2(p.mac, SCANNER_MAC, p.vlan) / IP(src=p.ip, dst=SCANNER_IP, ttl=p.ttl, flags="DF",
                                                     id=self.cap.ipid(p.ip)) / tcp)
        return pkt / Raw(payload) if payload else pkt

    def open(self) -> None:
        cap = self.cap
        cap.add(self._client("S", opts=[("MSS", MSS), ("SAckOK", b""), ("WScale", 7)]), gap_us=2000)
        self.c_seq = (self.c_seq + 1) & 0xFFFFFFFF
        cap.add(self._server("SA", seq=self.s_seq, opts=[("MSS", MSS), ("SAckOK", b""), ("WScale", 7)]),
                gap_us=cap.rng.randint(300, 900))
        self.s_seq = (self.s_seq + 1) & 0xFFFFFFFF
        cap.add(self._client("A"), gap_us=60)

    def _chunks(self, data: bytes, from_server: bool) -> list[tuple[int, bytes]]:
        rng = self.cap.rng
        if self.cap.stress and from_server:
            out, i = [], 0
            while i < len(data):
                n = rng.randint(50, 200)
                out.append((i, data[i:i + n]))
                i += n
            return out
        size = GRO_SEGMENT if self.gro else MSS
        return [(i, data[i:i + size]) for i in range(0, len(data), size)]

    def _deliver(self, chunks: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        """Stress mode: swap some neighbours (out of order) and retransmit some (duplicates)."""
        if not self.cap.stress or len(chunks) < 2:
            return chunks
        rng = self.cap.rng
        order: list[tuple[int, bytes]] = []
        i = 0
        while i < len(chunks):
            if i + 1 < len(chunks) and rng.random() < 0.25:
                order += [chunks[i + 1], chunks[i]]
                i += 2
            else:
                order.append(chunks[i])
                i += 1
        out: list[tuple[int, bytes]] = []
        for item in order:
            out.append(item)
            if rng.random() < 0.15:
                out.append(item)  # a retransmission
        return out

    def client_sends(self, data: bytes) -> None:
        cap = self.cap
        if cap.stress and b"\r\n\r\n" in data and not data.endswith(b"\r\n\r\n"):
            head, body = data.split(b"\r\n\r\n", 1)
            pieces = [head + b"\r\n\r\n", body]  # headers and body in separate writes
        else:
            pieces = [data[i:i + MSS] for i in range(0, len(data), MSS)]
        for n, piece in enumerate(pieces):
            cap.add(self._client("PA" if n == len(pieces) - 1 else "A", piece), gap_us=cap.rng.randint(200, 900))
            self.c_seq = (self.c_seq + len(piece)) & 0xFFFFFFFF

    def server_sends(self, data: bytes) -> None:
        cap = self.cap
        chunks = self._chunks(data, from_server=True)
        base = self.s_seq
        last = len(chunks) - 1
        first_gap = cap.rng.randint(1500, 12000)
        for n, (off, piece) in enumerate(self._deliver(chunks)):
            flags = "PA" if off == chunks[last][0] else "A"
            cap.add(self._server(flags, piece, seq=(base + off) & 0xFFFFFFFF),
                    gap_us=first_gap if n == 0 else cap.rng.randint(20, 200))
        self.s_seq = (base + len(data)) & 0xFFFFFFFF
        cap.add(self._client("A"), gap_us=cap.rng.randint(40, 200))

    def close(self) -> None:
        cap = self.cap
        cap.add(self._client("FA"), gap_us=cap.rng.randint(500, 3000))
        self.c_seq = (self.c_seq + 1) & 0xFFFFFFFF
        cap.add(self._server("FA"), gap_us=cap.rng.randint(100, 600))
        self.s_seq = (self.s_seq + 1) & 0xFFFFFFFF
        cap.add(self._client("A"), gap_us=50)


# ----------------------------------------------------------------------------------- HTTP client


def http_request(method: str, target: str, host: str, extra: list[tuple[str, str]] | None = None,
                 body: bytes = b"") -> tuple[bytes, dict[str, str]]:
    headers = [("Host", host), ("Accept", "*/*"), ("Accept-Encoding", "identity"),
               ("Connection", "keep-alive"), ("User-Agent", USER_AGENT), *(extra or [])]
    if body:
        headers.append(("Content-Length", str(len(body))))
    raw = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return raw.encode() + body, dict(headers)


def _response_header(response: bytes, name: str) -> str:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


class DigestClient:
    """What an RFC 7616 client does after a 401: reuse the challenge with an increasing nc."""

    def __init__(self, rng: random.Random, username: str, password: str) -> None:
        self.rng, self.username, self.password = rng, username, password
        self.params: dict[str, str] = {}
        self.nc = 0

    def challenge(self, response: bytes) -> None:
        value = _response_header(response, "WWW-Authenticate")
        self.params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                       for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', value)}

    def authorization(self, method: str, uri: str) -> str:
        self.nc += 1
        realm, nonce = self.params["realm"], self.params["nonce"]
        cnonce = f"{self.rng.getrandbits(64):016x}"
        nc = f"{self.nc:08x}"
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{self.username}:{realm}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        resp = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        opaque = f', opaque="{self.params["opaque"]}"' if self.params.get("opaque") else ""
        return (f'Digest username="{self.username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}", algorithm=MD5{opaque}')


def soap_request(cap: Capture, p: Profile, ns: str, action: str, secured: bool) -> bytes:
    header = ""
    if secured:
        nonce = bytes(cap.rng.getrandbits(8) for _ in range(16))
        created = f"2025-03-01T10:00:{cap.rng.randint(10, 59):02d}.{cap.rng.randint(0, 999):03d}Z"
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + p.password.encode()).digest()).decode()
        header = (f'<soap-env:Header><wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
                  f"<wsse:Username>{p.username}</wsse:Username>"
                  f'<wsse:Password Type="{WSS_PROFILE}#PasswordDigest">{digest}</wsse:Password>'
                  f'<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
                  f'soap-message-security-1.0#Base64Binary">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
                  f'<wsu:Created xmlns:wsu="{WSU}">{created}</wsu:Created>'
                  "</wsse:UsernameToken></wsse:Security></soap-env:Header>")
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope">'
            f'{header}<soap-env:Body><ns0:{action} xmlns:ns0="{ns}"/></soap-env:Body></soap-env:Envelope>').encode()


# ------------------------------------------------------------------------------ device conversations


def _exchange(tcp: Tcp, p: Profile, method: str, target: str, host: str,
              extra: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
    raw, headers = http_request(method, target, host, extra, body)
    tcp.client_sends(raw)
    response = answers.http_response(p, method, target, headers, body)
    tcp.server_sends(response)
    return response


def web_page(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    tcp = Tcp(cap, peer, int((p.http or {}).get("port", 80)))
    tcp.open()
    _exchange(tcp, p, "GET", "/", p.ip)
    tcp.close()
    cap.credit(p, "http")


def api_calls(cap: Capture, peer: Peer) -> None:
    """ISAPI or Dahua CGI over one keep-alive connection: 401, the digest retry, then the rest."""
    p = peer.profile
    if p.isapi is not None:
        targets = ["/ISAPI/System/deviceInfo"]
        if p.isapi["device_info"]["deviceType"] in ("NVR", "DVR"):
            targets.append("/ISAPI/ContentMgmt/InputProxy/channels")
        targets.append("/ISAPI/PTZCtrl/channels")
        source = "isapi"
    elif p.cgi is not None:
        targets = [f"/cgi-bin/magicBox.cgi?action={a}" for a in
                   ("getSystemInfo", "getDeviceType", "getSoftwareVersion", "getVendor", "getMachineName")]
        if p.cgi.get("remote_devices"):
            targets.append("/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice")
        source = "cgi"
    else:
        return
    tcp = Tcp(cap, peer, 80)
    tcp.open()
    digest = DigestClient(cap.rng, p.username, p.password)
    first = _exchange(tcp, p, "GET", targets[0], p.ip)
    if first.startswith(b"HTTP/1.1 401"):
        digest.challenge(first)
        for target in targets:
            _exchange(tcp, p, "GET", target, p.ip, [("Authorization", digest.authorization("GET", target))])
    else:  # an unprotected API
        for target in targets[1:]:
            _exchange(tcp, p, "GET", target, p.ip)
    tcp.close()
    cap.credit(p, source)


def onvif_calls(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    o = p.onvif or {}
    dev_ns = "http://www.onvif.org/ver10/device/wsdl"
    device_path = "/onvif/device_service"
    tcp = Tcp(cap, peer, 80)
    tcp.open()
    calls = [(device_path, dev_ns, "GetSystemDateAndTime", False),
             (device_path, dev_ns, "GetDeviceInformation", True),
             (device_path, dev_ns, "GetCapabilities", True)]
    for path, ns, action, secured in calls:
        body = soap_request(cap, p, ns, action, secured)
        response = _exchange(tcp, p, "POST", path, p.ip,
                             [("Content-Type", f'application/soap+xml; charset=utf-8; action="{ns}/{action}"')],
                             body)
        if action == "GetCapabilities" and o.get("ptz"):
            m = re.search(rb"<tt:PTZ><tt:XAddr>http://[^/<]+(/[^<]*)</tt:XAddr>", response)
            if m:
                ptz_ns = "http://www.onvif.org/ver20/ptz/wsdl"
                body = soap_request(cap, p, ptz_ns, "GetNodes", True)
                _exchange(tcp, p, "POST", m.group(1).decode(), p.ip,
                          [("Content-Type", f'application/soap+xml; charset=utf-8; action="{ptz_ns}/GetNodes"')],
                          body)
    tcp.close()
    cap.credit(p, "onvif")


def rtsp_calls(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    r = p.rtsp or {}
    tcp = Tcp(cap, peer, 554)
    tcp.open()
    base = f"rtsp://{p.ip}:554"
    for cseq, (method, url, extra) in enumerate(
            [("OPTIONS", base + "/", ""), ("DESCRIBE", base + r.get("path", "/"), "Accept: application/sdp\r\n")],
            start=1):
        request = f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}User-Agent: {USER_AGENT}\r\n\r\n".encode()
        tcp.client_sends(request)
        tcp.server_sends(answers.rtsp_response(p, request))
    tcp.close()
    cap.credit(p, "rtsp")


def upnp_fetch(cap: Capture, peer: Peer) -> None:
    p = peer.profile
    loc = (p.ssdp or {})["location"]
    m = re.match(r"http://([^/:]+)(?::(\d+))?(/.*)?$", loc)
    if not m:
        raise ValueError(f"{p.id}: cannot read SSDP location {loc!r}")
    port = int(m.group(2) or 80)
    tcp = Tcp(cap, peer, port)
    tcp.open()
    _exchange(tcp, p, "GET", m.group(3) or "/", f"{p.ip}:{port}" if port != 80 else p.ip)
    tcp.close()


# ------------------------------------------------------------------------------------- discovery


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
            cap.add(_l2(SCANNER_MAC, "ff:ff:ff:ff:ff:ff", vlan)
                    / ARP(op=1, hwsrc=SCANNER_MAC, psrc=SCANNER_IP, hwdst="00:00:00:00:00:00", pdst=ip),
                    gap_us=cap.rng.randint(800, 1200))
        if peer is not None:
            pkt = (_l2(peer.mac, SCANNER_MAC, peer.vlan)
                   / ARP(op=2, hwsrc=peer.mac, psrc=peer.ip, hwdst=SCANNER_MAC, pdst=SCANNER_IP))
            pad = 60 - len(pkt)
            cap.add(pkt / Padding(b"\x00" * pad) if pad > 0 else pkt, gap_us=cap.rng.randint(150, 900))
            cap.credit(peer.profile, "arp")


def _probe_everywhere(cap: Capture, peers: list[Peer], send: Callable[[int | None], None]) -> None:
    """A multicast probe goes out untagged and on every VLAN the estate uses (stress capture)."""
    for vlan in [None, *sorted({p.vlan for p in peers if p.vlan})]:
        send(vlan)


def sadp_phase(cap: Capture, peers: list[Peer], fragment_id: str = "", duplicate_id: str = "") -> None:
    probe_uuid = "7C1A3B52-9E04-4D21-B5A8-3F6E20D19C44"
    _probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, "239.255.255.250", 37020, 37020, sadp.build_probe(probe_uuid), vlan=vlan))
    for peer in peers:
        p = peer.profile
        if p.sadp is None or not p.on_link:
            continue
        payload = answers.sadp_reply(p, probe_uuid)
        if fragment_id == p.id:
            # padded past the Ethernet MTU: the datagram travels as IP fragments, delivered out of order
            payload = payload.replace(b"</ProbeMatch>", b"\n" + b" " * 2400 + b"\n</ProbeMatch>")
            pkt = udp_from_peer(cap, peer, "239.255.255.250", 37020, 37020, payload, ttl=1)
            frags = fragment(pkt, fragsize=1200)
            for frag in [frags[-1], *frags[:-1]]:
                cap.add(frag, gap_us=cap.rng.randint(30, 120))
        else:
            reply = udp_from_peer(cap, peer, "239.255.255.250", 37020, 37020, payload, ttl=1)
            cap.add(reply, gap_us=cap.rng.randint(2000, 30000))
            if duplicate_id == p.id:  # some firmware sends its reply twice
                cap.add(reply, gap_us=cap.rng.randint(500, 3000))
        cap.credit(p, "sadp")


def wsd_phase(cap: Capture, peers: list[Peer]) -> int:
    for peer in peers:  # a device that has just joined says Hello on its own
        p = peer.profile
        if p.wsd is not None and p.on_link and p.wsd.get("hello"):
            cap.add(udp_from_peer(cap, peer, "239.255.255.250", 3702, 3702, answers.wsd_hello(p), ttl=1))
            cap.credit(p, "wsd")
    sport = cap.port()
    message_id = "uuid:0d2f7a4e-5b61-4c83-9a1e-6f20b8c4d315"
    _probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, "239.255.255.250", sport, 3702, wsdiscovery.build_probe(message_id), vlan=vlan))
    for peer in peers:
        p = peer.profile
        if p.wsd is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, SCANNER_IP, 3702, sport, answers.wsd_probe_match(p, message_id)),
                gap_us=cap.rng.randint(3000, 40000))
        cap.credit(p, "wsd")
    return sport


def ssdp_phase(cap: Capture, peers: list[Peer]) -> int:
    sport = cap.port()
    _probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, "239.255.255.250", sport, 1900, ssdp.build_msearch("upnp:rootdevice", 2), vlan=vlan, ttl=2))
    found = []
    for peer in peers:
        p = peer.profile
        if p.ssdp is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, SCANNER_IP, 1900, sport, answers.ssdp_response(p)),
                gap_us=cap.rng.randint(5000, 60000))
        found.append(peer)
    for peer in peers:
        p = peer.profile
        if p.ssdp is not None and p.on_link and p.ssdp.get("notify"):
            cap.add(udp_from_peer(cap, peer, "239.255.255.250", 1900, 1900, answers.ssdp_notify(p), ttl=4))
    for peer in found:
        upnp_fetch(cap, peer)
        cap.credit(peer.profile, "ssdp")
    return sport


def dhip_phase(cap: Capture, peers: list[Peer]) -> int:
    sport = cap.port()
    _probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(
        cap, "239.255.255.251", sport, 37810, dhip.build_probe(), vlan=vlan))
    for peer in peers:
        p = peer.profile
        if p.dhip is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, SCANNER_IP, 37810, sport, answers.dhip_reply(p)),
                gap_us=cap.rng.randint(2000, 20000))
        cap.credit(p, "dhip")
    return sport


def mdns_phase(cap: Capture, peers: list[Peer]) -> None:
    services = sorted({peer.profile.mdns["service"] for peer in peers
                       if peer.profile.mdns is not None and peer.profile.on_link})
    if not services:
        return
    query = bytes(DNS(id=0, rd=0, qd=[DNSQR(qname=s, qtype="PTR") for s in services]))
    _probe_everywhere(cap, peers, lambda vlan: udp_from_scanner(cap, "224.0.0.251", 5353, 5353, query,
                                                                vlan=vlan, ttl=255))
    for peer in peers:
        p = peer.profile
        if p.mdns is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, "224.0.0.251", 5353, 5353, answers.mdns_response(p), ttl=255),
                gap_us=cap.rng.randint(1000, 90000))
        cap.credit(p, "mdns")


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


# ------------------------------------------------------------------------------------ the estates


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


# --------------------------------------------------------------------------------- hostile traffic

HOSTILE_MAC = "02:42:c6:12:00:%02x"


def _lol_dtd() -> str:
    ents = ['<!ENTITY lol "lol">']
    ents += [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return "<!DOCTYPE lolz [\n " + "\n ".join(ents) + "\n]>\n"


def hostile_profile(n: int) -> Profile:
    ip = f"198.18.0.{200 + n}"
    return Profile(id=f"hostile-{n}", path=Path(f"hostile-{n}"), ip=ip, mac=HOSTILE_MAC % (200 + n),
                   subnet="lan", expect={})


def hostile_traffic(cap: Capture, wsd_port: int, ssdp_port: int, dhip_port: int, good: dict[str, Peer]) -> None:
    rng = cap.rng
    hp = [Peer(hostile_profile(n), HOSTILE_MAC % (200 + n), 64) for n in range(11)]

    def garbage(n: int) -> bytes:
        return bytes(rng.getrandbits(8) for _ in range(n))

    # 1. truncated frames: caplen shorter than the headers they start
    whole = bytes(udp_from_peer(cap, hp[0], "239.255.255.250", 37020, 37020,
                                answers.sadp_reply(good["hik-bullet"].profile)))
    for cut in (10, 20, 30, 38):
        cap.add(whole[:cut], wirelen=len(whole))
    syn_ack = bytes(_l2(hp[0].mac, SCANNER_MAC, None) / IP(src=hp[0].ip, dst=SCANNER_IP)
                    / TCP(sport=80, dport=40999, flags="SA"))
    cap.add(syn_ack[:44], wirelen=len(syn_ack))

    # 2. bad IP header lengths: IHL below 5, IHL past the frame, total length past the frame
    for ihl, tot in ((3, None), (15, None), (5, 1500), (5, 12)):
        pkt = (_l2(hp[1].mac, SCANNER_MAC, None) / IP(src=hp[1].ip, dst=SCANNER_IP, ihl=ihl, len=tot)
               / UDP(sport=37020, dport=37020) / Raw(b"<ProbeMatch><DeviceType>DS-2CD0000</DeviceType>"))
        cap.add(pkt)

    # 3. garbage on every discovery port, plus empty datagrams
    for sport, dst, dport in ((37020, "239.255.255.250", 37020), (3702, SCANNER_IP, wsd_port),
                              (37810, SCANNER_IP, dhip_port), (1900, SCANNER_IP, ssdp_port),
                              (5353, "224.0.0.251", 5353)):
        cap.add(udp_from_peer(cap, hp[2], dst, sport, dport, garbage(300)))
        cap.add(udp_from_peer(cap, hp[2], dst, sport, dport, b""))

    # 4. SADP replies with broken XML: cut off mid-tag, and tags that never close
    for broken in (b'<?xml version="1.0" encoding="UTF-8"?>\n<ProbeMatch>\n<Uuid>7C1A3B52</Uuid>\n'
                   b"<Types>inquiry</Types>\n<DeviceDescription>DS-2CD0000-I</DeviceDescription>\n<DeviceSN>DS-2",
                   b"<ProbeMatch><DeviceDescription>DS-2CD0000-I<DeviceSN></DeviceDescription>"
                   b"<MAC>02-42-c6-12-00-cb</MAC><IPv4Address>198.18.0.203</ProbeMatch>"):
        cap.add(udp_from_peer(cap, hp[3], "239.255.255.250", 37020, 37020, broken, ttl=1))

    # 5. billion laughs in a WS-Discovery ProbeMatch
    bomb_wsd = ('<?xml version="1.0" encoding="UTF-8"?>\n' + _lol_dtd()
                + '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
                  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
                  'xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing"><env:Body>'
                  "<d:ProbeMatches><d:ProbeMatch><wsadis:EndpointReference><wsadis:Address>urn:uuid:"
                  "00000000-0000-0000-0000-000000000204</wsadis:Address></wsadis:EndpointReference>"
                  "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
                  "<d:Scopes>onvif://www.onvif.org/name/&lol9; onvif://www.onvif.org/hardware/&lol9;</d:Scopes>"
                  "<d:XAddrs>http://198.18.0.204/onvif/device_service</d:XAddrs>"
                  "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>").encode()
    cap.add(udp_from_peer(cap, hp[4], SCANNER_IP, 3702, wsd_port, bomb_wsd))

    # 6. billion laughs in a UPnP description (its SSDP answer carries no facts of its own)
    loc = f"http://{hp[5].ip}:80/rootDesc.xml"
    cap.add(udp_from_peer(cap, hp[5], SCANNER_IP, 1900, ssdp_port,
                          f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {loc}\r\n"
                          f"ST: upnp:rootdevice\r\nUSN: uuid:00000000-0000-0000-0000-000000000205::upnp:rootdevice"
                          "\r\n\r\n".encode()))
    bomb_desc = ('<?xml version="1.0"?>\n' + _lol_dtd()
                 + '<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName>'
                   "<manufacturer>&lol9;</manufacturer><modelName>&lol9;</modelName></device></root>\n").encode()
    _raw_http(cap, hp[5], "/rootDesc.xml", b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
              + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(bomb_desc) + bomb_desc)

    # 7. a 3 MB HTTP response body
    big = b"<html><body>" + b"A" * (3 * 1024 * 1024) + b"</body></html>"
    _raw_http(cap, hp[6], "/", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
              + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(big) + big, gro=True)

    # 8. DNS compression loops in mDNS answers: a name pointing at itself, and two pointing at each other
    loop_self = (b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + b"\xc0\x0c"
                 + b"\x00\x0c\x00\x01\x00\x00\x11\x94\x00\x02\xc0\x0c")
    loop_pair = (b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + b"\x03abc\xc0\x12" + b"\x03def\xc0\x0c"
                 + b"\x00\x0c\x00\x01\x00\x00\x11\x94\x00\x02\xc0\x0c")
    for payload in (loop_self, loop_pair):
        cap.add(udp_from_peer(cap, hp[7], "224.0.0.251", 5353, 5353, payload, ttl=255))

    # 9. malformed DHIP: broken JSON, a length field far past the datagram, JSON that is not an object
    head = b"\x20\x00\x00\x00DHIP" + b"\x00" * 8
    bad_json = b'{ "mac" : "02:42:c6:12:00:d0", "method" : "client.notifyDevInfo", "params" : { "deviceInfo" : ' \
               b'{ "DeviceType" : "IPC-HFW0000", "Version" : "1.0000, } } }'
    for body, claimed in ((bad_json, len(bad_json)), (b'{"method":"client.notifyDevInfo"}', 0x7FFFFFF0),
                          (b"[1,2,3]", 7), (b"", 0)):
        frame = head + claimed.to_bytes(4, "little") + b"\x00" * 4 + claimed.to_bytes(4, "little") + b"\x00" * 4
        cap.add(udp_from_peer(cap, hp[8], SCANNER_IP, 37810, dhip_port, frame + body))
    # ...and a good device that also sends a mangled copy of its own reply: its row must survive
    dahua = good["dahua-fixed"]
    mangled = answers.dhip_reply(dahua.profile)
    cap.add(udp_from_peer(cap, dahua, SCANNER_IP, 37810, dhip_port, mangled[: len(mangled) - 40]))

    # 10. an HTTP response announcing a body far larger than anything sent
    _raw_http(cap, hp[9], "/", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
              b"Content-Length: 99999999999999999999\r\n\r\n<html><head><title>never ends")

    # 11. an RTSP server answering with noise and a header that never ends
    tcp = Tcp(cap, hp[10], 554)
    tcp.open()
    tcp.client_sends(f"OPTIONS rtsp://{hp[10].ip}:554/ RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
    tcp.server_sends(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: " + b"X" * 70000)
    tcp.close()


def _raw_http(cap: Capture, peer: Peer, target: str, response: bytes, gro: bool = False) -> None:
    tcp = Tcp(cap, peer, 80, gro=gro)
    tcp.open()
    tcp.client_sends(http_request("GET", target, peer.ip)[0])
    tcp.server_sends(response)
    tcp.close()


def build_hostile(profiles: list[Profile]) -> Capture:
    cap = Capture(random.Random(SEED + 2))
    peers, _router = make_peers([p for p in profiles if p.id in HOSTILE_GOOD or p.role == "router"], stress=False)
    good = {peer.profile.id: peer for peer in peers}
    ask = [peer.ip for peer in peers] + [f"198.18.0.{200 + n}" for n in range(11)]  # the noisy hosts stay silent
    wsd_port, ssdp_port, dhip_port = scan(cap, peers, None, ask)
    cap.at(40)
    hostile_traffic(cap, wsd_port, ssdp_port, dhip_port, good)
    return cap


# ------------------------------------------------------------------------------ expected inventory


def _oui_known(mac: str) -> bool:
    import aiooui

    if not aiooui.is_loaded():
        asyncio.run(aiooui.async_load())
    return aiooui.get_vendor(mac) is not None


def confidence(manufacturer: str, sources: set[str]) -> str:
    """INVENTORY.md: high when a vendor protocol or authenticated API spoke, medium for banners or
    model patterns, low for the OUI alone; empty when no manufacturer is claimed."""
    if not manufacturer:
        return ""
    if sources & VENDOR_SOURCES:
        return "high"
    if sources & BANNER_SOURCES:
        return "medium"
    return "low" if "oui" in sources else ""


# The inventory's `evidence` column lists sources in INVENTORY.md's order.
SOURCES = ("arp", "oui", "sadp", "dhip", "wsd", "ssdp", "mdns", "http", "rtsp", "onvif", "isapi", "cgi", "nvr")


def advisories_for(expect: dict) -> str:
    """The advisories a profile's [expect] (or a channel's) says its firmware is covered by."""
    return ";".join(sorted(expect.get("advisories", [])))


def expected_rows(profiles: list[Profile], cap: Capture) -> tuple[list[dict[str, str]], list[dict]]:
    rows: list[dict[str, str]] = []
    raw: list[dict] = []
    for p in profiles:
        sources = set(cap.sources.get(p.id, set()))
        if not sources:
            continue  # not in this capture
        # off the link the frame's MAC is the router's, but a device's own API (ISAPI deviceInfo)
        # or its WS-Discovery MAC scope still reports its hardware address
        mac_known = p.on_link or bool({"isapi", "wsd"} & sources)
        if mac_known and _oui_known(p.mac):
            sources.add("oui")
        e = p.expect
        row = {
            "ip": p.ip, "mac": p.mac if mac_known else "", "manufacturer": e["manufacturer"],
            "brand": e["brand"], "device_type": e["device_type"], "form": e["form"], "model": e["model"],
            "firmware": e["firmware"], "serial": e["serial"], "name": e["name"], "via": "", "channel": "",
            "site": "", "advisories": advisories_for(e),
            "evidence": ";".join(s for s in SOURCES if s in sources),
            "confidence": confidence(e["manufacturer"], sources),
        }
        rows.append(row)
        channel_rows = []
        if {"isapi", "cgi"} & sources:
            for ch in p.channels:
                channel_rows.append({
                    "ip": ch["ip"], "mac": "", "manufacturer": ch["manufacturer"], "brand": ch["brand"],
                    "device_type": ch.get("device_type", "camera"), "form": ch["form"], "model": ch["model"],
                    "firmware": ch["firmware"], "serial": ch["serial"], "name": ch["name"], "via": ch["via"],
                    "channel": str(ch["channel"]), "site": "",
                    "advisories": advisories_for(ch), "evidence": "nvr",
                    "confidence": ch["confidence"],
                })
        rows += channel_rows
        raw.append({"id": p.id, "profile": f"camscan/lab/profiles/{p.path.name}", "ip": p.ip, "mac": p.mac,
                    "subnet": p.subnet, "vlan": p.vlan if cap.stress else None, "protocols": list(p.protocols),
                    "evidence": sorted(sources), "confidence": row["confidence"], "expect": e})
    for r in rows:
        for col, value in r.items():
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                raise SystemExit(f"expected {col} {value!r} would need CSV defusing; pick another lab value")

    def key(r: dict[str, str]) -> tuple:
        return (ip_number(r["ip"]) if r["ip"] else 1 << 33, ip_number(r["via"]) if r["via"] else -1,
                int(r["channel"]) if r["channel"] else -1)

    rows.sort(key=key)
    raw.sort(key=lambda d: ip_number(d["ip"]))
    return rows, raw


# ---------------------------------------------------------------------------------------- writing


def write_pcap(path: Path, cap: Capture) -> None:
    w = RawPcapWriter(str(path), linktype=1, snaplen=262144)
    w.write_header(None)
    for ts, data, wirelen in cap.frames:
        w.write_packet(data, sec=ts // 1_000_000, usec=ts % 1_000_000, wirelen=wirelen)
    w.close()


def write_pcapng(path: Path, cap: Capture) -> None:
    w = PcapNgWriter(str(path))
    w.linktype = 1
    w.write_header(None)
    for ts, data, wirelen in cap.frames:
        w.write_packet(data, sec=Decimal(ts) / Decimal(1_000_000), wirelen=wirelen)
    w.close()


# Noisy hosts of hostile.pcap that still said something readable, so the inventory lists them:
# a host is a device on the network even when what it sent was mostly junk (their junk is
# counted under "skipped"). .205 answered SSDP (its description was an entity bomb), .206 and
# .209 answered HTTP (a 3 MB body, an impossible Content-Length), .208's broken DHIP JSON
# still yields its MAC and model. Hosts whose every message was unreadable get no row.
HOSTILE_SURVIVORS = (
    {"ip": "198.18.0.205", "mac": "02:42:c6:12:00:cd", "device_type": "unknown", "evidence": "ssdp;http"},
    {"ip": "198.18.0.206", "mac": "02:42:c6:12:00:ce", "device_type": "unknown", "evidence": "http"},
    {"ip": "198.18.0.208", "mac": "02:42:c6:12:00:d0", "manufacturer": "Dahua", "device_type": "camera",
     "form": "static", "model": "IPC-HFW0000", "evidence": "dhip", "confidence": "high"},
    {"ip": "198.18.0.209", "mac": "02:42:c6:12:00:d1", "device_type": "unknown", "evidence": "http"},
)


def write_expected(out: Path, stem: str, capture_name: str, profiles: list[Profile], cap: Capture,
                   extra: tuple[dict[str, str], ...] = ()) -> None:
    rows, raw = expected_rows(profiles, cap)
    if extra:
        rows += [{c: e.get(c, "") for c in COLUMNS} for e in extra]
        rows.sort(key=lambda r: ip_number(r["ip"]) if r["ip"] else 1 << 33)
    with (out / f"{stem}.expected.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
    doc = {"capture": capture_name, "generator": "tools/make_pcaps.py", "scanner": {"ip": SCANNER_IP,
           "mac": SCANNER_MAC}, "columns": list(COLUMNS), "devices": raw}
    (out / f"{stem}.expected.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "pcaps", help="directory to write (default: pcaps/)")
    parser.add_argument("--profiles", type=Path, default=None, help="profile directory (default: the lab's)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    profiles = load_profiles(args.profiles)

    demo = build_demo(profiles)
    write_pcap(out / "demo.pcap", demo)
    write_pcapng(out / "demo.pcapng", demo)
    write_expected(out, "demo", "demo.pcap", profiles, demo)

    stress = build_stress(profiles)
    write_pcap(out / "stress-tcp.pcap", stress)
    write_expected(out, "stress-tcp", "stress-tcp.pcap", profiles, stress)

    hostile = build_hostile(profiles)
    write_pcap(out / "hostile.pcap", hostile)
    write_expected(out, "hostile", "hostile.pcap", [p for p in profiles if p.id in HOSTILE_GOOD], hostile,
                   HOSTILE_SURVIVORS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
