"""Reading the policy files in `signatures/` (fusion.toml, device_classes.toml) strictly.

What it is for: those files are identification knowledge edited by people, so a typo must
refuse to load with one line that names the file, the table and the key, never half-load or
be silently ignored. `Section` wraps one TOML table and hands out its values type-checked;
`cached_load` loads a file once and again only when it changes on disk.

What it must not do: know what any key means (policy.py and device_classes.py do).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from camscan.identify.signature_schema import read_toml
from camscan.identify.signatures import SignatureError, default_directory

T = TypeVar("T")
MAX_WEIGHT = 1000


class Section:
    """One table of a policy file. Every accessor raises SignatureError naming the file, the
    table (`where`) and the key when the value is missing or of the wrong kind."""

    def __init__(self, path: Path, where: str, data: object) -> None:
        self.path = path
        self.where = where
        if not isinstance(data, dict):
            raise self.fail("must be a table")
        self.data: dict[str, Any] = data

    def fail(self, what: str) -> SignatureError:
        return SignatureError(f"{self.path}: {self.where}: {what}")

    def expect_keys(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Refuse unknown keys (a typo would otherwise pass silently) and missing ones."""
        required, optional = tuple(required), tuple(optional)
        unknown = sorted(set(self.data) - set(required) - set(optional))
        if unknown:
            raise self.fail(f"unknown key(s) {unknown} (allowed here: {sorted({*required, *optional})})")
        missing = [k for k in required if k not in self.data]
        if missing:
            raise self.fail(f"missing key(s) {missing}")

    def integer(self, key: str) -> int:
        """A whole number from 0 to MAX_WEIGHT (true/false are not numbers here)."""
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT:
            raise self.fail(f"'{key}' must be a whole number from 0 to {MAX_WEIGHT}, not {value!r}")
        return value

    def text(self, key: str, choices: Iterable[str] | None = None, required: bool = True) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"'{key}' must be a non-empty string, not {value!r}")
        value = value.strip()
        if choices is not None and value and value not in (allowed := tuple(choices)):
            raise self.fail(f"'{key}' must be one of {list(allowed)}, not {value!r}")
        return value

    def texts(self, key: str, choices: Iterable[str] | None = None) -> tuple[str, ...]:
        """A non-empty list of distinct non-empty strings (from `choices` when given)."""
        value = self.data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{key}' must be a non-empty list of strings, not {value!r}")
        out = tuple(v.strip() for v in value)
        allowed = tuple(choices) if choices is not None else None
        bad = [v for v in out if allowed is not None and v not in allowed]
        if bad:
            raise self.fail(f"'{key}' has {bad}, not one of {list(allowed or ())}")
        if len(set(out)) != len(out):
            raise self.fail(f"'{key}' lists a value twice")
        return out

    def section(self, key: str, where: str | None = None) -> Section:
        if key not in self.data:
            raise self.fail(f"missing table '{key}'")
        return Section(self.path, where or f"[{key}]", self.data[key])


_CACHE: dict[tuple[str, str, int, int], Any] = {}
_LOCK = threading.Lock()


def policy_path(directory: Path | str | None, filename: str) -> Path:
    """The file in `directory`, or in the signature directory camscan uses by default."""
    return Path(directory if directory is not None else default_directory()) / filename


def cached_load(path: Path, build: Callable[[Path, dict[str, Any]], T]) -> T:
    """`build(path, parsed TOML)`, done once per file version (path, mtime, size)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise SignatureError(f"{path}: cannot read the policy file ({exc.strerror or exc})") from None
    key = (str(path.absolute()), build.__qualname__, st.st_mtime_ns, st.st_size)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = build(path, read_toml(path))
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = cached
    return cached
