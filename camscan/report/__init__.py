"""Exporters: each turns an Inventory into one output (table, CSV, JSON, HTML, FOI draft, diff).

Same shape as pip-audit's formats: one small class per output with a `name`, a default file
suffix and one `render` method, all listed in report/formats.py and picked by name there; a new
output is a new class and one line in that registry, not an edit of a long if-chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from camscan.model import Inventory

if TYPE_CHECKING:
    from camscan.report.assets import JoinResult
    from camscan.report.diff import DiffResult


@dataclass(slots=True)
class RenderContext:
    """What some outputs need beside the rows: the asset register's join (unmatched rows and
    devices, its columns), the HTML report's title, for the diff outputs the comparison, and for
    the FOI draft the officer's choice to withhold locations and the day it is prepared on
    (None: today)."""

    title: str = "Camera inventory"
    join: JoinResult | None = None
    register_columns: list[str] = field(default_factory=list)
    diff: DiffResult | None = None
    withhold_locations: bool = False
    generated: date | None = None
    # camscan.estate.Estate when the report covers several inventories: the FOI draft and the
    # HTML page add a per-site section
    estate: Any = None


class Exporter(Protocol):
    """Writes an inventory (or, for the diff outputs, `context.diff`) in one format."""

    name: str
    suffix: str

    def render(self, inventory: Inventory, context: RenderContext) -> str: ...
