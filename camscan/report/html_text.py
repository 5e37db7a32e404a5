"""Text made safe for the HTML report: one printable line, escaped for element content and quoted
attributes. Every string that came from a device, a sites file or a register passes through `esc`."""

from __future__ import annotations

import html
import re

# controls, lone surrogates, and the bidi and invisible characters report.inert names
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                      "\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060-\u2064\ufeff]")


def clean(s: object) -> str:
    """Text as one printable line: control, bidi-override and invisible characters and lone
    surrogates become U+FFFD, so a device cannot reorder or hide what the report shows."""
    return _CONTROL.sub("\ufffd", str(s).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def esc(s: object) -> str:
    """Text made safe for HTML element content and quoted attribute values."""
    return html.escape(clean(s), quote=True)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"

def cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"

