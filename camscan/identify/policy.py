"""Fusion's policy as data: `signatures/fusion.toml` loaded, checked and asked.

What it is for: how far each source is trusted, how strongly each kind of claim names the
maker, and the weights of device-type and static/PTZ claims are identification knowledge, so
they live beside the other signatures and a person can change them without reading the
resolver. `FusionPolicy` holds them and answers the two questions the resolver asks of one
piece of evidence: its rank (trust on a field) and its weight as a static/PTZ claim.

What it must not do: apply the policy (identify/resolve.py does) or accept a file it does not
fully understand: an unknown key, a missing one, a source camscan does not have, a device type
or strength it does not know, a bad regex — each refuses to load with one line naming the
file, the table and the key (SignatureError). `check()` runs the examples (the WS-Discovery
types pattern here, the vendor type vocabularies in device_classes.py) the way
`Signatures.check()` runs the signatures' examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camscan.identify import analytics, device_classes
from camscan.identify.datafile import Section, cached_load, policy_path
from camscan.model import DEVICE_TYPES, SOURCES, Evidence

FILENAME = "fusion.toml"
# claim strengths, and the confidence the winning strength gives a row
STRENGTHS = {"high": 3, "medium": 2, "low": 1}
CONFIDENCE = {n: name for name, n in STRENGTHS.items()}
# kinds of maker claim, in the order the resolver makes them (ties go to the first said)
MAKER_CLAIMS = ("platform", "vendor_authenticated", "vendor", "firmware", "banner", "model", "oui")
KIND_WEIGHTS = ("evidence_bonus", "model", "banner", "form_implies_camera", "oui")
FORM_WEIGHTS = ("model", "banner", "other_sources_cap")
CLAIMED_TYPES = tuple(t for t in DEVICE_TYPES if t != "unknown")


@dataclass(frozen=True)
class SourceFormWeight:
    """How far one source's static/PTZ claim is trusted. `static`, when set, overrides both
    for a "static" claim (ONVIF's static is only the absence of a PTZ service)."""

    authenticated: int
    unauthenticated: int
    static: int | None = None

    def weight(self, ev: Evidence) -> int:
        if self.static is not None and ev.form == "static":
            return self.static
        return self.authenticated if ev.authenticated else self.unauthenticated


@dataclass(frozen=True)
class TypesClaim:
    """A pattern over the types a device announces that, matching, claims a device type."""

    pattern: re.Pattern[str]
    device_type: str
    weight: int
    provenance: str
    examples: tuple[str, ...]
    not_examples: tuple[str, ...]

    def matches(self, announced: str) -> bool:
        return self.pattern.search(announced) is not None


@dataclass(frozen=True)
class FusionPolicy:
    """fusion.toml, validated. Weights are plain integers; strengths are 3 (high) to 1 (low)."""

    ranks: Mapping[str, int]
    unauthenticated_sources: frozenset[str]
    unauthenticated_penalty: int
    maker_strength: Mapping[str, int]
    kind_weight: Mapping[str, int]
    camera_sources: frozenset[str]
    wsd_types: TypesClaim
    form_weights: Mapping[str, int]
    form_sources: Mapping[str, SourceFormWeight]

    def rank(self, ev: Evidence) -> int:
        """How far this evidence's word on a field is trusted."""
        r = self.ranks.get(ev.source, 0)
        if ev.source in self.unauthenticated_sources and not ev.authenticated:
            r -= self.unauthenticated_penalty
        return r

    def form_weight(self, ev: Evidence) -> int:
        """How far this evidence's static/PTZ claim is trusted."""
        by_source = self.form_sources.get(ev.source)
        if by_source is not None:
            return by_source.weight(ev)
        return min(self.rank(ev), self.form_weights["other_sources_cap"])

    def check(self) -> list[str]:
        """One line per example the WS-Discovery types pattern gets wrong; [] when all hold."""
        where = f"{FILENAME}: [kind.wsd_types]"
        problems = [f"{where}: example {ex!r} does not match" for ex in self.wsd_types.examples
                    if not self.wsd_types.matches(ex)]
        problems += [f"{where}: not_example {ex!r} matches" for ex in self.wsd_types.not_examples
                     if self.wsd_types.matches(ex)]
        return problems


def load(directory: Path | str | None = None) -> FusionPolicy:
    """fusion.toml from `directory` (default: the signature directory camscan uses), loaded
    once per version of the file. SignatureError when it is missing or wrong."""
    return cached_load(policy_path(directory, FILENAME), _build)


def preload(directory: Path | str | None = None) -> None:
    """Load fusion.toml, device_classes.toml and analytics.toml now, so that a broken file is one
    line before any capture is read (met first inside a parser, it would be counted as a parser
    error)."""
    load(directory)
    device_classes.load(directory)
    analytics.load(directory)


def check(directory: Path | str | None = None) -> list[str]:
    """Load fusion.toml, device_classes.toml and analytics.toml (SignatureError if one is broken)
    and run their examples: one line per problem, [] when all hold. `camscan signatures check`
    calls this beside `Signatures.check()`."""
    return load(directory).check() + device_classes.load(directory).check() + analytics.load(directory).check()


def _build(path: Path, doc: dict[str, Any]) -> FusionPolicy:
    top = Section(path, "top level", doc)
    top.expect_keys(("rank", "unauthenticated", "maker", "kind", "form"))
    ranks = top.section("rank")
    ranks.expect_keys(SOURCES)
    unauth = top.section("unauthenticated")
    unauth.expect_keys(("sources", "penalty"))
    maker = top.section("maker")
    maker.expect_keys(MAKER_CLAIMS)
    kind = top.section("kind")
    kind.expect_keys((*KIND_WEIGHTS, "camera_sources", "wsd_types"))
    form = top.section("form")
    form.expect_keys((*FORM_WEIGHTS, "sources"))
    return FusionPolicy(
        ranks={s: ranks.integer(s) for s in SOURCES},
        unauthenticated_sources=frozenset(unauth.texts("sources", SOURCES)),
        unauthenticated_penalty=unauth.integer("penalty"),
        maker_strength={k: STRENGTHS[maker.text(k, STRENGTHS)] for k in MAKER_CLAIMS},
        kind_weight={k: kind.integer(k) for k in KIND_WEIGHTS},
        camera_sources=frozenset(kind.texts("camera_sources", SOURCES)),
        wsd_types=_types_claim(kind.section("wsd_types", "[kind.wsd_types]")),
        form_weights={k: form.integer(k) for k in FORM_WEIGHTS},
        form_sources=_form_sources(form.section("sources", "[form.sources]")),
    )


def _types_claim(sec: Section) -> TypesClaim:
    sec.expect_keys(("pattern", "device_type", "weight", "provenance", "examples"), ("not_examples",))
    raw = sec.text("pattern")
    try:
        pattern = re.compile(raw, re.IGNORECASE)
    except re.error as exc:
        raise sec.fail(f"bad regex in 'pattern' {raw!r}: {exc}") from None
    return TypesClaim(
        pattern=pattern,
        device_type=sec.text("device_type", CLAIMED_TYPES),
        weight=sec.integer("weight"),
        provenance=sec.text("provenance"),
        examples=sec.texts("examples"),
        not_examples=sec.texts("not_examples") if "not_examples" in sec.data else (),
    )


def _form_sources(sec: Section) -> dict[str, SourceFormWeight]:
    sec.expect_keys((), SOURCES)
    out = {}
    for source in sec.data:
        one = sec.section(source, f"[form.sources.{source}]")
        one.expect_keys(("authenticated", "unauthenticated"), ("static",))
        out[source] = SourceFormWeight(one.integer("authenticated"), one.integer("unauthenticated"),
                                       one.integer("static") if "static" in one.data else None)
    return out
