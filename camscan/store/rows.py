"""Devices and scans as table rows: the one place the store turns a Device into columns and back.

`device_to_row` and `row_to_device` go through the one serialiser (`Device.to_dict()` /
`Device.from_dict()`, camscan/serialise.py): the fields with a column of their own are stored
there, every other serialised field in the `more` JSON column, so a new inventory field is kept
without a schema change. `encode_row` / `decode_row` turn the list and object fields into the
JSON text the TEXT columns hold, the same for both backends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from camscan.model import Device

KINDS = ("scan", "replay", "report")

# per-device columns, in the order of INVENTORY.md and the JSON export
DEVICE_COLUMNS = (
    "ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial", "name",
    "via", "channel", "site", "advisories", "evidence", "confidence", "provenance", "notes", "mac_randomised",
    "more",
)
_LISTS = ("advisories", "evidence", "notes")
_JSON_OBJECTS = ("provenance", "more")

# per-scan columns besides the id, in the order the backends insert them
SCAN_COLUMNS = ("started_at", "kind", "targets", "device_count", "camscan_version", "skipped", "notes",
                "site", "uuid", "sensor")
INFO_COLUMNS = ("id", "started_at", "kind", "targets", "device_count", "camscan_version", "site", "uuid", "sensor")


def device_to_row(d: Device) -> dict[str, Any]:
    """A device as the JSON export's per-device object, with the fields that have no column of
    their own gathered under `more`."""
    doc = d.to_dict()
    row = {c: doc.get(c) for c in DEVICE_COLUMNS if c != "more"}
    row["more"] = {k: v for k, v in doc.items() if k not in row}
    return row


def row_to_device(row: dict[str, Any]) -> Device:
    """The inverse of device_to_row."""
    more = row.get("more") or {}
    return Device.from_dict({**more, **{c: v for c, v in row.items() if c != "more"}})


def _dump(value: list[str] | dict[str, str]) -> str:
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def encode_row(row: dict[str, Any]) -> tuple:
    """A device_to_row dict as the values of DEVICE_COLUMNS (JSON text for lists, 0/1 for the flag)."""
    return tuple(_dump(row[c]) if c in _LISTS or c in _JSON_OBJECTS
                 else int(row[c]) if c == "mac_randomised" else row[c] for c in DEVICE_COLUMNS)


def decode_row(values: tuple) -> dict[str, Any]:
    """The values of DEVICE_COLUMNS as read back, as a device_to_row dict."""
    row = dict(zip(DEVICE_COLUMNS, values, strict=True))
    for c in _LISTS:
        row[c] = [] if row[c] == "[]" else json.loads(row[c])
    for c in _JSON_OBJECTS:
        row[c] = {} if row[c] == "{}" else json.loads(row[c])
    row["mac_randomised"] = bool(row["mac_randomised"])
    return row


@dataclass(frozen=True, slots=True)
class CertificatePins:
    """The HTTPS certificate (hex SHA-256) camscan last accepted for each device, by its IP and
    by its MAC: from the newest live scan that recorded one and did not find it changed."""

    by_ip: dict[str, str] = field(default_factory=dict)
    by_mac: dict[str, str] = field(default_factory=dict)


def load_list(text: str) -> list[str]:
    return [] if text == "[]" else json.loads(text)


@dataclass(frozen=True, slots=True)
class ScanInfo:
    """One recorded run, as `camscan history` lists it."""

    id: int
    started_at: str
    kind: str
    targets: list[str] = field(default_factory=list)
    device_count: int = 0
    camscan_version: str = ""
    site: str = ""
    uuid: str = ""
    sensor: str = ""

    @classmethod
    def from_values(cls, values: tuple) -> ScanInfo:
        """From the values of INFO_COLUMNS."""
        r = dict(zip(INFO_COLUMNS, values, strict=True))
        return cls(id=r["id"], started_at=r["started_at"], kind=r["kind"], targets=load_list(r["targets"]),
                   device_count=r["device_count"], camscan_version=r["camscan_version"], site=r["site"],
                   uuid=r["uuid"] or "", sensor=r["sensor"])
