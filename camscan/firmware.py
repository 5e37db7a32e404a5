"""Firmware strings normalised to one form, so the same build from different sources compares equal.

Hikvision: SADP says `V5.6.2build 190701`, ISAPI splits `V5.7.14` + `build 231028`, a recorder's
channel list says `V5.7.15 build 240201`; all become `V5.6.2 build 190701`. Dahua: CGI says
`2.800.0000016.0.R,build:2020-06-05` or `version=...`; DHIP only the version; web UIs
`V4.001.0000007.1 Build Date 27-08-2021`. Dahua strings become `2.800.0000016.0.R build 2020-06-05`.
"""

from __future__ import annotations

import re

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
