"""Firmware → known advisories, from the data in signatures/advisories.toml.

Firmware strings are read into comparable parts by camscan.firmware.Firmware: Hikvision
`V5.6.2 build 190701` → version (5, 6, 2) and build date 2019-07-01; Dahua
`2.800.0000016.0.R build 2020-06-05` → version (2, 800) and build date 2020-06-05. A rule
matches a device when its model pattern, device type and firmware range all hold; a rule
marked `heuristic` (e.g. "build before 210628") is a rule of thumb and every report says so.
Matching only: nothing here talks to a device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from camscan.firmware import Firmware
from camscan.identify.signature_schema import read_entries
from camscan.identify.signatures import SignatureError, default_directory
from camscan.model import AdvisoryFinding, Device

_PREFIX = re.compile(r"^(DHI?-)", re.I)
FILE = "advisories.toml"


def parse_firmware(text: str) -> Firmware:
    """Comparable parts of a normalised firmware string (camscan.firmware.Firmware)."""
    return Firmware.parse(text)


@dataclass(frozen=True)
class Rule:
    models: re.Pattern[str]
    device_types: tuple[str, ...] = ()
    version_min: Firmware | None = None
    version_max: Firmware | None = None
    build_before: date | None = None
    version_major: int | None = None
    heuristic: bool = False

    def matches(self, model: str, device_type: str, fw: Firmware) -> bool:
        if not self.models.search(_PREFIX.sub("", model)):
            return False
        if self.device_types and device_type not in self.device_types:
            return False
        if self.version_major is not None and (not fw.version or fw.version[0] != self.version_major):
            return False
        if self.build_before is not None and (fw.build is None or fw.build >= self.build_before):
            return False
        if self.version_min or self.version_max:
            if not fw.version or fw.build is None:
                return False
            key = (fw.version, fw.build)
            lo, hi = self.version_min, self.version_max
            if lo and key < (lo.version, lo.build):
                return False
            if hi and key > (hi.version, hi.build):
                return False
        return True


@dataclass(frozen=True)
class Advisory:
    id: str
    title: str
    manufacturer: str
    rules: tuple[Rule, ...]
    examples: tuple[dict, ...] = field(default=())
    not_examples: tuple[dict, ...] = field(default=())
    source: str = ""


_ADVISORY_KEYS = {"id": True, "title": True, "manufacturer": True, "source": True, "rule": True,
                  "examples": True, "not_examples": False}
_RULE_KEYS = ("models", "device_types", "version_min", "version_max", "build_before", "version_major", "heuristic")
_EXAMPLE_KEYS = {"model": True, "firmware": True, "device_type": False}
_ADVISORY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def load_file(path: Path) -> tuple[Advisory, ...]:
    """Read and check one advisories file. The schema is as strict as the other signature files:
    an unknown or missing key, a bad regex or bound, a duplicate id raises SignatureError naming
    the file, the advisory and the fault (a typo such as `example` must not silently drop the
    examples that prove the entry)."""
    raw = read_entries(path, "advisory")
    out: list[Advisory] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, 1):
        adv = _read_advisory(path, n, entry)
        if adv.id in seen:
            raise SignatureError(f"{path}: advisory '{adv.id}' (#{n}): duplicate id")
        seen.add(adv.id)
        out.append(adv)
    return tuple(out)


def _read_advisory(path: Path, n: int, entry: object) -> Advisory:
    if not isinstance(entry, dict):
        raise SignatureError(f"{path}: advisory #{n}: not a table")
    aid = entry.get("id")
    if not isinstance(aid, str) or not _ADVISORY_ID.match(aid):
        raise SignatureError(f"{path}: advisory #{n}: missing or bad 'id' (letters, digits, '.', '_', '-')")
    where = f"{path}: advisory '{aid}' (#{n})"
    _check_keys(entry, _ADVISORY_KEYS, where)
    for key in ("title", "manufacturer", "source"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise SignatureError(f"{where}: '{key}' must be a non-empty string")
    rules = entry["rule"]
    if not isinstance(rules, list) or not rules:
        raise SignatureError(f"{where}: no [[advisory.rule]]")
    parsed = tuple(_read_rule(r, f"{where}: rule {i}") for i, r in enumerate(rules, 1))
    examples = _read_examples(entry, "examples", where)
    if not examples:
        raise SignatureError(f"{where}: no 'examples': every advisory needs a model + firmware it covers")
    return Advisory(aid, entry["title"].strip(), entry["manufacturer"].strip(), parsed, examples,
                    _read_examples(entry, "not_examples", where), entry["source"].strip())


def _check_keys(table: dict, keys: dict[str, bool], where: str) -> None:
    unknown = set(table) - set(keys)
    if unknown:
        raise SignatureError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {sorted(keys)})")
    missing = [k for k, required in keys.items() if required and k not in table]
    if missing:
        raise SignatureError(f"{where}: missing {', '.join(repr(k) for k in missing)}")


def _read_rule(r: object, where: str) -> Rule:
    if not isinstance(r, dict):
        raise SignatureError(f"{where}: not a table")
    _check_keys(r, {k: k == "models" for k in _RULE_KEYS}, where)
    types = r.get("device_types", [])
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise SignatureError(f"{where}: 'device_types' must be a list of device types")
    try:
        rule = Rule(
            models=re.compile(r["models"], re.I),
            device_types=tuple(r.get("device_types", ())),
            version_min=parse_firmware(r["version_min"]) if "version_min" in r else None,
            version_max=parse_firmware(r["version_max"]) if "version_max" in r else None,
            build_before=date.fromisoformat(r["build_before"]) if "build_before" in r else None,
            version_major=r.get("version_major"),
            heuristic=r.get("heuristic", False),
        )
    except (TypeError, re.error, ValueError) as exc:
        raise SignatureError(f"{where}: bad rule ({exc})") from None
    if not isinstance(rule.heuristic, bool) or not (rule.version_major is None or isinstance(rule.version_major, int)):
        raise SignatureError(f"{where}: 'heuristic' must be true or false and 'version_major' a number")
    for bound in (rule.version_min, rule.version_max):
        if bound is not None and (not bound.version or bound.build is None):
            raise SignatureError(f"{where}: version bounds must look like 'V5.2.0 build 140721'")
    return rule


def _read_examples(entry: dict, key: str, where: str) -> tuple[dict, ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list):
        raise SignatureError(f"{where}: '{key}' must be a list of tables")
    out = []
    for i, ex in enumerate(raw, 1):
        label = f"{where}: {key}[{i}]"
        if not isinstance(ex, dict):
            raise SignatureError(f"{label}: not a table")
        _check_keys(ex, _EXAMPLE_KEYS, label)
        if not all(isinstance(v, str) and v for v in ex.values()):
            raise SignatureError(f"{label}: values must be non-empty strings")
        out.append(dict(ex))
    return tuple(out)


@lru_cache(maxsize=4)
def load(directory: str | None = None) -> tuple[Advisory, ...]:
    base = Path(directory) if directory else default_directory()
    return load_file(base / FILE)


def check(advisories: tuple[Advisory, ...], file: str = FILE) -> list[str]:
    """Run every advisory's examples (each must be found) and not-examples (each must not);
    one line per problem, [] when all hold. The test suite and `camscan signatures check` use it."""
    problems = []
    for adv in advisories:
        for label, items, want in (("example", adv.examples, True), ("not_example", adv.not_examples, False)):
            for n, ex in enumerate(items, 1):
                got = findings(adv.manufacturer, ex["model"], ex.get("device_type", "camera"), ex["firmware"],
                               advisories)
                if (adv.id in [f.id for f in got]) != want:
                    problems.append(f"{file}: advisory '{adv.id}': {label} {n} ({ex['model']}, {ex['firmware']}) "
                                    + ("is not covered by its rules" if want else "is covered by its rules"))
    return problems


def findings(manufacturer: str, model: str, device_type: str, firmware: str,
             advisories: tuple[Advisory, ...] | None = None) -> list[AdvisoryFinding]:
    """The advisories whose rules cover this device's firmware."""
    if not model or not firmware:
        return []
    fw = parse_firmware(firmware)
    out = []
    for adv in advisories if advisories is not None else load():
        if adv.manufacturer and manufacturer and adv.manufacturer != manufacturer:
            continue
        hit = next((r for r in adv.rules if r.matches(model, device_type, fw)), None)
        if hit is not None:
            out.append(AdvisoryFinding(adv.id, adv.title, hit.heuristic))
    return out


def annotate(devices: list[Device]) -> None:
    """Fill each device's advisories column, and say in its notes which findings are heuristic."""
    advs = load()
    for d in devices:
        found = findings(d.manufacturer, d.model, d.device_type, d.firmware, advs)
        d.advisories = [f.id for f in found]
        d.findings = found
