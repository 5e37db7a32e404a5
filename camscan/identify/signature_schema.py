"""The shape of a signature file: what an entry may say, and reading one file into checked,
compiled `Signature`s.

Why a module of its own: the engine (signatures.py) answers lookups; this module is the
schema an editor of `signatures/` works against, and it must refuse a wrong file loudly (bad
regex, missing or unknown key, duplicate id, an example that states nothing, a capture group
no example proves) with a message naming the file, the entry and the fault. It never half-loads.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from camscan.errors import CamscanError
from camscan.model import DEVICE_TYPES, FORMS

MAX_INPUT = 4096

# Banner kinds the protocol modules put in Evidence.banners (an entry may name any of them).
PRODUCED_KINDS = (
    "http_server", "http_realm", "http_title", "http_redirect", "rtsp_server", "rtsp_realm", "rtsp_url", "rtsp_sdp",
    "ssdp_server", "ssdp_location", "upnp_manufacturer", "upnp_model_name", "upnp_model_number",
    "upnp_model_description", "mdns_service", "mdns_txt", "mdns_instance", "mdns_host", "wsd_name",
    "wsd_hardware", "wsd_types",
    "x509_subject", "x509_issuer", "dhcp_vendor_class", "dhcp_hostname", "dns_query", "p2p_did",
    "hnap_module_types", "hnap_model_description",
)
# Kinds with entries ready for evidence no module produces yet.
NOT_YET_PRODUCED_KINDS: tuple[str, ...] = ()
KINDS = PRODUCED_KINDS + NOT_YET_PRODUCED_KINDS
CONFIDENCES = ("sourced", "heuristic")
# A signature either knows the form or says nothing: "unknown" as a claim would outweigh real
# evidence (an ONVIF device without a PTZ service) in fusion, so it is refused in the data.
SIGNATURE_FORMS = tuple(f for f in FORMS if f != "unknown")
# Named groups a banner pattern may use; what they capture is returned on the Match.
CAPTURES = ("model", "firmware", "serial")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_REALM = re.compile(r"""realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))""", re.I)
_WSD_NAME_PREFIX = re.compile(r"^onvif://www\.onvif\.org/name/", re.I)


def read_toml(path: Path) -> dict[str, Any]:
    """A data file of signatures/ parsed; SignatureError (one line) when it is missing or not
    TOML. The one TOML reader of every signature, advisory and policy file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SignatureError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SignatureError(f"{path}: cannot read the signature file ({exc.strerror or exc})") from None


def read_entries(path: Path, table: str) -> list[Any]:
    """The [[table]] entries of a file that holds nothing else; an empty file or any other
    top-level key (a typo) is refused."""
    doc = read_toml(path)
    unknown = set(doc) - {table}
    if unknown:
        raise SignatureError(f"{path}: unknown top-level key(s) {sorted(unknown)}; entries go in [[{table}]] tables")
    raw = doc.get(table, [])
    if not isinstance(raw, list) or not raw:
        raise SignatureError(f"{path}: no [[{table}]] entries")
    return raw


class SignatureError(CamscanError):
    """A signature file is wrong. The message names the file, the entry and the fault."""


@dataclass(frozen=True)
class Match:
    """What one signature entry says. `id` names the entry (file-local) for provenance.
    `heuristic` marks entries the sources do not fully back (domain-facts §8, grade D, low
    confidence OEM claims). `oem_own_oui` marks an OUI registered by a rebadger itself (Amcrest,
    LTS...): the manufacturer it gives is the rebadger's known source, not the registrant.
    `model`, `firmware` and `serial` are what a banner pattern captured with (?P<model>…),
    (?P<firmware>…) and (?P<serial>…) ("" when the entry captures nothing)."""

    id: str
    manufacturer: str = ""
    brand: str = ""
    device_type: str = ""
    form: str = ""
    heuristic: bool = False
    note: str = ""
    oem_own_oui: bool = False
    model: str = ""
    firmware: str = ""
    serial: str = ""


@dataclass(frozen=True)
class FileSpec:
    """What the entries of one family of files look like."""

    input_key: str                 # the example key holding the string looked up
    context_keys: tuple[str, ...]  # other example keys passed to the lookup
    outputs: tuple[str, ...]       # output fields an entry of this file may set
    extra: tuple[str, ...]         # file-specific entry keys that are not outputs
    captures: tuple[str, ...] = ()  # named groups a pattern may capture (banners only)


_COMMON = ("id", "description", "source", "pattern", "examples", "not_examples", "confidence",
           "note", "case_sensitive")
SPECS: dict[str, FileSpec] = {
    "oui": FileSpec("registrant", (), ("manufacturer", "brand", "device_type", "oem_own_oui"), ()),
    "brands": FileSpec("claimed", ("platform",), ("manufacturer", "brand"), ("requires_platform",)),
    "banners": FileSpec("text", ("kind",), ("manufacturer", "brand", "device_type", "form"), ("kind",), CAPTURES),
    "models": FileSpec("model", ("known_manufacturer",), ("manufacturer", "brand", "device_type", "form"),
                       ("requires_manufacturer",)),
    "firmware": FileSpec("firmware", (), ("manufacturer", "brand"), ()),
}
FILES = tuple(SPECS)
_BOOL_OUTPUTS = ("oem_own_oui",)


def clean(text: object) -> str:
    """Device text as the regexes see it: a string, at most MAX_INPUT characters, whitespace
    runs (including control characters) collapsed to one space, stripped."""
    s = text if isinstance(text, str) else ("" if text is None else str(text))
    s = s[:MAX_INPUT]
    s = re.sub(r"[\x00-\x20\x7f]+", " ", s)
    return s.strip()


def banner_variants(kind: str, text: str) -> list[str]:
    """The strings a banner of this kind is matched as (several for joined realms)."""
    if kind in ("http_realm", "rtsp_realm"):
        found = [m.group(1) if m.group(1) is not None else m.group(2) for m in _REALM.finditer(text)]
        parts = found if found else text.split(" | ")
        out = []
        for p in parts:
            p = clean(re.sub(r"\\(.)", r"\1", p))
            if p and p not in out:
                out.append(p)
        return out
    if kind == "wsd_name":
        text = _WSD_NAME_PREFIX.sub("", text)
        if "%" in text:
            text = clean(unquote(text, errors="replace"))
    return [text] if text else []


@dataclass(frozen=True)
class Signature:
    """One entry of one file, validated and compiled. `file` is the family ("banners"), `path`
    the file it came from, relative to the signatures directory ("banners/http_rtsp.toml")."""

    file: str
    path: str
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
    def captures(self) -> tuple[str, ...]:
        """The named groups this entry's pattern captures (model, firmware, serial)."""
        return tuple(g for g in CAPTURES if g in self.pattern.groupindex)

    @property
    def manufacturer_gate(self) -> str:
        """models: the group a known manufacturer must equal for this entry to match."""
        return self.requires_manufacturer or self.manufacturer

    def search(self, text: str, *, platform: str = "", manufacturer: str = "",
               kind: str = "") -> re.Match[str] | None:
        """The regex match of this entry on `text` (already cleaned) in this context, or None.
        `manufacturer` must already be canonical (see Signatures.model)."""
        if self.kinds and kind not in self.kinds:
            return None
        if self.requires_platform and platform.casefold() != self.requires_platform.casefold():
            return None
        gate = self.manufacturer_gate if self.file == "models" else ""
        if gate and manufacturer and manufacturer.casefold() != gate.casefold():
            return None
        return self.pattern.search(text)

    def accepts(self, text: str, *, platform: str = "", manufacturer: str = "", kind: str = "") -> bool:
        return self.search(text, platform=platform, manufacturer=manufacturer, kind=kind) is not None

    def match_for(self, found: re.Match[str]) -> Match:
        """The Match this entry yields for one regex match (with what its groups captured)."""
        if not self.captures:
            return self.match
        got = {g: clean(found.group(g) or "") for g in self.captures}
        return replace(self.match, **got)


# --- reading one file -----------------------------------------------------------------------------

def read_file(path: Path, file: str, display: str) -> tuple[Signature, ...]:
    """The entries of one file of family `file` ("banners"...), validated and compiled.
    `display` is the name entries carry (relative to the signatures directory)."""
    raw = read_entries(path, "signature")
    seen: set[str] = set()
    out = []
    for n, entry in enumerate(raw, 1):
        sig = _read_entry(path, file, display, n, entry)
        if sig.id in seen:
            raise SignatureError(f"{path}: entry '{sig.id}' (#{n}): duplicate id")
        seen.add(sig.id)
        out.append(sig)
    return tuple(out)


def _read_entry(path: Path, file: str, display: str, n: int, entry: Any) -> Signature:
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
    pattern = _compile(entry, spec, fail)
    confidence = text_field("confidence") or "sourced"
    if confidence not in CONFIDENCES:
        raise fail(f"'confidence' must be one of {list(CONFIDENCES)}, not {confidence!r}")
    outputs = _outputs(entry, spec, fail, text_field)
    kinds = _kinds(entry, fail) if file == "banners" else ()
    requires_platform = text_field("requires_platform") if "requires_platform" in spec.extra else ""
    requires_manufacturer = text_field("requires_manufacturer") if "requires_manufacturer" in spec.extra else ""

    examples = _read_examples(entry, "examples", spec, kinds, fail, required=True)
    not_examples = _read_examples(entry, "not_examples", spec, kinds, fail, required=False)
    for group in (g for g in spec.captures if g in pattern.groupindex):
        if not any(group in ex for ex in examples):
            raise fail(f"the pattern captures (?P<{group}>...) but no example states the {group} it captures")
    for ex in examples:
        stated = [g for g in spec.captures if g in ex and g not in pattern.groupindex]
        if stated:
            raise fail(f"an example states '{stated[0]}' but the pattern has no (?P<{stated[0]}>...) group")
    return Signature(
        file=file, path=display, id=ident, description=description, source=source, pattern=pattern,
        heuristic=confidence == "heuristic", note=text_field("note"), kinds=kinds,
        requires_platform=requires_platform, requires_manufacturer=requires_manufacturer,
        examples=examples, not_examples=not_examples, **outputs,
    )


def _compile(entry: dict[str, Any], spec: FileSpec, fail: Callable[[str], SignatureError]) -> re.Pattern[str]:
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
    bad = sorted(set(pattern.groupindex) - set(spec.captures))
    if bad:
        allowed = f"only {', '.join(f'(?P<{g}>...)' for g in spec.captures)}" if spec.captures else "none in this file"
        raise fail(f"named group(s) {bad} in 'pattern': {allowed}")
    return pattern


def _outputs(entry: dict[str, Any], spec: FileSpec, fail: Callable[[str], SignatureError],
             text_field: Callable[[str], str]) -> dict[str, Any]:
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
    return outputs


def _kinds(entry: dict[str, Any], fail: Callable[[str], SignatureError]) -> tuple[str, ...]:
    k = entry.get("kind")
    kinds = (k,) if isinstance(k, str) else tuple(k) if isinstance(k, list) else ()
    if not kinds or not all(isinstance(x, str) for x in kinds):
        raise fail("missing 'kind' (a kind or a list of kinds)")
    bad = [x for x in kinds if x not in KINDS]
    if bad:
        raise fail(f"unknown kind(s) {bad} (known: {list(KINDS)})")
    return kinds


def _read_examples(entry: dict[str, Any], key: str, spec: FileSpec, kinds: tuple[str, ...],
                   fail: Callable[[str], SignatureError], required: bool) -> tuple[Mapping[str, Any], ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list):
        raise fail(f"'{key}' must be a list")
    if required and not raw:
        raise fail(f"no '{key}': every entry needs at least one example from a real device")
    inputs = (spec.input_key, *spec.context_keys)
    expect = (*spec.outputs, *spec.captures, "heuristic")
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
