"""Joining the user's asset register (CSV) to the inventory.

The register has a MAC and/or a serial column (found by header: any header containing "mac",
any containing "serial") and whatever else the organisation keeps (purchase date, cost,
supplier, location). Matched rows add those columns at the end of the inventory; devices not
in the register and register rows not found on the network are both listed — registers are
often wrong, and that is worth knowing.

Registers are kept by people in spreadsheets, so their dates and costs come in the forms people
type and spreadsheets export: UK dates (`14/03/2024`, `14-03-24`, `14 Mar 2024`), ISO dates, and
spreadsheet serial numbers (`45365`); costs as `£1,234.50`, `1234.5` or `GBP 1234`.
`parse_date` and `parse_cost` read them; a value they cannot read is None (counted by the FOI
draft as "not read"), never a guess.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Device
from camscan.serialise import COLUMNS
from camscan.values import register_mac

MAX_REGISTER_BYTES = 50 * 1024 * 1024


# the key under which a raw register row keeps its line number (not a column of the register)
LINE_KEY = "_line"


@dataclass
class Register:
    columns: list[str]  # the extra columns, as they will appear in the inventory
    rows: list[dict[str, str]]  # raw rows (header -> value), with LINE_KEY
    mac_col: str = ""
    serial_col: str = ""

    @property
    def date_column(self) -> str:
        """The inventory column holding the purchase date ("" when the register has none)."""
        return pick_column(self.columns, DATE_HEADERS)

    @property
    def cost_column(self) -> str:
        """The inventory column holding the cost ("" when the register has none)."""
        return pick_column(self.columns, COST_HEADERS)


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
            row[LINE_KEY] = str(line_no)
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
    names = [h for h in reg.rows[0] if h not in (LINE_KEY, reg.mac_col, reg.serial_col)] if reg.rows else []
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


# -- dates and costs as registers write them ---------------------------------------------------

# header words, most specific first: the first word some column contains wins
DATE_HEADERS = ("purchase date", "date purchased", "purchased", "bought", "acquired", "install", "date")
COST_HEADERS = ("cost", "price", "purchase value", "value", "amount", "£")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), 1)}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_WORD_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([A-Za-z]{3,9})\.?[\s\-/.,]+(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
# spreadsheet day 0 (Excel's 1900 system, after its 29 February 1900 that never was)
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954 to 2119: a five-digit number outside this is not a date
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_COST = re.compile(r"^(?:£|GBP)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*(?:GBP)?$", re.I)


def pick_column(columns: list[str], words: tuple[str, ...]) -> str:
    """The first of `columns` whose header holds the earliest of `words` ("" when none does)."""
    for word in words:
        for col in columns:
            if word in col.lower():
                return col
    return ""


def _year(text: str) -> int:
    year = int(text)
    return year if len(text) == 4 else 2000 + year if year < 70 else 1900 + year


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A date as a UK register holds it: day first (`14/03/2024`, `14.3.24`, `14-Mar-2024`,
    `14 March 2024`), ISO (`2024-03-14`, with or without a time), or a spreadsheet serial
    number (`45365`). None for anything else: a US-style `03/14/2024` has no month 14 and is
    refused, not swapped, and a blank, `TBC` or `unknown` is not a date."""
    value = " ".join((text or "").split())
    if m := _NUMERIC_DATE.match(value):
        return _make_date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _ISO_DATE.match(value):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _WORD_DATE.match(value):
        month = _MONTHS.get(m.group(2)[:3].lower())
        return _make_date(_year(m.group(3)), month, int(m.group(1))) if month else None
    if _SERIAL.match(value) and _SERIAL_RANGE[0] <= float(value) < _SERIAL_RANGE[1]:
        return _SERIAL_EPOCH + timedelta(days=int(float(value)))
    return None


def uk_date(when: date | datetime) -> str:
    """A date as people write it in a UK letter: `14 March 2024`."""
    return f"{when.day} {_MONTH_NAMES[when.month - 1]} {when.year}"


def parse_cost(text: str) -> Decimal | None:
    """A cost in pounds as a register holds it (`£1,234.50`, `1234.5`, `GBP 1234`, `1234 GBP`).
    None for anything else, including another currency (`€100`, `$99`): it cannot be added to
    pounds, and a total that silently did so would be wrong."""
    value = " ".join((text or "").split())
    m = _COST.match(value)
    if not m:
        return None
    try:
        return Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
    except InvalidOperation:
        return None


def gbp(amount: Decimal) -> str:
    """An amount as a UK reader expects it: `£1,234.50`."""
    return f"£{amount:,.2f}"
