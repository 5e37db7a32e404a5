"""Scan history: every recorded inventory in one SQLite file, so two scans can be compared later.

One row per run in `scans`, one row per inventory row in `devices` with the same per-device
fields the JSON export writes (INVENTORY.md): list fields (`advisories`, `evidence`, `notes`)
are JSON arrays and `provenance` a JSON object, so the file can be read with any SQLite tool
(`json_each` opens the lists). `channel` is NULL when a device sits on no recorder channel.

The schema is versioned with `PRAGMA user_version`: MIGRATIONS[i] takes a database from version
i to i + 1, and opening a database applies the missing steps in order, all in one transaction
(a failed step leaves the file as it was). A schema change is one more string at the end of
MIGRATIONS; never edit a released step. A database written by a newer camscan is refused, not
guessed at.

A scan is written in one transaction: an interrupted or failed `record` leaves no partial scan.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from camscan import __version__
from camscan.errors import CamscanError
from camscan.model import Device, Inventory

KINDS = ("scan", "replay", "report")

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE scans (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so "scan 5" keeps its meaning
        started_at      TEXT NOT NULL,                      -- ISO-8601, the inventory's scanned_at
        kind            TEXT NOT NULL,                      -- 'scan' | 'replay' | 'report'
        targets         TEXT NOT NULL DEFAULT '[]',         -- JSON array of the run's targets
        device_count    INTEGER NOT NULL,
        camscan_version TEXT NOT NULL
    );
    CREATE TABLE devices (
        id              INTEGER PRIMARY KEY,                -- keeps the inventory's row order
        scan_id         INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        ip              TEXT NOT NULL DEFAULT '',
        mac             TEXT NOT NULL DEFAULT '',
        manufacturer    TEXT NOT NULL DEFAULT '',
        brand           TEXT NOT NULL DEFAULT '',
        device_type     TEXT NOT NULL DEFAULT 'unknown',
        form            TEXT NOT NULL DEFAULT '',
        model           TEXT NOT NULL DEFAULT '',
        firmware        TEXT NOT NULL DEFAULT '',
        serial          TEXT NOT NULL DEFAULT '',
        name            TEXT NOT NULL DEFAULT '',
        via             TEXT NOT NULL DEFAULT '',
        channel         INTEGER,                            -- NULL: not on a recorder channel
        site            TEXT NOT NULL DEFAULT '',
        advisories      TEXT NOT NULL DEFAULT '[]',         -- JSON array
        evidence        TEXT NOT NULL DEFAULT '[]',         -- JSON array
        confidence      TEXT NOT NULL DEFAULT '',
        provenance      TEXT NOT NULL DEFAULT '{}',         -- JSON object {field: source}
        notes           TEXT NOT NULL DEFAULT '[]',         -- JSON array
        mac_randomised  INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX devices_by_scan ON devices(scan_id);
    """,
    # 2: the run-level facts an Inventory carries besides its rows (what was skipped, notes), so
    # a recorded scan can be reported again exactly as it was written
    """
    ALTER TABLE scans ADD COLUMN skipped TEXT NOT NULL DEFAULT '{}';  -- JSON object {reason: count}
    ALTER TABLE scans ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';    -- JSON array
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

# per-device columns, in the order of INVENTORY.md and the JSON export
_DEVICE_COLUMNS = (
    "ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial", "name",
    "via", "channel", "site", "advisories", "evidence", "confidence", "provenance", "notes", "mac_randomised",
)
_INSERT_DEVICE = (f"INSERT INTO devices (scan_id, {', '.join(_DEVICE_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * (len(_DEVICE_COLUMNS) + 1))})")
_SELECT_DEVICES = f"SELECT {', '.join(_DEVICE_COLUMNS)} FROM devices WHERE scan_id = ? ORDER BY id"


class HistoryError(CamscanError):
    """The history database or a scan reference is wrong; the message names the file or the
    reference. Exit 2 (the user can fix it) unless made with exit_code=1 (the disk failed)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class ScanInfo:
    """One recorded run, as `camscan history` lists it."""

    id: int
    started_at: str
    kind: str
    targets: list[str] = field(default_factory=list)
    device_count: int = 0
    camscan_version: str = ""


def default_db_path() -> Path:
    """$CAMSCAN_DB if set, else $XDG_DATA_HOME/camscan/history.sqlite3 (XDG's default data home
    is ~/.local/share; a relative $XDG_DATA_HOME is ignored, as the XDG spec says)."""
    explicit = os.environ.get("CAMSCAN_DB", "")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else Path.home() / ".local" / "share"
    return base / "camscan" / "history.sqlite3"


def _split_script(script: str) -> list[str]:
    """A migration script as single statements (sqlite3's execute runs one at a time, and
    executescript would commit the surrounding transaction)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    rest = [ln for ln in buf.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if rest:
        raise ValueError(f"migration has an unterminated statement: {rest[0].strip()[:60]!r}")
    return statements


def _dump_list(values: list[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False) if values else "[]"


def _load_list(text: str) -> list[str]:
    return [] if text == "[]" else json.loads(text)


class History:
    """The scan history in one SQLite file. Use as a context manager, or call close()."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- opening and migrating ---------------------------------------------------------------

    def _open(self) -> None:
        where = str(self.path)
        if self.path.is_dir():
            raise HistoryError(f"history database {where} is a directory, not a file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise HistoryError(f"history database {where}: cannot create {self.path.parent} "
                               f"({exc.strerror})") from None
        if not self.path.exists():
            # inventories name every camera's address and serial: readable by the owner only
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
            except OSError as exc:
                raise HistoryError(f"history database {where}: cannot create it ({exc.strerror})") from None
        try:
            # isolation_level=None: transactions are exactly the BEGIN/COMMIT written below
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {where}: cannot open it ({exc})") from None
        self._conn = conn
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except HistoryError:
            self.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.close()
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise HistoryError(f"history database {where} is not a camscan history database "
                                   f"(not an SQLite file, or a damaged one)") from None
            raise HistoryError(f"history database {where}: {exc}", exit_code=1) from None

    def _migrate(self) -> None:
        conn = self._db
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"history database {self.path} was made by a newer camscan (schema {version}); "
                               f"camscan {__version__} reads schema {SCHEMA_VERSION} and older: upgrade camscan, "
                               f"or set CAMSCAN_DB to another file")
        if version == SCHEMA_VERSION:
            return
        # IMMEDIATE takes the write lock before re-reading the version, so two camscans opening
        # a new file at once do not both apply the same steps
        with self._transaction("BEGIN IMMEDIATE"):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                foreign = conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                                       "LIMIT 1").fetchone()
                if foreign:
                    raise HistoryError(f"history database {self.path} is an SQLite file but not camscan's "
                                       f"history (it has a table or index {foreign[0]!r} and no schema version)")
            for step in range(version, SCHEMA_VERSION):
                for statement in _split_script(MIGRATIONS[step]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step + 1}")

    @contextmanager
    def _transaction(self, begin: str = "BEGIN") -> Iterator[sqlite3.Connection]:
        conn = self._db
        conn.execute(begin)
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite itself rolls back on some errors (disk full)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError(f"history database {self.path} is closed", exit_code=1)
        return self._conn

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    def record(self, inventory: Inventory, kind: str) -> int:
        """Store one inventory; returns the new scan's id. One transaction: if anything fails or
        the run is interrupted part-way, nothing of this scan is kept."""
        if kind not in KINDS:
            raise ValueError(f"scan kind must be one of {', '.join(KINDS)}, not {kind!r}")
        started = inventory.scanned_at or datetime.now(UTC).isoformat(timespec="seconds")
        try:
            # IMMEDIATE: take the write lock now (waiting up to the timeout for another camscan)
            with self._transaction("BEGIN IMMEDIATE") as conn:
                cur = conn.execute(
                    "INSERT INTO scans (started_at, kind, targets, device_count, camscan_version, skipped, notes) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (started, kind, json.dumps(list(inventory.targets), ensure_ascii=False),
                     len(inventory.devices), __version__,
                     json.dumps(dict(sorted(inventory.skipped.items())), ensure_ascii=False),
                     _dump_list(inventory.notes)))
                scan_id = cur.lastrowid
                assert scan_id is not None
                conn.executemany(_INSERT_DEVICE, self._rows(scan_id, inventory.devices))
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.path}: cannot record the scan ({exc})",
                               exit_code=1) from None
        return scan_id

    @staticmethod
    def _rows(scan_id: int, devices: list[Device]) -> Iterator[tuple]:
        for d in devices:
            yield (scan_id, d.ip, d.mac, d.manufacturer, d.brand, d.device_type, d.form, d.model, d.firmware,
                   d.serial, d.name, d.via, d.channel, d.site, _dump_list(d.advisories), _dump_list(d.evidence),
                   d.confidence,
                   json.dumps(dict(sorted(d.provenance.items())), ensure_ascii=False) if d.provenance else "{}",
                   _dump_list(d.notes), int(d.mac_randomised))

    # -- reading -----------------------------------------------------------------------------

    def scans(self) -> list[ScanInfo]:
        """Every recorded scan, newest first."""
        rows = self._read("SELECT id, started_at, kind, targets, device_count, camscan_version "
                          "FROM scans ORDER BY id DESC")
        return [ScanInfo(id=r[0], started_at=r[1], kind=r[2], targets=_load_list(r[3]), device_count=r[4],
                         camscan_version=r[5]) for r in rows]

    def devices(self, scan_id: int) -> list[Device]:
        """The rows of one scan, in the order they were recorded."""
        self._scan_row(scan_id)
        out: list[Device] = []
        for (ip, mac, manufacturer, brand, device_type, form, model, firmware, serial, name, via, channel, site,
             advisories, evidence, confidence, provenance, notes, mac_randomised) in self._read(_SELECT_DEVICES,
                                                                                                (scan_id,)):
            out.append(Device(
                ip=ip, mac=mac, manufacturer=manufacturer, brand=brand, device_type=device_type, form=form,
                model=model, firmware=firmware, serial=serial, name=name, via=via, channel=channel, site=site,
                advisories=_load_list(advisories), evidence=_load_list(evidence), confidence=confidence,
                provenance={} if provenance == "{}" else json.loads(provenance), notes=_load_list(notes),
                mac_randomised=bool(mac_randomised)))
        return out

    def inventory(self, scan_id: int) -> Inventory:
        """A recorded scan as the Inventory it was made from (rows, targets, time, skips, notes)."""
        started, targets, skipped, notes = self._scan_row(scan_id)
        return Inventory(devices=self.devices(scan_id), targets=_load_list(targets), scanned_at=started,
                         skipped=json.loads(skipped), notes=_load_list(notes))

    def _scan_row(self, scan_id: int) -> tuple:
        rows = self._read("SELECT started_at, targets, skipped, notes FROM scans WHERE id = ?", (scan_id,))
        if not rows:
            raise HistoryError(f"no scan {scan_id}; `camscan history` lists them")
        return rows[0]

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.path}: cannot read it ({exc})", exit_code=1) from None

    def resolve(self, ref: str | None, default_offset: int = 0) -> int:
        """The id of the scan `ref` names.

        None: the latest scan minus `default_offset` (so `diff` with no arguments takes offset 1
        for the old side and 0 for the new: the previous scan against the latest).
        "-1" is the latest, "-2" the one before, and so on; "latest"/"last", "previous"/"prev"
        and "first"/"oldest" are words for the same; a plain number is a scan id.
        """
        ids = [r[0] for r in self._read("SELECT id FROM scans ORDER BY id")]
        if ref is None:
            if default_offset >= len(ids):
                if default_offset == 1:
                    raise HistoryError(f"need at least two recorded scans to diff (the history has {len(ids)}); "
                                       f"record another scan first")
                if not ids:
                    raise HistoryError(f"no scans recorded yet in {self.path}")
                raise HistoryError(f"need at least {default_offset + 1} recorded scans "
                                   f"(the history has {len(ids)})")
            return ids[-1 - default_offset]
        text = ref.strip().lower()
        words = {"latest": -1, "last": -1, "previous": -2, "prev": -2}
        if text in words or (text.startswith("-") and text[1:].isascii() and text[1:].isdigit()):
            back = words[text] if text in words else int(text)
            if back == 0:
                raise HistoryError("scan -0 means nothing: -1 is the latest scan, -2 the one before")
            if -back > len(ids):
                raise HistoryError(f"no scan {ref.strip()} (the history has {len(ids)} "
                                   f"scan{'s' if len(ids) != 1 else ''}); `camscan history` lists them")
            return ids[back]
        if text in ("first", "oldest"):
            if not ids:
                raise HistoryError(f"no scans recorded yet in {self.path}")
            return ids[0]
        if text.isascii() and text.isdigit():
            scan_id = int(text)
            if scan_id not in set(ids):
                raise HistoryError(f"no scan {scan_id}; `camscan history` lists them")
            return scan_id
        raise HistoryError(f"{ref!r} is not a scan: give an id from `camscan history`, "
                           f"or -1 for the latest, -2 for the one before")
