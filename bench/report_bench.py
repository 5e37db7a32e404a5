"""Report benchmark: `camscan report` (all outputs) on a generated 20,000-device inventory, and
`camscan diff` of two such scans.

    .venv/bin/python bench/report_bench.py [--devices 20000]

Targets on this machine: the report in under 3 s, the diff in under 2 s (both including
Python start-up). Prints the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODELS = [("Hikvision", "Hikvision", "camera", "static", "DS-2CD2386G2-IU", "V5.7.15 build 240201"),
          ("Hikvision", "Hikvision", "camera", "ptz", "DS-2DE4425IW-DE", "V5.5.41 build 200911"),
          ("Hikvision", "HiLook", "camera", "static", "IPC-T240H", "V5.5.800 build 210628"),
          ("Hikvision", "Hikvision", "nvr", "", "DS-7608NXI-I2/8P/S", "V4.62.210 build 230612"),
          ("Dahua", "Dahua", "camera", "static", "IPC-HDW5831R-ZE", "2.800.0000016.0.R build 2020-06-05"),
          ("Dahua", "Amcrest", "camera", "ptz", "SD49225XA-HNR", "2.640.0000000.12.R build 2021-02-26"),
          ("Axis", "Axis", "camera", "static", "M1065-LW", ""),
          ("", "", "unknown", "", "", "")]


def make_inventory(n: int, seed: int, flash: float = 0.0) -> dict:
    rng = random.Random(seed)
    devices = []
    for i in range(n):
        m, b, t, f, model, fw = MODELS[i % len(MODELS)]
        if flash and rng.random() < flash and fw.startswith("V5"):
            fw = "V5.7.18 build 240826"
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        devices.append({"ip": ip, "mac": f"44:19:b6:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}",
                        "manufacturer": m, "brand": b, "device_type": t, "form": f, "model": model,
                        "firmware": fw, "serial": f"{model}{i:09d}" if model else "", "name": f"cam {i}",
                        "via": "", "channel": None, "site": "", "advisories": [], "evidence": ["arp", "sadp"],
                        "confidence": "high" if m else "", "provenance": {}, "notes": [], "mac_randomised": False})
    return {"camscan": "bench", "scanned_at": "2026-11-23T00:00:00+00:00", "targets": ["198.18.0.0/15"],
            "devices": devices}


def timed(*args: str, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"camscan {args[0]} failed: {proc.stderr.strip()}")
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=20_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="camscan-report-bench-"))
    inv = work / "inv.json"
    inv.write_text(json.dumps(make_inventory(args.devices, 1)))
    sites = work / "sites.toml"
    sites.write_text("".join(f'[[site]]\nname = "Site {k}"\nnetworks = ["10.0.{k}.0/24"]\n\n' for k in range(60)))
    register = work / "register.csv"
    register.write_text("MAC,Purchase date,Cost\n" + "".join(
        f"44:19:b6:00:{(i >> 8) & 255:02x}:{i & 255:02x},2021-01-01,100\n" for i in range(0, args.devices, 3)))
    t_report = timed("report", str(inv), "--sites", str(sites), "--assets", str(register), "--html",
                     str(work / "r.html"), "--foi", str(work / "foi.md"), "--csv", str(work / "r.csv"),
                     "--json", str(work / "r.json"))

    from camscan.report.inventory_file import load_inventory
    from camscan.store import History

    db = work / "history.sqlite3"
    store = History(db)
    store.record(load_inventory(str(inv)), "scan")
    second = work / "inv2.json"
    doc = make_inventory(args.devices, 2, flash=0.2)
    for d in doc["devices"][::50]:  # some moved by DHCP
        d["ip"] = d["ip"].replace("10.", "11.", 1)
    second.write_text(json.dumps(doc))
    store.record(load_inventory(str(second)), "scan")
    t_diff = timed("diff", "--db", str(db))
    print(f"devices:                 {args.devices:,}")
    print(f"report (all outputs):    {t_report:.2f} s  (target < 3 s)")
    print(f"diff of two scans:       {t_diff:.2f} s  (target < 2 s)")
    return 0 if t_report < 3 and t_diff < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
