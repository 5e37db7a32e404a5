"""Device text made inert for whoever reads it: the one sanitiser every output uses.

A device (or whoever spoofs one) chooses its model name, its SSDP host name and its ONVIF fault
text, and those reach a person: on a terminal, where C0/C1 control bytes move the cursor or
recolour the screen and bidi overrides (U+202A–202E, U+2066–2069) reverse what is shown, so
a device could print fake summary lines; in a spreadsheet, where a cell starting with `=`
(also after a U+FEFF, a space or in its full-width form `＝`) is a formula; in the FOI draft,
where `<img src=…>` or `[x](javascript:…)` is live Markdown. Each function here gives the
form one reader needs; JSON alone keeps the raw value and says, with `flags`, that a value held
such characters.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: a device's text is one line), DEL and C1 controls
_CONTROL = "\x00-\x1f\x7f-\x9f"
# bidi embeddings, overrides and isolates; marks (LRM, RLM, ALM) too, as they reorder as well
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# characters that show nothing: zero-width space and joiners, word joiner, BOM, soft hyphen...
_INVISIBLE = "\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u180e"
# lone surrogates (from surrogateescape decoding) cannot be printed or encoded
_SURROGATE = "\ud800-\udfff"

_UNSAFE = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}{_SURROGATE}]")
_KINDS = (("control", re.compile(f"[{_CONTROL}]")), ("bidi", re.compile(f"[{_BIDI}]")),
          ("invisible", re.compile(f"[{_INVISIBLE}]")), ("surrogate", re.compile(f"[{_SURROGATE}]")))

# what makes a spreadsheet read a cell as a formula, in ASCII and full width
_FORMULA_START = frozenset("=+-@＝＋－＠")
# what a spreadsheet skips before it looks at the first character
_LEADING = re.compile(rf"^[\s{_INVISIBLE}{_BIDI}]+")
# Markdown (CommonMark + GFM) punctuation that can open markup inside a line (`(`, `!`, `#`
# and `+` only act after `]` or at a line's start, which device text never is)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_unsafe(text: str) -> bool:
    """Whether `text` holds any character this module would escape."""
    return _UNSAFE.search(text) is not None


def flags(text: str) -> list[str]:
    """Which kinds of unsafe character `text` holds: control, bidi, invisible, surrogate."""
    return [kind for kind, pattern in _KINDS if pattern.search(text)]


def terminal(text: object) -> str:
    """One line safe to print: every control, bidi, invisible or surrogate character shown as
    its escape (`\\x1b`, `\\u202e`), so what a device sent is visible and cannot act."""
    return _UNSAFE.sub(_escape, str(text))


def terminal_block(text: str) -> str:
    """Several lines safe to print: each line through `terminal`, the line breaks kept."""
    return "\n".join(terminal(line) for line in text.split("\n"))


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: unsafe characters escaped as on the terminal, and a
    cell that would start a formula — after any whitespace or invisible characters, in ASCII or
    full width, or starting with tab or carriage return — prefixed with a single quote (OWASP's
    advice for CSV injection)."""
    risky = text[:1] in ("\t", "\r")
    stripped = _LEADING.sub("", text)
    if risky or stripped[:1] in _FORMULA_START:
        return "'" + terminal(text)
    return terminal(text)


def markdown(text: object) -> str:
    """Device text as literal Markdown: unsafe characters escaped, and every punctuation mark
    that can open markup (links, images, HTML, emphasis, code, tables) backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", terminal(text))
