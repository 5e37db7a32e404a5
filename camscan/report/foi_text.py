"""The FOI draft's small writing helpers: counted nouns, Markdown tables, and the Markdown to
plain text conversion (for an email or a letter), shared by the draft and its annex.

Table cells are data (device text, register text, counts) and are escaped as literal Markdown
(report.inert.markdown) unless the draft wrote them itself and says so with `Markup`."""

from __future__ import annotations

import re

from camscan.report.inert import markdown

# a table border: a `|` that inert.markdown did not escape
_CELL_BORDER = re.compile(r"(?<!\\)\|")


class Markup(str):
    """Text the draft wrote itself (a bold "all" row): put in a table as it is."""


def n(count: int, one: str, many: str | None = None) -> str:
    """'1 camera', '3 cameras' (or the plural given)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table. Cells are data: escaped, so a device's `|`, `<img>` or `[x](…)` stays
    text and cannot open a column, a tag or a link; `Markup` cells go in as they are."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c if isinstance(c, Markup) else markdown(c) for c in r) + " |" for r in rows]
    return out


def _text_table(block: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in block) for c in range(len(block[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in block]


def markdown_to_text(markdown: str) -> str:
    """The draft's Markdown as plain text: headings underlined, tables as aligned columns,
    emphasis and code marks dropped."""
    lines = markdown.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                if not set(lines[i]) <= set("|-"):
                    cells = _CELL_BORDER.split(lines[i].strip().removeprefix("|").removesuffix("|"))
                    block.append([c.strip().replace("**", "") for c in cells])
                i += 1
            out += _text_table(block)
            continue
        if line.startswith("#"):
            title = line.lstrip("# ").strip()
            out += [title, ("=" if line.startswith("# ") else "-") * len(title)]
        else:
            out.append(line.replace("**", "").replace("`", ""))
        i += 1
    return "\n".join(out) + "\n"
