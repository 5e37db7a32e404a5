"""Many sensors, one PostgreSQL server (a real one: tests/pgcluster.py): concurrent writers lose
and mix nothing, a server killed mid-run costs nothing (the sensors spool, `camscan push`
delivers every scan exactly once), and the database password never shows."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from pgcluster import SENSOR_PASSWORD, ClusterUnavailable, PgCluster, ensure_sensor_role

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = SENSOR_PASSWORD


def camscan(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=120)


def sensors(count: int, scans: int, rows: int, pause: float, env: dict[str, str], spool_dir: Path) -> list:
    procs = []
    for n in range(count):
        penv = {**os.environ, **env, "CAMSCAN_SPOOL": str(spool_dir / f"spool{n}.sqlite3")}
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "tests" / "pg_sensor.py"), str(n), str(scans),
                                       str(rows), str(pause)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=penv, cwd=ROOT))
    return procs


def check_every_scan_once_and_whole(url: str, count: int, scans: int, rows: int) -> None:
    with psycopg.connect(url) as conn:
        targets = Counter(r[0] for r in conn.execute("SELECT targets FROM scans"))
        assert targets == Counter({f'["sensor{s}-scan{n}"]': 1 for s in range(count) for n in range(scans)})
        mixed = conn.execute(
            "SELECT count(*) FROM devices d JOIN scans s ON s.id = d.scan_id "
            "WHERE s.targets <> '[\"sensor' || split_part(substr(d.serial, 2), '-', 1) || '-scan' "
            "|| split_part(d.serial, '-', 2) || '\"]' OR s.site <> 'site' || split_part(substr(d.serial, 2), '-', 1)"
        ).fetchone()[0]
        assert mixed == 0
        short = conn.execute("SELECT count(*) FROM scans s WHERE device_count <> %s OR "
                             "(SELECT count(*) FROM devices d WHERE d.scan_id = s.id) <> %s", (rows, rows)).fetchone()
        assert short[0] == 0
        assert conn.execute("SELECT count(DISTINCT uuid) FROM scans").fetchone()[0] == count * scans


@pytest.fixture
def sensor_env(pg_cluster, pg_url: str) -> tuple[str, dict[str, str]]:
    """A database set up by its owner, and the environment of a sensor that logs in as the
    restricted camscan_sensor role over TCP with its password in PGPASSWORD."""
    from camscan.store import open_store, resolve, schema

    db = pg_url.split("?")[0].rsplit("/", 1)[1]
    open_store(resolve(pg_url, environ={})).close()  # the owner creates the tables
    ensure_sensor_role(pg_cluster)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in schema.statements((ROOT / "deploy" / "sensor-grants.sql").read_text()):
            conn.execute(statement)
    return pg_url, {"CAMSCAN_DB": pg_cluster.tcp_url("camscan_sensor", db), "PGPASSWORD": PASSWORD}


def test_eight_sensors_writing_at_once_lose_and_mix_nothing(sensor_env, tmp_path: Path) -> None:
    admin_url, env = sensor_env
    procs = sensors(8, 12, 100, 0.0, env, tmp_path)
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.split() == ["server"] * 12, err
        assert PASSWORD not in out + err
    check_every_scan_once_and_whole(admin_url, 8, 12, 100)


def test_a_server_killed_mid_run_loses_nothing_and_push_delivers_each_scan_once(tmp_path: Path) -> None:
    cluster = own_cluster()
    try:
        cluster.sql("CREATE DATABASE estate")
        url = cluster.admin_url("estate")
        from camscan.store import open_store, resolve

        open_store(resolve(url, environ={})).close()
        env = {"CAMSCAN_DB": url}
        procs = sensors(4, 25, 50, 0.04, env, tmp_path)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with psycopg.connect(url) as conn:
                if conn.execute("SELECT count(*) FROM scans").fetchone()[0] >= 20:
                    break
            time.sleep(0.02)
        cluster.kill()
        outs = [p.communicate(timeout=300) for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
        spooled = sum(out.split().count("spool") for out, _ in outs)
        assert spooled > 0 and "the scan is kept in the spool" in "".join(e for _, e in outs)
        cluster.start()
        for n in range(4):
            spool_env = {**env, "CAMSCAN_SPOOL": str(tmp_path / f"spool{n}.sqlite3")}
            first = camscan("push", env=spool_env)
            assert first.returncode == 0, first.stderr
            again = camscan("push", env=spool_env)
            assert again.returncode == 0 and again.stdout.startswith("nothing to push"), again.stdout
        check_every_scan_once_and_whole(url, 4, 25, 50)
    finally:
        cluster.remove()


def test_push_of_a_scan_the_server_already_has_adds_nothing(pg_url: str, tmp_path: Path) -> None:
    from camscan.model import Device, Inventory
    from camscan.store import SqliteHistory, open_store, resolve

    inv = Inventory(devices=[Device(ip="10.0.0.1", serial="S1")], targets=["t"], scanned_at="2026-01-01T00:00:00+00:00")
    spool = tmp_path / "spool.sqlite3"
    # the server committed the scan but the sensor never heard back, so it spooled it too
    with open_store(resolve(pg_url, environ={})) as server:
        server.record(inv, "scan", site="A", scan_uuid="lost-reply")
    with SqliteHistory(spool) as local:
        local.record(inv, "scan", site="A", scan_uuid="lost-reply")
        local.record(inv, "scan", site="A", scan_uuid="never-sent")
    proc = camscan("push", env={"CAMSCAN_DB": pg_url, "CAMSCAN_SPOOL": str(spool)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("pushed 2 scans to postgresql://") and "(1 the store had already)" in proc.stdout
    with open_store(resolve(pg_url, environ={})) as server:
        assert sorted(s.uuid for s in server.scans()) == ["lost-reply", "never-sent"]
    with SqliteHistory(spool) as local:
        assert local.scans() == []


# -- the password never shows ------------------------------------------------------------------

def test_a_password_on_the_command_line_is_refused_in_one_line_without_echoing_it(tmp_path: Path) -> None:
    env = {"CAMSCAN_SPOOL": str(tmp_path / "spool.sqlite3")}
    for args in (["history"], ["replay", str(ROOT / "pcaps" / "demo.pcap")], ["push"], ["report", "--latest-per-site"]):
        proc = camscan(*args, "--db", f"postgresql://camscan_sensor:{PASSWORD}@127.0.0.1:1/camscan", env=env)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == "" and PASSWORD not in proc.stderr
        assert proc.stderr.count("\n") == 1 and "PGPASSWORD" in proc.stderr and "~/.pgpass" in proc.stderr
    assert not (tmp_path / "spool.sqlite3").exists()  # refused before any work


def test_a_wrong_password_from_the_environment_never_shows(sensor_env, tmp_path: Path) -> None:
    _, env = sensor_env
    wrong = {**env, "PGPASSWORD": "Wr0ng-Pass-77aa", "CAMSCAN_SPOOL": str(tmp_path / "spool.sqlite3")}
    hist = camscan("history", env=wrong)
    assert hist.returncode == 2 and "password authentication failed" in hist.stderr
    replay = camscan("replay", str(ROOT / "pcaps" / "demo.pcap"), "-q", env=wrong)
    assert replay.returncode == 0 and "kept in the spool" in replay.stderr
    for proc in (hist, replay):
        assert "Wr0ng-Pass-77aa" not in proc.stdout + proc.stderr and PASSWORD not in proc.stdout + proc.stderr
    right = camscan("push", env={**wrong, "PGPASSWORD": PASSWORD})
    assert right.returncode == 0 and right.stdout.startswith("pushed 1 scan to postgresql://camscan_sensor@")


def test_a_url_with_its_password_in_a_protected_config_file(sensor_env, tmp_path: Path) -> None:
    _, env = sensor_env
    url = env["CAMSCAN_DB"].replace("camscan_sensor@", f"camscan_sensor:{PASSWORD}@")
    config = tmp_path / "db.toml"
    config.write_text(f'url = "{url}"\n')
    config.chmod(0o640)
    base = {"CAMSCAN_DB": "", "PGPASSWORD": "", "PGPASSFILE": str(tmp_path / "none")}
    loose = camscan("history", "--db", f"@{config}", env=base)
    assert loose.returncode == 2 and f"run: chmod 600 {config}" in loose.stderr and PASSWORD not in loose.stderr
    config.chmod(0o600)
    ok = camscan("history", "--db", f"@{config}", env=base)
    assert ok.returncode == 0, ok.stderr
    config.write_text(f'url = "{url.replace(PASSWORD, "Not-It-3141")}"\n')
    bad = camscan("history", "--db", f"@{config}", env=base)
    assert bad.returncode == 2 and "password authentication failed" in bad.stderr
    assert "Not-It-3141" not in bad.stderr and "camscan_sensor@127.0.0.1" in bad.stderr
    via_env = camscan("history", env={**base, "CAMSCAN_DB": f"@{config}"})
    assert via_env.returncode == 2 and "Not-It-3141" not in via_env.stderr


def test_a_pgpass_file_others_can_read_is_refused(sensor_env, tmp_path: Path) -> None:
    _, env = sensor_env
    host_port = env["CAMSCAN_DB"].split("@")[1].split("/")[0]
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{host_port.replace(':', ':')}:*:camscan_sensor:{PASSWORD}\n")
    pgpass.chmod(0o644)
    base = {**env, "PGPASSWORD": "", "PGPASSFILE": str(pgpass)}
    loose = camscan("history", env=base)
    assert loose.returncode == 2 and "password file readable by other users (mode 0644)" in loose.stderr
    assert PASSWORD not in loose.stderr
    pgpass.chmod(stat.S_IRUSR | stat.S_IWUSR)
    ok = camscan("history", env=base)
    assert ok.returncode == 0, ok.stderr


def test_redaction_of_driver_messages() -> None:
    from camscan.store.target import redact, without_password

    assert without_password("postgresql://u:p%40ss@db.example:5432/camscan?sslmode=require&password=x") == \
        "postgresql://u@db.example:5432/camscan?sslmode=require"
    said = "failed: postgresql://u:hunter22@h/db password=hunter22 and password='a b' hunter22"
    assert "hunter22" not in redact(said, "hunter22") and "a b" not in redact(said)


@pytest.fixture
def fresh_cluster():
    """A cluster of its own (no roles yet), for a test that kills it or sets it up from scratch."""
    cluster = own_cluster()
    yield cluster
    cluster.remove()


def own_cluster() -> PgCluster:
    try:
        return PgCluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")


def test_the_readmes_central_database_set_up_end_to_end(fresh_cluster: PgCluster, tmp_path: Path) -> None:
    """deploy/central-db.sql as the superuser (psql), the owner's first camscan run creates the
    tables, deploy/sensor-grants.sql, then a sensor records a scan and cannot delete one."""
    import shutil

    pg_cluster = fresh_cluster
    psql = shutil.which("psql") or str(pg_cluster.bin / "psql")
    if not Path(psql).exists():
        pytest.skip("psql is not installed")
    superuser = subprocess.run([psql, "-X", "-v", "ON_ERROR_STOP=1", "-v", "owner_password=Own3r-pw-1",
                                "-v", f"sensor_password={PASSWORD}", "-f", str(ROOT / "deploy" / "central-db.sql"),
                                pg_cluster.admin_url()], capture_output=True, text=True, timeout=60)
    assert superuser.returncode == 0, superuser.stderr
    owner = {"CAMSCAN_DB": pg_cluster.tcp_url("camscan_owner", "camscan"), "PGPASSWORD": "Own3r-pw-1"}
    created = camscan("history", env=owner)
    assert created.returncode == 0 and created.stdout == "no scans recorded yet\n", created.stderr
    grants = subprocess.run([psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", str(ROOT / "deploy" / "sensor-grants.sql"),
                             owner["CAMSCAN_DB"]], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PGPASSWORD": "Own3r-pw-1"})
    assert grants.returncode == 0, grants.stderr
    sensor = {"CAMSCAN_DB": pg_cluster.tcp_url("camscan_sensor", "camscan"), "PGPASSWORD": PASSWORD,
              "CAMSCAN_SPOOL": str(tmp_path / "spool.sqlite3")}
    replay = camscan("replay", str(ROOT / "pcaps" / "demo.pcap"), "--site", "Depot", "-q", env=sensor)
    # with -q, only the one-line summary: no warning that the run was not recorded
    assert replay.returncode == 0 and len(replay.stderr.splitlines()) == 1, replay.stderr
    with (ROOT / "pcaps" / "demo.expected.csv").open(newline="") as golden:
        cameras = sum(row["device_type"] == "camera" for row in csv.DictReader(golden))
    assert replay.stderr.startswith(f"camscan: {cameras} cameras"), replay.stderr
    listed = camscan("history", env=sensor)
    assert "Depot / pcaps/demo.pcap" in listed.stdout or "Depot / " in listed.stdout
    with psycopg.connect(sensor["CAMSCAN_DB"], password=PASSWORD) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM devices")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE mine (x int)")


def test_three_sites_replayed_into_the_server_make_one_estate_report(sensor_env, tmp_path: Path) -> None:
    from test_estate import DEMO_ROWS, check_estate_outputs

    _, env = sensor_env
    env = {**env, "CAMSCAN_SPOOL": str(tmp_path / "spool.sqlite3")}
    for name, site in (("demo", "Depot"), ("stress-tcp", "HQ"), ("hostile", "Annex")):
        proc = camscan("replay", str(ROOT / "pcaps" / f"{name}.pcap"), "--site", site, "-q", env=env)
        assert proc.returncode in (0, 2) and "spool" not in proc.stderr, proc.stderr
    (tmp_path / "sites.toml").write_text('[[site]]\nname = "Far Depot"\nnetworks = ["198.18.4.0/24"]\n')
    proc = camscan("report", "--latest-per-site", "--sites", str(tmp_path / "sites.toml"), "--csv",
                   str(tmp_path / "estate.csv"), "--foi", str(tmp_path / "estate.md"), "--html",
                   str(tmp_path / "estate.html"), env=env)
    check_estate_outputs(tmp_path, proc)
    # HQ saw every Depot device, and the Annex 3 of them
    assert f"{DEMO_ROWS + 3} devices seen by more than one sensor counted once" in proc.stdout
    assert PASSWORD not in proc.stdout + proc.stderr
