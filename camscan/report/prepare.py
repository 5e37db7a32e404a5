"""What `camscan report` does to an inventory before writing it: read it back, recompute its
advisories with the current data (an old inventory may predate an advisory), assign sites and
join the asset register. Kept here so the CLI only wires options to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from camscan.errors import InputError
from camscan.identify.advisories import annotate
from camscan.model import Inventory
from camscan.report import RenderContext, assets, sites
from camscan.report.inventory_file import load_inventory


@dataclass(slots=True)
class PreparedReport:
    inventory: Inventory
    join: assets.JoinResult | None = None
    register: assets.Register | None = None
    estate: Any = None  # camscan.estate.Estate when the report is over several inventories

    def context(self, title: str, withhold_locations: bool = False) -> RenderContext:
        """What the outputs need beside the rows (the register's join and columns, the title,
        the estate's per-site parts, the officer's choice on locations for the FOI draft)."""
        return RenderContext(title=title, join=self.join,
                             register_columns=list(self.register.columns) if self.register else [],
                             estate=self.estate, withhold_locations=withhold_locations)

    def register_summary(self) -> str | None:
        """One line on how the register matched, None when no register was given."""
        if self.join is None:
            return None
        return (f"asset register: {self.join.matched} matched, {len(self.join.unmatched_devices)} devices not in "
                f"the register, {len(self.join.unmatched_rows)} register rows not found on the network")


def prepare_report(inventory_path: str, sites_path: str | None, assets_path: str | None) -> PreparedReport:
    """The inventory in `inventory_path` with current advisories, sites and register columns.
    Every input file is read (and any bad one reported) before anything is changed."""
    inventory = load_inventory(inventory_path)
    site_list = sites.load_sites(sites_path) if sites_path else None
    register = assets.load_register(assets_path) if assets_path else None
    annotate(inventory.devices)
    if site_list is not None:
        sites.assign(inventory.devices, site_list)
    join = assets.join(inventory.devices, register) if register is not None else None
    return PreparedReport(inventory, join, register)


def prepare_estate_report(files: tuple[str, ...], db: str | None, latest_per_site: bool, site: str | None,
                          sites_path: str | None, assets_path: str | None) -> PreparedReport:
    """The inventories named (files, or each site's latest scan in the store) merged into one
    estate, with current advisories, sites and register columns. Every input is read (and any bad
    one reported) before anything is written."""
    from camscan.estate_report import gather
    from camscan.store import HistoryError

    site_list = sites.load_sites(sites_path) if sites_path else None
    register = assets.load_register(assets_path) if assets_path else None
    try:
        estate = gather(files, db, latest_per_site, site, site_list)
    except HistoryError as exc:
        raise InputError(str(exc)) from None
    inventory = estate.inventory
    annotate(inventory.devices)
    join = assets.join(inventory.devices, register) if register is not None else None
    return PreparedReport(inventory, join, register, estate)
