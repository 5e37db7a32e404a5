"""Writing an Inventory to the files the user asked for, atomically (temp file + rename), so a
run that fails part-way never leaves a half-written inventory behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from camscan.errors import InputError
from camscan.model import Inventory
from camscan.report.csvfile import CsvExporter
from camscan.report.jsonfile import JsonExporter


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


def write_outputs(inventory: Inventory, csv_path: str | None, json_path: str | None) -> None:
    if csv_path:
        write_atomic(csv_path, CsvExporter().render(inventory))
    if json_path:
        write_atomic(json_path, JsonExporter().render(inventory))


def check_writable(path: str) -> None:
    """Fail early, before any packet is sent, if an output file cannot be created."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{path}: directory {directory} is not writable")
