"""Reading an inventory JSON written by camscan (`--json`) back into an Inventory, with a
one-line error naming the file (and line, where JSON itself is broken) for anything wrong.
The rows are read by camscan.serialise, the one serialiser the JSON was written with."""

from __future__ import annotations

import json
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Inventory
from camscan.serialise import SerialiseError, inventory_from_dict

MAX_BYTES = 512 * 1024 * 1024


def load_inventory(path: str) -> Inventory:
    """The inventory in `path`, for `camscan report`. Its asset-register columns and run notes are
    not carried over: the report joins the register given now (stale columns would mix with it)
    and writes its own notes."""
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
    try:
        inventory = inventory_from_dict(doc)
    except SerialiseError as exc:
        raise InputError(f"{path}: {exc}") from None
    inventory.notes = []
    for d in inventory.devices:
        d.extra = {}
    return inventory
