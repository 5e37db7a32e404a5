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


@dataclass(frozen=True, slots=True)
class CameraCounts:
    """Every camera counted or its absence stated: the cameras the inventory holds, those known
    only through a recorder (IP cameras on an NVR, analogue cameras on a DVR), and the recorders
    whose channel list could not be read (no credentials, refused, no answer) with the channels
    discovery says they have — so a report can say "N cameras may be connected to recorders
    that were not asked" instead of counting them as none."""

    seen: int  # camera rows, seen directly or through a recorder
    behind_recorders: int  # camera rows with a `via`
    analogue: int  # of those, cameras on a DVR's analogue inputs
    unasked: tuple[Device, ...]  # recorders whose channel list was not read, in inventory order

    @property
    def seen_directly(self) -> int:
        return self.seen - self.behind_recorders

    @property
    def recorders_unasked(self) -> int:
        return len(self.unasked)

    @property
    def possible_unseen(self) -> int:
        """Cameras that may be connected to the recorders not asked: the channels discovery
        declared for them (a recorder that declared none adds nothing; see `unasked_uncounted`)."""
        return sum(d.channel_capacity or 0 for d in self.unasked)

    @property
    def unasked_uncounted(self) -> int:
        """Recorders not asked whose channel count nothing told."""
        return sum(1 for d in self.unasked if not d.channel_capacity)

    @classmethod
    def of(cls, devices: list[Device]) -> CameraCounts:
        cams = [d for d in devices if is_camera(d)]
        dvrs = {d.ip for d in devices if d.device_type == "dvr" and d.ip}
        behind = [d for d in cams if d.via]
        analogue = sum(1 for d in behind if d.via in dvrs and not d.ip)
        unasked = tuple(d for d in devices if is_recorder(d) and d.channels_unasked)
        return cls(len(cams), len(behind), analogue, unasked)


def camera_counts(devices: list[Device]) -> CameraCounts:
    """The shared headline counts of cameras and of recorders not asked (see CameraCounts)."""
    return CameraCounts.of(devices)


CAPABLE_SUFFIX = " (capable)"


@dataclass(frozen=True, slots=True)
class AnalyticsCounts:
    """Cameras by what they analyse (the `analytics` column): `standard` (the device listed what
    it can do and none of it is analytics), `unknown` (nothing said), and per capability how
    many cameras have it at all and how many have it switched on. A camera with several
    capabilities counts once under each."""

    cameras: int
    standard: int
    unknown: int
    capable: dict[str, int]  # capability → cameras that have it, enabled or not
    enabled: dict[str, int]  # capability → cameras that say it is switched on

    @classmethod
    def of(cls, cameras: Iterable[Device]) -> AnalyticsCounts:
        total = standard = unknown = 0
        capable: Counter[str] = Counter()
        enabled: Counter[str] = Counter()
        for d in cameras:
            total += 1
            cells = d.analytics or ["unknown"]
            standard += cells == ["standard"]
            unknown += cells == ["unknown"]
            for cell in cells:
                if cell in ("standard", "unknown"):
                    continue
                name = cell.removesuffix(CAPABLE_SUFFIX)
                capable[name] += 1
                enabled[name] += not cell.endswith(CAPABLE_SUFFIX)
        return cls(total, standard, unknown, dict(capable), {k: v for k, v in enabled.items() if v})


def analytics_counts(devices: Iterable[Device]) -> AnalyticsCounts:
    """The cameras among `devices` by analytics (see AnalyticsCounts)."""
    return AnalyticsCounts.of(d for d in devices if is_camera(d))
