"""Vendors' own words for what a device is (Hikvision ISAPI deviceType, Dahua DHIP DeviceClass)
→ camscan's device_type and form, read from `signatures/device_classes.toml`.

What it is for: the protocol parsers turn a raw word into a type claim with `classify()`; what
each word means is identification knowledge, kept as data with examples beside the signatures.
Words are compared whole and ignoring ASCII case ("IPDome", "ipdome"); anything else,
including a word with non-ASCII letters that would fold onto a known one, is not known.

What it must not do: guess. An unknown word gives ("", ""), and the parser keeps it in a note.
A wrong file (unknown key, a device type or form camscan does not have, a name claimed by two
entries, an example that states no type) refuses to load with one line (SignatureError).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camscan.identify.datafile import Section, cached_load, policy_path
from camscan.model import DEVICE_TYPES, FORMS

FILENAME = "device_classes.toml"
VOCABULARIES = ("isapi", "dhip")
CLAIMED_TYPES = tuple(t for t in DEVICE_TYPES if t != "unknown")
CLAIMED_FORMS = tuple(f for f in FORMS if f != "unknown")
_ENTRY_KEYS = ("id", "description", "source", "names", "device_type", "examples")
_OPTIONAL_KEYS = ("form", "confidence")


@dataclass(frozen=True)
class DeviceClass:
    """One entry: the spellings it stands for and what they mean."""

    vocabulary: str
    id: str
    description: str
    source: str
    names: tuple[str, ...]
    device_type: str
    form: str = ""
    heuristic: bool = False
    # each: {"value": raw word, "device_type": ..., "form": ...}
    examples: tuple[Mapping[str, str], ...] = ()


class DeviceClasses:
    """The loaded vocabularies. Build with `load()`."""

    def __init__(self, entries: Mapping[str, tuple[DeviceClass, ...]]) -> None:
        self._entries = entries
        self._index = {vocab: {name.lower(): e for e in found for name in e.names}
                       for vocab, found in entries.items()}

    def entries(self, vocabulary: str) -> tuple[DeviceClass, ...]:
        return self._entries[vocabulary]

    def lookup(self, vocabulary: str, raw: str) -> DeviceClass | None:
        """The entry whose names hold `raw` (whole word, ASCII case ignored), else None."""
        if not raw.isascii():
            return None
        return self._index[vocabulary].get(raw.lower())

    def classify(self, vocabulary: str, raw: str) -> tuple[str, str]:
        """`raw` → (device_type, form); ("", "") when the word is not known."""
        entry = self.lookup(vocabulary, raw)
        return (entry.device_type, entry.form) if entry else ("", "")

    def check(self) -> list[str]:
        """One line per example that does not find its own entry or yields other fields."""
        problems = []
        for vocab in VOCABULARIES:
            for entry in self._entries[vocab]:
                for ex in entry.examples:
                    where = f"{FILENAME}: [[{vocab}]] '{entry.id}': example {ex['value']!r}"
                    got = self.lookup(vocab, ex["value"])
                    if got is None or got.id != entry.id:
                        problems.append(f"{where} finds {('entry ' + repr(got.id)) if got else 'nothing'}")
                    elif (got.device_type, got.form) != (ex["device_type"], ex["form"]):
                        problems.append(f"{where} yields {(got.device_type, got.form)}, the example says "
                                        f"{(ex['device_type'], ex['form'])}")
        return problems


def load(directory: Path | str | None = None) -> DeviceClasses:
    """device_classes.toml from `directory` (default: the signature directory camscan uses),
    loaded once per version of the file. SignatureError when it is missing or wrong."""
    return cached_load(policy_path(directory, FILENAME), _build)


def classify(vocabulary: str, raw: str) -> tuple[str, str]:
    """A vendor's word for its device → (device_type, form), from the default data."""
    return load().classify(vocabulary, raw)


_MODEL_PREFIX = re.compile(r"^(?:DHI?-)?([A-Za-z]{2,6})(?=[\d\s_-]|$)")


def classify_model(vocabulary: str, model: str) -> tuple[str, str]:
    """The fallback when a reply names no class: the model's leading letters (`XVR5104HS`,
    `DHI-NVR4104`, `ITC237-PW1B`, `MHDX 1104`) looked up as a class word; ("", "") otherwise."""
    found = _MODEL_PREFIX.match(model.strip())
    return load().classify(vocabulary, found.group(1)) if found else ("", "")


def _build(path: Path, doc: dict[str, Any]) -> DeviceClasses:
    top = Section(path, "top level", doc)
    top.expect_keys((), VOCABULARIES)
    entries: dict[str, tuple[DeviceClass, ...]] = {}
    for vocab in VOCABULARIES:
        raw = doc.get(vocab, [])
        if not isinstance(raw, list) or not raw:
            raise top.fail(f"no [[{vocab}]] entries")
        found = tuple(_entry(path, vocab, n, e) for n, e in enumerate(raw, 1))
        seen_ids: set[str] = set()
        seen_names: dict[str, str] = {}
        for e in found:
            if e.id in seen_ids:
                raise top.fail(f"[[{vocab}]] id '{e.id}' is used twice")
            seen_ids.add(e.id)
            for name in e.names:
                if name.lower() in seen_names:
                    raise top.fail(f"[[{vocab}]] name {name!r} is in '{seen_names[name.lower()]}' and '{e.id}'")
                seen_names[name.lower()] = e.id
        entries[vocab] = found
    return DeviceClasses(entries)


def _entry(path: Path, vocab: str, n: int, data: object) -> DeviceClass:
    ident = data.get("id") if isinstance(data, dict) else None
    sec = Section(path, f"[[{vocab}]] entry {ident!r} (#{n})" if ident else f"[[{vocab}]] entry #{n}", data)
    sec.expect_keys(_ENTRY_KEYS, _OPTIONAL_KEYS)
    device_type = sec.text("device_type", CLAIMED_TYPES)
    form = sec.text("form", CLAIMED_FORMS, required=False)
    if form and device_type != "camera":
        raise sec.fail("'form' is only for device_type = \"camera\"")
    names = sec.texts("names")
    if not all(name.isascii() for name in names):
        raise sec.fail("'names' must be ASCII (the words are compared ignoring ASCII case)")
    examples = _examples(sec)
    return DeviceClass(
        vocabulary=vocab, id=sec.text("id"), description=sec.text("description"), source=sec.text("source"),
        names=names, device_type=device_type, form=form,
        heuristic=sec.text("confidence", ("sourced", "heuristic"), required=False) == "heuristic",
        examples=examples,
    )


def _examples(sec: Section) -> tuple[Mapping[str, str], ...]:
    raw = sec.data.get("examples")
    if not isinstance(raw, list) or not raw:
        raise sec.fail("'examples' must be a non-empty list: every entry needs a value a device sent")
    out = []
    for n, ex in enumerate(raw, 1):
        one = Section(sec.path, f"{sec.where} examples[{n}]", ex)
        one.expect_keys(("value", "device_type"), ("form",))
        out.append({"value": one.text("value"), "device_type": one.text("device_type", CLAIMED_TYPES),
                    "form": one.text("form", CLAIMED_FORMS, required=False)})
    return tuple(out)
