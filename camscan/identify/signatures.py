"""The signature engine: reads the data files in `signatures/` and answers "what does this string
say about the device?" for OUI registrants, claimed vendor names, banners, model numbers and
firmware strings.

What it is for: knowledge lives in TOML (one file per question, see signatures/README.md), each
entry with a regex, the fields it yields and examples from real devices. This module loads the
files once, checks their shape, compiles the regexes and looks strings up, first match wins
within a file. `Signatures.check()` runs every entry's examples and not-examples the way
Rapid7 recog's tests do; the test suite calls it, so a new entry proves itself.

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
"""

from __future__ import annotations

import os
import re
import sys
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from camscan.errors import CamscanError
from camscan.model import DEVICE_TYPES, FORMS

MAX_INPUT = 4096
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "signatures"
ENV_DIR = "CAMSCAN_SIGNATURES"

# Banner kinds an entry may name. Evidence may carry other kinds (wsd_hardware, mdns_txt,
# upnp_model_name, ...): looking those up simply finds nothing.
KINDS = (
    "http_server", "http_realm", "http_title", "rtsp_server", "rtsp_realm", "ssdp_server", "ssdp_location",
    "mdns_service", "wsd_name", "upnp_manufacturer", "telnet_banner", "tls_subject",
    "favicon_md5", "dhcp_vendor_class",
)
CONFIDENCES = ("sourced", "heuristic")
# A signature either knows the form or says nothing: "unknown" as a claim would outweigh real
# evidence (an ONVIF device without a PTZ service) in fusion, so it is refused in the data.
SIGNATURE_FORMS = tuple(f for f in FORMS if f != "unknown")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_REALM = re.compile(r"""realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))""", re.I)
_WSD_NAME_PREFIX = re.compile(r"^onvif://www\.onvif\.org/name/", re.I)


@dataclass(frozen=True)
class Match:
    """What one signature entry says. `id` names the entry (file-local) for provenance.
    `heuristic` marks entries the sources do not fully back (domain-facts §8, grade D, low
    confidence OEM claims). `oem_own_oui` marks an OUI registered by a rebadger itself (Amcrest,
    LTS...): the manufacturer it gives is the rebadger's known source, not the registrant."""

    id: str
    manufacturer: str = ""
    brand: str = ""
    device_type: str = ""
    form: str = ""
    heuristic: bool = False
    note: str = ""
    oem_own_oui: bool = False


class SignatureError(CamscanError):
    """A signature file is wrong. The message names the file, the entry and the fault."""


@dataclass(frozen=True)
class _FileSpec:
    input_key: str                 # the example key holding the string looked up
    context_keys: tuple[str, ...]  # other example keys passed to the lookup
    outputs: tuple[str, ...]       # output fields an entry of this file may set
    extra: tuple[str, ...]         # file-specific entry keys that are not outputs


_COMMON = ("id", "description", "source", "pattern", "examples", "not_examples", "confidence",
           "note", "case_sensitive")
SPECS: dict[str, _FileSpec] = {
    "oui": _FileSpec("registrant", (), ("manufacturer", "brand", "device_type", "oem_own_oui"), ()),
    "brands": _FileSpec("claimed", ("platform",), ("manufacturer", "brand"), ("requires_platform",)),
    "banners": _FileSpec("text", ("kind",), ("manufacturer", "brand", "device_type", "form"), ("kind",)),
    "models": _FileSpec("model", ("known_manufacturer",), ("manufacturer", "brand", "device_type", "form"),
                        ("requires_manufacturer",)),
    "firmware": _FileSpec("firmware", (), ("manufacturer", "brand"), ()),
}
FILES = tuple(SPECS)
_BOOL_OUTPUTS = ("oem_own_oui",)


def _clean(text: object) -> str:
    """Device text as the regexes see it: a string, at most MAX_INPUT characters, whitespace
    runs (including control characters) collapsed to one space, stripped."""
    s = text if isinstance(text, str) else ("" if text is None else str(text))
    s = s[:MAX_INPUT]
    s = re.sub(r"[\x00-\x20\x7f]+", " ", s)
    return s.strip()


def _banner_variants(kind: str, text: str) -> list[str]:
    """The strings a banner of this kind is matched as (several for joined realms)."""
    if kind in ("http_realm", "rtsp_realm"):
        found = [m.group(1) if m.group(1) is not None else m.group(2) for m in _REALM.finditer(text)]
        parts = found if found else text.split(" | ")
        out = []
        for p in parts:
            p = _clean(re.sub(r"\\(.)", r"\1", p))
            if p and p not in out:
                out.append(p)
        return out
    if kind == "wsd_name":
        text = _WSD_NAME_PREFIX.sub("", text)
        if "%" in text:
            text = _clean(unquote(text, errors="replace"))
    return [text] if text else []


@dataclass(frozen=True)
class Signature:
    """One entry of one file, validated and compiled."""

    file: str
    id: str
    description: str
    source: str
    pattern: re.Pattern[str]
    manufacturer: str = ""
    brand: str = ""
    device_type: str = ""
    form: str = ""
    heuristic: bool = False
    note: str = ""
    oem_own_oui: bool = False
    kinds: tuple[str, ...] = ()
    requires_platform: str = ""
    requires_manufacturer: str = ""
    examples: tuple[Mapping[str, Any], ...] = ()
    not_examples: tuple[Mapping[str, Any], ...] = ()

    @property
    def match(self) -> Match:
        return Match(id=self.id, manufacturer=self.manufacturer, brand=self.brand,
                     device_type=self.device_type, form=self.form, heuristic=self.heuristic,
                     note=self.note, oem_own_oui=self.oem_own_oui)

    @property
    def manufacturer_gate(self) -> str:
        """models: the group a known manufacturer must equal for this entry to match."""
        return self.requires_manufacturer or self.manufacturer

    def accepts(self, text: str, *, platform: str = "", manufacturer: str = "", kind: str = "") -> bool:
        """Does this entry match `text` (already cleaned) in this context? `manufacturer` must
        already be canonical (see Signatures.model)."""
        if self.kinds and kind not in self.kinds:
            return False
        if self.requires_platform and platform.casefold() != self.requires_platform.casefold():
            return False
        gate = self.manufacturer_gate if self.file == "models" else ""
        if gate and manufacturer and manufacturer.casefold() != gate.casefold():
            return False
        return self.pattern.search(text) is not None


class Signatures:
    """All five files, loaded and compiled. Build with `load()`."""

    def __init__(self, directory: Path, entries: dict[str, tuple[Signature, ...]]) -> None:
        self.directory = directory
        self._entries = entries
        self._manufacturers = {s.manufacturer.casefold(): s.manufacturer
                               for f in entries.values() for s in f if s.manufacturer}

    def entries(self, file: str) -> tuple[Signature, ...]:
        """The entries of one file ("oui", "brands", "banners", "models", "firmware"), in order."""
        return self._entries[file]

    # --- lookups ---------------------------------------------------------------------------------

    def oui(self, registrant: str) -> Match | None:
        """An IEEE registrant name (as aiooui returns it) → manufacturer group and brand."""
        return self._first("oui", _clean(registrant))

    def vendor(self, claimed: str, platform: str = "") -> Match | None:
        """A vendor/brand name a device claims (ONVIF Manufacturer, UPnP manufacturer, DHIP
        Vendor, ISAPI manufacturer, getVendor) → canonical brand and the real manufacturer.
        `platform` is the maker whose protocol carried the claim ("" if none)."""
        return self._first("brands", _clean(claimed), platform=_clean(platform))

    def banner(self, kind: str, text: str) -> Match | None:
        """A banner of one kind (KINDS) → manufacturer/brand (rarely device type). Unknown kinds
        find nothing."""
        kind = _clean(kind)
        for variant in _banner_variants(kind, _clean(text)):
            m = self._first("banners", variant, kind=kind)
            if m is not None:
                return m
        if kind == "upnp_manufacturer":
            return self.vendor(text)
        return None

    def model(self, model: str, manufacturer: str = "") -> Match | None:
        """A model number → device type and form (and the maker when the pattern proves it).
        `manufacturer` is what is already known ("" if nothing): an entry tied to another
        manufacturer never matches."""
        return self._first("models", _clean(model), manufacturer=self.canonical_manufacturer(manufacturer))

    def firmware(self, firmware: str) -> Match | None:
        """A firmware string → manufacturer/brand from OEM codes (Dahua `2.800.00AC000.0.R`)."""
        return self._first("firmware", _clean(firmware))

    def canonical_manufacturer(self, name: str) -> str:
        """A manufacturer or brand name → the manufacturer group spelled as the data spells it
        ("hikvision" → "Hikvision", "HiLook" → "Hikvision"); unknown names come back cleaned."""
        name = _clean(name)
        if not name:
            return ""
        if name.casefold() in self._manufacturers:
            return self._manufacturers[name.casefold()]
        m = self.vendor(name)
        return m.manufacturer if m is not None and m.manufacturer else name

    def lookup(self, file: str, inputs: Mapping[str, Any]) -> Match | None:
        """Run the public lookup of `file` on an example's inputs (used by check() and tests)."""
        spec = SPECS[file]
        text = str(inputs.get(spec.input_key, ""))
        if file == "oui":
            return self.oui(text)
        if file == "brands":
            return self.vendor(text, str(inputs.get("platform", "")))
        if file == "banners":
            return self.banner(str(inputs["kind"]), text)
        if file == "models":
            return self.model(text, str(inputs.get("known_manufacturer", "")))
        return self.firmware(text)

    def _first(self, file: str, text: str, *, platform: str = "", manufacturer: str = "",
               kind: str = "") -> Match | None:
        if not text:
            return None
        for sig in self._entries[file]:
            if sig.accepts(text, platform=platform, manufacturer=manufacturer, kind=kind):
                return sig.match
        return None

    # --- self-test -------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Run every example and not-example; one line per problem, [] when all hold.
        An example must be found by its own entry (not swallowed by an earlier one: first match
        wins) and yield exactly the fields it states; a not-example must not match its entry."""
        problems = []
        for file in FILES:
            for sig in self._entries[file]:
                for n, ex in enumerate(sig.examples, 1):
                    problems += self.check_example(sig, ex, f"example {n}")
                for n, nex in enumerate(sig.not_examples, 1):
                    if self.not_example_matches(sig, nex):
                        problems.append(f"{file}.toml: entry '{sig.id}': not_example {n} "
                                        f"{_show(nex[SPECS[file].input_key])} matches it")
        return problems

    def check_example(self, sig: Signature, example: Mapping[str, Any], label: str = "example") -> list[str]:
        spec = SPECS[sig.file]
        where = f"{sig.file}.toml: entry '{sig.id}': {label} {_show(example[spec.input_key])}"
        got = self.lookup(sig.file, example)
        if got is None or got.id != sig.id:
            if not self._own_accepts(sig, example):
                return [f"{where} does not match its own pattern"
                        + (f" (entry '{got.id}' matched it)" if got else "")]
            return [f"{where} is swallowed by earlier entry '{got.id}'" if got else f"{where} found nothing"]
        out = []
        for key, want in example.items():
            if key in spec.outputs or key == "heuristic":
                have = getattr(got, key)
                if have != want:
                    out.append(f"{where}: {key} is {have!r}, example says {want!r}")
        return out

    def not_example_matches(self, sig: Signature, example: Mapping[str, Any]) -> bool:
        return self._own_accepts(sig, example)

    def _own_accepts(self, sig: Signature, example: Mapping[str, Any]) -> bool:
        spec = SPECS[sig.file]
        text = _clean(example.get(spec.input_key, ""))
        if sig.file == "banners":
            kind = str(example["kind"])
            return any(sig.accepts(v, kind=kind) for v in _banner_variants(kind, text))
        return sig.accepts(text, platform=_clean(example.get("platform", "")),
                           manufacturer=self.canonical_manufacturer(str(example.get("known_manufacturer", ""))))


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


def load(directory: Path | str | None = None) -> Signatures:
    """Load and compile the signature files. Default directory: $CAMSCAN_SIGNATURES if set,
    else the repository's `signatures/`. Loaded once per directory (reloaded if a file changed).
    Raises SignatureError for a missing or broken file."""
    if directory is None:
        directory = default_directory()
    path = Path(directory)
    stamps = []
    for file in FILES:
        f = path / f"{file}.toml"
        try:
            st = f.stat()
        except OSError as exc:
            raise SignatureError(f"{f}: cannot read the signature file ({exc.strerror or exc})") from None
        stamps.append((file, st.st_mtime_ns, st.st_size))
    key = (str(path.resolve()), tuple(stamps))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = Signatures(path, {file: _load_file(path / f"{file}.toml", file) for file in FILES})
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = cached
    return cached


def _load_file(path: Path, file: str) -> tuple[Signature, ...]:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SignatureError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SignatureError(f"{path}: cannot read: {exc.strerror or exc}") from None
    unknown = set(doc) - {"signature"}
    if unknown:
        raise SignatureError(f"{path}: unknown top-level key(s) {sorted(unknown)}; entries go in [[signature]] tables")
    raw = doc.get("signature", [])
    if not isinstance(raw, list) or not raw:
        raise SignatureError(f"{path}: no [[signature]] entries")
    seen: set[str] = set()
    out = []
    for n, entry in enumerate(raw, 1):
        sig = _load_entry(path, file, n, entry)
        if sig.id in seen:
            raise SignatureError(f"{path}: entry '{sig.id}' (#{n}): duplicate id")
        seen.add(sig.id)
        out.append(sig)
    return tuple(out)


def _load_entry(path: Path, file: str, n: int, entry: Any) -> Signature:
    spec = SPECS[file]
    if not isinstance(entry, dict):
        raise SignatureError(f"{path}: entry #{n}: not a table")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident:
        raise SignatureError(f"{path}: entry #{n} (no id): missing 'id'")
    where = f"{path}: entry '{ident}' (#{n})"

    def fail(what: str) -> SignatureError:
        return SignatureError(f"{where}: {what}")

    if not _ID.match(ident):
        raise fail("id must be lower case letters, digits, '.', '_' or '-'")
    allowed = set(_COMMON) | set(spec.outputs) | set(spec.extra)
    unknown = set(entry) - allowed
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)} (allowed here: {sorted(allowed)})")

    def text_field(key: str, required: bool = False) -> str:
        v = entry.get(key, "")
        if not isinstance(v, str):
            raise fail(f"'{key}' must be a string")
        if required and not v.strip():
            raise fail(f"missing '{key}'")
        return v.strip()

    description = text_field("description", True)
    source = text_field("source", True)
    pattern_text = entry.get("pattern")
    if not isinstance(pattern_text, str) or not pattern_text:
        raise fail("missing 'pattern'")
    case_sensitive = entry.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise fail("'case_sensitive' must be true or false")
    try:
        pattern = re.compile(pattern_text, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise fail(f"bad regex in 'pattern' {pattern_text!r}: {exc}") from None
    confidence = text_field("confidence") or "sourced"
    if confidence not in CONFIDENCES:
        raise fail(f"'confidence' must be one of {list(CONFIDENCES)}, not {confidence!r}")

    outputs: dict[str, Any] = {}
    for key in spec.outputs:
        if key in _BOOL_OUTPUTS:
            v = entry.get(key, False)
            if not isinstance(v, bool):
                raise fail(f"'{key}' must be true or false")
            outputs[key] = v
        else:
            outputs[key] = text_field(key)
    device_type = outputs.get("device_type", "")
    form = outputs.get("form", "")
    if device_type and device_type not in DEVICE_TYPES:
        raise fail(f"'device_type' must be one of {list(DEVICE_TYPES)}, not {device_type!r}")
    if form and form not in SIGNATURE_FORMS:
        raise fail(f"'form' must be one of {list(SIGNATURE_FORMS)}, not {form!r}; leave it out when the "
                   "string cannot tell (fusion then uses capabilities and writes 'unknown' itself)")
    if form and device_type != "camera":
        raise fail("'form' is only for device_type = \"camera\"")

    kinds: tuple[str, ...] = ()
    if file == "banners":
        k = entry.get("kind")
        kinds = (k,) if isinstance(k, str) else tuple(k) if isinstance(k, list) else ()
        if not kinds or not all(isinstance(x, str) for x in kinds):
            raise fail("missing 'kind' (a kind or a list of kinds)")
        bad = [x for x in kinds if x not in KINDS]
        if bad:
            raise fail(f"unknown kind(s) {bad} (known: {list(KINDS)})")
    requires_platform = text_field("requires_platform") if "requires_platform" in spec.extra else ""
    requires_manufacturer = text_field("requires_manufacturer") if "requires_manufacturer" in spec.extra else ""

    examples = _load_examples(entry, "examples", spec, kinds, fail, required=True)
    not_examples = _load_examples(entry, "not_examples", spec, kinds, fail, required=False)
    return Signature(
        file=file, id=ident, description=description, source=source, pattern=pattern,
        heuristic=confidence == "heuristic", note=text_field("note"), kinds=kinds,
        requires_platform=requires_platform, requires_manufacturer=requires_manufacturer,
        examples=examples, not_examples=not_examples, **outputs,
    )


def _load_examples(entry: dict[str, Any], key: str, spec: _FileSpec, kinds: tuple[str, ...],
                   fail: Any, required: bool) -> tuple[Mapping[str, Any], ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list):
        raise fail(f"'{key}' must be a list")
    if required and not raw:
        raise fail(f"no '{key}': every entry needs at least one example from a real device")
    inputs = (spec.input_key, *spec.context_keys)
    expect = (*spec.outputs, "heuristic")
    out = []
    for n, ex in enumerate(raw, 1):
        label = f"{key}[{n}]"
        if isinstance(ex, str) and key == "not_examples":
            ex = {spec.input_key: ex}
        if not isinstance(ex, dict):
            raise fail(f"{label} must be a table" + (" or a string" if key == "not_examples" else ""))
        if not isinstance(ex.get(spec.input_key), str) or not ex[spec.input_key]:
            raise fail(f"{label} has no '{spec.input_key}' (the string to look up)")
        allowed = set(inputs) | (set(expect) if key == "examples" else set())
        unknown = set(ex) - allowed
        if unknown:
            raise fail(f"{label} has unknown key(s) {sorted(unknown)} (allowed: {sorted(allowed)})")
        for k in ex:
            want_bool = k in _BOOL_OUTPUTS or k == "heuristic"
            if want_bool != isinstance(ex[k], bool) or (not want_bool and not isinstance(ex[k], str)):
                raise fail(f"{label}: '{k}' must be {'true or false' if want_bool else 'a string'}")
        if key == "examples" and not set(ex) & set(expect):
            raise fail(f"{label} states no expected field (one or more of {list(expect)})")
        ex = dict(ex)
        if kinds:
            ex.setdefault("kind", kinds[0])
            if ex["kind"] not in kinds:
                raise fail(f"{label}: kind {ex['kind']!r} is not one of this entry's kinds {list(kinds)}")
        out.append(ex)
    return tuple(out)
