"""Joining the user's asset register (CSV) to the inventory.

The register has a MAC and/or a serial column (found by header: any header containing "mac",
any containing "serial") and whatever else the organisation keeps (purchase date, cost,
supplier, location). Matched rows add those columns at the end of the inventory; devices not
in the register and register rows not found on the network are both listed — registers are
often wrong, and that is worth knowing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Device
from camscan.serialise import COLUMNS
from camscan.values import register_mac

MAX_REGISTER_BYTES = 50 * 1024 * 1024


@dataclass
class Register:
    columns: list[str]  # the extra columns, as they will appear in the inventory
    rows: list[dict[str, str]]  # raw rows (header -> value), with "_line"
    mac_col: str = ""
    serial_col: str = ""


@dataclass
class JoinResult:
    matched: int = 0
    unmatched_devices: list[Device] = field(default_factory=list)
    unmatched_rows: list[dict[str, str]] = field(default_factory=list)


def load_register(path: str) -> Register:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_REGISTER_BYTES:
            raise InputError(f"{path}: register larger than {MAX_REGISTER_BYTES // 1024 // 1024} MiB")
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read asset register ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line = text_line(p.read_bytes(), exc.start)
        raise InputError(f"{path}:{line}: not UTF-8 text (save the register as CSV UTF-8)") from None
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: empty asset register") from None
    except csv.Error as exc:
        raise InputError(f"{path}:1: {exc}") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header) or any(not h for h in header):
        raise InputError(f"{path}:1: every column needs a distinct, non-empty header")
    mac_col = next((h for h in header if "mac" in h.lower()), "")
    serial_col = next((h for h in header if "serial" in h.lower()), "")
    if not mac_col and not serial_col:
        raise InputError(f"{path}:1: no MAC or serial column (a header containing 'mac' or 'serial')")
    rows = []
    try:
        for line_no, values in enumerate(reader, 2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise InputError(f"{path}:{line_no}: {len(values)} fields where the header has {len(header)}")
            row = dict(zip(header, (v.strip() for v in values), strict=True))
            row["_line"] = str(line_no)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: {exc}") from None
    extra = []
    for h in header:
        if h in (mac_col, serial_col):
            continue
        extra.append(f"register_{h}" if h.lower() in COLUMNS else h)
    return Register(extra, rows, mac_col, serial_col)


def text_line(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def join(devices: list[Device], reg: Register) -> JoinResult:
    """Add the register's columns to the devices it names (by MAC, then serial)."""
    by_mac: dict[str, dict[str, str]] = {}
    by_serial: dict[str, dict[str, str]] = {}
    for row in reg.rows:
        if reg.mac_col and (m := register_mac(row.get(reg.mac_col, ""))):
            by_mac.setdefault(m, row)
        if reg.serial_col and (s := row.get(reg.serial_col, "").strip().upper()):
            by_serial.setdefault(s, row)
    used: set[int] = set()
    result = JoinResult()
    names = [h for h in reg.rows[0] if h not in ("_line", reg.mac_col, reg.serial_col)] if reg.rows else []
    for d in devices:
        row = by_mac.get(d.mac) if d.mac else None
        if row is None and d.serial:
            row = by_serial.get(d.serial.upper())
        if row is None:
            if d.device_type in ("camera", "nvr", "dvr", "encoder", "intercom", "alarm"):
                result.unmatched_devices.append(d)
            continue
        used.add(id(row))
        result.matched += 1
        for h, col in zip(names, reg.columns, strict=True):
            d.extra[col] = row.get(h, "")
    result.unmatched_rows = [r for r in reg.rows if id(r) not in used]
    return result
