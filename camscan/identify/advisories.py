"""Firmware → known advisories, from the data in signatures/advisories.toml.

Firmware strings are parsed into comparable parts: Hikvision `V5.6.2 build 190701` → version
(5, 6, 2) and build date 2019-07-01; Dahua `2.800.0000016.0.R build 2020-06-05` → version
(2, 800) and build date 2020-06-05. A rule matches a device when its model pattern, device
type and firmware range all hold; a rule marked `heuristic` (e.g. "build before 210628") is a
rule of thumb and every report says so. Matching only: nothing here talks to a device.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from camscan.identify.signatures import SignatureError, default_directory
from camscan.model import AdvisoryFinding, Device

_HIK = re.compile(r"^V?(\d+(?:\.\d+)+)\s+build\s+(\d{2})(\d{2})(\d{2})$", re.I)
_DAHUA = re.compile(r"^V?(\d+)\.(\d+)\.[0-9A-Za-z]+\.\d+(?:\.[A-Za-z0-9]+)?"
                    r"(?:\s+build\s+(\d{4})-(\d{2})-(\d{2}))?$", re.I)
_PREFIX = re.compile(r"^(DHI?-)", re.I)


@dataclass(frozen=True)
class Firmware:
    version: tuple[int, ...] = ()
    build: date | None = None


def parse_firmware(text: str) -> Firmware:
    """Comparable parts of a normalised firmware string; empty parts when it is not understood."""
    text = (text or "").strip()
    m = _HIK.match(text)
    if m:
        try:
            built = date(2000 + int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            built = None
        return Firmware(tuple(int(x) for x in m.group(1).split(".")), built)
    m = _DAHUA.match(text)
    if m:
        built = None
        if m.group(3):
            try:
                built = date(int(m.group(3)), int(m.group(4)), int(m.group(5)))
            except ValueError:
                built = None
        return Firmware((int(m.group(1)), int(m.group(2))), built)
    return Firmware()


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


def _load(path: Path) -> tuple[Advisory, ...]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SignatureError(f"{path.name}: {exc}") from None
    out = []
    seen = set()
    for i, a in enumerate(doc.get("advisory", []), 1):
        aid = a.get("id") or f"#{i}"
        where = f"{path.name} [{aid}]"
        if aid in seen:
            raise SignatureError(f"{where}: duplicate id")
        seen.add(aid)
        rules = []
        for r in a.get("rule", []):
            try:
                rules.append(Rule(
                    models=re.compile(r["models"], re.I),
                    device_types=tuple(r.get("device_types", ())),
                    version_min=parse_firmware(r["version_min"]) if "version_min" in r else None,
                    version_max=parse_firmware(r["version_max"]) if "version_max" in r else None,
                    build_before=date.fromisoformat(r["build_before"]) if "build_before" in r else None,
                    version_major=r.get("version_major"),
                    heuristic=bool(r.get("heuristic", False)),
                ))
            except (KeyError, re.error, ValueError) as exc:
                raise SignatureError(f"{where}: bad rule ({exc})") from None
        if not rules:
            raise SignatureError(f"{where}: no rule")
        for r in rules:
            for bound in (r.version_min, r.version_max):
                if bound is not None and (not bound.version or bound.build is None):
                    raise SignatureError(f"{where}: version bounds must look like 'V5.2.0 build 140721'")
        if not a.get("example"):
            raise SignatureError(f"{where}: no example")
        out.append(Advisory(aid, a.get("title", ""), a.get("manufacturer", ""), tuple(rules),
                            tuple(a.get("example", [])), tuple(a.get("not_example", []))))
    return tuple(out)


@lru_cache(maxsize=4)
def load(directory: str | None = None) -> tuple[Advisory, ...]:
    base = Path(directory) if directory else default_directory()
    return _load(base / "advisories.toml")


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
