"""Vendors' words for video analytics (ISAPI capability elements, ISAPI smart-event documents,
Dahua rule types, ONVIF event topics, DHIP device classes, model numbers) → camscan's
`analytics` capabilities, read from `signatures/analytics.toml`.

What it is for: the FOI question "which cameras are standard CCTV, which do facial recognition,
which read number plates" is answered from what each device says it can do. Which word means
which capability is identification knowledge, kept as data with examples; the protocol parsers
look words up here and fusion (resolve.py) orders and renders what they found.

What it must not do: guess. A word the table does not know says nothing. A wrong file (unknown
key, a capability not in `order`, a word claimed twice, an example that finds another
capability, a pattern that claims a `not_models` model) refuses to load with one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camscan.identify.datafile import Section, cached_load, policy_path

FILENAME = "analytics.toml"
WORD_VOCABULARIES = ("isapi", "isapi_config", "dahua", "onvif", "dhip")
VOCABULARIES = (*WORD_VOCABULARIES, "models")
CAPABLE = "capable"
ENABLED = "enabled"
# what a row says when a device listed what it can do and none of it is analytics, and when
# nothing was learnt
STANDARD = "standard"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Capability:
    """One capability and the words that stand for it, per vocabulary."""

    id: str
    description: str
    words: Mapping[str, tuple[str, ...]]
    models: tuple[re.Pattern[str], ...]


class AnalyticsVocabulary:
    """The loaded file. Build with `load()`."""

    def __init__(self, order: tuple[str, ...], capabilities: tuple[Capability, ...],
                 examples: tuple[tuple[str, str, str], ...], not_models: tuple[str, ...]) -> None:
        self.order = order
        self.capabilities = capabilities
        self.examples = examples  # (capability, vocabulary, value)
        self.not_models = not_models
        self._index = {v: {w.lower(): c.id for c in capabilities for w in c.words.get(v, ())}
                       for v in WORD_VOCABULARIES}

    def word(self, vocabulary: str, raw: str) -> str:
        """The capability a device's word stands for, or "" (whole word, ASCII case ignored)."""
        if not raw.isascii():
            return ""
        return self._index[vocabulary].get(raw.strip().lower(), "")

    def model(self, model: str) -> str:
        """The capability a model number's pattern names (the first in `order`), or ""."""
        for c in self.capabilities:
            if any(p.match(model) for p in c.models):
                return c.id
        return ""

    def lookup(self, vocabulary: str, value: str) -> str:
        return self.model(value) if vocabulary == "models" else self.word(vocabulary, value)

    def render(self, found: Mapping[str, str]) -> list[str]:
        """capability → state as the row's cells, in `order`: "face" when enabled, "face (capable)"
        otherwise; ["standard"] for an empty mapping."""
        if not found:
            return [STANDARD]
        return [c if found[c] == ENABLED else f"{c} (capable)" for c in self.order if c in found]

    def check(self) -> list[str]:
        """One line per example that finds another capability or none, and per `not_models`
        model a pattern claims."""
        problems = []
        for cap, vocab, value in self.examples:
            got = self.lookup(vocab, value)
            if got != cap:
                problems.append(f"{FILENAME}: '{cap}': example {vocab} {value!r} finds {got or 'nothing'!r}")
        for model in self.not_models:
            got = self.model(model)
            if got:
                problems.append(f"{FILENAME}: not_models {model!r} is claimed by '{got}'")
        return problems


def load(directory: Path | str | None = None) -> AnalyticsVocabulary:
    """analytics.toml from `directory` (default: the signature directory camscan uses), loaded
    once per version of the file. SignatureError when it is missing or wrong."""
    return cached_load(policy_path(directory, FILENAME), _build)


def _build(path: Path, doc: dict[str, Any]) -> AnalyticsVocabulary:
    top = Section(path, "top level", doc)
    top.expect_keys(("order", "capability"), ("not_models",))
    order = top.texts("order")
    raw = doc["capability"]
    if not isinstance(raw, list) or not raw:
        raise top.fail("no [[capability]] entries")
    caps: list[Capability] = []
    examples: list[tuple[str, str, str]] = []
    claimed: dict[tuple[str, str], str] = {}
    for n, entry in enumerate(raw, 1):
        cap, cap_examples = _capability(path, n, entry, order)
        for vocab, words in cap.words.items():
            for w in words:
                if (vocab, w.lower()) in claimed:
                    raise top.fail(f"{vocab} word {w!r} is in '{claimed[vocab, w.lower()]}' and '{cap.id}'")
                claimed[vocab, w.lower()] = cap.id
        caps.append(cap)
        examples += cap_examples
    if sorted(c.id for c in caps) != sorted(order):
        raise top.fail("'order' must list every [[capability]] id once")
    by_order = tuple(sorted(caps, key=lambda c: order.index(c.id)))
    not_models = top.texts("not_models") if "not_models" in doc else ()
    vocab = AnalyticsVocabulary(order, by_order, tuple(examples), not_models)
    problems = vocab.check()
    if problems:
        raise top.fail(problems[0])
    return vocab


def _capability(path: Path, n: int, data: object, order: tuple[str, ...]) -> tuple[Capability, list]:
    ident = data.get("id") if isinstance(data, dict) else None
    sec = Section(path, f"[[capability]] {ident!r} (#{n})" if ident else f"[[capability]] #{n}", data)
    sec.expect_keys(("id", "description", "source", "examples"), ("confidence", *VOCABULARIES))
    cap_id = sec.text("id", order)
    words = {v: sec.texts(v) for v in WORD_VOCABULARIES if v in sec.data}
    for v, found in words.items():
        if not all(w.isascii() for w in found):
            raise sec.fail(f"'{v}' words must be ASCII (they are compared ignoring ASCII case)")
    models = []
    for pattern in sec.texts("models") if "models" in sec.data else ():
        try:
            models.append(re.compile(pattern, re.IGNORECASE | re.ASCII))
        except re.error as exc:
            raise sec.fail(f"model pattern {pattern!r} is not a valid regex ({exc})") from None
    raw_examples = sec.data.get("examples")
    if not isinstance(raw_examples, list) or not raw_examples:
        raise sec.fail("'examples' must be a non-empty list: every entry needs a value a device sent")
    examples = []
    for k, ex in enumerate(raw_examples, 1):
        one = Section(path, f"{sec.where} examples[{k}]", ex)
        one.expect_keys(("vocabulary", "value"))
        examples.append((cap_id, one.text("vocabulary", VOCABULARIES), one.text("value")))
    return Capability(cap_id, sec.text("description"), words, tuple(models)), examples
