"""One device can only spoil its own row.

Every per-device step of a live scan (a probe, a description fetch, each API call and the
parsing of its answer) runs behind a catch-all: whatever a device's bytes make a library raise
becomes a one-line note on that device ("ONVIF answer unreadable: XMLSyntaxError …") and a
counted skip, and every other device is still asked and reported. The note never echoes more
than a short, printable excerpt of what the device sent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


def printable(text: str, limit: int = 80) -> str:
    """`text` with control, zero-width and bidi characters replaced by spaces, cut to `limit`."""
    clean = _UNPRINTABLE.sub(" ", text).strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def unreadable_note(step: str, exc: BaseException) -> str:
    """The device note for an exception in one of its steps: which step, what kind of failure."""
    detail = printable(str(exc), 80)
    return f"{step} answer unreadable: {type(exc).__name__}" + (f" ({detail})" if detail else "")


async def isolated(step: str, ip: str, work: Awaitable[None], notes: Callable[[str], None]) -> bool:
    """Await `work`; an exception (not a cancellation, not Ctrl-C) becomes a note naming `ip`
    and `step`. True when it completed."""
    try:
        await work
    except Exception as exc:
        notes(f"{ip}: {unreadable_note(step, exc)}")
        return False
    return True
