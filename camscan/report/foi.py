"""A draft Freedom of Information answer from an inventory, in Markdown or plain text.

It answers the questions such requests usually ask — is Hikvision (with its subsidiaries,
brands and OEM rebadges) in use; how many cameras, static and PTZ; where; recorders and the
cameras behind them; firmware; purchase dates and cost where the register knows them; any
Pyronix or Dahua kit — in neutral, factual wording, says on what evidence each figure rests,
and states plainly what could not be settled ("3 cameras of unknown form"). It is a draft for
a person to check, not a legal answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from camscan.model import Inventory
from camscan.report.assets import JoinResult

RECORDERS = ("nvr", "dvr")
BASIS = {
    "sadp": "the vendor's own discovery protocol (Hikvision SADP)",
    "dhip": "the vendor's own discovery protocol (Dahua DHIP)",
    "isapi": "the device's own authenticated API (Hikvision ISAPI)",
    "cgi": "the device's own authenticated API (Dahua CGI)",
    "onvif": "the device's ONVIF interface",
    "nvr": "a recorder's list of the cameras connected to it",
}


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return out


def render_markdown(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None) -> str:
    devs = inv.devices
    cams = [d for d in devs if d.device_type == "camera"]
    recs = [d for d in devs if d.device_type in RECORDERS]
    hik = [d for d in devs if d.manufacturer == "Hikvision"]
    dahua = [d for d in devs if d.manufacturer == "Dahua"]
    when = inv.scanned_at or "an unrecorded date"
    out = ["# Draft answer: CCTV cameras and recorders on the network", "",
           f"Prepared from a camscan inventory of {', '.join(inv.targets) or 'the named networks'} made on {when}. "
           "Figures count devices that answered on the network at that time, and cameras that recorders "
           "reported as connected to them; equipment that was switched off, disconnected or on networks not "
           "scanned is not included.", ""]

    out += ["## Is equipment made by Hikvision in use?", ""]
    if hik:
        brands = Counter(d.brand or "(brand not shown)" for d in hik)
        out.append(f"Yes. {_n(len(hik), 'device')} made by Hikvision or its subsidiaries "
                   f"(including brands and OEM rebadges) were identified: "
                   + ", ".join(f"{b} {n}" for b, n in brands.most_common()) + ".")
        kinds = Counter(d.device_type for d in hik)
        out.append("By type: " + ", ".join(f"{_label(k)} {n}" for k, n in kinds.most_common()) + ".")
    else:
        out.append("No device made by Hikvision or its subsidiaries was identified.")
    out.append("")

    out += ["## How many cameras, and how many are static or PTZ?", ""]
    makers = sorted({d.manufacturer or "unknown maker" for d in cams}, key=_maker_order)
    rows = []
    for m in makers:
        group = [d for d in cams if (d.manufacturer or "unknown maker") == m]
        f = Counter(d.form for d in group)
        rows.append([m, str(f["static"]), str(f["ptz"]), str(f["unknown"]), str(len(group))])
    forms = Counter(d.form for d in cams)
    rows.append(["**all**", str(forms["static"]), str(forms["ptz"]), str(forms["unknown"]), str(len(cams))])
    out += [*_table(["manufacturer", "static", "PTZ", "form unknown", "cameras"], rows), ""]

    out += ["## Where are they?", ""]
    sites = sorted({d.site for d in devs if d.device_type in ("camera", *RECORDERS)})
    if sites == [""] or not sites:
        out.append("No sites file was given: devices are not assigned to sites.")
    else:
        rows = []
        for s in sites:
            here = [d for d in devs if d.site == s]
            c = [d for d in here if d.device_type == "camera"]
            rows.append([s or "(no site)", str(sum(d.manufacturer == "Hikvision" for d in c)),
                         str(sum(d.manufacturer == "Dahua" for d in c)),
                         str(sum(d.manufacturer not in ("Hikvision", "Dahua") for d in c)),
                         str(sum(d.device_type in RECORDERS for d in here))])
        out += _table(["site", "Hikvision cameras", "Dahua cameras", "other cameras", "recorders"], rows)
    out.append("")

    out += ["## Recorders and the cameras behind them", ""]
    if recs:
        behind = defaultdict(list)
        for d in devs:
            if d.via:
                behind[d.via].append(d)
        rows = [[d.ip, d.manufacturer or "unknown", d.model or "-", d.site or "-",
                 str(len(behind.get(d.ip, [])))] for d in recs]
        out += _table(["recorder", "manufacturer", "model", "site", "cameras it reports"], rows)
        unseen = sum(1 for d in devs if d.via and "nvr" in d.evidence and len(d.evidence) == 1)
        out += ["", f"{_n(unseen, 'camera was', 'cameras were')} known only through a recorder (for example on "
                "its own PoE network, which no scan reaches); they are counted above."]
    else:
        out.append("No recorders (NVR/DVR) were identified.")
    out.append("")

    out += ["## Firmware", ""]
    fw = Counter((d.manufacturer or "unknown", d.model or "-", d.firmware or "unknown", ";".join(d.advisories))
                 for d in devs if d.device_type in ("camera", *RECORDERS))
    rows = [[m, mo, f, str(n), a or "-"] for (m, mo, f, a), n in sorted(fw.items(), key=lambda x: (-x[1], x[0]))]
    out += _table(["manufacturer", "model", "firmware", "devices", "advisories"], rows)
    heur = sum(1 for d in devs if any(f.heuristic for f in d.findings))
    if heur:
        out += ["", f"{_n(heur, 'advisory finding rests', 'advisory findings rest')} on a rule of thumb "
                "(a firmware build date), not on the vendor's own list of affected models."]
    out.append("")

    out += ["## Other Hikvision-owned or Dahua equipment", ""]
    pyronix = [d for d in devs if d.brand == "Pyronix"]
    out.append(f"Pyronix (owned by Hikvision): {_n(len(pyronix), 'device')}." if pyronix
               else "Pyronix (owned by Hikvision): none identified.")
    if dahua:
        brands = Counter(d.brand or "(brand not shown)" for d in dahua)
        out.append(f"Dahua, including its OEM brands: {_n(len(dahua), 'device')} ("
                   + ", ".join(f"{b} {n}" for b, n in brands.most_common()) + ").")
    else:
        out.append("Dahua, including its OEM brands: none identified.")
    out.append("")

    if join is not None and register_cols:
        out += ["## Purchase dates and cost", ""]
        date_col = next((c for c in register_cols if "date" in c.lower() or "purchase" in c.lower()), "")
        cost_col = next((c for c in register_cols if "cost" in c.lower() or "price" in c.lower()), "")
        matched = [d for d in devs if d.extra]
        out.append(f"The asset register matched {_n(len(matched), 'device')}.")
        if cost_col:
            total = 0.0
            counted = 0
            for d in matched:
                try:
                    total += float(d.extra.get(cost_col, "").replace(",", "").lstrip("£$€"))
                    counted += 1
                except ValueError:
                    pass
            out.append(f"Recorded cost of the {_n(counted, 'matched device')} with a cost: {total:,.2f}.")
        if date_col:
            years = Counter(d.extra.get(date_col, "")[:4] for d in matched if d.extra.get(date_col))
            if years:
                out.append("Purchased by year: " + ", ".join(f"{y} {n}" for y, n in sorted(years.items())) + ".")
        out += [f"Devices found on the network but not in the register: {len(join.unmatched_devices)}.",
                f"Register entries not found on the network: {len(join.unmatched_rows)}.", ""]

    out += ["## What could not be settled", ""]
    unsettled = []
    if forms["unknown"]:
        unsettled.append(f"{_n(forms['unknown'], 'camera')} of unknown form (static or PTZ).")
    unknown_type = sum(d.device_type == "unknown" for d in devs)
    if unknown_type:
        unsettled.append(f"{_n(unknown_type, 'device')} whose type could not be determined.")
    no_maker = sum(1 for d in devs if d.device_type in ("camera", *RECORDERS) and not d.manufacturer)
    if no_maker:
        unsettled.append(f"{_n(no_maker, 'camera or recorder', 'cameras or recorders')} whose maker is unknown.")
    low = sum(d.confidence == "low" for d in devs)
    if low:
        unsettled.append(f"{_n(low, 'maker identification rests', 'maker identifications rest')} on the network "
                         "card's registered vendor prefix alone (low confidence).")
    out += [f"- {u}" for u in unsettled] or ["- Nothing: every device found was classified."]
    out.append("")

    out += ["## How devices were identified", ""]
    basis = Counter()
    for d in devs:
        if not d.manufacturer:
            continue
        key = next((s for s in ("isapi", "cgi", "sadp", "dhip", "nvr", "onvif") if s in d.evidence), "")
        basis[BASIS.get(key, "banners, model numbers and registered network-card prefixes")] += 1
    out += [f"- {n} by {b}" for b, n in basis.most_common()]
    out += ["", "Manufacturer means the company group that made the hardware: a rebadged camera (e.g. LTS or "
            "Annke for Hikvision, Amcrest or Lorex for Dahua) counts under its real maker, with the brand it "
            "carries shown separately.", ""]
    return "\n".join(out)


def render_text(inv: Inventory, join: JoinResult | None = None, register_cols: list[str] | None = None) -> str:
    """The same answer as plain text (for an email or a letter)."""
    lines = render_markdown(inv, join, register_cols).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                if not set(lines[i]) <= set("|-"):
                    block.append([c.strip().replace("**", "") for c in lines[i].strip("|").split("|")])
                i += 1
            widths = [max(len(r[c]) for r in block) for c in range(len(block[0]))]
            out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in block]
            continue
        if line.startswith("#"):
            title = line.lstrip("# ").strip()
            out += [title, ("=" if line.startswith("# ") else "-") * len(title)]
        else:
            out.append(line.replace("**", ""))
        i += 1
    return "\n".join(out) + "\n"


def _label(kind: str) -> str:
    return {"camera": "cameras", "nvr": "NVRs", "dvr": "DVRs", "intercom": "intercoms", "alarm": "alarm parts",
            "encoder": "encoders", "other": "other", "unknown": "unknown type"}.get(kind, kind)


def _maker_order(m: str) -> tuple[int, str]:
    return ({"Hikvision": 0, "Dahua": 1}.get(m, 3 if m == "unknown maker" else 2), m)


__all__ = ["render_markdown", "render_text"]


