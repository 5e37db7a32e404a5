"""The camscan commands. Only argument handling and wiring here; the work lives in the modules."""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime

import click

from camscan import __version__
from camscan.errors import CamscanError, InputError


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
def replay(captures: tuple[str, ...], csv_path: str | None, json_path: str | None, quiet: bool) -> None:
    """Build the inventory from pcap/pcapng captures (the same parsers a live scan uses)."""
    from camscan.collect import Collector
    from camscan.identify.fusion import fuse
    from camscan.identify.signatures import load
    from camscan.model import Inventory
    from camscan.output import write_outputs
    from camscan.replay import PcapError, replay_file
    from camscan.report.table import TableExporter

    sigs = load()
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
    inv = Inventory(devices=fuse(collector.evidence, sigs), targets=list(captures),
                    scanned_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    skipped=dict(collector.counters.counts))
    inv.notes.extend(f"error: {p}" for p in problems)
    write_outputs(inv, csv_path, json_path)
    if not quiet:
        click.echo(TableExporter().render(inv), nl=False)
    for p in problems:
        click.echo(f"camscan: error: {p}", err=True)
    if problems:
        sys.exit(2)


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
def scan(targets: tuple[str, ...], interface: str | None, csv_path: str | None, json_path: str | None,
         capture_path: str | None, rate: float, ports: str, allow_public: bool, discovery_wait: float,
         creds_path: str | None, quiet: bool) -> None:
    """Scan TARGETs (addresses, CIDRs, ranges like 198.18.0.10-20, or @file) you are authorised to scan.

    Sends packets only to the targets and to the discovery multicast groups of the chosen link.
    """
    from camscan.output import write_outputs
    from camscan.report.table import TableExporter
    from camscan.scan.runner import ScanOptions, run_scan
    from camscan.scan.targets import parse_targets

    try:
        port_list = tuple(int(p) for p in ports.split(",") if p.strip())
        if not port_list or any(not 0 < p < 65536 for p in port_list):
            raise ValueError
    except ValueError:
        raise InputError(f"--ports {ports!r}: give TCP ports as a comma-separated list, e.g. 80,554") from None
    ipset = parse_targets(list(targets), allow_public=allow_public)
    if capture_path:
        from camscan.output import check_writable

        check_writable(capture_path)
    from camscan.scan import credentials

    creds = credentials.load(creds_path)
    opts = ScanOptions(ipset, interface, rate, port_list, capture_path, discovery_wait, credentials=creds or None)
    say = (lambda m: None) if quiet else (lambda m: click.echo(m, err=True))
    result = run_scan(opts, say)
    inv = _build_inventory(result.evidence, list(targets), result.skipped, result.notes)
    for d in inv.devices:
        if not d.via and d.ip in result.device_notes:
            d.notes.extend(result.device_notes[d.ip])
    if result.enrichment:
        parts = [f"{n} {k}" for k, n in sorted(result.enrichment.items())]
        inv.notes.append("credentialed identification: " + ", ".join(parts))
        for ip, notes in sorted(result.device_notes.items()):
            inv.notes.extend(f"  {ip}: {n}" for n in notes)
    write_outputs(inv, csv_path, json_path)
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
