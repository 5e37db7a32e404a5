"""Replay benchmark: camscan replay on a capture of millions of packets, against tcpdump's own
pass over the same file with the same BPF filter (the practical floor for reading a capture).

    python bench/replay_bench.py [--packets 2000000]

Builds bench/out/big-v2-N.pcap once (cached): mostly ordinary background traffic (HTTPS, DNS,
NTP, QUIC, SMB, fragmented UDP), with every frame of pcaps/demo.pcap spread through it a few
times over. HTTPS is both ways, as a site's traffic is: clients' requests and ACKs to 443,
servers' bulk application data from 443 (records and their continuation segments), and one new
connection's first server flight (ServerHello and the start of a certificate chain, from a pool
of cloud servers and certificates) per 250 packets, about one per 90 HTTPS server segments.
Prints packets/s for both, the ratio, peak memory of camscan on the big and the small capture
(flat memory is the target), and whether the inventory equals the small capture's.
"""

from __future__ import annotations

import argparse
import random
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CAMSCAN = [sys.executable, "-m", "camscan"]


def read_pcap_frames(path: Path) -> list[bytes]:
    """The frames of a classic little-endian pcap (our own generated files)."""
    data = path.read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: expected a little-endian classic pcap")
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        frames.append(data[off + 16: off + 16 + incl])
        off += 16 + incl
    return frames


def _eth(src: bytes, dst: bytes, etype: int = 0x0800) -> bytes:
    return dst + src + struct.pack(">H", etype)


def _ip(src: int, dst: int, proto: int, payload_len: int, ident: int = 0, frag: int = 0, ttl: int = 64) -> bytes:
    return struct.pack(">BBHHHBBHII", 0x45, 0, 20 + payload_len, ident, frag, ttl, proto, 0, src, dst)


ROUTER_MAC = bytes([0x02, 0, 0, 1, 0, 1])
SERVER_TTL = 52  # a server on the internet, some hops away: its frames carry the router's MAC


def _tcp(sport: int, dport: int, seq: int) -> bytes:
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 1, 0x50, 0x18, 65535, 0, 0)


def https_from_server(rng: random.Random, client: int, server: int, client_mac: bytes) -> bytes:
    """A segment of a server's bulk application data on 443: most continue a record, some
    start one (0x17 0x03 0x03: never kept by the filter, which wants handshake records)."""
    size = rng.choice((1400, 1400, 1400, 1200, 600))
    body = rng.randbytes(size)
    if rng.random() < 0.1:
        body = b"\x17\x03\x03" + struct.pack(">H", 16408) + body[5:]
    tcph = _tcp(443, rng.randrange(32768, 60999), rng.getrandbits(32))
    return _eth(ROUTER_MAC, client_mac) + _ip(server, client, 6, len(tcph) + len(body), ttl=SERVER_TTL) + tcph + body


def certificate_flights(rng: random.Random, servers: int = 40) -> list[tuple[int, bytes]]:
    """(server address, first segment of its flight: ServerHello and the start of the chain, as
    MSS 1448 cuts it) for a pool of cloud servers sharing a dozen certificates."""
    from tools.pcapgen import https

    issuers = ["CN=Example Issuing CA 1,O=Example Trust,C=US", "CN=Example Issuing CA 2,O=Example Trust,C=GB"]
    chains = []
    for n in range(12):
        issuer = issuers[n % 2]
        subject = f"CN=*.service{n}.example.net,O=Example Cloud {n} Ltd,L=Dublin,C=IE"
        chains.append([https.certificate(subject, issuer), https.certificate(issuer)])
    return [(0xC6130000 + rng.randrange(1, 60000), https.server_flight(chains[i % len(chains)])[:1448])
            for i in range(servers)]


def flight_frame(server: int, flight: bytes, n: int) -> bytes:
    """The flight's first segment in a new connection to client port and address from `n`."""
    client = 0xC6120200 + 1 + n % 249
    client_mac = bytes([0x02, 0, 0, 0, n >> 8 & 0xFF, n & 0xFF])
    tcph = _tcp(443, 32768 + n % 28000, n * 7919 & 0xFFFFFFFF)
    return _eth(ROUTER_MAC, client_mac) + _ip(server, client, 6, len(tcph) + len(flight), ttl=SERVER_TTL) + \
        tcph + flight


def background_frames(rng: random.Random) -> list[bytes]:
    """A few thousand distinct ordinary frames to cycle through."""
    frames = []
    base = 0xC6120000  # 198.18.0.0
    for i in range(4000):
        a, b = base + 0x200 + rng.randrange(1, 250), 0xC6130000 + rng.randrange(1, 60000)
        macs = bytes([0x02, 0, 0, 0, i >> 8 & 0xFF, i & 0xFF]), ROUTER_MAC
        kind = rng.random()
        if kind < 0.2:  # HTTPS / TLS from clients: requests, ACKs
            body = rng.randbytes(rng.choice((60, 200, 1200, 1400)))
            tcph = _tcp(rng.randrange(32768, 60999), 443, rng.getrandbits(32))
            frames.append(_eth(*macs) + _ip(a, b, 6, len(tcph) + len(body)) + tcph + body)
        elif kind < 0.55:  # HTTPS / TLS from servers: bulk application data
            frames.append(https_from_server(rng, a, b, macs[0]))
        elif kind < 0.75:  # DNS, NTP
            port = rng.choice((53, 123))
            body = rng.randbytes(48 if port == 123 else 40)
            udph = struct.pack(">HHHH", rng.randrange(32768, 60999), port, 8 + len(body), 0)
            frames.append(_eth(*macs) + _ip(a, b, 17, len(udph) + len(body)) + udph + body)
        elif kind < 0.9:  # QUIC
            body = rng.randbytes(1200)
            udph = struct.pack(">HHHH", rng.randrange(32768, 60999), 443, 8 + len(body), 0)
            frames.append(_eth(*macs) + _ip(a, b, 17, len(udph) + len(body)) + udph + body)
        elif kind < 0.99:  # SMB
            body = rng.randbytes(300)
            tcph = struct.pack(">HHIIBBHHH", rng.randrange(32768, 60999), 445, rng.getrandbits(32), 1,
                               0x50, 0x18, 65535, 0, 0)
            frames.append(_eth(*macs) + _ip(a, b, 6, len(tcph) + len(body)) + tcph + body)
        else:  # a fragmented UDP datagram (e.g. IPsec NAT-T) in two pieces
            body = rng.randbytes(2000)
            udp = struct.pack(">HHHH", 4500, 4500, 8 + len(body), 0) + body
            ident = rng.getrandbits(16)
            first, rest = udp[:1480], udp[1480:]
            frames.append(_eth(*macs) + _ip(a, b, 17, len(first), ident, 0x2000) + first)
            frames.append(_eth(*macs) + _ip(a, b, 17, len(rest), ident, 1480 // 8) + rest)
    return frames


FLIGHT_EVERY = 250  # one new HTTPS connection's first server flight per this many packets


def build(path: Path, packets: int, discovery: list[bytes], repeats: int) -> int:
    rng = random.Random(2026)
    bg = background_frames(rng)
    flights = certificate_flights(rng)
    total_disc = len(discovery) * repeats
    every = max(1, packets // max(1, total_disc))
    n = 0
    t = 1_700_000_000
    with path.open("wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        rec = struct.Struct("<IIII")
        di = 0
        bi = 0
        chunk = []
        while n < packets:
            if n % every == 0 and di < total_disc:
                f = discovery[di % len(discovery)]
                di += 1
            elif n % FLIGHT_EVERY == FLIGHT_EVERY // 2:
                f = flight_frame(*flights[n // FLIGHT_EVERY % len(flights)], n // FLIGHT_EVERY)
            else:
                f = bg[bi % len(bg)]
                bi += 1
            chunk.append(rec.pack(t + n // 10000, n % 1_000_000, len(f), len(f)))
            chunk.append(f)
            n += 1
            if len(chunk) > 20000:
                fh.write(b"".join(chunk))
                chunk.clear()
        fh.write(b"".join(chunk))
    return n


def run_timed(cmd: list[str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB of this process alone, exit status, stderr)."""
    import os
    import tempfile

    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return dt, usage.ru_maxrss, proc.returncode, err.read().decode(errors="replace")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packets", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=4, help="times each demo frame recurs in the big capture")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from camscan.replay.pcapfile import DISCOVERY_FILTER

    OUT.mkdir(parents=True, exist_ok=True)
    small = ROOT / "pcaps" / "demo.pcap"
    big = OUT / f"big-v2-{args.packets}.pcap"  # v2: HTTPS both ways, with certificate flights
    # rebuilt whenever the demo capture is newer: a stale one would compare against old devices
    if not big.exists() or big.stat().st_mtime < small.stat().st_mtime:
        disc = read_pcap_frames(small)
        t0 = time.perf_counter()
        n = build(big, args.packets, disc, args.repeats)
        print(f"built {big.name}: {n} packets, {big.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
    tcpdump = shutil.which("tcpdump")
    if not tcpdump:
        print("tcpdump is not installed (apt-get install tcpdump); cannot measure the reference")
        return 1
    # warm the page cache so both read from memory (in a child, so this process stays small and
    # the children's peak-memory figures are their own)
    subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=False)
    t_ref, _, rc, err = run_timed([tcpdump, "-n", "-r", str(big), "-w", "/dev/null", DISCOVERY_FILTER])
    if rc != 0:
        print("tcpdump failed:", err.strip())
        return 1
    t_small, small_peak, rc, err = run_timed([*CAMSCAN, "replay", str(small), "-q", "--csv", str(OUT / "small.csv")])
    t_big, big_peak, rc, err = run_timed([*CAMSCAN, "replay", str(big), "-q", "--csv", str(OUT / "big.csv")])
    if rc != 0:
        print("camscan failed:", err.strip())
        return 1
    same = (OUT / "small.csv").read_text() == (OUT / "big.csv").read_text()
    pps = args.packets / t_big
    print(f"packets:                  {args.packets:,}")
    print(f"tcpdump -r -w /dev/null:  {t_ref:.2f} s  ({args.packets / t_ref / 1e6:.2f} M packets/s)")
    print(f"camscan replay:           {t_big:.2f} s  ({pps / 1e6:.2f} M packets/s; target >= 1.00)")
    print(f"ratio camscan/tcpdump:    {t_big / t_ref:.2f}x  (target <= 2x; the whole run, Python's start-up included)")
    # the packets' own cost: the big run less the demo's (start-up, imports, a 28-device
    # inventory), against tcpdump, whose start-up is a few milliseconds
    print(f"  per packet:             {(t_big - t_small) / t_ref:.2f}x  (the big run less the demo run's "
          f"{t_small:.2f} s of start-up and output)")
    print(f"camscan on demo.pcap:     {t_small:.2f} s (start-up included)")
    print(f"peak RSS:                 small run {small_peak / 1024:.0f} MiB, big run {big_peak / 1024:.0f} MiB")
    print(f"same inventory as demo:   {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
