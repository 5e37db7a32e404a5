"""The headline counts every human-facing output states (cameras, static and PTZ, recorders, by
maker), computed in one place so the terminal summary, the FOI draft and the HTML report can
never count the same inventory two ways.

Each output still words and orders the figures its own way; what it counts comes from here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from camscan.model import Device

RECORDERS = ("nvr", "dvr")
# the makers the question is usually about, listed first wherever makers are listed
FIRST_MAKERS = ("Hikvision", "Dahua")


def is_camera(d: Device) -> bool:
    return d.device_type == "camera"


def is_recorder(d: Device) -> bool:
    return d.device_type in RECORDERS


def maker(d: Device, unknown: str) -> str:
    """The device's manufacturer group, or `unknown` (each output has its own word for it)."""
    return d.manufacturer or unknown


@dataclass(frozen=True, slots=True)
class FormCounts:
    """Cameras by form. `unknown` counts cameras whose form is explicitly "unknown";
    `unsettled` every camera that is neither static nor PTZ (unknown or not said at all)."""

    total: int
    static: int
    ptz: int
    unknown: int

    @property
    def unsettled(self) -> int:
        return self.total - self.static - self.ptz

    @classmethod
    def of(cls, cameras: Iterable[Device]) -> FormCounts:
        forms = Counter(d.form for d in cameras)
        return cls(sum(forms.values()), forms["static"], forms["ptz"], forms["unknown"])


@dataclass(frozen=True, slots=True)
class Headcount:
    """The figures of a headline: all rows, cameras by form, recorders, rows behind recorders."""

    devices: int
    forms: FormCounts
    nvrs: int
    dvrs: int
    cameras_behind_recorders: int  # cameras with a `via`
    behind_recorders: int  # rows of any kind with a `via`

    @property
    def cameras(self) -> int:
        return self.forms.total

    @property
    def recorders(self) -> int:
        return self.nvrs + self.dvrs

    @classmethod
    def of(cls, devices: list[Device]) -> Headcount:
        cams = [d for d in devices if is_camera(d)]
        kinds = Counter(d.device_type for d in devices)
        return cls(len(devices), FormCounts.of(cams), kinds["nvr"], kinds["dvr"],
                   sum(bool(d.via) for d in cams), sum(bool(d.via) for d in devices))


def by_maker(devices: Iterable[Device], unknown: str) -> Counter[str]:
    """How many of `devices` each manufacturer group made."""
    return Counter(maker(d, unknown) for d in devices)


def forms_by_maker(cameras: Iterable[Device], unknown: str) -> dict[str, FormCounts]:
    """Each manufacturer group's cameras by form, makers in first-seen order."""
    groups: dict[str, list[Device]] = {}
    for d in cameras:
        groups.setdefault(maker(d, unknown), []).append(d)
    return {m: FormCounts.of(group) for m, group in groups.items()}
