"""JSON export per INVENTORY.md: every CSV field (lists for advisories and evidence), the source of
every non-empty field under `provenance`, and per-device `notes`; run-level `skipped` counts.
The document is camscan.serialise's `inventory_to_dict`, the one serialiser."""

from __future__ import annotations

import json

from camscan.model import Inventory
from camscan.report import RenderContext
from camscan.serialise import inventory_to_dict


class JsonExporter:
    name = "json"
    suffix = ".json"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        return json.dumps(inventory_to_dict(inventory), indent=2, ensure_ascii=False) + "\n"
