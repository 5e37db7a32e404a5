"""Sensors in the lab writing to one PostgreSQL server at the same time: three live scans of
overlapping parts of the emulated estate, each tagged with its site, recorded concurrently
through the server's unix socket (the lab's namespaces share the file system, and nothing in
them has a route out), then one estate report in which every device is counted once.

Needs root and network namespaces (builds its own lab; run under `flock /tmp/cslab.lock`) and a
PostgreSQL server (tests/pgcluster.py); skips with the reason otherwise."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from labcheck import lab_unavailable

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[1]


if why := lab_unavailable("tcpdump"):
    pytest.skip(why, allow_module_level=True)


def camscan(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, **env})


@pytest.fixture(scope="module")
def lab():
    up = camscan("lab", "up", env={}, timeout=120)
    assert up.returncode == 0, up.stderr
    try:
        yield
    finally:
        down = camscan("lab", "down", env={})
        assert down.returncode == 0, down.stderr


SENSORS = {  # site: targets (the HQ sensor's routed scan covers part of both other sites)
    "LAN": ["198.18.0.0/24"],
    "Far": ["198.18.4.0/24"],
    "HQ": ["198.18.0.8/29", "198.18.4.0/24"],
}


def test_three_lab_sensors_at_once_make_one_estate(lab, pg_url: str, tmp_path: Path) -> None:
    env = {"CAMSCAN_DB": pg_url}
    procs = {}
    for site, targets in SENSORS.items():
        out = tmp_path / f"{site}.csv"
        procs[site] = subprocess.Popen(
            [sys.executable, "-m", "camscan", "lab", "exec", "--", sys.executable, "-m", "camscan", "scan",
             *targets, "--site", site, "--csv", str(out), "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, **env, "CAMSCAN_SPOOL": str(tmp_path / f"{site}-spool.sqlite3")})
    for site, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (site, err)
        assert "spool" not in err, err  # every scan reached the server
    hist = camscan("history", "--json", env=env)
    assert sorted(s["site"] for s in json.loads(hist.stdout)) == ["Far", "HQ", "LAN"]
    proc = camscan("report", "--latest-per-site", "--csv", str(tmp_path / "estate.csv"), "--foi",
                   str(tmp_path / "estate.md"), env=env)
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "estate.csv").open(newline="") as fh:
        merged = list(csv.DictReader(fh))
    seen: dict[str, list[dict[str, str]]] = {}
    for site in SENSORS:
        with (tmp_path / f"{site}.csv").open(newline="") as fh:
            seen[site] = list(csv.DictReader(fh))

    def key(r: dict[str, str]) -> tuple[str, str, str]:
        return r["ip"], r["via"], r["channel"]

    union = {key(r) for rows in seen.values() for r in rows}
    assert {key(r) for r in merged} == union
    # every device HQ's routed scan saw, the site's own sensor saw too: one row each, not two
    assert len(seen["HQ"]) >= 5 and {key(r) for r in seen["HQ"]} <= {key(r) for r in seen["LAN"] + seen["Far"]}
    assert [k for k, n in Counter(key(r) for r in merged).items() if n > 1] == []
    assert len(merged) == len(seen["LAN"]) + len(seen["Far"])
    assert f"{len(seen['HQ'])} devices seen by more than one sensor counted once" in proc.stdout
    lan_cam = next(r for r in merged if r["ip"] == "198.18.0.10")
    assert lan_cam["site"] == "LAN" and lan_cam["mac"]  # the site's own sensor's record, with the MAC
    foi = (tmp_path / "estate.md").read_text()
    assert "### LAN" in foi and "### Far" in foi
