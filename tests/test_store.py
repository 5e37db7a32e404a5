"""Scan history (camscan/store/, SQLite backend) and the diff between two scans (camscan/report/diff.py)."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from camscan import __version__
from camscan.model import Device, Inventory
from camscan.report.diff import diff
from camscan.report.diff_output import render_json, render_table
from camscan.store import MIGRATIONS, History, HistoryError, default_db_path, schema


def inv(*devices: Device, when: str = "2025-01-01T10:00:00+00:00", targets: tuple[str, ...] = ("198.19.1.0/24",),
        ) -> Inventory:
    return Inventory(devices=list(devices), targets=list(targets), scanned_at=when)


def cam(ip: str, **kw) -> Device:
    kw.setdefault("manufacturer", "Hikvision")
    kw.setdefault("brand", "Hikvision")
    kw.setdefault("device_type", "camera")
    kw.setdefault("form", "static")
    kw.setdefault("model", "DS-2CD2143G0-I")
    return Device(ip=ip, **kw)


FULL = Device(
    ip="10.1.1.5", mac="44:19:b6:01:02:03", manufacturer="Hikvision", brand="HiLook", device_type="camera",
    form="ptz", model="PTZ-N2404I-DE3", firmware="V5.5.0 build 191126", serial="DS-2DE2A404IW20190101AAWR",
    name="Car park ↗ «east»", via="10.1.1.2", channel=0, site="Depot", advisories=["CVE-2021-36260", "ICSA-17-124-01"],
    evidence=["arp", "oui", "sadp", "nvr"], confidence="high",
    provenance={"model": "sadp", "ip": "arp", "via": "nvr"}, notes=["seen on two channels", "'quoted' \"note\""],
    mac_randomised=True,
)


@pytest.fixture
def hist(tmp_path: Path):
    with History(tmp_path / "h" / "history.sqlite3") as h:
        yield h


# -- where the database lives ------------------------------------------------------------------

def test_default_db_path_follows_camscan_db_then_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CAMSCAN_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_db_path() == tmp_path / ".local/share/camscan/history.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # the XDG spec says to ignore it
    assert default_db_path() == tmp_path / ".local/share/camscan/history.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data/camscan/history.sqlite3"
    monkeypatch.setenv("CAMSCAN_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_new_database_is_created_with_its_directories_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "history.sqlite3"
    with History(path) as h:
        assert h.schema_version == len(MIGRATIONS) == 4
        assert h.scans() == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- record and read back ----------------------------------------------------------------------

def test_fields_without_a_column_of_their_own_round_trip(hist: History) -> None:
    """Advisory findings (and any field the inventory gains later) are kept in the `more` column
    through the one serialiser: a new inventory field needs no schema change to reach history."""
    from camscan.model import AdvisoryFinding

    d = cam("10.1.1.5", advisories=["CVE-2021-36260"],
            findings=[AdvisoryFinding("CVE-2021-36260", "command injection", heuristic=True)])
    got = hist.devices(hist.record(inv(d), "scan"))
    assert got[0].findings == [AdvisoryFinding("CVE-2021-36260", "command injection", heuristic=True)]
    assert got == [d]


def test_every_field_round_trips(hist: History) -> None:
    bare = Device(ip="10.1.1.9")  # defaults: channel None, empty lists
    on_ch3 = cam("", via="10.1.1.2", channel=3, serial="X1")
    scan_id = hist.record(inv(FULL, bare, on_ch3), "scan")
    got = hist.devices(scan_id)
    assert got == [FULL, bare, on_ch3]
    assert got[0].channel == 0 and got[1].channel is None and got[2].channel == 3
    assert got[0].advisories == ["CVE-2021-36260", "ICSA-17-124-01"] and got[1].advisories == []
    assert got[0].mac_randomised is True and got[1].mac_randomised is False


def test_recorded_inventory_comes_back_whole(hist: History) -> None:
    i = inv(FULL, targets=("198.19.1.0/24", "demo.pcap"))
    i.skipped = {"malformed": 2, "out of scope": 5}
    i.notes = ["error: demo.pcap truncated"]
    scan_id = hist.record(i, "replay")
    back = hist.inventory(scan_id)
    assert back.devices == [FULL]
    assert back.targets == ["198.19.1.0/24", "demo.pcap"]
    assert back.scanned_at == "2025-01-01T10:00:00+00:00"
    assert back.skipped == {"malformed": 2, "out of scope": 5}
    assert back.notes == ["error: demo.pcap truncated"]


def test_scans_are_listed_newest_first(hist: History) -> None:
    a = hist.record(inv(cam("10.1.1.1"), when="2025-01-01T10:00:00+00:00"), "scan")
    b = hist.record(inv(cam("10.1.1.1"), cam("10.1.1.2"), when="2025-01-02T10:00:00+00:00",
                        targets=("x.pcap",)), "replay")
    c = hist.record(inv(when=""), "report")  # no time given: now
    scans = hist.scans()
    assert [s.id for s in scans] == [c, b, a]
    assert (scans[1].kind, scans[1].targets, scans[1].device_count, scans[1].started_at) == (
        "replay", ["x.pcap"], 2, "2025-01-02T10:00:00+00:00")
    assert scans[0].device_count == 0 and scans[0].started_at.startswith("20")
    assert all(s.camscan_version == __version__ for s in scans)


def test_unknown_kind_is_refused(hist: History) -> None:
    with pytest.raises(ValueError, match="scan kind must be one of scan, replay, report"):
        hist.record(inv(), "scna")
    assert hist.scans() == []


def test_a_missing_scan_is_named(hist: History) -> None:
    with pytest.raises(HistoryError, match=r"no scan 42; `camscan history` lists them"):
        hist.devices(42)


# -- picking a scan ----------------------------------------------------------------------------

def test_resolve_by_position_word_and_id(hist: History) -> None:
    ids = [hist.record(inv(cam(f"10.1.1.{n}")), "scan") for n in range(1, 5)]
    assert hist.resolve(None, 0) == ids[-1]
    assert hist.resolve(None, 1) == ids[-2]  # `diff` with no arguments: previous vs latest
    assert hist.resolve("-1", 0) == ids[-1]
    assert hist.resolve("-2", 0) == ids[-2]
    assert hist.resolve("-4", 0) == ids[0]
    assert hist.resolve("latest", 1) == ids[-1]
    assert hist.resolve("previous", 0) == ids[-2]
    assert hist.resolve("first", 0) == ids[0]
    assert hist.resolve(str(ids[1]), 0) == ids[1]
    assert hist.resolve(f" {ids[1]} ", 0) == ids[1]


def test_resolve_errors_say_what_to_do(hist: History) -> None:
    with pytest.raises(HistoryError, match="need at least two recorded scans to diff") as e:
        hist.resolve(None, 1)
    assert e.value.exit_code == 2
    hist.record(inv(cam("10.1.1.1")), "scan")
    with pytest.raises(HistoryError, match="need at least two recorded scans to diff"):
        hist.resolve(None, 1)
    with pytest.raises(HistoryError, match=r"^no scan 7; `camscan history` lists them$"):
        hist.resolve("7", 0)
    with pytest.raises(HistoryError, match=r"no scan -3 \(the history has 1 scan\); `camscan history` lists them"):
        hist.resolve("-3", 0)
    with pytest.raises(HistoryError, match="-1 is the latest scan"):
        hist.resolve("-0", 0)
    with pytest.raises(HistoryError, match="'yesterday' is not a scan"):
        hist.resolve("yesterday", 0)
    with pytest.raises(HistoryError, match="is not a scan"):
        hist.resolve("²", 0)  # a digit to str.isdigit, not to int()


def test_resolve_on_an_empty_history(hist: History) -> None:
    with pytest.raises(HistoryError, match="no scans recorded yet"):
        hist.resolve(None, 0)
    with pytest.raises(HistoryError, match="no scans recorded yet"):
        hist.resolve("first", 0)


# -- schema versions and bad files -------------------------------------------------------------

def test_a_version_1_database_is_migrated_and_keeps_its_scans(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(schema.script(0, "sqlite"))  # what camscan wrote before migration 2 existed
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO scans (started_at, kind, targets, device_count, camscan_version) "
                 "VALUES ('2024-06-01T08:00:00+00:00', 'scan', '[\"198.19.0.0/24\"]', 1, '0.0.9')")
    conn.execute("INSERT INTO devices (scan_id, ip, serial, channel, evidence) VALUES (1, '10.0.0.7', 'S7', NULL, "
                 "'[\"sadp\"]')")
    conn.commit()
    conn.close()
    with History(path) as h:
        assert h.schema_version == 4
        [old] = h.scans()
        assert (old.id, old.kind, old.targets, old.camscan_version) == (1, "scan", ["198.19.0.0/24"], "0.0.9")
        assert h.devices(1) == [Device(ip="10.0.0.7", serial="S7", evidence=["sadp"])]
        back = h.inventory(1)
        assert back.skipped == {} and back.notes == []  # the columns migration 2 added
        assert (old.site, old.uuid, old.sensor) == ("", "", "")  # and migration 3
        new_id = h.record(inv(cam("10.0.0.8")), "scan")
        assert new_id == 2 and h.inventory(new_id).devices == [cam("10.0.0.8")]
    with History(path) as h:  # opening again is a no-op
        assert h.schema_version == 4 and len(h.scans()) == 2


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record(inv(cam("10.0.0.1")), "scan")
    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, "CREATE TABLE sites (name TEXT);\n"
                                               "INSERT INTO no_such_table VALUES (1);\n"])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    with pytest.raises(HistoryError, match=f"{path}.*no such table: no_such_table") as e:
        History(path)
    assert e.value.exit_code == 1
    monkeypatch.undo()
    with History(path) as h:
        assert h.schema_version == 4 and len(h.scans()) == 1
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'sites'").fetchall() == []
    conn.close()


def test_a_database_from_a_newer_camscan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with History(path) as h:
        h.record(inv(cam("10.0.0.1")), "scan")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(HistoryError) as e:
        History(path)
    assert str(path) in str(e.value)
    assert "made by a newer camscan (schema 9)" in str(e.value)
    assert "upgrade camscan" in str(e.value)


def test_a_file_that_is_not_sqlite_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    content = b"ip,mac,manufacturer\n10.0.0.1,,Hikvision\n" * 200
    path.write_bytes(content)
    with pytest.raises(HistoryError, match="is not a camscan history database") as e:
        History(path)
    assert str(path) in str(e.value)
    assert path.read_bytes() == content


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scans (x)")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match=f"{path} is an SQLite file but not camscan's history"):
        History(path)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=f"{tmp_path} is a directory"):
        History(tmp_path)


# -- interrupted writes ------------------------------------------------------------------------

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


def test_an_interrupted_record_leaves_no_partial_scan(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        first = h.record(inv(cam("10.0.0.1")), "scan")
        many = [cam(f"10.0.{n // 250}.{n % 250}") for n in range(1000)]
        broken = inv()
        broken.devices = _Interrupted(many, after=600)
        with pytest.raises(KeyboardInterrupt):
            h.record(broken, "scan")
        assert [s.id for s in h.scans()] == [first]
        # the connection is usable afterwards
        second = h.record(inv(cam("10.0.0.2")), "scan")
        assert h.devices(second) == [cam("10.0.0.2")]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 2
    assert conn.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 2
    conn.close()


def test_a_row_that_cannot_be_written_loses_the_whole_scan(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    bad = cam("10.0.0.9")
    bad.provenance = {"model": object()}  # type: ignore[dict-item]  # not JSON
    with History(path) as h:
        with pytest.raises(TypeError):
            h.record(inv(cam("10.0.0.1"), cam("10.0.0.2"), bad), "scan")
        assert h.scans() == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 0
    conn.close()


# -- diff: matching ----------------------------------------------------------------------------

def test_new_and_gone() -> None:
    old = [cam("10.1.1.1", serial="A"), cam("10.1.1.2", serial="B")]
    new = [cam("10.1.1.1", serial="A"), cam("10.1.1.3", serial="C", model="DS-2CD2387G2-LU")]
    d = diff(old, new)
    assert [x.serial for x in d.new] == ["C"]
    assert [x.serial for x in d.gone] == ["B"]
    assert d.moved == d.reflashed == d.changed == []
    assert d.unchanged == 1
    out = render_table(d)
    assert out.splitlines()[0] == ("1 new, 1 gone, 0 moved, 0 re-flashed, 0 changed, 0 new risk, 0 more detail, "
                                   "1 unchanged")
    assert "new (1):\n  10.1.1.3" in out and "DS-2CD2387G2-LU" in out and "serial C" in out
    assert "gone (1):\n  10.1.1.2" in out


def test_same_serial_new_ip_is_a_move() -> None:
    old = [cam("10.1.1.5", serial="DS-2CD2143G0-I20190101AAWRD12345678")]
    new = [cam("10.1.1.9", serial="ds-2cd2143g0-i20190101aawrd12345678")]  # case does not matter
    d = diff(old, new)
    assert d.new == d.gone == [] and d.changed == []
    [m] = d.moved
    assert m.matched_by == "serial" and m.fields == {"ip": ("10.1.1.5", "10.1.1.9")}
    assert "ip 10.1.1.5 -> 10.1.1.9 (same serial)" in render_table(d)


def test_same_mac_new_firmware_is_a_reflash() -> None:
    old = [cam("10.1.1.3", mac="44:19:b6:aa:bb:cc", firmware="V5.5.0 build 191126")]
    new = [cam("10.1.1.3", mac="44:19:B6:AA:BB:CC", firmware="V5.7.3 build 220112")]
    d = diff(old, new)
    [r] = d.reflashed
    assert r.matched_by == "mac" and d.moved == d.changed == d.new == d.gone == []
    out = render_table(d)
    assert out.startswith("0 new, 0 gone, 0 moved, 1 re-flashed, 0 changed, 0 new risk, 0 more detail, 0 unchanged\n")
    line = next(ln for ln in out.splitlines() if ln.startswith("  10.1.1.3"))
    assert "Hikvision" in line and "DS-2CD2143G0-I" in line
    assert line.endswith("firmware V5.5.0 build 191126 -> V5.7.3 build 220112")


def test_moved_and_reflashed_is_counted_in_both() -> None:
    old = [cam("10.1.1.3", serial="S", firmware="V5.5.0 build 191126")]
    new = [cam("10.1.1.4", serial="S", firmware="V5.7.3 build 220112")]
    d = diff(old, new)
    assert len(d.moved) == len(d.reflashed) == 1 and d.unchanged == 0
    assert render_table(d).startswith("0 new, 0 gone, 1 moved, 1 re-flashed")


def test_dhcp_swap_is_two_moves_not_two_changed_devices() -> None:
    a = cam("10.1.1.10", mac="44:19:b6:00:00:0a", model="DS-2CD2143G0-I", firmware="V5.5.0")
    b = Device(ip="10.1.1.11", mac="3c:ef:8c:00:00:0b", manufacturer="Dahua", brand="Amcrest",
               device_type="camera", model="IP4M-1041B", firmware="V2.800")
    a2, b2 = cam("10.1.1.11", mac=a.mac, firmware="V5.5.0"), Device(**{**_fields(b), "ip": "10.1.1.10"})
    d = diff([a, b], [b2, a2])
    assert d.changed == d.reflashed == d.new == d.gone == []
    assert sorted((m.fields["ip"], m.matched_by) for m in d.moved) == [
        (("10.1.1.10", "10.1.1.11"), "mac"), (("10.1.1.11", "10.1.1.10"), "mac")]
    out = render_table(d)
    assert "ip 10.1.1.10 -> 10.1.1.11" in out and "ip 10.1.1.11 -> 10.1.1.10" in out
    assert "Dahua (Amcrest)" in out


def test_dhcp_swap_seen_across_a_router_is_matched_by_serial() -> None:
    old = [cam("10.2.0.5", serial="S5", model="M5"), cam("10.2.0.6", serial="S6", model="M6")]
    new = [cam("10.2.0.6", serial="S5", model="M5"), cam("10.2.0.5", serial="S6", model="M6")]
    d = diff(old, new)
    assert len(d.moved) == 2 and d.changed == [] and {m.matched_by for m in d.moved} == {"serial"}


def test_a_different_device_at_the_same_ip_is_gone_and_new() -> None:
    old = [cam("10.1.1.7", serial="OLD1", model="DS-2CD2143G0-I")]
    new = [cam("10.1.1.7", serial="NEW1", model="DS-2CD2387G2-LU")]
    d = diff(old, new)
    assert [x.serial for x in d.gone] == ["OLD1"] and [x.serial for x in d.new] == ["NEW1"]
    assert d.changed == []


def test_same_ip_without_serial_or_mac_is_the_same_device() -> None:
    old = [Device(ip="10.3.0.1", device_type="unknown", model="")]
    new = [Device(ip="10.3.0.1", device_type="camera", manufacturer="Uniview", model="IPC2124LB")]
    d = diff(old, new)
    assert d.unchanged == 0 and d.new == d.gone == d.changed == []  # learning more is not a change...
    assert len(d.more_detail) == 1  # ...but more detail


def test_a_field_one_scan_did_not_learn_is_not_a_change() -> None:
    old = [cam("10.1.1.3", mac="44:19:b6:aa:bb:cc", firmware="V5.5.0 build 191126", serial="S")]
    new = [cam("10.1.1.3", mac="44:19:b6:aa:bb:cc", firmware="", serial="")]  # no credentials this time
    d = diff(old, new)
    assert d.unchanged == 1 and d.reflashed == d.changed == []
    assert render_table(d) == ("0 new, 0 gone, 0 moved, 0 re-flashed, 0 changed, 0 new risk, 0 more detail, "
                               "1 unchanged\nno differences\n")


def test_same_mac_different_serial_string_is_a_change() -> None:
    old = [cam("10.1.1.3", mac="44:19:b6:aa:bb:cc", serial="12345678", model="DS-2CD2143G0-I")]
    new = [cam("10.1.1.3", mac="44:19:b6:aa:bb:cc", serial="DS-2CD2143G0-I20190101AAWRD12345678",
               model="DS-2CD2143G0-IS")]
    d = diff(old, new)
    [c] = d.changed
    assert c.matched_by == "mac"
    assert "model DS-2CD2143G0-I -> DS-2CD2143G0-IS, serial 12345678 -> DS-2CD2143G0-I20190101AAWRD12345678 " \
           "(same mac)" in render_table(d)


def test_cameras_behind_a_recorder_are_matched_by_recorder_and_channel() -> None:
    nvr_old = Device(ip="10.1.1.2", device_type="nvr", manufacturer="Hikvision", model="DS-7608NI-K2",
                     serial="NVR1")
    nvr_new = Device(ip="10.1.1.20", device_type="nvr", manufacturer="Hikvision", model="DS-7608NI-K2",
                     serial="NVR1")  # the recorder got a new address
    ch1 = cam("", via="10.1.1.2", channel=1, firmware="V5.5.0 build 191126")
    ch2 = cam("", via="10.1.1.2", channel=2, model="DS-2CD1023G0-I")
    d = diff([nvr_old, ch1, ch2], [
        nvr_new,
        cam("", via="10.1.1.20", channel=1, firmware="V5.7.3 build 220112"),
        cam("", via="10.1.1.20", channel=2, model="DS-2CD1023G0-I"),
    ])
    assert d.new == d.gone == [] and d.changed == []
    assert sorted(m.fields.get("via", m.fields.get("ip")) for m in d.moved) == [
        ("10.1.1.2", "10.1.1.20")] * 3
    assert {m.matched_by for m in d.moved} == {"serial", "recorder channel"}
    [r] = d.reflashed
    assert r.new.channel == 1 and r.matched_by == "recorder channel"
    out = render_table(d)
    assert "  via 10.1.1.20 ch 1" in out and "firmware V5.5.0 build 191126 -> V5.7.3 build 220112" in out
    assert "via 10.1.1.2 -> 10.1.1.20 (same recorder channel)" in out


def test_recorder_channel_by_ip_and_a_replaced_camera_on_a_channel() -> None:
    nvr = Device(ip="10.1.1.2", device_type="nvr", manufacturer="Dahua", model="NVR4108HS-4KS2")  # no serial
    old = [nvr, cam("", via="10.1.1.2", channel=1, serial="C1"), cam("", via="10.1.1.2", channel=2, firmware="A")]
    new = [nvr, cam("", via="10.1.1.2", channel=1, serial="C9"), cam("", via="10.1.1.2", channel=2, firmware="B")]
    d = diff(old, new)
    assert [x.serial for x in d.gone] == ["C1"] and [x.serial for x in d.new] == ["C9"]  # swapped camera
    [r] = d.reflashed
    assert r.new.channel == 2 and r.fields == {"firmware": ("A", "B")}


def test_shared_or_randomised_identities_match_nothing() -> None:
    # two cheap cameras with the same placeholder serial, and a phone with a randomised MAC
    old = [cam("10.4.0.1", serial="0000000"), cam("10.4.0.2", serial="0000000"),
           Device(ip="10.4.0.3", mac="da:00:00:00:00:01", mac_randomised=True)]
    new = [cam("10.4.0.2", serial="0000000"), cam("10.4.0.1", serial="0000000"),
           Device(ip="10.4.0.9", mac="da:00:00:00:00:01", mac_randomised=True)]
    d = diff(old, new)
    assert d.moved == [] and d.unchanged == 2  # the placeholder serials fell through to the IP
    assert [x.ip for x in d.new] == ["10.4.0.9"] and [x.ip for x in d.gone] == ["10.4.0.3"]


# -- diff: output ------------------------------------------------------------------------------

def _fields(d: Device) -> dict:
    return {name: getattr(d, name) for name in Device.__slots__}


def _example():
    old = [cam("10.1.1.5", serial="S1"), cam("10.1.1.6", mac="44:19:b6:00:00:06", firmware="V5.5.0 build 191126"),
           cam("10.1.1.7", serial="GONE")]
    new = [cam("10.1.1.9", serial="S1"), cam("10.1.1.6", mac="44:19:b6:00:00:06", firmware="V5.7.3 build 220112"),
           cam("10.1.1.8", serial="NEW", model="DS-2CD\x1b[31mX")]
    return diff(old, new)


def test_render_table_sections() -> None:
    out = render_table(_example())
    lines = out.splitlines()
    assert lines[0] == "1 new, 1 gone, 1 moved, 1 re-flashed, 0 changed, 0 new risk, 0 more detail, 0 unchanged"
    titles = [ln for ln in lines if ln and not ln.startswith(" ")][1:]
    assert titles == ["new (1):", "gone (1):", "moved (1):", "re-flashed (1):"]
    assert "changed (" not in out
    assert "\x1b" not in out and "DS-2CD [31mX" in out  # a device's text cannot drive the terminal


def test_render_json_is_stable_and_complete() -> None:
    text = render_json(_example())
    assert text == render_json(_example())
    doc = json.loads(text)
    assert list(doc) == ["summary", "new", "gone", "moved", "reflashed", "changed", "new_risk",
                         "more_detail"]
    assert doc["summary"] == {"new": 1, "gone": 1, "moved": 1, "reflashed": 1, "changed": 0, "new_risk": 0,
                              "more_detail": 0, "unchanged": 0}
    assert doc["new"][0]["serial"] == "NEW" and doc["new"][0]["model"] == "DS-2CD\x1b[31mX"  # kept as data in JSON
    assert list(doc["new"][0]) == ["ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware",
                                   "serial", "name", "via", "channel", "site", "advisories", "findings", "evidence",
                                   "confidence", "provenance", "notes", "mac_randomised", "ipv6", "addresses",
                                   "oui_vendor", "analytics", "channels_unasked", "channel_capacity",
                                   "tls_sha256", "tls_changed"]
    [m] = doc["moved"]
    assert m["matched_by"] == "serial" and m["changes"] == {"ip": {"old": "10.1.1.5", "new": "10.1.1.9"}}
    assert m["old"]["ip"] == "10.1.1.5" and m["new"]["ip"] == "10.1.1.9"
    [r] = doc["reflashed"]
    assert r["changes"] == {"firmware": {"old": "V5.5.0 build 191126", "new": "V5.7.3 build 220112"}}


# -- scale -------------------------------------------------------------------------------------

def test_twenty_thousand_devices_record_read_and_diff(hist: History) -> None:
    """At estate scale every row comes back as written and the diff finds every move and re-flash
    (how fast is measured by bench/report_bench.py and bench/store_bench.py, not here)."""
    def estate(shift: int, fw: str) -> list[Device]:
        out = []
        for n in range(20_000):
            ip = f"10.{(n + shift) // 65536 % 256}.{(n + shift) // 256 % 256}.{(n + shift) % 256}"
            out.append(cam(ip, mac=f"44:19:b6:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}",
                           serial=f"SN{n:08d}", firmware=fw if n % 10 == 0 else "V5.5.0",
                           evidence=["arp", "sadp"], provenance={"serial": "sadp"}))
        return out

    old, new = estate(0, "V5.5.0"), estate(7, "V5.7.3")
    a = hist.record(inv(*old), "scan")
    b = hist.record(inv(*new), "scan")
    old_back, new_back = hist.devices(a), hist.devices(b)
    d = diff(old_back, new_back)
    assert render_table(d).startswith("0 new, 0 gone, 20000 moved, 2000 re-flashed")
    assert old_back == old and new_back == new
    assert len(d.moved) == 20_000 and len(d.reflashed) == 2_000 and d.new == d.gone == []



# -- sites and scan identity (migration 3) -----------------------------------------------------

def test_a_scan_is_kept_once_per_uuid_and_carries_its_site_and_sensor(hist: History) -> None:
    a = hist.record(inv(cam("10.0.0.1")), "scan", site="Depot", scan_uuid="u-1", sensor="sensor-a")
    assert hist.store(inv(cam("10.0.0.1")), "scan", site="Depot", scan_uuid="u-1") == (a, False)
    b = hist.record(inv(cam("10.0.0.2")), "replay", site="HQ")
    [info_b, info_a] = hist.scans()
    assert (info_a.site, info_a.uuid, info_a.sensor) == ("Depot", "u-1", "sensor-a")
    assert info_b.site == "HQ" and len(info_b.uuid) == 36 and info_b.sensor  # a fresh UUID and this host's name
    assert [s.id for s in hist.scans(site="HQ")] == [b]
    hist.delete(a)
    assert [s.id for s in hist.scans()] == [b]
    with pytest.raises(HistoryError, match=f"no scan {a}"):
        hist.delete(a)


def test_where_the_store_is_and_where_its_password_may_come_from(tmp_path: Path) -> None:
    from camscan.errors import InputError
    from camscan.store import resolve

    home = {"HOME": str(tmp_path), "PGPASSFILE": str(tmp_path / "none")}
    assert resolve(None, {**home, "XDG_DATA_HOME": str(tmp_path / "d")}).path == tmp_path / "d/camscan/history.sqlite3"
    assert resolve(str(tmp_path / "h.db"), home).path == tmp_path / "h.db"
    server = resolve("postgresql://sensor@db.example:5432/camscan?sslmode=verify-full", home)
    assert server.is_postgres and server.path is None and server.secret == ""
    from_env = resolve(None, {**home, "CAMSCAN_DB": "postgresql://sensor:Env-Pw-4@db.example/camscan"})
    assert from_env.secret == "Env-Pw-4" and from_env.display == "postgresql://sensor@db.example/camscan"
    assert "Env-Pw-4" not in repr(from_env)
    for refused, message in (("postgresql://sensor:Cli-Pw-5@db/camscan", "other users can read on a command line"),
                             ("postgresql://sensor@db/camscan?password=Cli-Pw-5", "other users can read"),
                             ("host=db dbname=camscan", "give the server as a URL"),
                             ("mysql://db/camscan", r"SQLite \(a file path\) or PostgreSQL")):
        with pytest.raises(InputError, match=message) as e:
            resolve(refused, home)
        assert "Cli-Pw-5" not in str(e.value) and "\n" not in str(e.value)
    config = tmp_path / "db.toml"
    config.write_text('url = "postgresql://sensor:File-Pw-6@db/camscan"\n')
    config.chmod(0o604)
    with pytest.raises(InputError, match=f"{config}: database config readable by other users .*chmod 600"):
        resolve(f"@{config}", home)
    config.chmod(0o600)
    assert resolve(f"@{config}", home).secret == "File-Pw-6"
    config.write_text("url = 3\n")
    with pytest.raises(InputError, match='give the database as url = "postgresql://'):
        resolve(f"@{config}", home)
