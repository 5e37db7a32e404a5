"""CSV export per INVENTORY.md. No cell can act as a spreadsheet formula: a cell starting with
=, +, -, @, tab or carriage return is prefixed with a single quote, so spreadsheets show it as
text (OWASP's advice for CSV injection); device-supplied text is otherwise kept as sent."""

from __future__ import annotations

import csv
import io

from camscan.model import Inventory
from camscan.report.columns import COLUMNS, row

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """The cell as text a spreadsheet will never evaluate."""
    return "'" + cell if cell.startswith(_DANGEROUS) else cell


class CsvExporter:
    def render(self, inventory: Inventory) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        extra: list[str] = []  # asset-register columns go after the contract's, in register order
        for d in inventory.devices:
            extra += [k for k in d.extra if k not in extra]
        w.writerow([*COLUMNS, *(defuse(c) for c in extra)])
        for d in inventory.devices:
            r = row(d)
            w.writerow([defuse(r[c]) for c in COLUMNS] + [defuse(d.extra.get(c, "")) for c in extra])
        return buf.getvalue()
