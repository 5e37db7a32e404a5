"""The inventory contract's columns (INVENTORY.md): names and order are fixed, new ones go at the end."""

from __future__ import annotations

from camscan.model import Device

COLUMNS = (
    "ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial",
    "name", "via", "channel", "site", "advisories", "evidence", "confidence",
)


def row(d: Device) -> dict[str, str]:
    """A device as the CSV's text cells."""
    return {
        "ip": d.ip, "mac": d.mac, "manufacturer": d.manufacturer, "brand": d.brand,
        "device_type": d.device_type, "form": d.form, "model": d.model, "firmware": d.firmware,
        "serial": d.serial, "name": d.name, "via": d.via,
        "channel": "" if d.channel is None else str(d.channel), "site": d.site,
        "advisories": ";".join(d.advisories), "evidence": ";".join(d.evidence), "confidence": d.confidence,
    }
