"""The embedded history: one SQLite file per machine (the default), also a sensor's spool.

The schema version is `PRAGMA user_version`; opening a database applies the missing migration
steps in order, all in one transaction (a failed step leaves the file as it was). A database
written by a newer camscan is refused, not guessed at.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from camscan import __version__
from camscan.store import schema
from camscan.store.common import HistoryError, Store
from camscan.store.rows import DEVICE_COLUMNS, SCAN_COLUMNS

_INSERT_SCAN = f"INSERT INTO scans ({', '.join(SCAN_COLUMNS)}) VALUES ({', '.join('?' * len(SCAN_COLUMNS))})"
_INSERT_DEVICE = (f"INSERT INTO devices (scan_id, {', '.join(DEVICE_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * (len(DEVICE_COLUMNS) + 1))})")


class SqliteHistory(Store):
    """The scan history in one SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- opening and migrating ---------------------------------------------------------------

    def _create(self) -> None:
        where = self.where
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

    def _open(self) -> None:
        self._create()
        try:
            # isolation_level=None: transactions are exactly the BEGIN/COMMIT written below
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.where}: cannot open it ({exc})") from None
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
                raise HistoryError(f"history database {self.where} is not a camscan history database "
                                   f"(not an SQLite file, or a damaged one)") from None
            raise HistoryError(f"history database {self.where}: {exc}", exit_code=1) from None

    def _migrate(self) -> None:
        conn = self._db
        target = schema.SCHEMA_VERSION
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > target:
            raise HistoryError(f"history database {self.where} was made by a newer camscan (schema {version}); "
                               f"camscan {__version__} reads schema {target} and older: upgrade camscan, "
                               f"or set CAMSCAN_DB to another file")
        if version == target:
            return
        # IMMEDIATE takes the write lock before re-reading the version, so two camscans opening
        # a new file at once do not both apply the same steps
        with self._transaction("BEGIN IMMEDIATE"):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                foreign = conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                                       "LIMIT 1").fetchone()
                if foreign:
                    raise HistoryError(f"history database {self.where} is an SQLite file but not camscan's "
                                       f"history (it has a table or index {foreign[0]!r} and no schema version)")
            for step in range(version, target):
                for statement in schema.statements(schema.script(step, "sqlite", schema.MIGRATIONS)):
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
            raise HistoryError(f"history database {self.where} is closed", exit_code=1)
        return self._conn

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- the primitives ------------------------------------------------------------------------

    def _write_scan(self, scan_values: tuple, rows: Iterable[tuple], scan_uuid: str) -> tuple[int, bool]:
        try:
            # IMMEDIATE: take the write lock now (waiting up to the timeout for another camscan)
            with self._transaction("BEGIN IMMEDIATE") as conn:
                have = conn.execute("SELECT id FROM scans WHERE uuid = ?", (scan_uuid,)).fetchone()
                if have:
                    return have[0], False
                scan_id = conn.execute(_INSERT_SCAN, scan_values).lastrowid
                assert scan_id is not None
                conn.executemany(_INSERT_DEVICE, ((scan_id, *row) for row in rows))
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.where}: cannot record the scan ({exc})",
                               exit_code=1) from None
        return scan_id, True

    def _delete_scan(self, scan_id: int) -> None:
        try:
            with self._transaction("BEGIN IMMEDIATE") as conn:
                conn.execute("DELETE FROM scans WHERE id = ?", (scan_id,))
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.where}: cannot remove scan {scan_id} ({exc})",
                               exit_code=1) from None

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.where}: cannot read it ({exc})", exit_code=1) from None
