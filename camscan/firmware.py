"""Firmware strings normalised to one form, so the same build from different sources compares equal.

Hikvision: SADP says `V5.6.2build 190701`, ISAPI splits `V5.7.14` + `build 231028`, a recorder's
channel list says `V5.7.15 build 240201`; all become `V5.6.2 build 190701`. Dahua: CGI says
`2.800.0000016.0.R,build:2020-06-05` or `version=...`; DHIP only the version; web UIs
`V4.001.0000007.1 Build Date 27-08-2021`. Dahua strings become `2.800.0000016.0.R build 2020-06-05`.

`Firmware.parse` reads a string back into its version and build date: the one parser the
advisories and the HTML report's build-year chart share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_HIK = re.compile(r"^\s*(V?\d+(?:\.\d+)+)\s*,?\s*build\s*:?\s*(\d{6})\s*$", re.I)
_DAHUA = re.compile(r"^\s*(?:version=)?(V?\d+\.\d+\.[0-9A-Za-z]+\.\d+(?:\.[A-Za-z0-9]+)?)\s*"
                    r"(?:,\s*build\s*:?\s*|\s+build(?:\s+date)?\s*:?\s*)?"
                    r"(\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4})?\s*$", re.I)


def normalise_firmware(version: str, build: str = "") -> str:
    """One string for a firmware version and optional separate build field."""
    version = " ".join((version or "").split())
    build = " ".join((build or "").split())
    if build:
        b = re.sub(r"^build\s*:?\s*", "", build, flags=re.I)
        version = f"{version} build {b}" if version else f"build {b}"
    if not version:
        return ""
    m = _HIK.match(version)
    if m:
        return f"{m.group(1)} build {m.group(2)}"
    m = _DAHUA.match(version)
    if m:
        ver, date = m.group(1), m.group(2)
        if date and re.match(r"\d{2}-\d{2}-\d{4}$", date):
            d, mo, y = date.split("-")
            date = f"{y}-{mo}-{d}"
        return f"{ver} build {date}" if date else ver
    return version


# the normalised forms above, read back into their parts
_HIK_PARTS = re.compile(r"^V?(\d+(?:\.\d+)+)\s+build\s+(\d{2})(\d{2})(\d{2})$", re.I)
_DAHUA_PARTS = re.compile(r"^V?(\d+)\.(\d+)\.[0-9A-Za-z]+\.\d+(?:\.[A-Za-z0-9]+)?"
                          r"(?:\s+build\s+(\d{4})-(\d{2})-(\d{2}))?$", re.I)
# build dates anywhere in a string, normalised or as a device sent it (an inventory file may
# hold either): YYMMDD, ISO, and the Dahua web UI's DD-MM-YYYY
_BUILD_YYMMDD = re.compile(r"build\s*:?\s*(\d{2})(\d{2})(\d{2})(?!\d)", re.I)
_BUILD_ISO = re.compile(r"build(?:\s*date)?\s*:?\s*((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)", re.I)
_BUILD_DMY = re.compile(r"build(?:\s*date)?\s*:?\s*(\d{2})-(\d{2})-((?:19|20)\d{2})(?!\d)", re.I)


@dataclass(frozen=True)
class Firmware:
    """A firmware string's comparable parts: Hikvision `V5.6.2 build 190701` → version (5, 6, 2),
    build 2019-07-01; Dahua `2.800.0000016.0.R build 2020-06-05` → version (2, 800), build
    2020-06-05. Empty parts when the string is not understood.

    `build_year` is the year of a build date found anywhere in the string: it is set for every
    string whose `build` is, and also for strings the strict form does not read (a device's own
    `Build Date 27-08-2021`, a date whose day cannot exist but whose year is plain)."""

    version: tuple[int, ...] = ()
    build: date | None = None
    build_year: int | None = None

    @staticmethod
    def parse(text: str) -> Firmware:
        """Read a firmware string (normalised by normalise_firmware, or not). Cached: an estate
        runs a few builds on many devices, and a Firmware is immutable."""
        return _parse((text or "").strip())


@lru_cache(maxsize=4096)
def _parse(text: str) -> Firmware:
    version, build = _strict_parts(text)
    return Firmware(version, build, build.year if build else _loose_build_year(text))


def _strict_parts(text: str) -> tuple[tuple[int, ...], date | None]:
    m = _HIK_PARTS.match(text)
    if m:
        return tuple(int(x) for x in m.group(1).split(".")), _date(2000 + int(m.group(2)), m.group(3), m.group(4))
    m = _DAHUA_PARTS.match(text)
    if m:
        built = _date(int(m.group(3)), m.group(4), m.group(5)) if m.group(3) else None
        return (int(m.group(1)), int(m.group(2))), built
    return (), None


def _date(year: int, month: str, day: str) -> date | None:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def _loose_build_year(text: str) -> int | None:
    """The year of a build date written in any of the three forms, if its month and day could
    be a month and a day."""
    for pattern, order in ((_BUILD_ISO, "ymd"), (_BUILD_DMY, "dmy"), (_BUILD_YYMMDD, "ymd")):
        m = pattern.search(text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
            year = parts["y"] + 2000 if parts["y"] < 100 else parts["y"]
            return year if 1 <= parts["m"] <= 12 and 1 <= parts["d"] <= 31 else None
    return None
