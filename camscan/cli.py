"""The camscan commands. Only argument handling and wiring here; the work lives in the modules."""

from __future__ import annotations

import sys
import traceback

import click

from camscan import __version__
from camscan.errors import CamscanError, InputError
from camscan.lab_commands import lab
from camscan.report.inert import terminal
from camscan.signature_commands import signatures

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


cli.add_command(signatures)
cli.add_command(lab)


@cli.command()
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE...")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the inventory as CSV.")
@click.option("--json", "json_path", metavar="FILE", help="Write the inventory as JSON (with provenance).")
@click.option("--quiet", "-q", is_flag=True, help="Print no table and no progress: only the one-line summary (stderr).")
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", default="", metavar="NAME", help="The site this capture was taken at (tags the run).")
@click.option("--no-history", is_flag=True, help="Do not record this run in the scan history.")
@click.option("--scanner", "scanners", metavar="ADDRESS", multiple=True,
              help="The address of the machine that made the capture: its own ARP questions are not a device.")
def replay(captures: tuple[str, ...], csv_path: str | None, json_path: str | None, quiet: bool, db: str | None,
           site: str, no_history: bool, scanners: tuple[str, ...]) -> None:
    """Build the inventory from pcap/pcapng captures (the same parsers a live scan uses).

    Exit status 0 when every capture was read, 2 when any could not be (each is one line; the
    others are still read and the inventory written), or when none could."""
    from camscan.collect import Collector
    from camscan.identify.policy import preload
    from camscan.identify.signatures import load
    from camscan.output import check_all_writable, write_outputs
    from camscan.replay import PcapError, replay_file
    from camscan.scan.result import build_inventory

    check_all_writable(csv_path, json_path)
    target = None if no_history else _store_target(db)
    load()  # a broken signature file is reported before any capture is read
    preload()  # and so is a broken fusion policy or device-type vocabulary
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
            click.echo(terminal(f"camscan: error: {p}"), err=True)
        sys.exit(2)
    inv = build_inventory(collector.evidence, list(captures), dict(collector.counters.counts),
                          [f"error: {p}" for p in problems], scanner_ips=set(scanners) or None)
    _tag_site(inv, site)
    write_outputs(inv, {"csv": csv_path, "json": json_path})
    if target is not None:
        _record(inv, "replay", target, site)
    if not quiet:
        _echo_output("table", inv)
    _echo_summary(inv)
    for p in problems:
        click.echo(terminal(f"camscan: error: {p}"), err=True)
    if problems:
        sys.exit(2)


def _echo_summary(inventory) -> None:
    """The one line every scan and replay ends with, on stderr (kept by -q)."""
    from camscan.report.table import summary_line

    click.echo(summary_line(inventory), err=True)


def _echo_output(name: str, inventory, context=None) -> None:
    """Print one output (see report/formats.py) to the terminal."""
    from camscan.report import RenderContext
    from camscan.report.formats import exporter

    click.echo(exporter(name).render(inventory, context or RenderContext()), nl=False)


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
@click.option("--quiet", "-q", is_flag=True, help="Print no table and no progress: only the one-line summary (stderr).")
@click.option("--db", metavar="DB", help=_DB_HELP)
@click.option("--site", default="", metavar="NAME", help="The site this sensor scans (tags the run).")
@click.option("--no-history", is_flag=True, help="Do not record this scan in the scan history.")
@click.option("--accept-new-certs", is_flag=True,
              help="Accept the HTTPS certificates that changed since the last scan (they get credentials again).")
def scan(targets: tuple[str, ...], interface: str | None, csv_path: str | None, json_path: str | None,
         capture_path: str | None, rate: float, ports: str, allow_public: bool, discovery_wait: float,
         creds_path: str | None, quiet: bool, db: str | None, site: str, no_history: bool,
         accept_new_certs: bool) -> None:
    """Scan TARGETs (addresses, CIDRs, ranges like 198.18.0.10-20, host names, or @file) you are
    authorised to scan.

    Sends packets only to the targets and to the discovery multicast groups of the chosen link.
    A host name is resolved once, before anything is sent; the scan covers the addresses shown.
    """
    from camscan.output import check_all_writable, write_outputs
    from camscan.scan import credentials
    from camscan.scan.certpins import read_pins
    from camscan.scan.result import apply_scan_notes, build_inventory
    from camscan.scan.runner import ScanOptions, run_scan
    from camscan.scan.targets import parse_ports, read_targets
    from camscan.terminal import PhaseBars, phase_bars

    port_list = parse_ports(ports)
    named = read_targets(list(targets), allow_public=allow_public)
    ipset = named.addresses
    check_all_writable(capture_path)
    target = None if no_history else _store_target(db)
    creds = credentials.load(creds_path)
    from camscan.identify.policy import preload

    preload()  # a broken fusion policy or device-type vocabulary: one line before a packet goes out
    opts = ScanOptions(ipset, interface, rate, port_list, capture_path, discovery_wait, credentials=creds or None,
                       pins=None if target is None else read_pins(target, site, _warn),
                       accept_new_certs=accept_new_certs)
    say = (lambda m: None) if quiet else (lambda m: click.echo(terminal(m), err=True))
    for name, addresses in named.names.items():
        say(f"{name} → {', '.join(addresses)}")
    bars = phase_bars(sys.stderr, quiet)
    try:
        result = run_scan(opts, say, bars)
    finally:
        if isinstance(bars, PhaseBars):
            bars.close()
    inv = build_inventory(result.evidence, list(targets), result.skipped, result.notes,
                          scanner_ips={result.scanner_ip} - {""})
    apply_scan_notes(inv, result)
    for warning in result.warnings:  # a changed certificate: shown even with --quiet
        _warn(warning)
    _tag_site(inv, site)
    write_outputs(inv, {"csv": csv_path, "json": json_path})
    if target is not None:
        _record(inv, "scan", target, site)
    if not quiet:
        _echo_output("table", inv)
        timing = ", ".join(f"{k} {v:.2f} s" for k, v in result.phases.items())
        click.echo(f"phases: {timing}", err=True)
    _echo_summary(inv)
    if result.interrupted:
        click.echo("camscan: scan cut short; the inventory holds what was found until then", err=True)
        sys.exit(130)


def _store_target(db: str | None):
    """Where the run will be recorded, checked before any work (a password on the command line
    is refused here)."""
    from camscan.store import resolve

    return resolve(db)


def _warn(message: str) -> None:
    click.echo(terminal(f"camscan: warning: {message}"), err=True)


def _tag_site(inv, site: str) -> None:
    from camscan.estate import tag_site

    tag_site(inv, site)


def _record(inv, kind: str, target, site: str) -> None:
    """Keep the run in the scan history (see `camscan history`); a central store that cannot take
    it now gets it later from the spool (`camscan push`), and a history that cannot be written is
    reported but never costs the user the inventory already written."""
    from camscan.store.push import record_or_spool

    record_or_spool(inv, kind, target, site, lambda m: click.echo(terminal(f"camscan: warning: {m}"), err=True))


@cli.command()
@click.argument("inventories", nargs=-1, metavar="[INVENTORY.json]...")
@click.option("--db", metavar="DB", help="Read each site's latest scan from this store (and any files). " + _DB_HELP)
@click.option("--latest-per-site", is_flag=True, help="Report on each site's latest scan in the store.")
@click.option("--site", metavar="NAME", help="Only this site (its latest scan in the store, or its devices).")
@click.option("--sites", "sites_path", metavar="FILE", help="TOML file mapping networks and recorders to site names.")
@click.option("--assets", "assets_path", metavar="FILE", help="Asset register CSV (MAC and/or serial columns).")
@click.option("--html", "html_path", metavar="FILE", help="Write a self-contained HTML report.")
@click.option("--foi", "foi_path", metavar="FILE", help="Write a draft FOI answer (.md Markdown, else plain text).")
@click.option("--foi-annex", "annex_path", metavar="FILE",
              help="Write the draft's internal annex (firmware, advisories, addresses, locations, exemption "
                   "templates): not for publication.")
@click.option("--withhold-locations", is_flag=True,
              help="The draft withholds camera locations (template wording to edit; the figures go to the annex).")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the inventory (with sites and register columns) as CSV.")
@click.option("--json", "json_path", metavar="FILE", help="Write the inventory as JSON.")
@click.option("--title", default="Camera inventory", show_default=True, help="Title of the HTML report.")
def report(inventories: tuple[str, ...], db: str | None, latest_per_site: bool, site: str | None,
           sites_path: str | None, assets_path: str | None, html_path: str | None, foi_path: str | None,
           annex_path: str | None, withhold_locations: bool, csv_path: str | None, json_path: str | None,
           title: str) -> None:
    """Sites, asset register, advisories, a draft FOI answer and an HTML report from an inventory,
    or from several merged into one estate (files, or each site's latest scan in the store)."""
    from camscan.output import check_all_writable, write_outputs
    from camscan.report.formats import foi_annex_format, foi_format
    from camscan.report.prepare import prepare_estate_report
    from camscan.report.table import summary_lines

    check_all_writable(html_path, foi_path, annex_path, csv_path, json_path)
    prepared = prepare_estate_report(inventories, db, latest_per_site, site, sites_path, assets_path)
    outputs = {"csv": csv_path, "json": json_path}
    if foi_path:
        outputs[foi_format(foi_path)] = foi_path
    if annex_path:
        outputs[foi_annex_format(annex_path)] = annex_path
    outputs["html"] = html_path
    write_outputs(prepared.inventory, outputs, prepared.context(title, withhold_locations))
    for line in summary_lines(prepared.inventory):
        click.echo(terminal(line))
    if (register_line := prepared.register_summary()) is not None:
        click.echo(terminal(register_line))


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
        click.echo(terminal(f"{s.id:>5}  {s.started_at:<25}  {s.kind:<7}  {s.device_count:>7}  {where}"
                            f"{', '.join(s.targets)[:60]}"))


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
    from camscan.model import Inventory
    from camscan.report import RenderContext
    from camscan.report.diff import diff as compute
    from camscan.store import HistoryError, open_db

    try:
        with open_db(db) as store:
            new_id = store.resolve(new, 0, site)
            old_id = store.resolve(old, 1, site)
            old_devices, new_devices = store.devices(old_id), store.devices(new_id)
    except HistoryError as exc:
        raise InputError(str(exc)) from None
    _echo_output("diff-json" if as_json else "diff-text", Inventory(devices=new_devices),
                 RenderContext(diff=compute(old_devices, new_devices)))


# command groups that live in other modules are added here (cli.add_command(...))


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
        # the same name however it was started (`python -m camscan` too), for usage lines and
        # shell completion (`_CAMSCAN_COMPLETE=bash_source camscan`, see the README)
        cli.main(standalone_mode=False, prog_name="camscan", complete_var="_CAMSCAN_COMPLETE")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("camscan: interrupted", err=True)
        sys.exit(130)
    except CamscanError as exc:
        click.echo(terminal(f"camscan: error: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("camscan: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(terminal(f"camscan: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"),
                   err=True)
        sys.exit(1)


__all__ = ["InputError", "cli", "main"]
