"""Check a whole signatures directory the way the test suite does, for someone editing the
data without pytest (`camscan signatures check`).

Every file is read on its own, so one broken file does not hide the faults of the others; the
examples and not-examples run only when every file loaded (lookups depend on each other: a
model lookup resolves brands through brands.toml, and shadowing needs the whole file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from camscan.identify import advisories
from camscan.identify import policy as fusion_policy
from camscan.identify.signatures import SignatureError, file_paths, load, read_family


@dataclass
class CheckReport:
    """What was checked and what is wrong (one line per problem)."""

    files: int = 0
    entries: int = 0
    examples: int = 0  # examples and not-examples run
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.files} files, {self.entries} entries, {self.examples} examples"


def check_directory(directory: Path) -> CheckReport:
    """Validate every signature file in `directory` and run every example and not-example."""
    report = CheckReport()
    try:
        layout = file_paths(directory)
    except SignatureError as exc:
        report.problems.append(str(exc))
        return report
    for file, names in layout.items():
        report.files += len(names)
        try:
            entries = read_family(directory, file, names)
        except SignatureError as exc:
            report.problems.append(str(exc))
            continue
        report.entries += len(entries)
        report.examples += sum(len(s.examples) + len(s.not_examples) for s in entries)
    report.files += 1
    try:
        advs = advisories.load_file(directory / advisories.FILE)
    except SignatureError as exc:
        report.problems.append(str(exc))
        advs = ()
    report.entries += len(advs)
    report.examples += sum(len(a.examples) + len(a.not_examples) for a in advs)
    _check_policy(directory, report)
    if report.problems:
        return report
    report.problems += load(directory).check()
    report.problems += advisories.check(advs)
    return report


def _check_policy(directory: Path, report: CheckReport) -> None:
    """fusion.toml, device_classes.toml and analytics.toml: how fusion weighs evidence and what
    vendors' own device-type and analytics words mean, each validated and its examples run."""
    report.files += 3
    try:
        report.problems += fusion_policy.check(directory)
    except SignatureError as exc:
        report.problems.append(str(exc))
