"""The inventory a correct replay of each capture produces, written from the profiles' [expect]
sections and the sources each device gave in the capture, never by running camscan.
"""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

from camscan.lab.profile import SCANNER_IP, Profile
from camscan.model import SOURCES
from camscan.values import ip_number
from tools.pcapgen.capture import SCANNER_MAC, Capture

# INVENTORY.md: names and order are a contract
COLUMNS = ("ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial",
           "name", "via", "channel", "site", "advisories", "evidence", "confidence", "oui_vendor", "analytics")
# device kinds whose analytics are "unknown" when their API was not read (identify/resolve.py)
VIDEO_KINDS = ("camera", "nvr", "dvr", "encoder", "unknown")

# vendor protocols (only that maker's firmware speaks them) / authenticated APIs
VENDOR_SOURCES = {"sadp", "dhip", "isapi", "cgi", "onvif", "bosch", "hanwha", "hikweb"}
BANNER_SOURCES = {"http", "rtsp", "ssdp", "wsd", "mdns", "tls", "dhcp"}


def _oui_vendor(mac: str) -> str:
    """The IEEE registrant of the MAC's OUI ("" when the registry has none), as arp-scan shows it."""
    import aiooui

    if not aiooui.is_loaded():
        asyncio.run(aiooui.async_load())
    return (aiooui.get_vendor(mac) or "").strip()


def _oui_known(mac: str) -> bool:
    return bool(_oui_vendor(mac))


def confidence(manufacturer: str, sources: set[str]) -> str:
    """INVENTORY.md: high when a vendor protocol or authenticated API spoke, medium for banners or
    model patterns, low for the OUI alone; empty when no manufacturer is claimed."""
    if not manufacturer:
        return ""
    if sources & VENDOR_SOURCES:
        return "high"
    if sources & BANNER_SOURCES:
        return "medium"
    return "low" if "oui" in sources else ""


# The inventory's `evidence` column lists sources in INVENTORY.md's order: camscan.model.SOURCES
# (imported above), so a source a protocol module adds is listed without a copy kept here.


def advisories_for(expect: dict) -> str:
    """The advisories a profile's [expect] (or a channel's) says its firmware is covered by."""
    return ";".join(sorted(expect.get("advisories", [])))


def analytics_for(expect: dict, api_read: bool) -> str:
    """A row's analytics cell: the profile's own when its API was read, else unknown for video kit."""
    if api_read and "analytics" in expect:
        return ";".join(expect["analytics"])
    return "unknown" if expect.get("device_type", "camera") in VIDEO_KINDS else ""


def expected_rows(profiles: list[Profile], cap: Capture) -> tuple[list[dict[str, str]], list[dict]]:
    rows: list[dict[str, str]] = []
    raw: list[dict] = []
    for p in profiles:
        sources = set(cap.sources.get(p.id, set()))
        if not sources:
            continue  # not in this capture
        # off the link the frame's MAC is the router's, but a device's own API (ISAPI deviceInfo)
        # or its WS-Discovery MAC scope still reports its hardware address
        mac_known = p.on_link or bool({"isapi", "wsd"} & sources)
        if mac_known and _oui_known(p.mac):
            sources.add("oui")
        e = p.expect
        row = {
            "ip": p.ip, "mac": p.mac if mac_known else "", "manufacturer": e["manufacturer"],
            "brand": e["brand"], "device_type": e["device_type"], "form": e["form"], "model": e["model"],
            "firmware": e["firmware"], "serial": e["serial"], "name": e["name"], "via": "", "channel": "",
            "site": "", "advisories": advisories_for(e),
            "evidence": ";".join(s for s in SOURCES if s in sources),
            "confidence": confidence(e["manufacturer"], sources),
            "oui_vendor": _oui_vendor(p.mac) if mac_known else "",
            "analytics": analytics_for(e, bool({"isapi", "cgi"} & sources)),
        }
        rows.append(row)
        channel_rows = []
        if {"isapi", "cgi"} & sources:
            for ch in p.channels:
                channel_rows.append({
                    "ip": ch["ip"], "mac": "", "manufacturer": ch["manufacturer"], "brand": ch["brand"],
                    "device_type": ch.get("device_type", "camera"), "form": ch["form"], "model": ch["model"],
                    "firmware": ch["firmware"], "serial": ch["serial"], "name": ch["name"], "via": ch["via"],
                    "channel": str(ch["channel"]), "site": "",
                    "advisories": advisories_for(ch), "evidence": "nvr",
                    "confidence": ch["confidence"], "oui_vendor": "", "analytics": analytics_for(ch, True),
                })
        rows += channel_rows
        raw.append({"id": p.id, "profile": f"camscan/lab/profiles/{p.path.name}", "ip": p.ip, "mac": p.mac,
                    "subnet": p.subnet, "vlan": p.vlan if cap.stress else None, "protocols": list(p.protocols),
                    "evidence": sorted(sources), "confidence": row["confidence"], "expect": e})
    for r in rows:
        for col, value in r.items():
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                raise SystemExit(f"expected {col} {value!r} would need CSV defusing; pick another lab value")

    def key(r: dict[str, str]) -> tuple:
        return (ip_number(r["ip"]) if r["ip"] else 1 << 33, ip_number(r["via"]) if r["via"] else -1,
                int(r["channel"]) if r["channel"] else -1)

    rows.sort(key=key)
    raw.sort(key=lambda d: ip_number(d["ip"]))
    return rows, raw


def write_expected(out: Path, stem: str, capture_name: str, profiles: list[Profile], cap: Capture,
                   extra: tuple[dict[str, str], ...] = ()) -> None:
    rows, raw = expected_rows(profiles, cap)
    if extra:
        rows += [{c: e.get(c, "") for c in COLUMNS} for e in extra]
        rows.sort(key=lambda r: ip_number(r["ip"]) if r["ip"] else 1 << 33)
    with (out / f"{stem}.expected.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
    doc = {"capture": capture_name, "generator": "tools/make_pcaps.py", "scanner": {"ip": SCANNER_IP,
           "mac": SCANNER_MAC}, "columns": list(COLUMNS), "devices": raw}
    (out / f"{stem}.expected.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
