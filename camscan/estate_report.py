"""`camscan report` over an estate: where its inventories come from (files, or each site's latest
scan in the store), and the per-site sections added to the FOI draft and the HTML report.

The FOI draft and the HTML page themselves are the single-inventory ones (report/foi.py,
report/html.py) run on the merged inventory, so an estate answer reads like a site's; the
sections here add, per site, which scan it rests on and what was found there.
"""

from __future__ import annotations

from collections import Counter

from camscan.estate import Estate, Part, combine
from camscan.model import Device
from camscan.report import inert
from camscan.report.html import esc
from camscan.report.inventory_file import load_inventory
from camscan.report.sites import Site
from camscan.store import HistoryError, open_db

RECORDERS = ("nvr", "dvr")
_ELSEWHERE = ("Every device this sensor saw was seen by another site's sensor too, and is counted at that "
              "site (or where the sites file puts it).")


def gather(files: tuple[str, ...], db: str | None, latest_per_site: bool, site: str | None,
           site_list: list[Site] | None) -> Estate:
    """The inventories the report is over, merged. Files are read as given; with --db or
    --latest-per-site (or --site and no files) the store's latest scan of each site (or of --site)
    is read as well."""
    parts = [_file_part(path) for path in files]
    if latest_per_site or db or (site and not files):
        parts += _from_store(db, site)
    elif site:
        for p in parts:
            p.inventory.devices = [d for d in p.inventory.devices if d.site == site]
    if not parts:
        raise HistoryError("give inventory files, or --db with --latest-per-site (or --site NAME)")
    return combine(parts, site_list)


def _file_part(path: str) -> Part:
    """An inventory file; its site is the one all its devices carry (a `--site` run's), if any."""
    inv = load_inventory(path)
    tags = {d.site for d in inv.devices}
    return Part(site=tags.pop() if len(tags) == 1 else "", inventory=inv, source=path)


def _from_store(db: str | None, site: str | None) -> list[Part]:
    with open_db(db) as store:
        # oldest first: where two sensors' records of a device tie, the earlier scan's is kept
        latest = sorted(store.latest_per_site(site), key=lambda s: (s.started_at, s.id))
        if not latest:
            what = f"site {site!r}" if site else "any site (record scans with --site NAME)"
            raise HistoryError(f"history database {store.where} has no scan of {what}")
        rows = store.devices_of([s.id for s in latest])
        parts = []
        for info in latest:
            inv = store.inventory_from(info.id, rows[info.id])
            who = f" by {info.sensor}" if info.sensor else ""
            parts.append(Part(site=info.site, inventory=inv, source=f"{info.site}: scan {info.id}{who} "
                                                                     f"at {info.started_at}"))
        return parts


def _site_rows(estate: Estate) -> list[tuple[str, list[Device], str]]:
    by_site: dict[str, list[Device]] = {}
    for d in estate.inventory.devices:
        by_site.setdefault(d.site, []).append(d)
    sources = {p.site: p.source for p in estate.parts if p.site}
    names = set(by_site) | set(sources)  # a sensor whose every device is counted elsewhere still shows
    return [(s, by_site.get(s, []), sources.get(s, "")) for s in sorted(names, key=lambda s: (s == "", s.casefold()))]


def _facts(devices: list[Device]) -> list[tuple[str, str]]:
    cams = [d for d in devices if d.device_type == "camera"]
    makers = Counter(d.manufacturer or "unknown maker" for d in cams)
    forms = Counter(d.form or "unknown" for d in cams)
    return [
        ("cameras", str(len(cams))),
        ("by maker", ", ".join(f"{m} {n}" for m, n in makers.most_common()) or "-"),
        ("static / PTZ / unknown", f"{forms['static']} / {forms['ptz']} / {forms['unknown']}"),
        ("recorders", str(sum(d.device_type in RECORDERS for d in devices))),
        ("with advisories", str(sum(bool(d.advisories) for d in devices))),
        ("devices in all", str(len(devices))),
    ]


def foi_sections(estate: Estate, markdown: bool, public: bool = False) -> str:
    """Per-site sections for the end of the FOI draft ('' for a single untagged inventory).
    `public` (the draft itself) leaves out what is for the internal annex: which scan and sensor
    each site rests on, and how many devices have advisories."""
    if not estate.is_estate:
        return ""
    quote = inert.markdown if markdown else inert.terminal  # site names and sources are data
    out = ["## Per site" if markdown else "Per site\n--------", ""]
    for site, devices, source in _site_rows(estate):
        name = quote(site) or "(no site)"
        out += [f"### {name}" if markdown else f"{name}\n{'~' * len(name)}", ""]
        if source and not public:
            out += [f"From {quote(source)}.", ""]
        if not devices:
            out += [_ELSEWHERE, ""]
            continue
        facts = [(k, quote(v)) for k, v in _facts(devices) if not (public and k == "with advisories")]
        if markdown:
            out += ["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in facts]]
        else:
            width = max(len(k) for k, _ in facts)
            out += [f"{k.ljust(width)}  {v}" for k, v in facts]
        out.append("")
    return "\n".join(out)


def html_section(estate: Estate) -> str:
    """Per-site sections for the HTML report ('' for a single untagged inventory)."""
    if not estate.is_estate:
        return ""
    out = ['<section id="per-site"><h2>Per site</h2>']
    for site, devices, source in _site_rows(estate):
        out.append(f"<h3>{esc(site or '(no site)')}</h3>")
        if source:
            out.append(f"<p>From {esc(source)}.</p>")
        if not devices:
            out.append(f"<p>{esc(_ELSEWHERE)}</p>")
            continue
        rows = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _facts(devices))
        out.append(f'<table class="list"><tbody>{rows}</tbody></table>')
    out.append("</section>")
    return "".join(out)


def add_to_html(page: str, estate: Estate) -> str:
    section = html_section(estate)
    return page.replace('<footer id="notes">', section + '\n<footer id="notes">', 1) if section else page


def add_to_foi(text: str, estate: Estate, markdown: bool, public: bool = False) -> str:
    section = foi_sections(estate, markdown, public)
    return f"{text.rstrip()}\n\n{section}" if section else text
