"""How a scan's phases report their progress, and to whom: `Progress` is what the phases call
(a bar per phase on a terminal, see camscan/terminal.py; nothing at all in a pipe), with the
small counters that turn a phase's steps into the count a person reads ("412 of 8192 hosts").
Nothing here draws or prints."""

from __future__ import annotations

from collections.abc import Callable

# progress(label, total, detail) -> (advance(n), finish()) — a bar on a terminal, nothing
# otherwise; `detail()` is the phase's own count ("412 of 8192 hosts"), read when the bar is drawn
Detail = Callable[[], str]
Progress = Callable[[str, int, Detail | None], tuple[Callable[[int], None], Callable[[], None]]]


def no_progress(_label: str, _total: int, _detail: Detail | None = None) \
        -> tuple[Callable[[int], None], Callable[[], None]]:
    return (lambda _n: None), (lambda: None)


class Tally:
    """Steps done, for a phase whose bar counts in finer units than its detail says
    (connections, shown as hosts)."""

    def __init__(self, advance: Callable[[int], None]) -> None:
        self.done, self.advance = 0, advance

    def __call__(self, n: int) -> None:
        self.done += n
        self.advance(n)


class ArpBars:
    """The ARP sweep's bars: one for the first request to every address, then one for the
    retry of those that stayed silent (its length known only when the first pass ends)."""

    def __init__(self, progress: Progress, size: int, replies: dict[str, str]) -> None:
        self.progress, self.size, self.replies = progress, size, replies
        self.sent, self.silent = 0, 0
        self.advance, self.finish = progress("ARP sweep", size, self.detail)

    def detail(self) -> str:
        if self.silent:
            return f"{self.sent - self.size} of {self.silent} silent asked again, {len(self.replies)} answered"
        return f"{self.sent} of {self.size} asked, {len(self.replies)} answered"

    def __call__(self, n: int) -> None:
        self.sent += n
        if self.sent > self.size and not self.silent:  # the retry pass begins
            self.finish()
            self.silent = max(1, self.size - len(self.replies))
            self.advance, self.finish = self.progress("ARP retry", self.silent, self.detail)
        self.advance(n)
