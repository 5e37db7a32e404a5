"""What every history store does, whichever database holds it: record a scan in one transaction,
list scans (all, or one site's), read a scan back, and resolve "-1", "latest", "12" to a scan.

A backend (sqlite.py, postgres.py) supplies four primitives: `_read` (a query with `?`
placeholders), `_write_scan` (one scan and its rows in one transaction, kept once per uuid),
`_delete_scan`, and `close`. Everything users see is written here once, so the two backends
cannot answer differently.
"""

from __future__ import annotations

import json
import socket
import uuid as uuidlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from camscan import __version__
from camscan.errors import CamscanError
from camscan.model import Device, Inventory
from camscan.store.rows import (
    DEVICE_COLUMNS,
    INFO_COLUMNS,
    KINDS,
    CertificatePins,
    ScanInfo,
    decode_row,
    device_to_row,
    encode_row,
    load_list,
    row_to_device,
)

_SELECT_INFO = f"SELECT {', '.join(INFO_COLUMNS)} FROM scans"
# a report is a view of scans already recorded: estate answers read only what sensors saw
OBSERVED = ("scan", "replay")


class HistoryError(CamscanError):
    """The history database or a scan reference is wrong; the message names the database (never
    its password) or the reference. Exit 2 (the user can fix it) unless made with exit_code=1
    (the disk or the server failed)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class Store(ABC):
    """A scan history. Use as a context manager, or call close()."""

    where: str  # the database as messages name it: a path, or a URL without its password

    # -- the backend's part -----------------------------------------------------------------

    @abstractmethod
    def _read(self, sql: str, params: tuple = ()) -> list[tuple]: ...

    @abstractmethod
    def _write_scan(self, scan_values: tuple, rows: Iterable[tuple], scan_uuid: str) -> tuple[int, bool]:
        """Insert one scan and its rows in one transaction; (id, True), or (id of the copy
        already there, False) when a scan with this uuid exists."""

    @abstractmethod
    def _delete_scan(self, scan_id: int) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def schema_version(self) -> int: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    def record(self, inventory: Inventory, kind: str, site: str = "", scan_uuid: str | None = None,
               sensor: str | None = None) -> int:
        """Store one inventory; returns its scan id. One transaction: if anything fails or the run
        is interrupted part-way, nothing of this scan is kept. A scan whose `scan_uuid` is already
        stored is not stored again (its id is returned)."""
        return self.store(inventory, kind, site, scan_uuid, sensor)[0]

    def store(self, inventory: Inventory, kind: str, site: str = "", scan_uuid: str | None = None,
              sensor: str | None = None) -> tuple[int, bool]:
        """As record(), and whether the scan was new here (False: this uuid was already stored)."""
        if kind not in KINDS:
            raise ValueError(f"scan kind must be one of {', '.join(KINDS)}, not {kind!r}")
        scan_uuid = scan_uuid or str(uuidlib.uuid4())
        started = inventory.scanned_at or datetime.now(UTC).isoformat(timespec="seconds")
        values = (started, kind, json.dumps(list(inventory.targets), ensure_ascii=False), len(inventory.devices),
                  __version__, json.dumps(dict(sorted(inventory.skipped.items())), ensure_ascii=False),
                  json.dumps(list(inventory.notes), ensure_ascii=False) if inventory.notes else "[]",
                  site, scan_uuid, socket.gethostname() if sensor is None else sensor)
        return self._write_scan(values, self._rows(inventory.devices), scan_uuid)

    @staticmethod
    def _rows(devices: Iterable[Device]) -> Iterator[tuple]:
        for d in devices:
            yield encode_row(device_to_row(d))

    def delete(self, scan_id: int) -> None:
        """Remove one scan and its rows (the spool does this once the server has the scan)."""
        self._scan_row(scan_id)
        self._delete_scan(scan_id)

    # -- reading -----------------------------------------------------------------------------

    def scans(self, site: str | None = None) -> list[ScanInfo]:
        """Every recorded scan (or one site's), newest first."""
        if site is None:
            rows = self._read(f"{_SELECT_INFO} ORDER BY id DESC")
        else:
            rows = self._read(f"{_SELECT_INFO} WHERE site = ? ORDER BY id DESC", (site,))
        return [ScanInfo.from_values(r) for r in rows]

    def info(self, scan_id: int) -> ScanInfo:
        rows = self._read(f"{_SELECT_INFO} WHERE id = ?", (scan_id,))
        if not rows:
            raise HistoryError(f"no scan {scan_id}; `camscan history` lists them")
        return ScanInfo.from_values(rows[0])

    def latest_per_site(self, site: str | None = None) -> list[ScanInfo]:
        """For each site (or the one named), its most recent scan or replay by the time it was
        taken (a scan pushed late from a spool does not hide a newer one), sites in name order.
        Scans without a site are not a site's and are left out."""
        rows = self._read(f"{_SELECT_INFO} WHERE site <> '' AND kind IN ('scan', 'replay')"
                          + (" AND site = ?" if site is not None else ""), (site,) if site is not None else ())
        best: dict[str, ScanInfo] = {}
        for info in map(ScanInfo.from_values, rows):
            have = best.get(info.site)
            if have is None or (info.started_at, info.id) > (have.started_at, have.id):
                best[info.site] = info
        return [best[s] for s in sorted(best)]

    def devices(self, scan_id: int) -> list[Device]:
        """The rows of one scan, in the order they were recorded."""
        self._scan_row(scan_id)
        return self.devices_of([scan_id])[scan_id]

    def devices_of(self, scan_ids: list[int]) -> dict[int, list[Device]]:
        """The rows of several scans at once (one query: an estate report reads hundreds)."""
        out: dict[int, list[Device]] = {i: [] for i in scan_ids}
        for start in range(0, len(scan_ids), 500):
            chunk = scan_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for values in self._read(f"SELECT scan_id, {', '.join(DEVICE_COLUMNS)} FROM devices "
                                     f"WHERE scan_id IN ({marks}) ORDER BY scan_id, id", tuple(chunk)):
                out[values[0]].append(row_to_device(decode_row(values[1:])))
        return out

    def inventory(self, scan_id: int) -> Inventory:
        """A recorded scan as the Inventory it was made from (rows, targets, time, skips, notes)."""
        return self.inventory_from(scan_id, self.devices(scan_id))

    def inventory_from(self, scan_id: int, devices: list[Device]) -> Inventory:
        """As inventory(), with the rows already read (by devices_of)."""
        started, targets, skipped, notes = self._scan_row(scan_id)
        return Inventory(devices=devices, targets=load_list(targets), scanned_at=started,
                         skipped=json.loads(skipped), notes=load_list(notes))

    def certificate_pins(self, site: str = "") -> CertificatePins:
        """The certificate each device last showed in a live scan of `site` ("" for scans without
        one), by IP and by MAC, leaving out rows whose certificate was found changed (it is not
        accepted until the user says so: `scan --accept-new-certs`). Replays are left out: a
        capture is not a conversation camscan had with the device."""
        pins = CertificatePins()
        rows = self._read("SELECT d.ip, d.mac, d.more FROM devices d JOIN scans s ON s.id = d.scan_id "
                          "WHERE s.kind = 'scan' AND s.site = ? AND d.via = '' AND d.more LIKE ? "
                          "AND d.more NOT LIKE ? ORDER BY s.started_at DESC, s.id DESC, d.id",
                          (site, '%"tls_sha256": "%', '%"tls_sha256": ""%'))
        for ip, mac, more in rows:
            try:
                extra = json.loads(more)
            except ValueError:
                continue
            sha = extra.get("tls_sha256") if isinstance(extra, dict) else None
            if not isinstance(sha, str) or not sha or extra.get("tls_changed"):
                continue
            if ip:
                pins.by_ip.setdefault(ip, sha)
            if mac:
                pins.by_mac.setdefault(mac, sha)
        return pins

    def _scan_row(self, scan_id: int) -> tuple:
        rows = self._read("SELECT started_at, targets, skipped, notes FROM scans WHERE id = ?", (scan_id,))
        if not rows:
            raise HistoryError(f"no scan {scan_id}; `camscan history` lists them")
        return rows[0]

    def resolve(self, ref: str | None, default_offset: int = 0, site: str | None = None) -> int:
        """The id of the scan `ref` names (among one site's scans when `site` is given).

        None: the latest scan minus `default_offset` (so `diff` with no arguments takes offset 1
        for the old side and 0 for the new: the previous scan against the latest).
        "-1" is the latest, "-2" the one before, and so on; "latest"/"last", "previous"/"prev"
        and "first"/"oldest" are words for the same; a plain number is a scan id.
        """
        if site is None:
            ids = [r[0] for r in self._read("SELECT id FROM scans ORDER BY id")]
        else:
            ids = [r[0] for r in self._read("SELECT id FROM scans WHERE site = ? ORDER BY id", (site,))]
        return _pick(ids, ref, default_offset, f"{self.where} for site {site!r}" if site is not None else self.where)


def _pick(ids: list[int], ref: str | None, default_offset: int, where: str) -> int:
    if ref is None:
        if default_offset >= len(ids):
            if default_offset == 1:
                raise HistoryError(f"need at least two recorded scans to diff (the history has {len(ids)}); "
                                   f"record another scan first")
            if not ids:
                raise HistoryError(f"no scans recorded yet in {where}")
            raise HistoryError(f"need at least {default_offset + 1} recorded scans (the history has {len(ids)})")
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
            raise HistoryError(f"no scans recorded yet in {where}")
        return ids[0]
    if text.isascii() and text.isdigit():
        scan_id = int(text)
        if scan_id not in set(ids):
            raise HistoryError(f"no scan {scan_id}; `camscan history` lists them")
        return scan_id
    raise HistoryError(f"{ref!r} is not a scan: give an id from `camscan history`, "
                       f"or -1 for the latest, -2 for the one before")
