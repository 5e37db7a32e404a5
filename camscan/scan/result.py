"""From what a scan or replay gathered to the Inventory it reports: fusing the evidence, and
folding in what the scan learnt beside the evidence (per-device notes from credentialed
identification and its summary).

Kept apart from scan/runner.py, which gathers; this only shapes what was gathered."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from camscan.identify.fusion import fuse
from camscan.identify.grouping import conflict_note, mac_conflicts, sweepers
from camscan.identify.signatures import load
from camscan.model import Evidence, Inventory
from camscan.values import ip_sort_key

if TYPE_CHECKING:
    from camscan.scan.runner import ScanResult


def build_inventory(evidence: list[Evidence], targets: list[str], skipped: dict[str, int],
                    notes: list[str], scanner_ips: Collection[str] | None = None) -> Inventory:
    """The fused rows of one run, stamped with the time it was built. `scanner_ips`: the
    scanner's own addresses in a live scan, None in a replay (see fusion.fuse). An IP that two
    MACs answered for is named in the run's notes (grouping.mac_conflicts)."""
    conflicts = mac_conflicts(evidence)
    inventory = Inventory(devices=fuse(evidence, load(), scanner_ips=scanner_ips), targets=targets,
                          scanned_at=datetime.now(UTC).isoformat(timespec="seconds"), skipped=skipped)
    inventory.notes.extend(notes)
    if scanner_ips is None:
        inventory.notes.extend(f"{ip} only asked ARP about many addresses: taken as the scanner that made "
                               "the capture, not listed" for ip in sorted(sweepers(evidence), key=ip_sort_key))
    inventory.notes.extend(conflict_note(ip, macs) for ip, macs in conflicts.items())
    return inventory


def apply_scan_notes(inventory: Inventory, result: ScanResult) -> None:
    """Add the scan's per-device notes to the rows it reached directly, and a summary of the
    credentialed identification (counts, then each device's notes) to the run's notes."""
    for d in inventory.devices:
        if not d.via and d.ip in result.device_notes:
            d.notes.extend(result.device_notes[d.ip])
        if not d.via and d.ip:  # the certificate on 443, and whether it is not the one last accepted
            d.tls_sha256 = result.certificates.get(d.ip, "")
            change = result.cert_changes.get(d.ip)
            d.tls_changed = change is not None and not change.accepted
    if result.enrichment:
        parts = [f"{n} {k}" for k, n in sorted(result.enrichment.items())]
        inventory.notes.append("credentialed identification: " + ", ".join(parts))
        for ip, notes in sorted(result.device_notes.items()):
            inventory.notes.extend(f"  {ip}: {n}" for n in notes)
