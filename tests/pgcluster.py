"""A throw-away PostgreSQL cluster for the tests: initdb in a temp directory, a postmaster on a
free port on 127.0.0.1 and a unix socket in that directory, stopped and deleted afterwards.

PostgreSQL refuses to run as root, and the tests run as root in CI: then every server command
runs as Debian's `postgres` user (runuser), which owns the temp directory. The admin role
connects over the socket without a password (trust); other roles over TCP with scram-sha-256.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ADMIN = "camscan_admin"


class ClusterUnavailable(Exception):
    """Why no server could be started here (the tests skip with this reason)."""


def _bin_dir() -> Path:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name)
                  if Path(d).parent.name.isdigit() else 0)
    if dirs:
        return Path(dirs[-1])
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise ClusterUnavailable("no PostgreSQL server binaries (scripts/setup installs Debian's postgresql as root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root and there is no postgres user to run the server") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="camscan-pg-"))
        if self.as_user:
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        try:
            self._run("initdb", "-D", str(self.data), "-U", ADMIN, "-E", "UTF8", "--no-sync", "--auth-local=trust",
                      "--auth-host=scram-sha-256")
            self.start()
        except BaseException:
            self.remove()
            raise

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run([*self.as_user, str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise ClusterUnavailable(f"{tool} failed: {' / '.join(tail)}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -h 127.0.0.1 -c fsync=off -c max_connections=60"
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        except ClusterUnavailable as exc:
            log = self.log.read_text(errors="replace").strip().splitlines()[-2:] if self.log.exists() else []
            raise ClusterUnavailable(f"{exc} ({' / '.join(log)})" if log else str(exc)) from None

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, then its orphaned backends (so it can start again)."""
        pid = self.postmaster_pid()
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == pid]
        os.kill(pid, signal.SIGKILL)
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in [pid, *children]):
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def admin_url(self, db: str = "postgres") -> str:
        return f"postgresql://{ADMIN}@/{db}?host={self.base}&port={self.port}"

    def tcp_url(self, user: str, db: str, password: str = "") -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str, db: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.admin_url(db), autocommit=True) as conn:
            conn.execute(statement)


def _ppid(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


SENSOR_PASSWORD = "Pg-S3cret-9d41e7"


def ensure_sensor_role(cluster: PgCluster) -> str:
    """The camscan_sensor role of deploy/central-db.sql in the cluster; its password."""
    cluster.sql(f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'camscan_sensor') THEN "
                f"CREATE ROLE camscan_sensor LOGIN PASSWORD '{SENSOR_PASSWORD}'; END IF; END$$")
    return SENSOR_PASSWORD
