"""Writing an Inventory to the files the user asked for, atomically (temp file + rename), so a
run that fails part-way never leaves a half-written inventory behind. Each output is picked by
name from report/formats.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Inventory
from camscan.report import RenderContext
from camscan.report.formats import exporter


def write_atomic(path: str, text: str) -> None:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an export gets the user's usual mode
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def write_outputs(inventory: Inventory, paths: dict[str, str | None], context: RenderContext | None = None) -> None:
    """Render and write each output named in `paths` (output name -> file, None for "not asked
    for"), in the order given."""
    context = context or RenderContext()
    for name, path in paths.items():
        if path:
            write_atomic(path, exporter(name).render(inventory, context))


def check_writable(path: str) -> None:
    """Fail early, before any packet is sent, if an output file cannot be created."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{path}: directory {directory} is not writable")


def check_all_writable(*paths: str | None) -> None:
    """check_writable for every output the user asked for (None: not asked for)."""
    for path in paths:
        if path:
            check_writable(path)
