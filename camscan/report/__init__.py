"""Exporters: each turns an Inventory into one output format (CSV, JSON, terminal table).

Same shape as pip-audit's formats: one small class per format with one method, picked by the
CLI by name; a new output is a new module here, not an edit of a long if-chain.
"""

from __future__ import annotations

from typing import Protocol

from camscan.model import Inventory


class Exporter(Protocol):
    """Writes an inventory in one format."""

    def render(self, inventory: Inventory) -> str: ...
