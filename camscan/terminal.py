"""What a person at a terminal sees while a scan runs: one progress bar per long phase (ARP
sweep, discovery listening, TCP probes, descriptions, device APIs) with the phase's own count
and an estimate of the time left, drawn by click's progressbar on stderr.

Bars are drawn only when stderr is a terminal: in a pipe or a log file they would be noise, so
there the scan's one-line messages are all that is written (see `phase_bars`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

import click

from camscan.scan.progress import Detail, Progress, no_progress

# redraws per phase at most: a 50,000-connection phase must not write 50,000 lines
_REDRAWS = 200
# the phases' labels are padded to one width, so their bars line up one under another
_LABEL_WIDTH = 12


class PhaseBars:
    """A Progress (see scan.runner) drawing click progress bars on `stream`, one phase at a
    time; `close()` ends a bar a Ctrl-C left open, so the next message starts on its own line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.open: Any = None  # the bar being drawn (click's ProgressBar)

    def __call__(self, label: str, total: int, detail: Detail | None = None) \
            -> tuple[Callable[[int], None], Callable[[], None]]:
        self.close()
        bar = click.progressbar(length=max(total, 1), label=label.strip().ljust(_LABEL_WIDTH), file=self.stream,
                                width=24, show_eta=True, show_percent=True, bar_template="%(label)s [%(bar)s] %(info)s",
                                item_show_func=(lambda _item: detail()) if detail else None,
                                update_min_steps=max(1, total // _REDRAWS))
        bar.render_progress()  # the phase shows at once, before its first step
        self.open = bar

        def finish() -> None:
            if self.open is bar:
                self.close()

        return bar.update, finish

    def close(self) -> None:
        if self.open is not None:
            bar, self.open = self.open, None
            bar.render_finish()


def phase_bars(stream: TextIO, quiet: bool) -> Progress | PhaseBars:
    """Bars on `stream` when it is a terminal and the user did not ask for quiet; else none."""
    if quiet or not stream.isatty():
        return no_progress
    return PhaseBars(stream)
