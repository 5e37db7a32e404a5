"""The facts the FOI draft and its annex state beyond the headline counts: cameras by analytics
capability, recorders that were not asked which cameras are connected to them, purchases from
the asset register, and every gap the inventory knows of.

Analytics (`Device.analytics`: `["standard"]`, capabilities such as `["face", "anpr (capable)"]`,
or nothing) and recorders not asked (`Device.channels_unasked`, `channel_capacity`) come from the
analytics work, which counts them in camscan.report.counts (`analytics_counts`, `camera_counts`).
Where those are not there, the small versions here read the same fields with getattr (and guess
a recorder not asked as one with no camera listed behind it and no answer from its own API), so
the draft words its answer the same way either way. The interface the draft uses is
`analytics_summary` (cameras per capability, `standard` and `unknown`), `analytics_enabled`
(cameras per capability the camera says is switched on) and `unasked_recorders`
(UnaskedRecorder list).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from camscan.model import Device
from camscan.report import counts
from camscan.report.assets import JoinResult, parse_cost, parse_date
from camscan.report.counts import FormCounts, is_camera, is_recorder
from camscan.report.foi_text import n as nouns

# the sources that mean the device's own authenticated API answered (a recorder asked so lists
# its cameras, even when that list is empty)
ASKED_SOURCES = ("isapi", "cgi", "nvr")
CAPABLE = " (capable)"  # an analytics cell for a capability the camera has but does not say is on
_SPLIT = re.compile(r"[,;|]+")
# recorders' model numbers carry their channel count: Hikvision DS-7608NI (8), DS-7216HGHI (16),
# DS-9664NI (64); Dahua NVR4108 (8), XVR5116 (16), HCVR7104 (4)
_HIK_CHANNELS = re.compile(r"^(?:i?DS-)?[79]\d(\d{2})[A-Z]", re.I)
_DAHUA_CHANNELS = re.compile(r"^(?:DHI-)?(?:NVR|XVR|HCVR|DVR)\d{2}(\d{2})", re.I)


def _cells(d: Device) -> list[str]:
    raw = getattr(d, "analytics", None) or []
    items = raw if isinstance(raw, list | tuple) else _SPLIT.split(str(raw))
    return [str(i).strip().lower() for i in items if str(i).strip()]


def capabilities(d: Device) -> list[str]:
    """The analytics a camera has, lower case, without the `(capable)` mark (`standard` for none,
    `unknown` when not found)."""
    return list(dict.fromkeys(c.removesuffix(CAPABLE) for c in _cells(d))) or ["unknown"]


def analytics_summary(devices: Iterable[Device]) -> Counter[str]:
    """Cameras per capability (each capability a camera has counts it once), `standard` and
    `unknown`."""
    if (shared := getattr(counts, "analytics_counts", None)) is not None:
        found = shared(devices)
        return Counter({"standard": found.standard, "unknown": found.unknown, **found.capable})
    out: Counter[str] = Counter()
    for d in devices:
        if d.device_type != "camera":
            continue
        if not getattr(d, "analytics", None):
            out["unknown"] += 1
            continue
        for cap in capabilities(d):
            out[cap] += 1
    return out


def analytics_enabled(devices: Iterable[Device]) -> dict[str, int]:
    """Cameras per capability the camera says is switched on (not only capable of)."""
    if (shared := getattr(counts, "analytics_counts", None)) is not None:
        return dict(shared(devices).enabled)
    out: Counter[str] = Counter()
    for d in devices:
        if d.device_type == "camera":
            out.update(c for c in dict.fromkeys(_cells(d)) if not c.endswith(CAPABLE) and c not in ("standard",
                                                                                                     "unknown"))
    return dict(out)


@dataclass(frozen=True, slots=True)
class UnaskedRecorder:
    """A recorder whose list of cameras was not read; `channels` is how many it can take, from
    discovery or its model number (None when neither says)."""

    device: Device
    channels: int | None


def channels_of(d: Device) -> int | None:
    """How many cameras a recorder can take: what discovery declared (`channel_capacity`) if the
    device has it, else its model number's."""
    declared = getattr(d, "channel_capacity", None)
    if isinstance(declared, int) and declared > 0:
        return declared
    model = (d.model or "").strip()
    m = _HIK_CHANNELS.match(model) if d.manufacturer == "Hikvision" else _DAHUA_CHANNELS.match(model)
    return (int(m.group(1)) or None) if m else None


def unasked_recorders(devices: list[Device]) -> list[UnaskedRecorder]:
    """The recorders whose list of cameras was not read, in inventory order."""
    if (shared := getattr(counts, "camera_counts", None)) is not None:
        return [UnaskedRecorder(d, channels_of(d)) for d in shared(devices).unasked]
    behind = {d.via for d in devices if d.via}
    return [UnaskedRecorder(d, channels_of(d)) for d in devices
            if is_recorder(d) and d.ip not in behind and not any(s in d.evidence for s in ASKED_SOURCES)]


# -- the asset register's purchases ------------------------------------------------------------

@dataclass(slots=True)
class Purchases:
    """What the register says about the devices it matched: dates, costs in pounds (all and
    Hikvision's), and how many rows had a value that could not be read."""

    matched: int = 0
    dates: list[date] = field(default_factory=list)
    no_date: int = 0
    unreadable_dates: int = 0
    total: Decimal = Decimal(0)
    costed: int = 0
    hikvision_total: Decimal = Decimal(0)
    hikvision_costed: int = 0
    no_cost: int = 0
    unreadable_costs: int = 0


def purchases(devices: list[Device], date_col: str, cost_col: str) -> Purchases:
    """The register's purchase facts over the devices it matched (those with register columns)."""
    out = Purchases()
    for d in devices:
        if not d.extra:
            continue
        out.matched += 1
        raw_date = d.extra.get(date_col, "").strip() if date_col else ""
        if when := parse_date(raw_date):
            out.dates.append(when)
        elif raw_date:
            out.unreadable_dates += 1
        else:
            out.no_date += 1
        raw_cost = d.extra.get(cost_col, "").strip() if cost_col else ""
        cost = parse_cost(raw_cost)
        if cost is None:
            out.unreadable_costs += bool(raw_cost)
            out.no_cost += not raw_cost
            continue
        out.total += cost
        out.costed += 1
        if d.manufacturer == "Hikvision":
            out.hikvision_total += cost
            out.hikvision_costed += 1
    return out


# -- gaps ------------------------------------------------------------------------------------


def unasked_sentence(unasked: list[UnaskedRecorder]) -> str:
    """'2 recorders were not asked which cameras are connected to them (...): up to 24 cameras
    may be connected to them, not counted above.' ("" when every recorder was asked)."""
    if not unasked:
        return ""
    known = [u.channels for u in unasked if u.channels]
    text = (f"{nouns(len(unasked), 'recorder was', 'recorders were')} not asked which cameras are connected to "
            f"{'it' if len(unasked) == 1 else 'them'} (no credentials were given for "
            f"{'it' if len(unasked) == 1 else 'them'}, or the request was refused)")
    if known:
        some = "" if len(known) == len(unasked) else \
            f" (for the {nouns(len(known), 'recorder')} whose capacity is known)"
        return (text + f": up to {nouns(sum(known), 'camera')} may be connected to recorders that were not "
                f"asked{some}, not counted above.")
    return text + ": cameras connected to them are not counted above."


def gaps(devices: list[Device], join: JoinResult | None, register_given: bool,
         unasked: list[UnaskedRecorder] | None = None, analytics: Counter[str] | None = None) -> list[str]:
    """Every gap the inventory knows of, one sentence each, for "What could not be settled".
    `unasked` and `analytics` are unasked_recorders' and analytics_summary's answers when the
    caller has them already."""
    cams = [d for d in devices if is_camera(d)]
    forms = FormCounts.of(cams)
    out = []
    if forms.unsettled:
        out.append(f"{nouns(forms.unsettled, 'camera')} of unknown form (whether static or PTZ could not be told).")
    if said := unasked_sentence(unasked_recorders(devices) if unasked is None else unasked):
        out.append(said)
    if n := sum(d.device_type == "unknown" for d in devices):
        out.append(f"{nouns(n, 'device')} whose type (camera, recorder or other) could not be determined.")
    kit = [d for d in devices if is_camera(d) or is_recorder(d)]
    if n := sum(not d.manufacturer for d in kit):
        out.append(f"{nouns(n, 'camera or recorder', 'cameras or recorders')} whose maker is unknown.")
    if n := sum(not d.firmware for d in kit):
        out.append(f"{nouns(n, 'camera or recorder', 'cameras or recorders')} whose firmware version is unknown "
                   "(so whether published security advisories apply to them is unknown).")
    if n := (analytics_summary(devices) if analytics is None else analytics).get("unknown", 0):
        out.append(f"{nouns(n, 'camera')} for which it could not be determined whether "
                   f"{'it has' if n == 1 else 'they have'} video analytics (facial recognition, number plate "
                   "reading and the like).")
    if n := sum(d.confidence == "low" for d in devices):
        out.append(f"{nouns(n, 'maker identification rests', 'maker identifications rest')} on the network card's "
                   "registered vendor prefix alone (low confidence).")
    if join is not None:
        if join.unmatched_rows:
            out.append(f"{nouns(len(join.unmatched_rows), 'asset register entry was', 'asset register entries were')} "
                       "not found on the network (switched off, disconnected, on a network not scanned, or "
                       "no longer in service).")
        if join.unmatched_devices:
            out.append(f"{nouns(len(join.unmatched_devices), 'device')} found on the network "
                       f"{'is' if len(join.unmatched_devices) == 1 else 'are'} not in the asset register.")
    elif not register_given:
        out.append("No asset register was given, so purchase dates and costs were not checked against the "
                   "devices found.")
    return out
