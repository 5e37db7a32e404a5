"""The central history on a PostgreSQL server, through psycopg 3.

Same tables and the same migration steps as SQLite (schema.py). The version is the one row of
`camscan_schema`; opening a database that lags applies the missing steps in one transaction
under an advisory lock, so sensors starting together migrate it once (DDL is transactional in
PostgreSQL: a failed step leaves the database as it was). A sensor's role needs only INSERT and
SELECT on camscan's tables once the owner has created them (README: "The central database").

A scan is one transaction: its `scans` row (INSERT … ON CONFLICT (uuid) DO NOTHING, so a
second push of the same scan adds nothing) and its rows through COPY. Many sensors write at
once without mixing: every device row carries its own scan's id, and nothing is visible before
COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterable

from camscan import __version__
from camscan.store import schema
from camscan.store.common import HistoryError, Store
from camscan.store.rows import DEVICE_COLUMNS, SCAN_COLUMNS
from camscan.store.target import Target, redact

_LOCK_KEY = 0x63616D7363616E  # "camscan": the advisory lock that serialises migrations
_INSERT_SCAN = (f"INSERT INTO scans ({', '.join(SCAN_COLUMNS)}) VALUES ({', '.join(['%s'] * len(SCAN_COLUMNS))}) "
                f"ON CONFLICT (uuid) DO NOTHING RETURNING id")
_COPY_DEVICES = f"COPY devices (scan_id, {', '.join(DEVICE_COLUMNS)}) FROM STDIN"


class PgHistory(Store):
    """The scan history in a PostgreSQL database."""

    def __init__(self, target: Target, connect_timeout: int = 10) -> None:
        import psycopg  # imported here: only a store on a server needs it

        self._psycopg = psycopg
        self.where = target.display
        self._secret = target.secret
        extra = {"password": target.secret} if target.secret else {}  # else libpq's PGPASSWORD / .pgpass
        try:
            self._conn: psycopg.Connection | None = psycopg.connect(
                target.url, connect_timeout=connect_timeout, application_name="camscan", autocommit=True,
                # a server that vanishes mid-scan (no FIN: power cut, black-holed route) is given up
                # on within about a minute, so the sensor spools the scan instead of hanging
                keepalives=1, keepalives_idle=15, keepalives_interval=5, keepalives_count=3,
                tcp_user_timeout=60_000, **extra)
        except psycopg.Error as exc:
            raise HistoryError(f"history database {self.where}: cannot connect ({self._say(exc)})",
                               exit_code=1) from None
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _say(self, exc: BaseException) -> str:
        """A driver's message on one line, with no password in it."""
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        return redact("; ".join(lines)[:300] or type(exc).__name__, self._secret)

    def _fail(self, doing: str, exc: BaseException) -> HistoryError:
        return HistoryError(f"history database {self.where}: {doing} ({self._say(exc)})", exit_code=1)

    @property
    def _db(self):  # -> psycopg.Connection
        if self._conn is None or self._conn.closed:
            raise HistoryError(f"history database {self.where} is closed", exit_code=1)
        return self._conn

    # -- migrating ---------------------------------------------------------------------------

    def _version(self) -> int | None:
        """The schema version, or None for a database camscan has not set up."""
        if self._db.execute("SELECT to_regclass('camscan_schema')").fetchone()[0] is None:
            return None
        row = self._db.execute("SELECT version FROM camscan_schema").fetchone()
        return row[0] if row else 0

    def _migrate(self) -> None:
        try:
            if self._version() == schema.SCHEMA_VERSION:
                return
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                self._apply_steps()
        except HistoryError:
            raise
        except self._psycopg.Error as exc:
            raise self._fail("cannot set up or upgrade the schema (the database owner must run camscan "
                             "against it once)", exc) from None

    def _apply_steps(self) -> None:
        conn, target = self._db, schema.SCHEMA_VERSION
        version = self._version()
        if version is None:
            if conn.execute("SELECT to_regclass('scans')").fetchone()[0] is not None:
                raise HistoryError(f"history database {self.where} has a table 'scans' but is not camscan's "
                                   f"history (no camscan_schema table)")
            conn.execute("CREATE TABLE camscan_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO camscan_schema VALUES (0)")
            version = 0
        if version > target:
            raise HistoryError(f"history database {self.where} was made by a newer camscan (schema {version}); "
                               f"camscan {__version__} reads schema {target} and older: upgrade camscan")
        for step in range(version, target):
            for statement in schema.statements(schema.script(step, "postgresql", schema.MIGRATIONS)):
                conn.execute(statement)
            conn.execute("UPDATE camscan_schema SET version = %s", (step + 1,))

    @property
    def schema_version(self) -> int:
        return self._version() or 0

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    # -- the primitives ------------------------------------------------------------------------

    def _write_scan(self, scan_values: tuple, rows: Iterable[tuple], scan_uuid: str) -> tuple[int, bool]:
        conn = self._db
        try:
            with conn.transaction(), conn.cursor() as cur:
                got = cur.execute(_INSERT_SCAN, scan_values).fetchone()
                if got is None:  # this scan is here already (pushed before)
                    return cur.execute("SELECT id FROM scans WHERE uuid = %s", (scan_uuid,)).fetchone()[0], False
                scan_id = got[0]
                with cur.copy(_COPY_DEVICES) as copy:
                    for row in rows:
                        copy.write_row((scan_id, *row))
        except self._psycopg.Error as exc:
            raise self._fail("cannot record the scan", exc) from None
        return scan_id, True

    def _delete_scan(self, scan_id: int) -> None:
        try:
            with self._db.transaction():
                self._db.execute("DELETE FROM scans WHERE id = %s", (scan_id,))
        except self._psycopg.Error as exc:
            raise self._fail(f"cannot remove scan {scan_id}", exc) from None

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql.replace("?", "%s"), params).fetchall()
        except self._psycopg.Error as exc:
            raise self._fail("cannot read it", exc) from None
