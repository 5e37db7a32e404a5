"""`camscan lab`: the emulated estate's commands (up, down, status, exec), kept apart from the
scanner's own commands in cli.py. The work lives in camscan/lab/."""

from __future__ import annotations

import click

from camscan.errors import CamscanError


@click.group()
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
    """Run COMMAND in the scanner's namespace (e.g. camscan lab exec -- camscan scan 198.18.0.0/21).

    COMMAND replaces this process, so Ctrl-C and the exit status are its own; a bare `camscan`
    is this camscan (also under sudo, whose PATH may not hold it)."""
    from camscan.lab.control import exec_in_scanner
    from camscan.lab.netns import LabError

    try:
        exec_in_scanner(list(command))
    except LabError as exc:
        raise CamscanError(str(exc)) from None
