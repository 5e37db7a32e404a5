"""The terminal view: a table of the rows and a summary a person can read at a glance
("9 Hikvision: 5 static, 2 PTZ, 1 NVR ..."), plus what the run skipped."""

from __future__ import annotations

from collections import Counter

from camscan.model import Inventory

_COLS = (("ip", 15), ("mac", 17), ("manufacturer", 12), ("brand", 10), ("type", 8), ("form", 7),
         ("model", 24), ("firmware", 26), ("via:ch", 18), ("conf", 6), ("advisories", 16))


def _cut(s: str, n: int) -> str:
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return s if len(s) <= n else s[: n - 1] + "…"


class TableExporter:
    def render(self, inventory: Inventory) -> str:
        lines = ["  ".join(name.ljust(w) for name, w in _COLS).rstrip()]
        for d in inventory.devices:
            via = f"{d.via}:{d.channel}" if d.via else ""
            cells = (d.ip, d.mac, d.manufacturer, d.brand, d.device_type, d.form, d.model, d.firmware, via,
                     d.confidence, ",".join(d.advisories))
            lines.append("  ".join(_cut(c, w).ljust(w) for c, (_, w) in zip(cells, _COLS, strict=True)).rstrip())
        lines.append("")
        lines.extend(summary_lines(inventory))
        return "\n".join(lines) + "\n"


def summary_lines(inventory: Inventory) -> list[str]:
    devs = inventory.devices
    cams = [d for d in devs if d.device_type == "camera"]
    out = [f"{len(devs)} devices, {len(cams)} cameras "
           f"({sum(d.form == 'static' for d in cams)} static, {sum(d.form == 'ptz' for d in cams)} PTZ, "
           f"{sum(d.form == 'unknown' for d in cams)} of unknown form), "
           f"{sum(d.device_type == 'nvr' for d in devs)} NVRs, {sum(d.device_type == 'dvr' for d in devs)} DVRs"]
    kit = [d for d in devs if d.device_type not in ("other", "unknown") or d.manufacturer]
    by_maker = Counter(d.manufacturer or "unknown maker" for d in kit)
    if by_maker:
        order = sorted(by_maker.items(), key=lambda kv: ({"Hikvision": 0, "Dahua": 1}.get(kv[0], 2), -kv[1]))
        out.append("by manufacturer: " + ", ".join(f"{m} {n}" for m, n in order))
    others = sum(d.device_type == "other" and not d.manufacturer for d in devs)
    unknown = sum(d.device_type == "unknown" and not d.manufacturer for d in devs)
    if others or unknown:
        out.append(f"also {others} other hosts (PCs, printers, routers...) and {unknown} hosts not identified")
    flagged = sum(1 for d in devs if d.advisories)
    if flagged:
        out.append(f"{flagged} devices with firmware covered by known advisories (see the advisories column)")
    behind = [d for d in devs if d.via]
    if behind:
        out.append(f"{len(behind)} cameras reported only through recorders")
    if inventory.skipped:
        total = sum(inventory.skipped.values())
        out.append(f"skipped {total}: " + ", ".join(f"{n} {k}" for k, n in sorted(inventory.skipped.items())))
    out.extend(inventory.notes)
    return out
