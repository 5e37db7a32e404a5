"""The sensor's systemd units in deploy/ are valid (systemd-analyze verify, where it exists), run
what the README says, and the database set-up SQL files are what the PostgreSQL tests ran."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def test_the_sensor_service_pushes_the_spool_then_scans_its_site() -> None:
    unit = (DEPLOY / "camscan-sensor.service").read_text()
    starts = [ln.split("=", 1)[1] for ln in unit.splitlines() if ln.startswith("ExecStart=")]
    assert starts == ["-/usr/local/bin/camscan push",
                      "/usr/local/bin/camscan scan $CAMSCAN_TARGETS --site ${CAMSCAN_SITE} --quiet"]
    assert "EnvironmentFile=/etc/camscan/sensor.env" in unit and "StateDirectory=camscan" in unit
    env = (DEPLOY / "sensor.env.example").read_text()
    assert "CAMSCAN_DB=@/etc/camscan/db.toml" in env and "PGPASSWORD" not in env


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    # verify insists that ExecStart's program exists: point it at this checkout's camscan
    camscan = Path(sys.executable).with_name("camscan")
    if not camscan.exists():
        pytest.skip(f"no camscan entry point next to {sys.executable}")
    for name in ("camscan-sensor.service", "camscan-sensor.timer"):
        text = (DEPLOY / name).read_text().replace("/usr/local/bin/camscan", str(camscan))
        (tmp_path / name).write_text(text)
    proc = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "camscan-sensor.timer"),
                           str(tmp_path / "camscan-sensor.service")], capture_output=True, text=True, timeout=60)
    problems = [ln for ln in proc.stderr.splitlines() if "camscan-sensor" in ln]
    assert proc.returncode == 0 and problems == [], proc.stderr
