"""JSON export per INVENTORY.md: every CSV field (lists for advisories and evidence), the source of
every non-empty field under `provenance`, and per-device `notes`; run-level `skipped` counts.
The document is camscan.serialise's `inventory_to_dict`, the one serialiser.

Laid out one list entry per line (a device, a note, a target), as `camscan diff --json` is:
readable and greppable, and written by json's C encoder. `indent=2` goes through json's Python
encoder, which spent 1.7 s of a 20,000-device report on spaces."""

from __future__ import annotations

import json
from typing import Any

from camscan.model import Inventory
from camscan.report import RenderContext
from camscan.serialise import inventory_to_dict


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_document(doc: dict[str, Any]) -> str:
    """`doc` with each top-level key on its line and each entry of a top-level list on its own."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            body = "[\n" + ",\n".join("    " + _dump(v) for v in value) + "\n  ]"
        else:
            body = _dump(value)
        parts.append(f"  {_dump(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


class JsonExporter:
    name = "json"
    suffix = ".json"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        return render_document(inventory_to_dict(inventory))
