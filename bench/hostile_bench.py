"""Hostile-input benchmark: what a rogue host on the link can make `camscan replay` spend.

    python bench/hostile_bench.py [--devices 100000] [--datagrams 100] [--segments 300000]

Builds, once (cached in bench/out/), the captures of tools/pcapgen/floods.py:
- 100,000 spoofed SADP devices (each its own IP and MAC);
- the fragment flood: 64 KB UDP datagrams in 8-byte IPv4 fragments (100 of them: ~47 MB);
- the gzip bomb: one ISAPI answer of a few KB, `Content-Encoding: gzip, gzip`, 2 GB unpacked;
- 300,000 one-byte TCP segments on one connection;
- ordinary traffic frame for frame the size of the fragment flood's (unfragmented datagrams to
  the same port, each read and parsed), to compare the flood's speed with.
For each it prints the replay's time, packets/s, peak memory (RSS of the camscan process
alone) and the ratio to `tcpdump -r` with camscan's own filter, measured in the same run.
Targets: every case under 300 MB peak; the fragment flood at least as fast (packets/s) as the
ordinary traffic. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CAMSCAN = [sys.executable, "-m", "camscan"]
PEAK_LIMIT_MIB = 300


def run_timed(cmd: list[str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB of this child alone, exit status, stderr)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        err.seek(0)
        return dt, usage.ru_maxrss, os.waitstatus_to_exitcode(status), err.read().decode(errors="replace")


def cached(name: str, frames: Callable[[], Iterable[bytes]]) -> tuple[Path, int]:
    """The capture `name` in bench/out (built once), and its frame count."""
    from tools.pcapgen.floods import write_pcap

    path = OUT / name
    count_file = path.with_suffix(".count")
    if not path.exists() or not count_file.exists():
        t0 = time.perf_counter()
        n = write_pcap(path, frames())
        count_file.write_text(str(n))
        print(f"built {name}: {n:,} frames, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    return path, int(count_file.read_text())


def captures(args: argparse.Namespace) -> list[tuple[str, Path, int]]:
    from tools.pcapgen import floods as fl

    def bomb() -> list[bytes]:
        body = fl.gzip_bomb(2 << 30, layers=2)
        return [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC),
                *fl.isapi_exchange(fl.http_response(body, "Content-Encoding: gzip, gzip\r\n"))]

    flood, flood_n = cached(f"hostile-fragments-{args.datagrams}.pcap", lambda: fl.fragment_flood(args.datagrams))
    out = [
        (f"{args.devices:,} spoofed SADP devices",
         *cached(f"hostile-sadp-{args.devices}.pcap", lambda: fl.spoofed_sadp(args.devices))),
        (f"fragment flood ({args.datagrams} x 64 KB in 8-byte pieces)", flood, flood_n),
        ("ordinary traffic, same frames", *cached(
            f"hostile-ordinary-{args.datagrams}.pcap", lambda: fl.ordinary_like(fl.fragment_flood(args.datagrams)))),
        ("gzip bomb (gzip, gzip; 2 GB unpacked)", *cached("hostile-gzip-bomb.pcap", bomb)),
        (f"{args.segments:,} one-byte TCP segments",
         *cached(f"hostile-segments-{args.segments}.pcap", lambda: fl.one_byte_segments(args.segments))),
    ]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=100_000)
    ap.add_argument("--datagrams", type=int, default=100)
    ap.add_argument("--segments", type=int, default=300_000)
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.build_only:
        captures(args)
        return 0
    # built in a child: a child's peak memory counts what it inherited at fork, so this process
    # must stay small for the figures to be camscan's own
    build = [sys.executable, __file__, "--build-only", "--devices", str(args.devices), "--datagrams",
             str(args.datagrams), "--segments", str(args.segments)]
    if subprocess.run(build, check=False).returncode != 0:
        return 1
    # camscan's own BPF filter, read in a child too (importing camscan here would grow this process)
    bpf = subprocess.run([sys.executable, "-c", "from camscan.replay.pcapfile import DISCOVERY_FILTER as F; print(F)"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    tcpdump = shutil.which("tcpdump")
    if not tcpdump:
        print("tcpdump is not installed (apt-get install tcpdump); cannot measure the reference")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    pps: dict[str, float] = {}
    print(f"{'case':<46} {'frames':>9} {'MB':>6} {'camscan s':>9} {'k pkt/s':>8} {'peak MiB':>8} "
          f"{'tcpdump s':>9} {'ratio':>6}")
    for label, path, frames in captures(args):
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=False)  # warm the page cache
        t_ref, _, rc, err = run_timed([tcpdump, "-n", "-r", str(path), "-w", "/dev/null", bpf])
        if rc != 0:
            print(f"{label}: tcpdump failed: {err.strip()}")
            return 1
        t, peak, rc, err = run_timed([*CAMSCAN, "replay", str(path), "-q", "--no-history",
                                      "--json", str(OUT / (path.stem + ".json"))])
        if rc != 0:
            print(f"{label}: camscan failed ({rc}): {err.strip()[-300:]}")
            ok = False
            continue
        pps[label] = frames / t
        peak_mib = peak / 1024
        ok &= peak_mib < PEAK_LIMIT_MIB
        print(f"{label:<46} {frames:>9,} {path.stat().st_size / 1e6:>6.1f} {t:>9.2f} {frames / t / 1e3:>8.0f} "
              f"{peak_mib:>8.0f} {t_ref:>9.2f} {t / t_ref:>6.1f}x")
        skipped = _skipped(OUT / (path.stem + ".json"))
        if skipped:
            print(f"{'':<4}skipped: {skipped}")
    flood, ordinary = (next(v for k, v in pps.items() if k.startswith(p)) for p in ("fragment", "ordinary"))
    faster = flood >= ordinary
    ok &= faster
    print(f"\nfragment flood / ordinary traffic, packets/s: {flood / ordinary:.2f} (target >= 1.00)")
    print(f"every case under {PEAK_LIMIT_MIB} MiB peak and the flood as fast as ordinary traffic: "
          f"{'yes' if ok else 'NO'}")
    return 0 if ok else 1


def _skipped(path: Path) -> str:
    import json

    doc = json.loads(path.read_text())
    return ", ".join(f"{n:,} {k}" for k, n in doc.get("skipped", {}).items())


if __name__ == "__main__":
    raise SystemExit(main())
