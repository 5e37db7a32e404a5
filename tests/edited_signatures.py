"""A copy of the shipped signature directory with one text edit in one file: how the tests show
what a changed or broken data file does (the shipped files are never touched)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from camscan.identify.signatures import DEFAULT_DIR, SignatureError


def edited_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """The signatures/ data files (with banners/) copied into `tmp_path`, `old` replaced by `new`
    (once) in `file`; the directory. Fails when `old` is not in the file, so an edit cannot miss."""
    shutil.copytree(DEFAULT_DIR, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    path = tmp_path / file
    text = path.read_text()
    assert old in text, f"{file}: {old!r} not found"
    path.write_text(text.replace(old, new, 1))
    return tmp_path


def refusal(load: Callable[[Path], object], directory: Path, file: str) -> str:
    """The message `load(directory)` refuses with, checked to be one line naming `file`."""
    with pytest.raises(SignatureError) as exc:
        load(directory)
    text = str(exc.value)
    assert "\n" not in text and str(directory / file) in text, text
    return text
