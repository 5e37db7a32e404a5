"""The camscan commands. Only argument handling and wiring here; the work lives in the modules."""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime

import click

from camscan import __version__
from camscan.errors import CamscanError, InputError

_DB_HELP = ("History database: an SQLite file, a postgresql://user@host/db URL (no password here: use PGPASSWORD, "
            "~/.pgpass or @FILE), or @FILE, a config file only you can read holding url = \"...\" "
            "(default: $CAMSCAN_DB, else your data directory).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="camscan")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find the cameras, NVRs and DVRs on a network you are authorised to scan, and say who made them."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE...")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the inventory as CSV.")
@click.option("--json", "json_path", metavar="FILE", help="Write the inventory as JSON (with provenance).")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the table.")
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", default="", metavar="NAME", help="The site this capture was taken at (tags the run).")
@click.option("--no-history", is_flag=True, help="Do not record this run in the scan history.")
def replay(captures: tuple[str, ...], csv_path: str | None, json_path: str | None, quiet: bool, db: str | None,
           site: str, no_history: bool) -> None:
    """Build the inventory from pcap/pcapng captures (the same parsers a live scan uses)."""
    from camscan.collect import Collector
    from camscan.identify.signatures import load
    from camscan.output import check_writable, write_outputs
    from camscan.replay import PcapError, replay_file
    from camscan.report.table import TableExporter

    for out in (csv_path, json_path):
        if out:
            check_writable(out)
    target = None if no_history else _store_target(db)
    load()  # a broken signature file is reported before any capture is read
    collector = Collector()
    problems: list[str] = []
    read_any = False
    for path in captures:
        try:
            report = replay_file(path, collector)
        except PcapError as exc:
            problems.append(str(exc))
            continue
        read_any = True
        if report.error:
            problems.append(f"{report.error}; kept what was read before it")
    if not read_any:
        for p in problems:
            click.echo(f"camscan: error: {p}", err=True)
        sys.exit(2)
    inv = _build_inventory(collector.evidence, list(captures), dict(collector.counters.counts),
                           [f"error: {p}" for p in problems])
    _tag_site(inv, site)
    write_outputs(inv, csv_path, json_path)
    if target is not None:
        _record(inv, "replay", target, site)
    if not quiet:
        click.echo(TableExporter().render(inv), nl=False)
    for p in problems:
        click.echo(f"camscan: error: {p}", err=True)
    if problems:
        sys.exit(2)


def _progress_bars(label: str, total: int):
    """A progress bar on the terminal for one phase of a scan: (advance, finish)."""
    bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr, width=40)
    bar.__enter__()
    return bar.update, lambda: bar.__exit__(None, None, None)


def _build_inventory(evidence, targets: list[str], skipped: dict[str, int], notes: list[str]):
    from camscan.identify.fusion import fuse
    from camscan.identify.signatures import load
    from camscan.model import Inventory

    inv = Inventory(devices=fuse(evidence, load()), targets=targets,
                    scanned_at=datetime.now(UTC).isoformat(timespec="seconds"), skipped=skipped)
    inv.notes.extend(notes)
    return inv


@cli.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--interface", "-i", metavar="IFACE",
              help="Link to scan on (default: the one whose subnet holds the targets).")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the inventory as CSV.")
@click.option("--json", "json_path", metavar="FILE", help="Write the inventory as JSON (with provenance).")
@click.option("--capture", "capture_path", metavar="FILE", help="Write a pcap of the scan's traffic (needs root).")
@click.option("--rate", type=click.FloatRange(1, 100000), default=2000, show_default=True,
              help="Ceiling on packets per second for everything the scan sends.")
@click.option("--ports", default="80,443,554,8000,8080,37777", show_default=True, help="TCP ports to probe.")
@click.option("--allow-public", is_flag=True,
              help="Allow public addresses among the targets (only if you are authorised).")
@click.option("--wait", "discovery_wait", type=click.FloatRange(0.2, 30), default=1.5, show_default=True,
              help="Seconds to listen for discovery replies.")
@click.option("--credentials", "creds_path", metavar="FILE",
              help="TOML file of accounts for the devices' own APIs (or CAMSCAN_USERNAME/CAMSCAN_PASSWORD).")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the table.")
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", default="", metavar="NAME", help="The site this sensor scans (tags the run).")
@click.option("--no-history", is_flag=True, help="Do not record this scan in the scan history.")
def scan(targets: tuple[str, ...], interface: str | None, csv_path: str | None, json_path: str | None,
         capture_path: str | None, rate: float, ports: str, allow_public: bool, discovery_wait: float,
         creds_path: str | None, quiet: bool, db: str | None, site: str, no_history: bool) -> None:
    """Scan TARGETs (addresses, CIDRs, ranges like 198.18.0.10-20, or @file) you are authorised to scan.

    Sends packets only to the targets and to the discovery multicast groups of the chosen link.
    """
    from camscan.output import write_outputs
    from camscan.report.table import TableExporter
    from camscan.scan.runner import ScanOptions, no_progress, run_scan
    from camscan.scan.targets import parse_targets

    try:
        port_list = tuple(int(p) for p in ports.split(",") if p.strip())
        if not port_list or any(not 0 < p < 65536 for p in port_list):
            raise ValueError
    except ValueError:
        raise InputError(f"--ports {ports!r}: give TCP ports as a comma-separated list, e.g. 80,554") from None
    ipset = parse_targets(list(targets), allow_public=allow_public)
    target = None if no_history else _store_target(db)
    if capture_path:
        from camscan.output import check_writable

        check_writable(capture_path)
    from camscan.scan import credentials

    creds = credentials.load(creds_path)
    opts = ScanOptions(ipset, interface, rate, port_list, capture_path, discovery_wait, credentials=creds or None)
    say = (lambda m: None) if quiet else (lambda m: click.echo(m, err=True))
    result = run_scan(opts, say, _progress_bars if (not quiet and sys.stderr.isatty()) else no_progress)
    inv = _build_inventory(result.evidence, list(targets), result.skipped, result.notes)
    for d in inv.devices:
        if not d.via and d.ip in result.device_notes:
            d.notes.extend(result.device_notes[d.ip])
    if result.enrichment:
        parts = [f"{n} {k}" for k, n in sorted(result.enrichment.items())]
        inv.notes.append("credentialed identification: " + ", ".join(parts))
        for ip, notes in sorted(result.device_notes.items()):
            inv.notes.extend(f"  {ip}: {n}" for n in notes)
    _tag_site(inv, site)
    write_outputs(inv, csv_path, json_path)
    if target is not None:
        _record(inv, "scan", target, site)
    if not quiet:
        click.echo(TableExporter().render(inv), nl=False)
        timing = ", ".join(f"{k} {v:.2f} s" for k, v in result.phases.items())
        click.echo(f"phases: {timing}", err=True)
    if result.interrupted:
        click.echo("camscan: scan cut short; the inventory holds what was found until then", err=True)
        sys.exit(130)


@cli.group()
def lab() -> None:
    """An emulated camera estate in network namespaces (198.18.0.0/21), to rehearse scans. Needs root."""


@lab.command("up")
@click.option("--hosts", type=click.IntRange(0, 1000), default=0, help="Add N plain and cloned hosts to the LAN.")
def lab_up(hosts: int) -> None:
    """Build the lab (removing any old one) and start every emulated device."""
    from camscan.lab.control import up
    from camscan.lab.netns import LabError

    try:
        up(hosts, say=lambda m: click.echo(m, err=True))
    except LabError as exc:
        raise CamscanError(str(exc)) from None


@lab.command("down")
def lab_down() -> None:
    """Remove every namespace, link and process the lab made."""
    from camscan.lab.control import down
    from camscan.lab.netns import LabError, check_root

    try:
        check_root()
        removed = down()
    except LabError as exc:
        raise CamscanError(str(exc)) from None
    click.echo(f"lab down: removed {len(removed)} namespaces", err=True)


@lab.command("status")
def lab_status() -> None:
    """Show the lab's namespaces and emulators."""
    from camscan.lab.control import status

    click.echo("\n".join(status()))


@lab.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def lab_exec(command: tuple[str, ...]) -> None:
    """Run COMMAND in the scanner's namespace (e.g. camscan lab exec -- camscan scan 198.18.0.0/21)."""
    from camscan.lab.control import exec_in_scanner
    from camscan.lab.netns import LabError

    try:
        sys.exit(exec_in_scanner(list(command)))
    except LabError as exc:
        raise CamscanError(str(exc)) from None


def _store_target(db: str | None):
    """Where the run will be recorded, checked before any work (a password on the command line
    is refused here)."""
    from camscan.store import resolve

    return resolve(db)


def _tag_site(inv, site: str) -> None:
    from camscan.estate import tag_site

    tag_site(inv, site)


def _record(inv, kind: str, target, site: str) -> None:
    """Keep the run in the scan history (see `camscan history`); a central store that cannot take
    it now gets it later from the spool (`camscan push`), and a history that cannot be written is
    reported but never costs the user the inventory already written."""
    from camscan.store.push import record_or_spool

    record_or_spool(inv, kind, target, site, lambda m: click.echo(f"camscan: warning: {m}", err=True))


@cli.command()
@click.argument("inventories", nargs=-1, metavar="[INVENTORY.json]...")
@click.option("--db", metavar="DB", help="Read each site's latest scan from this store (and any files). " + _DB_HELP)
@click.option("--latest-per-site", is_flag=True, help="Report on each site's latest scan in the store.")
@click.option("--site", metavar="NAME", help="Only this site (its latest scan in the store, or its devices).")
@click.option("--sites", "sites_path", metavar="FILE", help="TOML file mapping networks and recorders to site names.")
@click.option("--assets", "assets_path", metavar="FILE", help="Asset register CSV (MAC and/or serial columns).")
@click.option("--html", "html_path", metavar="FILE", help="Write a self-contained HTML report.")
@click.option("--foi", "foi_path", metavar="FILE", help="Write a draft FOI answer (.md Markdown, else plain text).")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the inventory (with sites and register columns) as CSV.")
@click.option("--json", "json_path", metavar="FILE", help="Write the inventory as JSON.")
@click.option("--title", default="Camera inventory", show_default=True, help="Title of the HTML report.")
def report(inventories: tuple[str, ...], db: str | None, latest_per_site: bool, site: str | None,
           sites_path: str | None, assets_path: str | None, html_path: str | None, foi_path: str | None,
           csv_path: str | None, json_path: str | None, title: str) -> None:
    """Sites, asset register, advisories, a draft FOI answer and an HTML report from an inventory,
    or from several merged into one estate (files, or each site's latest scan in the store)."""
    from camscan.estate_report import add_to_foi, add_to_html, gather
    from camscan.identify.advisories import annotate
    from camscan.output import check_writable, write_atomic, write_outputs
    from camscan.report import assets, foi, sites
    from camscan.store import HistoryError

    for out in (html_path, foi_path, csv_path, json_path):
        if out:
            check_writable(out)
    site_list = sites.load_sites(sites_path) if sites_path else None
    register = assets.load_register(assets_path) if assets_path else None
    try:
        estate = gather(inventories, db, latest_per_site, site, site_list)
    except HistoryError as exc:
        raise InputError(str(exc)) from None
    inv = estate.inventory
    for d in inv.devices:  # advisories are recomputed with the current data
        d.notes = [n for n in d.notes if "heuristic match" not in n]
    annotate(inv.devices)
    joined = assets.join(inv.devices, register) if register is not None else None
    write_outputs(inv, csv_path, json_path)
    if foi_path:
        render = foi.render_markdown if foi_path.endswith(".md") else foi.render_text
        write_atomic(foi_path, add_to_foi(render(inv, joined, register.columns if register else None), estate,
                                          foi_path.endswith(".md")))
    if html_path:
        from camscan.report.html import HtmlExporter

        page = HtmlExporter().render(inv, unmatched_devices=joined.unmatched_devices if joined else None,
                                     unmatched_assets=joined.unmatched_rows if joined else None, title=title)
        write_atomic(html_path, add_to_html(page, estate))
    from camscan.report.table import summary_lines

    for line in summary_lines(inv):
        click.echo(line)
    if joined is not None:
        click.echo(f"asset register: {joined.matched} matched, {len(joined.unmatched_devices)} devices not in the "
                   f"register, {len(joined.unmatched_rows)} register rows not found on the network")


@cli.command()
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", metavar="NAME", help="Only this site's scans.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def history(db: str | None, site: str | None, as_json: bool) -> None:
    """List the recorded scans and replays."""
    import json as _json

    from camscan.store import HistoryError, open_db

    try:
        with open_db(db) as store:
            scans = store.scans(site)
    except HistoryError as exc:
        raise InputError(str(exc)) from None
    if as_json:
        click.echo(_json.dumps([{"id": s.id, "started_at": s.started_at, "kind": s.kind, "targets": s.targets,
                                 "devices": s.device_count, "site": s.site, "sensor": s.sensor} for s in scans],
                               indent=2))
        return
    if not scans:
        click.echo("no scans recorded yet" + (f" for site {site!r}" if site else ""))
        return
    with_sites = any(s.site for s in scans)
    click.echo(f"{'id':>5}  {'when':<25}  {'kind':<7}  {'devices':>7}  " + ("site / " if with_sites else "")
               + "targets")
    for s in scans:
        where = f"{s.site or '-'} / " if with_sites else ""
        click.echo(f"{s.id:>5}  {s.started_at:<25}  {s.kind:<7}  {s.device_count:>7}  {where}"
                   f"{', '.join(s.targets)[:60]}")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", metavar="NAME", help="Count -1, -2... among this site's scans only.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def diff(old: str | None, new: str | None, db: str | None, site: str | None, as_json: bool) -> None:
    """What changed between two recorded scans (default: the previous and the latest).

    OLD and NEW are scan ids from `camscan history`, or -1 (latest), -2 (the one before)...
    """
    from camscan.report.diff import diff as compute
    from camscan.report.diff import render_json, render_table
    from camscan.store import HistoryError, open_db

    try:
        with open_db(db) as store:
            new_id = store.resolve(new, 0, site)
            old_id = store.resolve(old, 1, site)
            result = compute(store.devices(old_id), store.devices(new_id))
    except HistoryError as exc:
        raise InputError(str(exc)) from None
    click.echo(render_json(result) if as_json else render_table(result), nl=False)


@cli.command()
@click.option("--db", metavar="DB", help="The central store to send to. " + _DB_HELP)
def push(db: str | None) -> None:
    """Send the scans waiting in this sensor's spool to the central store, each exactly once."""
    from camscan.store import resolve
    from camscan.store.push import run_push

    run_push(resolve(db), click.echo)


def main() -> None:
    """Entry point: exit 0 done, 2 bad command line or input file, 1 anything else (no traceback
    unless --debug)."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("camscan: interrupted", err=True)
        sys.exit(130)
    except CamscanError as exc:
        click.echo(f"camscan: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("camscan: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"camscan: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                   err=True)
        sys.exit(1)


__all__ = ["InputError", "cli", "main"]
