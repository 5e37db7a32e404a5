"""Test-wide settings: every camscan run started by the tests records its history (and spools
scans) in a throw-away directory, never in the user's own; and a throw-away PostgreSQL cluster
for the tests of the central store."""

from __future__ import annotations

import itertools
import os
import tempfile

import pytest

os.environ.setdefault("CAMSCAN_DB", os.path.join(tempfile.mkdtemp(prefix="camscan-test-db-"), "history.sqlite3"))
os.environ.setdefault("CAMSCAN_SPOOL", os.path.join(os.path.dirname(os.environ["CAMSCAN_DB"]), "spool.sqlite3"))

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throw-away PostgreSQL cluster for the session; tests skip with the reason without one."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    from pgcluster import ClusterUnavailable, PgCluster

    try:
        cluster = PgCluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    yield cluster
    cluster.remove()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """A fresh, empty database in the session's cluster: its admin URL (socket, no password)."""
    name = f"t{next(_db_numbers)}"
    pg_cluster.sql(f"CREATE DATABASE {name}")
    return pg_cluster.admin_url(name)
