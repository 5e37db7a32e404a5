"""The scan's temporary capture, kept private and never left behind.

A root scan without --capture still captures, into a temporary file it replays for the
inventory; that file holds digest Authorization headers and WS-Security tokens. It lives in a
directory only the user running camscan can enter (mkdtemp makes it 0700), and the directory
goes on every way out of the scan: normal end, exception, Ctrl-C, and SIGTERM — which
`sigterm_interrupts` turns into the same KeyboardInterrupt as Ctrl-C, so a `kill` keeps what
was found and cleans up instead of dying mid-write.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def private_dir(prefix: str = "camscan-") -> Iterator[str]:
    """A fresh 0700 directory under the temp dir, removed with everything in it on exit."""
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt in the main thread (where Python runs
    signal handlers), so the scan's own interruption path — and every `finally` — runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
