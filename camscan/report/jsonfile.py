"""JSON export per INVENTORY.md: every CSV field (lists for advisories and evidence), the source of
every non-empty field under `provenance`, and per-device `notes`; run-level `skipped` counts."""

from __future__ import annotations

import json
from typing import Any

from camscan import __version__
from camscan.model import Device, Inventory


def device_dict(d: Device) -> dict[str, Any]:
    """A device with the JSON export's per-device fields, in its order (also used by the diff)."""
    return {
        "ip": d.ip, "mac": d.mac, "manufacturer": d.manufacturer, "brand": d.brand,
        "device_type": d.device_type, "form": d.form, "model": d.model, "firmware": d.firmware,
        "serial": d.serial, "name": d.name, "via": d.via, "channel": d.channel, "site": d.site,
        "advisories": list(d.advisories),
        "findings": [{"id": f.id, "title": f.title, "heuristic": f.heuristic} for f in d.findings],
        "evidence": list(d.evidence), "confidence": d.confidence,
        "provenance": dict(sorted(d.provenance.items())),
        "notes": list(d.notes),
        "mac_randomised": d.mac_randomised,
    }


class JsonExporter:
    def render(self, inventory: Inventory) -> str:
        devices: list[dict[str, Any]] = []
        for d in inventory.devices:
            row = device_dict(d)
            if d.extra:
                row["register"] = dict(d.extra)
            devices.append(row)
        doc = {
            "camscan": __version__,
            "scanned_at": inventory.scanned_at,
            "targets": list(inventory.targets),
            "devices": devices,
            "skipped": dict(sorted(inventory.skipped.items())),
            "notes": list(inventory.notes),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
