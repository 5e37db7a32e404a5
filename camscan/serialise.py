"""The one serialiser: Device and Inventory to and from JSON-ready dicts, and the CSV's cells.

Every output and reader goes through here: the JSON export and the diff (`device_to_dict`), the
CSV export and the HTML table (`csv_cells`, a projection of the same fields), the terminal table
(`TABLE_FIELDS`), the inventory reader and the scan history (`device_from_dict`). DEVICE_FIELDS
is the per-device contract of INVENTORY.md in its order: a new inventory column is a new field on
model.Device, one line here, and a line in the docs, nothing else.

`device_from_dict` validates, because its input may come from a file a person edited: a value
of the wrong type raises SerialiseError naming the field ("channel must be a number"), and the
caller adds where it was read from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from camscan import __version__
from camscan.model import AddressSeen, AdvisoryFinding, Device, Inventory
from camscan.report.inert import flags, has_unsafe


class SerialiseError(ValueError):
    """A field of a serialised device has the wrong type; the text names the field."""


@dataclass(frozen=True, slots=True)
class Field:
    """One per-device field. `kind` says how it is written and read: text, number (an int or
    empty), texts (a list of text; `;`-joined in a CSV cell), findings, mapping (text to text,
    written sorted), flag or addresses (AddressSeen records). `csv` puts it in the CSV's columns
    (and so the HTML table's);
    `table` gives its terminal-table column (position, heading, width); `diff` says what a change in it means
    when two scans are compared ("location": the device moved, "identity": it changed,
    "firmware": it was re-flashed)."""

    name: str
    kind: str = "text"
    csv: bool = True
    table: tuple[int, str, int] | None = None
    diff: str = ""


DEVICE_FIELDS: tuple[Field, ...] = (
    Field("ip", table=(0, "ip", 15), diff="location"),
    Field("mac", table=(1, "mac", 17), diff="identity"),
    Field("manufacturer", table=(3, "manufacturer", 12), diff="identity"),
    Field("brand", table=(4, "brand", 10), diff="identity"),
    Field("device_type", table=(5, "type", 8), diff="identity"),
    Field("form", table=(6, "form", 7), diff="identity"),
    Field("model", table=(7, "model", 24), diff="identity"),
    Field("firmware", table=(9, "firmware", 26), diff="firmware"),
    Field("serial", diff="identity"),
    Field("name", table=(8, "name", 18)),
    Field("via", table=(10, "via:ch", 18), diff="location"),
    Field("channel", "number", diff="location"),
    Field("site"),
    Field("advisories", "texts", table=(12, "advisories", 16)),
    Field("findings", "findings", csv=False),
    Field("evidence", "texts"),
    Field("confidence", table=(11, "conf", 6)),
    Field("provenance", "mapping", csv=False),
    Field("notes", "texts", csv=False),
    Field("mac_randomised", "flag", csv=False),
    Field("ipv6", "texts", csv=False),
    Field("addresses", "addresses", csv=False),
    # after the contract's first columns (issue 10): who registered the MAC's OUI, camera maker or not
    Field("oui_vendor", table=(2, "vendor", 14)),
    Field("analytics", "texts"),
    Field("channels_unasked", "flag", csv=False),
    Field("channel_capacity", "number", csv=False),
    # issue 9: the HTTPS certificate the device presented, and whether it changed since the last scan
    Field("tls_sha256", csv=False),
    Field("tls_changed", "flag", csv=False),
)

# the CSV's columns (INVENTORY.md): names and order fixed, new ones at the end
COLUMNS: tuple[str, ...] = tuple(f.name for f in DEVICE_FIELDS if f.csv)
TABLE_FIELDS: tuple[Field, ...] = tuple(sorted((f for f in DEVICE_FIELDS if f.table), key=lambda f: f.table or ()))
# the JSON key under which a device's asset-register columns are written, after the contract's
REGISTER_KEY = "register"
# the JSON key listing a device's fields whose text held unsafe characters (report.inert)
TEXT_FLAGS_KEY = "text_flags"


def fields_for_diff(meaning: str) -> tuple[str, ...]:
    """The names of the fields whose change means `meaning` (see Field.diff)."""
    return tuple(f.name for f in DEVICE_FIELDS if f.diff == meaning)


# -- writing ---------------------------------------------------------------------------------

def _encode(f: Field, value: Any) -> Any:
    if f.kind == "texts":
        return list(value)
    if f.kind == "findings":
        return [{"id": x.id, "title": x.title, "heuristic": x.heuristic} for x in value]
    if f.kind == "mapping":
        return dict(sorted(value.items()))
    if f.kind == "addresses":
        return [{"ip": a.ip, "first_seen": a.first_seen, "last_seen": a.last_seen} for a in value]
    return value


def device_to_dict(d: Device, fields: tuple[Field, ...] = DEVICE_FIELDS) -> dict[str, Any]:
    """A device with the JSON export's per-device keys, in its order; the asset register's
    columns, when joined, under `register` last. (`fields` is for tests of a wider model.)"""
    out = {f.name: _encode(f, getattr(d, f.name)) for f in fields}
    if d.extra:
        out[REGISTER_KEY] = dict(d.extra)
    return out


def csv_cells(d: Device, fields: tuple[Field, ...] = DEVICE_FIELDS) -> dict[str, str]:
    """A device as the CSV's text cells, keyed by column."""
    out: dict[str, str] = {}
    for f in fields:
        if not f.csv:
            continue
        value = getattr(d, f.name)
        if f.kind == "texts":
            out[f.name] = ";".join(value)
        elif f.kind == "number":
            out[f.name] = "" if value is None else str(value)
        else:
            out[f.name] = value
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def text_flags(row: dict[str, Any]) -> list[str]:
    """`field:kind` for each field of a serialised device whose text holds control, bidi,
    invisible or surrogate characters (report.inert.flags): the JSON keeps the raw value and
    says so, for a reader that prints it."""
    # the usual row holds nothing unsafe: one C-encoded text and one regex say so (JSON writes
    # C0 controls as escapes like \t or \u001b, so any backslash sends the row to the
    # field-by-field look too)
    whole = json.dumps(row, ensure_ascii=False)
    if "\\" not in whole and not has_unsafe(whole):
        return []
    found: list[str] = []
    for name, value in row.items():
        strings = [value] if isinstance(value, str) else _strings(value)
        unsafe = [s for s in strings if has_unsafe(s)]  # one regex per text: the usual case is none
        if unsafe:
            found.extend(f"{name}:{kind}" for kind in sorted({k for s in unsafe for k in flags(s)}))
    return found


def _flagged(row: dict[str, Any]) -> dict[str, Any]:
    found = text_flags(row)
    if found:
        row[TEXT_FLAGS_KEY] = found
    return row


def inventory_to_dict(inventory: Inventory) -> dict[str, Any]:
    """The JSON export's document: who wrote it, the run's facts, the rows (each with
    `text_flags` when its text held characters a terminal must not print raw), the skips."""
    return {
        "camscan": __version__,
        "scanned_at": inventory.scanned_at,
        "targets": list(inventory.targets),
        "devices": [_flagged(device_to_dict(d)) for d in inventory.devices],
        "skipped": dict(sorted(inventory.skipped.items())),
        "notes": list(inventory.notes),
    }


# -- reading ---------------------------------------------------------------------------------

def _decode_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SerialiseError(f"{name} must be text")
    return value


def _decode_number(name: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int):
        raise SerialiseError(f"{name} must be a number")
    return value


def _decode_texts(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SerialiseError(f"{name} must be a list of text")
    return list(value)


def _decode_findings(name: str, value: Any) -> list[AdvisoryFinding]:
    if not isinstance(value, list):
        raise SerialiseError(f"{name} must be a list of advisory findings")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or \
                not isinstance(item.get("title", ""), str):
            raise SerialiseError(f"{name} must be a list of advisory findings (each with a text id)")
        out.append(AdvisoryFinding(item["id"], item.get("title", ""), bool(item.get("heuristic", False))))
    return out


def _decode_addresses(name: str, value: Any) -> list[AddressSeen]:
    if not isinstance(value, list):
        raise SerialiseError(f"{name} must be a list of addresses")
    out = []
    for item in value:
        if not isinstance(item, dict) or not all(isinstance(item.get(k, ""), str)
                                                 for k in ("ip", "first_seen", "last_seen")):
            raise SerialiseError(f"{name} must be a list of addresses (each with a text ip, first_seen, last_seen)")
        out.append(AddressSeen(item.get("ip", ""), item.get("first_seen", ""), item.get("last_seen", "")))
    return out


def _decode_mapping(name: str, value: Any) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {}


def _decode_flag(name: str, value: Any) -> bool:
    return bool(value)


_DECODERS = {"text": _decode_text, "number": _decode_number, "texts": _decode_texts,
             "findings": _decode_findings, "mapping": _decode_mapping, "flag": _decode_flag,
             "addresses": _decode_addresses}
_MISSING: dict[str, Any] = {"text": "", "number": None, "texts": [], "findings": [], "mapping": {}, "flag": False,
                            "addresses": []}


def device_from_dict(raw: dict[str, Any], fields: tuple[Field, ...] = DEVICE_FIELDS,
                     factory: type[Device] = Device) -> Device:
    """The device `device_to_dict` wrote (or a row of the scan history, whose flag may be 0/1).
    A missing key reads as empty; a value of the wrong type raises SerialiseError. Mappings and
    flags are read leniently (anything not a mapping is empty), as the reader always has."""
    # one constructor call with every field (each decoder returns a new container): building a
    # default Device and then setting each field took twice as long, 1.9 s for a 20,000-device diff
    d = factory(**{f.name: _DECODERS[f.kind](f.name, raw.get(f.name, _MISSING[f.kind])) for f in fields})
    register = raw.get(REGISTER_KEY)
    if isinstance(register, dict):
        d.extra = {str(k): "" if v is None else str(v) for k, v in register.items()}
    return d


def inventory_from_dict(doc: dict[str, Any]) -> Inventory:
    """The inventory `inventory_to_dict` wrote. Devices are validated (SerialiseError, with the
    device's number); the run's facts are read leniently."""
    devices = []
    for i, raw in enumerate(doc.get("devices", []), 1):
        if not isinstance(raw, dict):
            raise SerialiseError(f"device #{i} is not an object")
        try:
            devices.append(device_from_dict(raw))
        except SerialiseError as exc:
            raise SerialiseError(f"device #{i}: {exc}") from None
    targets = doc.get("targets", [])
    notes = doc.get("notes", [])
    return Inventory(devices=devices, targets=[str(t) for t in targets] if isinstance(targets, list) else [],
                     scanned_at=str(doc.get("scanned_at", "")), skipped=dict(doc.get("skipped", {}) or {}),
                     notes=[str(n) for n in notes] if isinstance(notes, list) else [])
