"""`camscan signatures ...`: tooling for people editing signatures/, like recog's bin/recog_verify
and recog_match. `check` runs what the test suite runs over the data; `match` says which entry
takes a string and what it yields, so an editor can see why a device came out as it did.

Exit status: 0 all pass / a match; 1 a problem / no match; 2 a bad command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

# KIND for `match`: every banner kind, and the non-banner lookups by the name of their file.
OTHER_KINDS = {"model": "models", "vendor": "brands", "oui": "oui", "firmware": "firmware"}


@click.group()
def signatures() -> None:
    """Check and try the signature data (signatures/)."""


@signatures.command()
@click.option("--dir", "directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Signatures directory to check (default: the one camscan uses).")
def check(directory: Path | None) -> None:
    """Validate every signature file and run every example and not-example, as the tests do.

    Prints one line per problem and exits 1, or a summary and exits 0.
    """
    from camscan.identify.signature_check import check_directory
    from camscan.identify.signatures import default_directory

    directory = directory if directory is not None else default_directory()
    if not directory.is_dir():
        raise click.BadParameter(f"{directory}: not a directory", param_hint="--dir")
    report = check_directory(directory)
    for problem in report.problems:
        click.echo(problem)
    if report.problems:
        click.echo(f"{report.summary}: {len(report.problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"{report.summary}: all pass")


def _kinds() -> list[str]:
    from camscan.identify.signatures import KINDS

    return [*KINDS, *OTHER_KINDS]


@signatures.command()
@click.argument("kind", metavar="KIND")
@click.argument("text")
@click.option("--platform", default="", help="vendor: the maker whose protocol carried the claim (Dahua, Hikvision).")
@click.option("--manufacturer", default="", help="model: the manufacturer already known.")
@click.option("--dir", "directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Signatures directory (default: the one camscan uses).")
def match(kind: str, text: str, platform: str, manufacturer: str, directory: Path | None) -> None:
    """Which entry matches TEXT as a KIND, and what it yields.

    KIND is a banner kind (http_server, http_realm, rtsp_server, wsd_name...) or one of
    model, vendor, oui (an IEEE registrant name, or a MAC address), firmware.
    Exits 1 when no entry matches.
    """
    from camscan.identify.signatures import load

    if kind not in _kinds():
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(_kinds())}", param_hint="KIND")
    sigs = load(directory)
    file = OTHER_KINDS.get(kind, "banners")
    if kind == "oui":
        text = _registrant(text)
    inputs = {"text": text, "kind": kind, "model": text, "claimed": text, "registrant": text, "firmware": text,
              "platform": platform, "known_manufacturer": manufacturer}
    found = sigs.find(file, inputs)
    if found is None:
        click.echo("no match")
        sys.exit(1)
    sig, got = found
    click.echo(f"{sig.path}: {sig.id}: {sig.description}")
    for key in ("manufacturer", "brand", "device_type", "form", "model", "firmware", "note"):
        value = getattr(got, key)
        if value:
            click.echo(f"  {key}: {value}")
    if got.oem_own_oui:
        click.echo("  oem_own_oui: the rebadger's own OUI")
    if got.heuristic:
        click.echo("  confidence: heuristic")


def _registrant(text: str) -> str:
    """An `oui` argument that is a MAC address → its IEEE registrant (echoed); else the text."""
    from camscan.identify import oui

    try:
        oui.is_locally_administered(text)
    except ValueError:
        return text
    registrant = oui.registrant(text)
    if registrant is None:
        click.echo("no registrant for that MAC (locally administered, multicast or not in the registry)")
        sys.exit(1)
    click.echo(f"registrant: {registrant}")
    return registrant
