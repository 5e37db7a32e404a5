"""Every output camscan writes, by name (as pip-audit's `--format` picks its formats): the
terminal table, CSV, JSON, the HTML report, the FOI draft (Markdown or text) and the diff (text
or JSON). A new output is a class with `name`, `suffix` and `render` (report.Exporter), and one
line here."""

from __future__ import annotations

from camscan.report import Exporter
from camscan.report.csvfile import CsvExporter
from camscan.report.diff_output import DiffJsonExporter, DiffTextExporter
from camscan.report.foi import FOI_MARKDOWN, FOI_TEXT
from camscan.report.foi_annex import FOI_ANNEX_MARKDOWN, FOI_ANNEX_TEXT
from camscan.report.html import HtmlExporter
from camscan.report.jsonfile import JsonExporter
from camscan.report.table import TableExporter

EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    TableExporter(), CsvExporter(), JsonExporter(), HtmlExporter(), FOI_MARKDOWN, FOI_TEXT,
    FOI_ANNEX_MARKDOWN, FOI_ANNEX_TEXT,
    DiffTextExporter(), DiffJsonExporter(),
)}


def exporter(name: str) -> Exporter:
    """The output called `name`; KeyError names the ones there are."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise KeyError(f"no output {name!r}; there are {', '.join(EXPORTERS)}") from None


def foi_format(path: str) -> str:
    """The FOI draft's format for a file name: Markdown for `.md`, else plain text."""
    return "foi-markdown" if path.endswith(".md") else "foi-text"


def foi_annex_format(path: str) -> str:
    """The FOI annex's format for a file name: Markdown for `.md`, else plain text."""
    return "foi-annex-markdown" if path.endswith(".md") else "foi-annex-text"
