"""Reading an inventory JSON written by camscan (`--json`) back into an Inventory, with a
one-line error naming the file (and line, where JSON itself is broken) for anything wrong."""

from __future__ import annotations

import json
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Device, Inventory

MAX_BYTES = 512 * 1024 * 1024
_TEXT = ("ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial", "name",
         "via", "site", "confidence")


def load_inventory(path: str) -> Inventory:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES // 1024 // 1024} MiB")
        doc = json.loads(p.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read inventory ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 JSON") from None
    if not isinstance(doc, dict) or "camscan" not in doc or not isinstance(doc.get("devices"), list):
        raise InputError(f"{path}: not a camscan inventory (expected the JSON that camscan --json writes)")
    devices = []
    for i, raw in enumerate(doc["devices"], 1):
        if not isinstance(raw, dict):
            raise InputError(f"{path}: device #{i} is not an object")
        d = Device()
        for key in _TEXT:
            value = raw.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputError(f"{path}: device #{i}: {key} must be text")
            setattr(d, key, value)
        ch = raw.get("channel")
        if ch not in (None, "") and not isinstance(ch, int):
            raise InputError(f"{path}: device #{i}: channel must be a number")
        d.channel = ch if isinstance(ch, int) else None
        for key in ("advisories", "evidence", "notes"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{path}: device #{i}: {key} must be a list of text")
            setattr(d, key, list(value))
        prov = raw.get("provenance", {})
        d.provenance = dict(prov) if isinstance(prov, dict) else {}
        d.mac_randomised = bool(raw.get("mac_randomised", False))
        devices.append(d)
    targets = doc.get("targets", [])
    return Inventory(devices=devices, targets=[str(t) for t in targets] if isinstance(targets, list) else [],
                     scanned_at=str(doc.get("scanned_at", "")), skipped=dict(doc.get("skipped", {}) or {}))
