"""The signature engine: reads the data files in `signatures/` and answers "what does this string
say about the device?" for OUI registrants, claimed vendor names, banners, model numbers and
firmware strings.

What it is for: knowledge lives in TOML (one file per question, banners one file per family of
kinds under signatures/banners/; see signatures/README.md), each entry with a regex, the fields
it yields and examples from real devices. This module loads the files once (their shape is
checked by signature_schema.py), and looks strings up, first match wins within a file.
`Signatures.check()` runs every entry's examples and not-examples the way Rapid7 recog's tests
do; the test suite and `camscan signatures check` call it, so a new entry proves itself.

What it must not do: decide between sources (fusion does that), touch the network, or trust
the strings it is given (inputs are truncated to MAX_INPUT and whitespace-collapsed before any
regex sees them). A data file that is wrong (bad regex, missing or unknown field, duplicate id)
raises SignatureError naming the file, the entry and the fault; it never half-loads.

Lookup rules (also in signatures/README.md):
- Regexes are *searched* (anchor with `^`/`$` where you mean it) and case-insensitive unless the
  entry sets `case_sensitive = true`.
- brands: an entry with `requires_platform` matches only when the caller passes that platform
  (the maker whose protocol carried the claim: "Hikvision" for SADP/ISAPI, "Dahua" for
  DHIP/magicBox), e.g. Dahua's white-label "General"/"Private".
- models: an entry that names a manufacturer (`requires_manufacturer`, or failing that its own
  `manufacturer`) matches when the caller's manufacturer is unknown ("") or the same group;
  it never matches when a *different* manufacturer is known. The caller's manufacturer may be a
  group ("Hikvision") or a brand ("HiLook"); brands are resolved through brands.toml first.
- banners: `http_realm`/`rtsp_realm` text may hold several realms joined by " | " (as the
  protocol parsers write them) or a whole `WWW-Authenticate` value; each realm is tried.
  `wsd_name` may be raw (`HIKVISION%20DS-…`, with or without the `onvif://…/name/` prefix).
  `upnp_manufacturer` falls back to the brands table when no banner entry matches.
  A banner pattern may capture `(?P<model>…)` and `(?P<firmware>…)`; the Match carries them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from camscan.identify.signature_schema import (
    CAPTURES,
    FILES,
    KINDS,
    MAX_INPUT,
    NOT_YET_PRODUCED_KINDS,
    PRODUCED_KINDS,
    SPECS,
    Match,
    Signature,
    SignatureError,
    banner_variants,
    clean,
    read_file,
)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "signatures"
ENV_DIR = "CAMSCAN_SIGNATURES"
BANNER_DIR = "banners"

__all__ = [
    "CAPTURES", "DEFAULT_DIR", "ENV_DIR", "FILES", "KINDS", "MAX_INPUT", "NOT_YET_PRODUCED_KINDS",
    "PRODUCED_KINDS", "SPECS", "Match", "Signature", "SignatureError", "Signatures", "default_directory",
    "file_paths", "load",
]


class Signatures:
    """All the signature files, loaded and compiled. Build with `load()`."""

    def __init__(self, directory: Path, entries: dict[str, tuple[Signature, ...]]) -> None:
        self.directory = directory
        self._entries = entries
        self._manufacturers = {s.manufacturer.casefold(): s.manufacturer
                               for f in entries.values() for s in f if s.manufacturer}
        # banner entries by kind, in file order: a banner lookup reads only its kind's entries
        by_kind: dict[str, list[Signature]] = {}
        for sig in entries.get("banners", ()):
            for kind in sig.kinds:
                by_kind.setdefault(kind, []).append(sig)
        self._by_kind = {k: tuple(v) for k, v in by_kind.items()}

    def entries(self, file: str) -> tuple[Signature, ...]:
        """The entries of one family ("oui", "brands", "banners", "models", "firmware"), in order
        (banners: the files of signatures/banners/ in name order)."""
        return self._entries[file]

    # --- lookups ---------------------------------------------------------------------------------

    def oui(self, registrant: str) -> Match | None:
        """An IEEE registrant name (as aiooui returns it) → manufacturer group and brand."""
        return _match_of(self._first(self._entries["oui"], clean(registrant)))

    def vendor(self, claimed: str, platform: str = "") -> Match | None:
        """A vendor/brand name a device claims (ONVIF Manufacturer, UPnP manufacturer, DHIP
        Vendor, ISAPI manufacturer, getVendor) → canonical brand and the real manufacturer.
        `platform` is the maker whose protocol carried the claim ("" if none)."""
        return _match_of(self._first(self._entries["brands"], clean(claimed), platform=clean(platform)))

    def banner(self, kind: str, text: str) -> Match | None:
        """A banner of one kind (KINDS) → manufacturer/brand (rarely device type), and the model
        and firmware the entry's pattern captured, if any. Unknown kinds find nothing."""
        return _match_of(self.find_banner(kind, text))

    def find_banner(self, kind: str, text: str) -> tuple[Signature, Match] | None:
        """As `banner`, with the entry that matched (for `camscan signatures match`)."""
        kind = clean(kind)
        for variant in banner_variants(kind, clean(text)):
            found = self._first(self._by_kind.get(kind, ()), variant, kind=kind)
            if found is not None:
                return found
        if kind == "upnp_manufacturer":
            return self._first(self._entries["brands"], clean(text))
        return None

    def model(self, model: str, manufacturer: str = "") -> Match | None:
        """A model number → device type and form (and the maker when the pattern proves it).
        `manufacturer` is what is already known ("" if nothing): an entry tied to another
        manufacturer never matches."""
        return _match_of(self._first(self._entries["models"], clean(model),
                                     manufacturer=self.canonical_manufacturer(manufacturer)))

    def firmware(self, firmware: str) -> Match | None:
        """A firmware string → manufacturer/brand from OEM codes (Dahua `2.800.00AC000.0.R`)."""
        return _match_of(self._first(self._entries["firmware"], clean(firmware)))

    def canonical_manufacturer(self, name: str) -> str:
        """A manufacturer or brand name → the manufacturer group spelled as the data spells it
        ("hikvision" → "Hikvision", "HiLook" → "Hikvision"); unknown names come back cleaned."""
        name = clean(name)
        if not name:
            return ""
        if name.casefold() in self._manufacturers:
            return self._manufacturers[name.casefold()]
        m = self.vendor(name)
        return m.manufacturer if m is not None and m.manufacturer else name

    def find(self, file: str, inputs: Mapping[str, Any]) -> tuple[Signature, Match] | None:
        """Run the public lookup of `file` on an example's inputs: the entry that matched and
        what it yields (used by check(), the tests and `camscan signatures match`)."""
        text = str(inputs.get(SPECS[file].input_key, ""))
        if file == "banners":
            return self.find_banner(str(inputs["kind"]), text)
        if file == "brands":
            return self._first(self._entries[file], clean(text), platform=clean(inputs.get("platform", "")))
        if file == "models":
            known = self.canonical_manufacturer(str(inputs.get("known_manufacturer", "")))
            return self._first(self._entries[file], clean(text), manufacturer=known)
        return self._first(self._entries[file], clean(text))

    def lookup(self, file: str, inputs: Mapping[str, Any]) -> Match | None:
        """As `find`, the Match only."""
        return _match_of(self.find(file, inputs))

    @staticmethod
    def _first(entries: tuple[Signature, ...], text: str, *, platform: str = "", manufacturer: str = "",
               kind: str = "") -> tuple[Signature, Match] | None:
        if not text:
            return None
        for sig in entries:
            found = sig.search(text, platform=platform, manufacturer=manufacturer, kind=kind)
            if found is not None:
                return sig, sig.match_for(found)
        return None

    # --- self-test -------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Run every example and not-example; one line per problem, [] when all hold.
        An example must be found by its own entry (not swallowed by an earlier one: first match
        wins) and yield exactly the fields it states (captured model/firmware included); a
        not-example must not match its entry."""
        problems = []
        for file in FILES:
            for sig in self._entries[file]:
                for n, ex in enumerate(sig.examples, 1):
                    problems += self.check_example(sig, ex, f"example {n}")
                for n, nex in enumerate(sig.not_examples, 1):
                    if self.not_example_matches(sig, nex):
                        problems.append(f"{sig.path}: entry '{sig.id}': not_example {n} "
                                        f"{_show(nex[SPECS[file].input_key])} matches it")
        return problems

    def check_example(self, sig: Signature, example: Mapping[str, Any], label: str = "example") -> list[str]:
        spec = SPECS[sig.file]
        where = f"{sig.path}: entry '{sig.id}': {label} {_show(example[spec.input_key])}"
        got = self.lookup(sig.file, example)
        if got is None or got.id != sig.id:
            if not self._own_accepts(sig, example):
                return [f"{where} does not match its own pattern"
                        + (f" (entry '{got.id}' matched it)" if got else "")]
            return [f"{where} is swallowed by earlier entry '{got.id}'" if got else f"{where} found nothing"]
        out = []
        for key, want in example.items():
            if key in spec.outputs or key in spec.captures or key == "heuristic":
                have = getattr(got, key)
                if have != want:
                    out.append(f"{where}: {key} is {have!r}, example says {want!r}")
        return out

    def not_example_matches(self, sig: Signature, example: Mapping[str, Any]) -> bool:
        return self._own_accepts(sig, example)

    def _own_accepts(self, sig: Signature, example: Mapping[str, Any]) -> bool:
        spec = SPECS[sig.file]
        text = clean(example.get(spec.input_key, ""))
        if sig.file == "banners":
            kind = str(example["kind"])
            return any(sig.accepts(v, kind=kind) for v in banner_variants(kind, text))
        return sig.accepts(text, platform=clean(example.get("platform", "")),
                           manufacturer=self.canonical_manufacturer(str(example.get("known_manufacturer", ""))))


def _match_of(found: tuple[Signature, Match] | None) -> Match | None:
    return found[1] if found is not None else None


def _show(text: object) -> str:
    s = str(text)
    return repr(s if len(s) <= 80 else s[:77] + "...")


# --- loading -------------------------------------------------------------------------------------

_CACHE: dict[tuple[str, tuple[tuple[str, int, int], ...]], Signatures] = {}
_CACHE_LOCK = threading.Lock()


def default_directory() -> Path:
    """$CAMSCAN_SIGNATURES if set, else the repository's signatures/ (a source checkout or an
    editable install), else the copy an installed camscan keeps in <prefix>/share/camscan."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    if DEFAULT_DIR.is_dir():
        return DEFAULT_DIR
    return Path(sys.prefix) / "share" / "camscan" / "signatures"


def file_paths(directory: Path) -> dict[str, tuple[str, ...]]:
    """Family → the files that hold it, relative to `directory`: `oui.toml`... and every
    `banners/*.toml` in name order. Raises SignatureError when there is no banner file."""
    out: dict[str, tuple[str, ...]] = {file: (f"{file}.toml",) for file in FILES if file != "banners"}
    banners = sorted(p.name for p in (directory / BANNER_DIR).glob("*.toml"))
    if not banners:
        raise SignatureError(f"{directory / BANNER_DIR}: no banner files (*.toml)")
    out["banners"] = tuple(f"{BANNER_DIR}/{name}" for name in banners)
    return {file: out[file] for file in FILES}


def load(directory: Path | str | None = None) -> Signatures:
    """Load and compile the signature files. Default directory: $CAMSCAN_SIGNATURES if set,
    else the repository's `signatures/`. Loaded once per directory (reloaded if a file changed).
    Raises SignatureError for a missing or broken file."""
    path = Path(directory if directory is not None else default_directory())
    layout = file_paths(path)
    stamps = []
    for names in layout.values():
        for name in names:
            try:
                st = (path / name).stat()
            except OSError as exc:
                raise SignatureError(f"{path / name}: cannot read the signature file "
                                     f"({exc.strerror or exc})") from None
            stamps.append((name, st.st_mtime_ns, st.st_size))
    key = (str(path.resolve()), tuple(stamps))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = Signatures(path, {file: read_family(path, file, names) for file, names in layout.items()})
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = cached
    return cached


def read_family(directory: Path, file: str, names: tuple[str, ...]) -> tuple[Signature, ...]:
    """The entries of one family from its files, in order. Banners: every kind must live in one
    file (first match wins within a file, so a kind split over two files would have no order)."""
    out: list[Signature] = []
    home: dict[str, str] = {}
    for name in names:
        for sig in read_file(directory / name, file, name):
            for kind in sig.kinds:
                if home.setdefault(kind, name) != name:
                    raise SignatureError(f"{directory / name}: entry '{sig.id}': kind '{kind}' already has "
                                         f"entries in {home[kind]}; all entries of one kind live in one file")
            out.append(sig)
    return tuple(out)
