"""Text made safe for the HTML report: one printable line, escaped for element content and quoted
attributes. Every string that came from a device, a sites file or a register passes through `esc`."""

from __future__ import annotations

import html
import re
from functools import lru_cache

# controls, lone surrogates, and the bidi and invisible characters report.inert names
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                      "\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060-\u2064\ufeff]")


def clean(s: object) -> str:
    """Text as one printable line: control, bidi-override and invisible characters and lone
    surrogates become U+FFFD, so a device cannot reorder or hide what the report shows."""
    return _CONTROL.sub("\ufffd", str(s).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def esc(s: object) -> str:
    """Text made safe for HTML element content and quoted attribute values."""
    return _escaped(s if isinstance(s, str) else str(s))


@lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    # cached: an estate's rows repeat the same makers, models, sites and firmware many times
    return html.escape(clean(text), quote=True)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"

def cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"



def when_scanned(scanned_at: str) -> str:
    """'on 4 March 2025 at 10:15 UTC' in a <time> element carrying the exact ISO timestamp
    ('at an unrecorded time' when there is none or it cannot be read)."""
    from datetime import UTC, datetime

    from camscan.report.assets import uk_date

    try:
        when = datetime.fromisoformat(scanned_at.replace("Z", "+00:00"))
    except ValueError:
        return "at an unrecorded time"
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    zone = " UTC" if when.tzinfo is not None else ""
    return (f'on <time datetime="{esc(scanned_at)}">{uk_date(when)} at {when:%H:%M}{zone}</time>')
