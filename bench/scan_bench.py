"""Lab-scale scan benchmark: camscan against arp-scan and nmap in the same emulated estate.

    sudo .venv/bin/python bench/scan_bench.py [--hosts 980]

Builds the lab with `--hosts N` (default: 1,000 live addresses on the /22, about 200 of them
cameras and recorders of mixed makes), then, from the scanner's namespace, times:

* the ARP phase: camscan (from its own capture: first request to the last live host's reply)
  against `arp-scan -I eth0 198.18.0.0/22` and `nmap -n -sn 198.18.0.0/22`;
* the whole inventory: `camscan scan 198.18.0.0/22` against `nmap -n -sn` followed by
  `nmap -n -sV -p 80,554,8000 --script broadcast-wsdd-discover` on the hosts that answered,
  counting the devices each identified correctly (maker and kind) against the lab's profiles.

Prints the figures and ratios; tears the lab down at the end. Needs root (namespaces) and the
Debian packages arp-scan and nmap (installed by scripts/setup when run as root).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import netaddr  # noqa: E402

from camscan.lab import control, netns  # noqa: E402
from camscan.lab.profile import load_profiles  # noqa: E402
from camscan.lab.scale import load_clones  # noqa: E402

RANGE = "198.18.0.0/22"
MAKERS = ("Hikvision", "Dahua", "Axis")


def in_lab(*argv: str, timeout: float = 1800) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(["ip", "netns", "exec", netns.SCANNER, *argv], capture_output=True, text=True,
                          timeout=timeout)
    return time.perf_counter() - t0, proc


def expected_makers() -> dict[str, tuple[str, str]]:
    """ip -> (manufacturer, device_type) for every camera-world device in the lab (LAN only)."""
    profiles = load_profiles()
    out = {p.ip: (p.expect["manufacturer"], p.expect["device_type"]) for p in profiles
           if p.subnet == "lan" and p.expect["manufacturer"]}
    clones = netns.STATE_DIR / "clones.json"
    if clones.exists():
        for c in load_clones(clones, {p.id: p for p in profiles}):
            out[c.ip] = (c.expect["manufacturer"], c.expect["device_type"])
    return out


def arp_phase_from_capture(pcap: Path, live: set[str]) -> tuple[float, int]:
    out = subprocess.run(["tcpdump", "-tt", "-n", "-r", str(pcap), "arp"], capture_output=True, text=True).stdout
    first = None
    last = 0.0
    seen: set[str] = set()
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        ts = float(parts[0])
        if "Request" in line and first is None:
            first = ts
        m = re.search(r"Reply (\S+) is-at", line)
        if m and m.group(1) in live and m.group(1) not in seen:
            seen.add(m.group(1))
            last = ts
    return (last - first if first is not None else float("nan")), len(seen)


def nmap_identified(xml_path: Path, expected: dict[str, tuple[str, str]]) -> int:
    """Hosts whose nmap service/script output names their real maker."""
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError):
        return 0
    good = 0
    for host in root.iter("host"):
        addr = next((a.get("addr") for a in host.iter("address") if a.get("addrtype") == "ipv4"), "")
        text = " ".join(" ".join(f"{k}={v}" for k, v in el.attrib.items()) for el in host.iter()
                        if el.tag in ("service", "script"))
        text += " ".join(el.get("output", "") for el in host.iter("script"))
        want = expected.get(addr)
        if want and want[0].lower() in text.lower():
            good += 1
    return good


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=980, help="plain and cloned hosts added to the named devices")
    ap.add_argument("--range", dest="target", default=RANGE,
                    help=f"what every tool scans (default {RANGE}; the named devices alone: 198.18.0.0/24)")
    ap.add_argument("--skip-nmap-sv", action="store_true", help="skip the (slow) nmap -sV comparison")
    ap.add_argument("--nmap-timeout", type=float, default=900, help="seconds to let nmap -sV run (default 900)")
    args = ap.parse_args()
    for tool in ("arp-scan", "nmap", "tcpdump"):
        if not shutil.which(tool):
            print(f"{tool} is missing: run ./scripts/setup arp-scan nmap as root first")
            return 1
    target = args.target
    control.up(args.hosts, say=lambda m: print(m))
    try:
        state = netns.LabState.load()
        scope = netaddr.IPSet([target])
        live = {ip for ip in {h["ip"] for h in state.hosts if h["subnet"] == "lan"} | set(state.scale_ips)
                | {netns.ROUTER_LAN_IP} if ip in scope}
        expected = {ip: v for ip, v in expected_makers().items() if ip in scope}
        print(f"lab: {len(live)} live addresses on {target}, {len(expected)} of them cameras/recorders/intercoms")
        work = Path(tempfile.mkdtemp(prefix="camscan-bench-"))

        # --- whole camscan inventory (also gives the ARP phase, from its capture) ---
        cap, inv = work / "scan.pcap", work / "inv.csv"
        t_cs, proc = in_lab(sys.executable, "-m", "camscan", "scan", target, "--capture", str(cap), "--csv", str(inv),
                            "-q")
        if proc.returncode != 0:
            print("camscan scan failed:", proc.stderr.strip())
            return 1
        t_arp, found = arp_phase_from_capture(cap, live)
        rows = list(csv.DictReader(inv.open()))
        cs_good = sum(1 for r in rows if r["ip"] in expected and r["manufacturer"] == expected[r["ip"]][0]
                      and r["device_type"] == expected[r["ip"]][1])

        # --- the same scan with credentials (every lab device and clone has its account) ---
        creds = work / "creds.toml"
        accounts = {p.ip: p for p in load_profiles() if p.username}
        clones_file = netns.STATE_DIR / "clones.json"
        if clones_file.exists():
            accounts.update({c.ip: c for c in load_clones(clones_file, {p.id: p for p in load_profiles()})
                             if c.username})
        creds.write_text("".join(f'[[host]]\nip = "{ip}"\nusername = "{p.username}"\npassword = "{p.password}"\n'
                                 for ip, p in accounts.items()))
        creds.chmod(0o600)
        t_cred, proc = in_lab(sys.executable, "-m", "camscan", "scan", target, "--credentials", str(creds),
                              "--csv", str(work / "cred.csv"))
        m = re.search(r"enrich ([\d.]+) s", proc.stderr)
        t_enrich = float(m.group(1)) if m else float("nan")
        m = re.search(r"credentialed identification of (\d+) devices", proc.stderr)
        n_enrich = int(m.group(1)) if m else 0
        cred_rows = list(csv.DictReader((work / "cred.csv").open())) if (work / "cred.csv").exists() else []
        cred_good = sum(1 for r in cred_rows if r["ip"] in expected and r["manufacturer"] == expected[r["ip"]][0]
                        and r["device_type"] == expected[r["ip"]][1])
        behind = sum(1 for r in cred_rows if r["via"])

        # --- ARP phase of the reference tools ---
        t_as, proc = in_lab("arp-scan", "-I", "eth0", "-q", "-x", target)
        as_found = len({line.split()[0] for line in proc.stdout.splitlines() if line.strip()})
        t_sn, proc = in_lab("nmap", "-n", "-sn", target, "-oG", "-")
        up = [line.split()[1] for line in proc.stdout.splitlines() if "Status: Up" in line]

        print()
        print(f"ARP phase ({len(live)} live hosts):")
        print(f"  camscan (first request to last live reply) {t_arp:6.2f} s  found {found}")
        print(f"  arp-scan                                   {t_as:6.2f} s  found {as_found}   "
              f"camscan is {t_as / t_arp:.1f}x faster")
        print(f"  nmap -sn                                   {t_sn:6.2f} s  found {len(up)}   "
              f"camscan is {t_sn / t_arp:.1f}x faster")
        print()
        print("whole inventory:")
        print(f"  camscan scan                               {t_cs:6.2f} s  identified {cs_good}/{len(expected)}")
        missed = sorted((ip for ip in expected if ip not in {r["ip"] for r in rows if r["ip"] in expected and
                         r["manufacturer"] == expected[r["ip"]][0] and r["device_type"] == expected[r["ip"]][1]}),
                        key=lambda a: tuple(map(int, a.split("."))))
        by_ip = {r["ip"]: r for r in rows}
        for ip in missed[:8]:
            r = by_ip.get(ip, {})
            print(f"    not identified: {ip} expected {expected[ip]}, got "
                  f"({r.get('manufacturer', '-')}, {r.get('device_type', '-')}, {r.get('model', '')})")
        print(f"  camscan scan --credentials                 {t_cred:6.2f} s  identified {cred_good}/{len(expected)}"
              f", plus {behind} cameras behind recorders")
        print(f"    of which credentialed identification of {n_enrich} devices: {t_enrich:.2f} s (target < 5 s)")
        if not args.skip_nmap_sv:
            hosts = work / "up.txt"
            hosts.write_text("\n".join(up) + "\n")
            try:
                t_sv, proc = in_lab("nmap", "-n", "-Pn", "-sV", "-p", "80,554,8000", "--script",
                                    "broadcast-wsdd-discover", "-iL", str(hosts), "-oX", str(work / "nmap.xml"),
                                    timeout=args.nmap_timeout)
            except subprocess.TimeoutExpired:
                print(f"  nmap -sn + nmap -sV --script wsdd          did not finish within {args.nmap_timeout:.0f} s"
                      f"   camscan is more than {(t_sn + args.nmap_timeout) / t_cs:.0f}x faster")
                return 0
            nm_good = nmap_identified(work / "nmap.xml", expected)
            total = t_sn + t_sv
            print(f"  nmap -sn + nmap -sV --script wsdd          {total:6.2f} s  identified "
                  f"{nm_good}/{len(expected)}   camscan is {total / t_cs:.1f}x faster")
        return 0
    finally:
        control.down()


if __name__ == "__main__":
    raise SystemExit(main())
