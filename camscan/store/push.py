"""A sensor never loses a scan: what the central store cannot take now waits in a local spool.

`record_or_spool` writes a finished scan to the store `--db` names. When that store is a server
and the write fails (server down, network gone, password refused, anything), the scan goes to
the spool — an SQLite history in the data directory (`$CAMSCAN_SPOOL`) — with the same uuid it
was given when it was taken. `push` sends the spooled scans, oldest first, each in its own
transaction, and removes each from the spool only after the server has committed it; the
server keeps one copy per uuid, so a push cut short, or a scan that reached the server although
its reply was lost, is never stored twice.
"""

from __future__ import annotations

import fcntl
import os
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass

from camscan.model import Inventory
from camscan.store import open_store
from camscan.store.common import HistoryError
from camscan.store.sqlite import SqliteHistory
from camscan.store.target import Target, spool_path


def record_or_spool(inventory: Inventory, kind: str, target: Target, site: str,
                    warn: Callable[[str], None]) -> bool:
    """Record the run; False when it went to the spool (or, for a local file, nowhere: warned)."""
    scan_uuid = str(uuidlib.uuid4())
    try:
        with open_store(target) as store:
            store.record(inventory, kind, site=site, scan_uuid=scan_uuid)
    except (HistoryError, OSError) as exc:
        if not target.is_postgres:
            warn(f"scan not recorded in the history: {exc}")
            return False
        reason = str(exc)
    else:
        if target.is_postgres:
            _remind(warn)
        return True
    spool = spool_path()
    try:
        with SqliteHistory(spool) as local:
            local.record(inventory, kind, site=site, scan_uuid=scan_uuid)
    except (HistoryError, OSError) as exc:
        warn(f"scan not recorded: {reason}; and the spool failed too: {exc}")
        return False
    warn(f"{reason}; the scan is kept in the spool {spool}: `camscan push` sends it later")
    return False


def _remind(warn: Callable[[str], None]) -> None:
    """After a scan reached the server: say if older ones still wait in the spool."""
    try:
        waiting = pending()
    except (HistoryError, OSError):
        return
    if waiting:
        warn(f"{waiting} earlier scan{'s wait' if waiting != 1 else ' waits'} in the spool {spool_path()}: "
             f"`camscan push` sends {'them' if waiting != 1 else 'it'}")


@dataclass
class PushResult:
    sent: int = 0  # new on the server
    already: int = 0  # the server had them (an earlier push, or a lost reply)
    left: int = 0  # still in the spool


def pending() -> int:
    """How many scans wait in the spool."""
    path = spool_path()
    if not path.exists():
        return 0
    with SqliteHistory(path) as spool:
        return len(spool.scans())


def push(target: Target, progress: Callable[[PushResult], None] = lambda r: None) -> PushResult:
    """Send every spooled scan to `target`. A failure raises HistoryError after the scans sent so
    far are off the spool; `progress` sees the counts after each scan."""
    path = spool_path()
    result = PushResult()
    if not path.exists():
        return result
    if target.path is not None and os.path.abspath(target.path) == os.path.abspath(path):
        raise HistoryError(f"{path} is the spool itself: push sends it to the central store (--db postgresql://…)")
    with open(f"{path}.lock", "a") as lock, SqliteHistory(path) as spool:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two pushes at once would send each scan twice (harmlessly) and fail
        queue = sorted(spool.scans(), key=lambda s: s.id)
        result.left = len(queue)
        if not queue:
            return result
        with open_store(target) as server:
            for info in queue:
                _, new = server.store(spool.inventory(info.id), info.kind, info.site, info.uuid or None, info.sensor)
                spool.delete(info.id)
                result.sent += new
                result.already += not new
                result.left -= 1
                progress(result)
    return result


def run_push(target: Target, echo: Callable[[str], None]) -> None:
    """`camscan push`: one line saying what was sent; a failure (exit 1) says what stays spooled."""
    sent = PushResult()

    def progress(r: PushResult) -> None:
        sent.sent, sent.already = r.sent, r.already

    try:
        result = push(target, progress)
    except HistoryError as exc:
        left = pending()
        raise HistoryError(f"{exc}; sent {sent.sent + sent.already}, {left} scan{'s' if left != 1 else ''} "
                           f"stay in the spool {spool_path()} for the next push", exit_code=1) from None
    if not result.sent and not result.already:
        echo(f"nothing to push: the spool {spool_path()} is empty")
        return
    extra = f" ({result.already} the store had already)" if result.already else ""
    echo(f"pushed {result.sent + result.already} scan{'s' if result.sent + result.already != 1 else ''} "
         f"to {target.display}{extra}; the spool is empty")
