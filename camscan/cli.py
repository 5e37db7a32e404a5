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
    for path in captures:
        try:
            report = replay_file(path, collector)
        except PcapError as exc:
            problems.append(str(exc))
            continue
        if report.error:
            problems.append(f"{report.error}; kept what was read before it")
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
