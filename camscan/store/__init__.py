"""Scan history: every recorded inventory, so scans can be compared later and an estate's sites
reported together.

Two backends with one schema (schema.py) and one behaviour (common.py): an SQLite file on the
machine that scanned (the default, sqlite.py) and a central PostgreSQL database many sensors
write to (postgres.py). `target.py` says which one `--db` / `$CAMSCAN_DB` names and where a
server's password may come from; `push.py` keeps a scan the server could not take in a local
spool and sends it later.
"""

from __future__ import annotations

from camscan.store.common import HistoryError, Store
from camscan.store.rows import KINDS, CertificatePins, ScanInfo
from camscan.store.schema import MIGRATIONS, SCHEMA_VERSION
from camscan.store.sqlite import SqliteHistory
from camscan.store.target import Target, default_db_path, resolve, spool_path

History = SqliteHistory  # the name callers used before there were two backends


def open_store(target: Target) -> Store:
    """The store `target` names (connecting, and migrating it if it lags)."""
    if target.is_postgres:
        from camscan.store.postgres import PgHistory

        return PgHistory(target)
    assert target.path is not None
    return SqliteHistory(target.path)


def open_db(option: str | None) -> Store:
    """The store `--db OPTION` (or $CAMSCAN_DB, or the default file) names."""
    return open_store(resolve(option))


__all__ = ["KINDS", "MIGRATIONS", "SCHEMA_VERSION", "CertificatePins", "History", "HistoryError", "ScanInfo",
           "SqliteHistory", "Store", "Target", "default_db_path", "open_db", "open_store", "resolve", "spool_path"]
