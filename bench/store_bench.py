"""Store benchmark: an estate of 200 sites × 100 devices. Each site's scan is ingested the way a
sensor does it (open the store, record the scan in one transaction, close) into PostgreSQL and
into SQLite, then the estate-wide report (`camscan report --db … --latest-per-site` with FOI,
HTML, CSV and JSON) is made from each.

    .venv/bin/python bench/store_bench.py [--sites 200] [--devices 100] [--pg-url URL]

Without --pg-url a throw-away PostgreSQL cluster is started (tests/pgcluster.py; Debian's
postgresql package) and the sensors log in over TCP as the restricted role with a SCRAM password.
Targets: one site's ingest under 0.2 s, the estate report from PostgreSQL under 5 s (including
Python start-up). Prints the figures; exit 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from camscan.model import Device, Inventory  # noqa: E402
from camscan.store import open_store, resolve  # noqa: E402

MODELS = [("Hikvision", "Hikvision", "camera", "static", "DS-2CD2386G2-IU", "V5.7.15 build 240201"),
          ("Hikvision", "Hikvision", "camera", "ptz", "DS-2DE4425IW-DE", "V5.5.41 build 200911"),
          ("Hikvision", "HiLook", "camera", "static", "IPC-T240H", "V5.5.800 build 210628"),
          ("Hikvision", "Hikvision", "nvr", "", "DS-7608NXI-I2/8P/S", "V4.62.210 build 230612"),
          ("Dahua", "Dahua", "camera", "static", "IPC-HDW5831R-ZE", "2.800.0000016.0.R build 2020-06-05"),
          ("Dahua", "Amcrest", "camera", "ptz", "SD49225XA-HNR", "2.640.0000000.12.R build 2021-02-26"),
          ("Axis", "Axis", "camera", "static", "M1065-LW", ""),
          ("", "", "unknown", "", "", "")]


def site_scan(site: int, devices: int) -> Inventory:
    rows = []
    for i in range(devices):
        m, b, t, f, model, fw = MODELS[i % len(MODELS)]
        n = site * devices + i
        rows.append(Device(ip=f"10.{site // 256}.{site % 256}.{i + 1}",
                           mac=f"44:19:b6:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}",
                           manufacturer=m, brand=b, device_type=t, form=f, model=model, firmware=fw,
                           serial=f"{model}{n:09d}" if model else "", name=f"site {site} cam {i}",
                           evidence=["arp", "sadp", "http"], confidence="high" if m else "",
                           provenance={"model": "sadp", "serial": "sadp"} if m else {}))
    return Inventory(devices=rows, targets=[f"10.{site // 256}.{site % 256}.0/24"],
                     scanned_at=f"2026-11-{1 + site % 28:02d}T02:{site % 60:02d}:00+00:00")


def ingest(db: str, sites: int, devices: int, env: dict[str, str]) -> list[float]:
    scans = [site_scan(s, devices) for s in range(sites)]
    times = []
    for s, inv in enumerate(scans):
        t0 = time.perf_counter()
        with open_store(resolve(db, environ=env)) as store:
            store.record(inv, "scan", site=f"Site {s:03d}")
        times.append(time.perf_counter() - t0)
    return times


def report(db: str, work: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "camscan", "report", "--db", db, "--latest-per-site",
                           "--foi", str(work / "foi.md"), "--html", str(work / "r.html"), "--csv",
                           str(work / "r.csv"), "--json", str(work / "r.json")], capture_output=True, text=True,
                          cwd=ROOT)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"camscan report failed: {proc.stderr.strip()}")
    return dt


def figures(name: str, times: list[float], report_s: float) -> str:
    return (f"{name:<11} ingest per site: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, all {sum(times):.1f} s;  estate report: {report_s:.2f} s")


def throwaway_cluster():
    """A cluster, its admin URL, and a sensor role's URL over TCP with a SCRAM password (as a
    sensor on another machine logs in), with the grants of deploy/sensor-grants.sql."""
    from pgcluster import PgCluster

    from camscan.store import schema

    cluster = PgCluster()
    cluster.sql("CREATE DATABASE bench")
    url = cluster.admin_url("bench")
    open_store(resolve(url, environ={})).close()
    cluster.sql("CREATE ROLE camscan_sensor LOGIN PASSWORD 'bench-only'")
    for statement in schema.statements((ROOT / "deploy" / "sensor-grants.sql").read_text()):
        cluster.sql(statement, "bench")
    return cluster, url, cluster.tcp_url("camscan_sensor", "bench"), {**os.environ, "PGPASSWORD": "bench-only"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--pg-url", help="an empty PostgreSQL database (default: a throw-away cluster)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="camscan-store-bench-"))
    cluster = None
    url, sensor_url, sensor_env = args.pg_url, args.pg_url, dict(os.environ)
    if not url:
        cluster, url, sensor_url, sensor_env = throwaway_cluster()
    try:
        pg_times = ingest(sensor_url, args.sites, args.devices, sensor_env)
        pg_report = report(url, work)
        sqlite_db = str(work / "estate.sqlite3")
        sq_times = ingest(sqlite_db, args.sites, args.devices, dict(os.environ))
        sq_report = report(sqlite_db, work)
    finally:
        if cluster is not None:
            cluster.remove()
    print(f"estate: {args.sites} sites x {args.devices} devices = {args.sites * args.devices:,} devices")
    print(figures("PostgreSQL", pg_times, pg_report))
    print(figures("SQLite", sq_times, sq_report))
    print("targets: ingest of one site's scan < 0.2 s; estate report from PostgreSQL < 5 s")
    return 0 if max(pg_times) < 0.2 and pg_report < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
