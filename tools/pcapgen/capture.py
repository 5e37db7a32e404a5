"""The capture being written: frames with their timestamps, the devices as the scanner sees them,
UDP datagrams and whole TCP conversations, and the pcap / pcapng writers. A fixed seed and a
fixed clock make every run byte-identical.
"""

from __future__ import annotations

import ipaddress
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Packet, Raw
from scapy.utils import PcapNgWriter, RawPcapWriter

from camscan.lab.profile import SCANNER_IP, Profile

SEED = 20250301
T0_US = 1_740_823_200_000_000  # 2025-03-01 10:00:00 UTC, the lab's clock (answers.LAB_TIME)
SCANNER_MAC = "00:1b:21:3a:4f:02"  # Intel Corporate
USER_AGENT = "camscan/0.1"
MSS = 1460
GRO_SEGMENT = 64_000  # receive offload: how a capturing host sees a bulk transfer


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


def mcast_mac(group: str) -> str:
    low = int(ipaddress.IPv4Address(group)) & 0x7FFFFF
    return f"01:00:5e:{low >> 16:02x}:{(low >> 8) & 0xFF:02x}:{low & 0xFF:02x}"


def l2(src: str, dst: str, vlan: int | None) -> Packet:
    eth = Ether(src=src, dst=dst)
    return eth / Dot1Q(vlan=vlan) if vlan else eth


def udp_from_scanner(cap: Capture, dst_ip: str, sport: int, dport: int, payload: bytes,
                     dst_mac: str | None = None, vlan: int | None = None, ttl: int = 1) -> None:
    mac = dst_mac or mcast_mac(dst_ip)
    cap.add(l2(SCANNER_MAC, mac, vlan) / IP(src=SCANNER_IP, dst=dst_ip, ttl=ttl, id=cap.ipid(SCANNER_IP))
            / UDP(sport=sport, dport=dport) / Raw(payload))


def udp_from_peer(cap: Capture, peer: Peer, dst_ip: str, sport: int, dport: int, payload: bytes,
                  ttl: int | None = None) -> Packet:
    mac = SCANNER_MAC if dst_ip == SCANNER_IP else mcast_mac(dst_ip)
    return (l2(peer.mac, mac, peer.vlan)
            / IP(src=peer.ip, dst=dst_ip, ttl=ttl or peer.ttl, id=cap.ipid(peer.ip))
            / UDP(sport=sport, dport=dport) / Raw(payload))


def probe_everywhere(cap: Capture, peers: list[Peer], send: Callable[[int | None], None]) -> None:
    """A multicast probe goes out untagged and on every VLAN the estate uses (stress capture)."""
    for vlan in [None, *sorted({p.vlan for p in peers if p.vlan})]:
        send(vlan)


def answer_scanner(cap: Capture, peers: list[Peer], section: str, port: int, sport: int,
                   answer: Callable[[Profile], bytes], gap_us: tuple[int, int]) -> list[Peer]:
    """Each on-link device with a `section` in its profile answers the scanner's probe by unicast
    from the protocol `port` to the scanner's `sport`, a random `gap_us` after the one before;
    returns the devices that answered."""
    answered = []
    for peer in peers:
        p = peer.profile
        if getattr(p, section) is None or not p.on_link:
            continue
        cap.add(udp_from_peer(cap, peer, SCANNER_IP, port, sport, answer(p)), gap_us=cap.rng.randint(*gap_us))
        answered.append(peer)
    return answered


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
        pkt = (l2(SCANNER_MAC, p.mac, p.vlan) / IP(src=SCANNER_IP, dst=p.ip, ttl=64, flags="DF",
                                                     id=self.cap.ipid(SCANNER_IP)) / tcp)
        return pkt / Raw(payload) if payload else pkt

    def _server(self, flags: str, payload: bytes = b"", seq: int | None = None, opts: list | None = None) -> Packet:
        p = self.peer
        tcp = TCP(sport=self.dport, dport=self.sport, flags=flags, seq=self.s_seq if seq is None else seq,
                  ack=self.c_seq, window=29200, options=opts or [])
        pkt = (l2(p.mac, SCANNER_MAC, p.vlan) / IP(src=p.ip, dst=SCANNER_IP, ttl=p.ttl, flags="DF",
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
