"""The central store on a real PostgreSQL server (a throw-away cluster, tests/pgcluster.py):
the same migrations and the same answers as SQLite, and a sensor role that can only add and read."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from pgcluster import ensure_sensor_role

from camscan.model import Device, Inventory
from camscan.store import HistoryError, SqliteHistory, open_store, resolve, schema
from camscan.store.postgres import PgHistory

FULL = Device(
    ip="10.1.1.5", mac="44:19:b6:01:02:03", manufacturer="Hikvision", brand="HiLook", device_type="camera",
    form="ptz", model="PTZ-N2404I-DE3", firmware="V5.5.0 build 191126", serial="DS-2DE2A404IW20190101AAWR",
    name="Car park ↗ «east» 'x' \\ \t tab", via="10.1.1.2", channel=0, site="Depot",
    advisories=["CVE-2021-36260"], evidence=["arp", "oui", "sadp", "nvr"], confidence="high",
    provenance={"model": "sadp", "ip": "arp"}, notes=["seen on two channels", "'quoted' \"note\""],
    mac_randomised=True, tls_sha256="5e" * 32, tls_changed=True,
)


def inv(*devices: Device, when: str = "2026-01-01T10:00:00+00:00") -> Inventory:
    return Inventory(devices=list(devices), targets=["198.18.0.0/24"], scanned_at=when,
                     skipped={"bad xml": 2}, notes=["one note"])


def pg(url: str) -> PgHistory:
    store = open_store(resolve(url, environ={}))
    assert isinstance(store, PgHistory)
    return store


def test_a_new_database_gets_every_migration_once(pg_url: str) -> None:
    with pg(pg_url) as h:
        assert h.schema_version == schema.SCHEMA_VERSION == 4
        assert h.scans() == []
    with pg(pg_url) as h:  # opening again changes nothing
        assert h.schema_version == 4
    with psycopg.connect(pg_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        columns = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'scans' ORDER BY ordinal_position")]
    assert tables == {"scans", "devices", "camscan_schema"}
    assert columns[-5:] == ["skipped", "notes", "site", "uuid", "sensor"]


def test_a_version_1_server_database_is_migrated_and_keeps_its_scans(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE camscan_schema (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO camscan_schema VALUES (1)")
        for statement in schema.statements(schema.script(0, "postgresql")):
            conn.execute(statement)
        conn.execute("INSERT INTO scans (started_at, kind, device_count, camscan_version) "
                     "VALUES ('2024-06-01T08:00:00+00:00', 'scan', 1, '0.0.9')")
        conn.execute("INSERT INTO devices (scan_id, ip, serial) VALUES (1, '10.0.0.7', 'S7')")
    with pg(pg_url) as h:
        assert h.schema_version == 4
        [old] = h.scans()
        assert (old.id, old.camscan_version, old.site, old.uuid) == (1, "0.0.9", "", "")
        assert h.devices(1) == [Device(ip="10.0.0.7", serial="S7")]


def test_a_failing_migration_leaves_the_server_database_as_it_was(pg_url: str, monkeypatch) -> None:
    with pg(pg_url) as h:
        h.record(inv(Device(ip="10.0.0.1")), "scan")
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, "CREATE TABLE extra (name TEXT);\n"
                                               "INSERT INTO no_such_table VALUES (1);\n"])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    with pytest.raises(HistoryError, match="no_such_table") as e:
        pg(pg_url)
    assert e.value.exit_code == 1
    monkeypatch.undo()
    with pg(pg_url) as h:
        assert h.schema_version == 4 and len(h.scans()) == 1
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('extra')").fetchone()[0] is None


def test_an_inventory_round_trips_exactly_as_in_sqlite(pg_url: str, tmp_path) -> None:
    bare = Device(ip="10.1.1.9")
    recorded = inv(FULL, bare, Device(ip="", via="10.1.1.2", channel=3, evidence=["nvr"]))
    with pg(pg_url) as server, SqliteHistory(tmp_path / "h.sqlite3") as local:
        a = server.record(recorded, "replay", site="Depot", scan_uuid="u-1", sensor="sensor-1")
        b = local.record(recorded, "replay", site="Depot", scan_uuid="u-1", sensor="sensor-1")
        assert server.inventory(a) == local.inventory(b) == recorded
        assert server.scans() == local.scans()
        [info] = server.scans(site="Depot")
        assert (info.site, info.uuid, info.sensor, info.device_count, info.kind) == ("Depot", "u-1", "sensor-1", 3,
                                                                                     "replay")
        assert server.scans(site="Elsewhere") == []
        # the same scan pushed again is kept once
        assert server.store(recorded, "replay", site="Depot", scan_uuid="u-1") == (a, False)
        assert len(server.scans()) == 1 and len(server.devices(a)) == 3


def test_latest_per_site_goes_by_when_the_scan_was_taken(pg_url: str) -> None:
    with pg(pg_url) as h:
        h.record(inv(Device(ip="10.0.0.1"), when="2026-01-02T00:00:00+00:00"), "scan", site="A")
        newest_a = h.record(inv(Device(ip="10.0.0.2"), when="2026-01-03T00:00:00+00:00"), "scan", site="A")
        h.record(inv(Device(ip="10.0.0.3"), when="2026-01-01T00:00:00+00:00"), "scan", site="A")  # pushed late
        b = h.record(inv(Device(ip="10.0.1.1")), "replay", site="B")
        h.record(inv(Device(ip="10.0.2.1")), "scan")  # no site: not a site's
        assert [(s.site, s.id) for s in h.latest_per_site()] == [("A", newest_a), ("B", b)]
        assert [s.id for s in h.latest_per_site("B")] == [b]
        assert h.resolve(None, 0, site="A") == 3 and h.resolve("-2", site="A") == newest_a


def test_the_sensor_role_can_add_and_read_but_not_change_or_delete(pg_cluster, pg_url: str) -> None:
    db = urlsplit(pg_url).path.lstrip("/")
    with pg(pg_url) as owner:  # the owner creates the tables
        first = owner.record(inv(Device(ip="10.0.0.1")), "scan", site="HQ")
    password = ensure_sensor_role(pg_cluster)
    grants = (Path(__file__).parents[1] / "deploy" / "sensor-grants.sql").read_text()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in schema.statements(grants):
            conn.execute(statement)
    url = pg_cluster.tcp_url("camscan_sensor", db)
    with open_store(resolve(url, environ={"PGPASSWORD": password})) as sensor:
        second = sensor.record(inv(Device(ip="10.0.0.2")), "scan", site="Depot")
        assert [s.id for s in sensor.scans()] == [second, first]
        with pytest.raises(HistoryError, match="permission denied"):
            sensor.delete(first)
    with psycopg.connect(url, password=password) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE devices SET ip = '1.2.3.4'")


class _Interrupted(list):
    """A device list whose iteration is cut off (Ctrl-C) after `after` rows."""

    def __init__(self, devices: list[Device], after: int) -> None:
        super().__init__(devices)
        self.after = after

    def __iter__(self):
        for n, d in enumerate(super().__iter__()):
            if n == self.after:
                raise KeyboardInterrupt
            yield d


def test_an_interrupted_or_failed_scan_leaves_nothing_on_the_server(pg_url: str) -> None:
    with pg(pg_url) as h:
        first = h.record(inv(Device(ip="10.0.0.1")), "scan")
        broken = inv()
        broken.devices = _Interrupted([Device(ip=f"10.0.{n // 250}.{n % 250}") for n in range(1000)], after=600)
        with pytest.raises(KeyboardInterrupt):
            h.record(broken, "scan")
        bad = Device(ip="10.0.0.9", provenance={"model": object()})  # type: ignore[dict-item]  # not JSON
        with pytest.raises(TypeError):
            h.record(inv(Device(ip="10.0.0.2"), bad), "scan")
        assert [s.id for s in h.scans()] == [first]
        second = h.record(inv(Device(ip="10.0.0.3")), "scan")  # the connection is usable afterwards
        assert h.devices(second) == [Device(ip="10.0.0.3")]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM devices").fetchone()[0] == 2
