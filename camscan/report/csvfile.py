"""CSV export per INVENTORY.md: the serialiser's CSV columns (camscan.serialise), then any asset
register columns. No cell can act as a spreadsheet formula: a cell starting with =, +, -, @,
tab or carriage return is prefixed with a single quote, so spreadsheets show it as text
(OWASP's advice for CSV injection); device-supplied text is otherwise kept as sent."""

from __future__ import annotations

import csv
import io

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.serialise import COLUMNS, csv_cells

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """The cell as text a spreadsheet will never evaluate."""
    return "'" + cell if cell.startswith(_DANGEROUS) else cell


def register_columns(devices: list[Device]) -> list[str]:
    """The asset-register columns the devices carry, in register order (first seen first)."""
    seen: dict[str, None] = {}
    for d in devices:
        for k in d.extra:
            seen.setdefault(k, None)
    return list(seen)


class CsvExporter:
    name = "csv"
    suffix = ".csv"

    def render(self, inventory: Inventory, context: RenderContext | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        extra = register_columns(inventory.devices)
        w.writerow([*COLUMNS, *(defuse(c) for c in extra)])
        for d in inventory.devices:
            r = csv_cells(d)
            w.writerow([defuse(r[c]) for c in COLUMNS] + [defuse(d.extra.get(c, "")) for c in extra])
        return buf.getvalue()
