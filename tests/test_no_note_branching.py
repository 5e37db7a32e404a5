"""No code in camscan/ decides anything from the wording of a note.

Notes are text for a person (Evidence.note, Device.notes, Inventory.notes). What code needs to
know travels in typed fields (Evidence.location, xaddrs, arp_op, problem, authenticated;
Device.findings). This test reads every module and fails on the shapes that branch on note
text: comparing a note to a string, calling a string test on it, searching a note for a
literal, or scanning a list of notes for a substring. The patterns are themselves tested
against examples of what they must and must not catch.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CAMSCAN = Path(__file__).resolve().parents[1] / "camscan"

NOTE = r"[\w.\]\[()]*\bnotes?\b(?:\[[^\]]*\])?"
FORBIDDEN = {
    "a note compared with a string": re.compile(
        rf"\.{NOTE}\s*(?:==|!=)\s*[rbfu]?['\"]|[rbfu]?['\"]\s*(?:==|!=)\s*{NOTE}"),
    "a string test called on a note": re.compile(
        r"\bnotes?(?:\[[^\]]*\])?\s*\.\s*(?:startswith|endswith|find|rfind|index|rindex|count|partition|"
        r"rpartition|split|rsplit|lower|upper|casefold)\("),
    "a literal searched for in a note": re.compile(rf"[rbfu]?(['\"])[^'\"\n]*\1\s+(?:not\s+)?in\s+{NOTE}"),
    "a substring looked for across notes": re.compile(r"\bin\s+(\w+)\s+for\s+\1\s+in\s+[\w.\]\[()]*\bnotes\b"),
    "a substring filter over notes": re.compile(
        r"\bfor\s+(\w+)\s+in\s+[\w.\]\[()]*\bnotes\b[^\n]*\bif\b[^\n]*\bin\s+\1\b"),
    "a regex run on a note": re.compile(rf"\bre\.(?:match|search|fullmatch|findall|finditer)\([^\n]*,\s*{NOTE}\s*[,)]"),
    "a match statement on a note": re.compile(rf"^\s*match\s+{NOTE}\s*:"),
}


def violations(source: str) -> list[tuple[int, str]]:
    out = []
    for n, line in enumerate(source.splitlines(), 1):
        for what, pattern in FORBIDDEN.items():
            if pattern.search(line):
                out.append((n, what))
    return out


@pytest.mark.parametrize("bad", [
    'if e.note == "refused":',
    "if ev.note != 'malformed':",
    'elif e.note.startswith("xaddr "):',
    'if dev.notes[0].endswith("ARP request"):',
    'if "http" in e.note:',
    "if 'heuristic match' not in d.notes[-1]:",
    'if any("refused" in n for n in d.notes):',
    'hits = [n for n in inventory.notes if "malformed:" in n]',
    'return any(WRONG in n for n in result.notes)',
    'if re.search(r"^xaddr", e.note):',
    "    match e.note:",
    'if note.lower() == "refused":',
])
def test_the_patterns_catch_branching_on_note_text(bad: str) -> None:
    assert violations(bad), bad


@pytest.mark.parametrize("good", [
    "if e.note and not e.problem and e.note not in d.notes:",
    "d.notes.append(clean(e.note))",
    'notes.append(f"deviceType={raw_type[:40]} (not a known ISAPI type)")',
    'note="; ".join(notes),',
    "notes = d.notes + [f.note() for f in d.findings if f.heuristic]",
    'banner.problem, banner.note = "malformed", _clean(str(exc), 160)',
    'if e.problem == "malformed":',
    "inv.notes.extend(f\"  {ip}: {n}\" for n in notes)",
])
def test_the_patterns_leave_ordinary_note_handling_alone(good: str) -> None:
    assert violations(good) == [], good


# Modules that read note text only to say it to a person in other words, deciding nothing: the
# HTML report's plain-language notes (issue 11 asks for sentences in place of raw notes).
PRESENTATION_ONLY = {"report/html_notes.py"}


def test_no_module_branches_on_note_text() -> None:
    found = []
    for path in sorted(CAMSCAN.rglob("*.py")):
        if path.relative_to(CAMSCAN).as_posix() in PRESENTATION_ONLY:
            continue
        for line, what in violations(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(CAMSCAN.parent)}:{line}: {what}")
    assert found == [], "branch on typed fields (Evidence.problem, arp_op, location...), not note text:\n" + \
        "\n".join(found)
