"""One device's evidence → one inventory row, in small steps, each taking its numbers from the
fusion policy (signatures/fusion.toml) and its meanings from the signatures.

The steps, in order (later steps read what earlier ones settled):

1. identity — ip, mac, recorder and channel;
2. fields — model, firmware, serial and name, each from the highest-ranked source that said it;
3. maker and brand — claims from the protocol's platform, the device's vendor string (through
   brands.toml: rebadges resolve here), firmware OEM codes, banners, the OUI registrant and
   the model numbering; the strongest claim wins and its strength is the row's confidence;
4. kind (device_type) — weighted claims from the protocols, model patterns, banners, the OUI
   table (never "other": an OUI names the network chip's maker), WS-Discovery types and any
   static/PTZ claim;
5. form — static or PTZ, for cameras only, from weighted claims;
6. analytics — what the device can analyse (signatures/analytics.toml), and for a recorder
   whether its channel list was read and how many channels discovery says it has.

What it must not do: group evidence (grouping.py), hold weights of its own (they are data),
or branch on the wording of a note. Every field it sets records the source that set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from camscan.identify import analytics, oui
from camscan.identify.policy import CONFIDENCE, FusionPolicy
from camscan.identify.signatures import Match, Signatures
from camscan.model import SOURCES, AddressSeen, Device, Evidence
from camscan.values import ip_number

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_FIELD = 200
# a claim's weight, the value it claims and the source that claimed it
WeightedClaim = tuple[int, str, str]


def clean(value: str) -> str:
    """Device text made safe to show: no control characters, bounded length."""
    value = _CONTROL.sub(" ", value).strip()
    return value[:MAX_FIELD]


def resolve(items: list[Evidence], sigs: Signatures, policy: FusionPolicy) -> Device:
    """The row for one device's evidence (one group from grouping.group)."""
    d = Device()
    items = sorted(items, key=policy.rank, reverse=True)  # strongest first; ties keep their order
    resolve_identity(d, items)
    resolve_fields(d, items)
    sources = {e.source for e in items}
    maker = resolve_maker(d, items, sigs, policy)
    if maker.registrant:
        sources.add("oui")  # the registry named who owns the prefix, camera maker or not
    forms = form_claims(d, items, maker, policy)
    resolve_kind(d, kind_claims(d, items, maker, forms, policy), items, sources, policy)
    resolve_form(d, forms)
    d.evidence = [s for s in SOURCES if s in sources]
    for e in items:
        if e.note and not e.problem and e.note not in d.notes:
            d.notes.append(clean(e.note))
    resolve_analytics(d, items)
    resolve_recorder_channels(d, items)
    return d


# --- 1, 2: identity and fields ------------------------------------------------------------------

def _first_with(items: list[Evidence], attr: str) -> Evidence | None:
    """The strongest evidence (items are strongest first) that says something for `attr`."""
    return next((e for e in items if getattr(e, attr)), None)


def resolve_identity(d: Device, items: list[Evidence]) -> None:
    """ip from the device's own packets where there are any (else the recorder's word): the
    IPv4 address it used last, else its IPv6 address; every address it used, with when; mac
    only from its own packets, and the recorder and channel that reported it."""
    direct = [e for e in items if not e.via]
    channel = [e for e in items if e.via]
    best = _last_used(direct) or _first_with(direct or items, "ip")
    if best is not None:
        d.ip, d.provenance["ip"] = clean(best.ip), best.source
    d.addresses = _addresses(direct)
    by_time = sorted((e for e in direct if e.ipv6), key=lambda e: e.seen)
    d.ipv6 = list(dict.fromkeys(clean(e.ipv6) for e in by_time))
    if not d.ip and d.ipv6:
        d.ip = next((a for a in d.ipv6 if not a.startswith("fe80:")), d.ipv6[0])
        d.provenance["ip"] = next(e.source for e in by_time if e.ipv6 == d.ip)
    best = _first_with(direct, "mac")
    if best is not None:
        d.mac, d.provenance["mac"] = best.mac, best.source
    if channel:
        d.via, d.channel = channel[0].via, channel[0].channel
        d.provenance["via"] = "nvr"


def _last_used(direct: list[Evidence]) -> Evidence | None:
    """The evidence of the IPv4 address the device was seen with last (the strongest on a tie);
    None when none of it carries a time."""
    timed = [e for e in direct if e.seen and ip_number(e.ip) is not None]
    return max(timed, key=lambda e: e.seen) if timed else None


def _when(seen: float) -> str:
    return datetime.fromtimestamp(seen, UTC).isoformat(timespec="milliseconds") if seen else ""


def _addresses(direct: list[Evidence]) -> list[AddressSeen]:
    """Each IPv4 address the device used, with when it was first and last seen, oldest first."""
    span: dict[str, list[float]] = {}
    for e in direct:
        if ip_number(e.ip) is None:
            continue
        first_last = span.setdefault(e.ip, [0.0, 0.0])
        if e.seen:
            first_last[0] = min(first_last[0] or e.seen, e.seen)
            first_last[1] = max(first_last[1], e.seen)
    ordered = sorted(span.items(), key=lambda kv: (kv[1][0] or float("inf"), kv[1][1]))
    return [AddressSeen(ip, _when(first), _when(last)) for ip, (first, last) in ordered]


def resolve_fields(d: Device, items: list[Evidence]) -> None:
    """model, firmware, serial and name, each from the strongest source that said it."""
    for attr in ("model", "firmware", "serial", "name"):
        best = _first_with(items, attr)
        if best is None:
            continue
        value = clean(str(getattr(best, attr)))
        if value:  # text that was nothing but control characters says nothing
            setattr(d, attr, value)
            d.provenance[attr] = best.source


# --- 3: maker and brand -------------------------------------------------------------------------

@dataclass(slots=True)
class Claim:
    """Who made it (and under what brand), how strongly, and who said so."""

    strength: int
    manufacturer: str
    brand: str
    source: str


class Claims(list[Claim]):
    """Maker claims in the order they were made."""

    def add(self, strength: int, m: Match | None, source: str) -> None:
        """A signature's answer as a claim, when it names a maker or a brand."""
        if m is not None and (m.manufacturer or m.brand):
            self.append(Claim(strength, m.manufacturer, m.brand, source))


def strongest(claims: list[Claim], attr: str) -> Claim | None:
    """The strongest claim that says something for `attr`; the first made on a tie."""
    best: Claim | None = None
    for c in claims:
        if getattr(c, attr) and (best is None or c.strength > best.strength):
            best = c
    return best


@dataclass(slots=True)
class MakerFindings:
    """What the maker step looked up that the kind and form steps weigh too."""

    model_match: Match | None = None
    banner_hints: list[tuple[Match, str]] = field(default_factory=list)  # banners naming a type/form
    # banners whose pattern captured a model or firmware, with the evidence that carried them
    banner_captures: list[tuple[Match, Evidence]] = field(default_factory=list)
    oui_match: Match | None = None
    registrant: str = ""


def resolve_maker(d: Device, items: list[Evidence], sigs: Signatures, policy: FusionPolicy) -> MakerFindings:
    """manufacturer (with its provenance and the row's confidence) and brand."""
    found = MakerFindings()
    claims = _claims_from_evidence(d, items, sigs, policy, found)
    _claim_from_oui(d, sigs, policy, claims, found)
    fields_from_banners(d, found.banner_captures, policy)
    maker = strongest(claims, "manufacturer")
    if d.model:  # a numbering scheme, read in the light of what the others said
        found.model_match = sigs.model(d.model, maker.manufacturer if maker else "")
        claims.add(policy.maker_strength["model"], found.model_match, f"{d.provenance['model']}:models")
        maker = strongest(claims, "manufacturer")
    if maker is not None:
        d.manufacturer, d.provenance["manufacturer"] = maker.manufacturer, maker.source
        d.confidence = CONFIDENCE[maker.strength]
    agreeing = [c for c in claims if not d.manufacturer or c.manufacturer in ("", d.manufacturer)]
    brand = strongest(agreeing, "brand")
    if brand is not None:
        d.brand, d.provenance["brand"] = brand.brand, brand.source
    return found


def _claims_from_evidence(d: Device, items: list[Evidence], sigs: Signatures, policy: FusionPolicy,
                          found: MakerFindings) -> Claims:
    """Claims from the protocol's platform, vendor strings, the firmware and banners."""
    strength = policy.maker_strength
    claims = Claims()
    platform = _first_with(items, "platform")
    if platform is not None:
        claims.append(Claim(strength["platform"], canonical_maker(sigs, platform.platform), "", platform.source))
    said_platform = platform.platform if platform is not None else ""
    for e in items:
        if e.vendor:
            kind = "vendor_authenticated" if e.authenticated else "vendor"
            claims.add(strength[kind], vendor_match(sigs, e, said_platform), f"{e.source}:brands")
    if d.firmware:
        claims.add(strength["firmware"], sigs.firmware(d.firmware), f"{d.provenance['firmware']}:firmware")
    for e in items:
        for kind, text in e.banners.items():
            if not text:
                continue
            match = sigs.banner(kind, clean(text))
            claims.add(strength["banner"], match, f"{e.source}:banners")
            if match is not None and (match.device_type or match.form):
                found.banner_hints.append((match, f"{e.source}:banners"))
            if match is not None and (match.model or match.firmware or match.serial):
                found.banner_captures.append((match, e))
    return claims


def vendor_match(sigs: Signatures, e: Evidence, platform: str) -> Match | None:
    """What a vendor string says. Said over a maker's own protocol (DHIP, SADP...: e.platform),
    the maker is that platform and the string is the badge as the device states it: brands.toml
    canonicalises it where listed (and knows the white-label placeholders "Private",
    "General"...), and a badge it does not list is kept as said, never replaced by the maker."""
    vendor = clean(e.vendor)
    match = sigs.vendor(vendor, platform)
    if not e.platform:
        return match
    maker = canonical_maker(sigs, e.platform)
    if match is None:
        return Match(id="as-stated", manufacturer=maker, brand=vendor[:60])
    if match.manufacturer and match.manufacturer != maker:
        # a brand other makers' hardware also wears (Panasonic, Honeywell): on this protocol
        # the hardware is the platform's
        return replace(match, manufacturer=maker)
    return match


def canonical_maker(sigs: Signatures, platform: str) -> str:
    """A platform name as brands.toml spells its maker (Panasonic's protocol: i-PRO)."""
    match = sigs.vendor(platform)
    return match.manufacturer if match is not None and match.manufacturer else platform


def fields_from_banners(d: Device, captures: list[tuple[Match, Evidence]], policy: FusionPolicy) -> None:
    """model, firmware and serial a banner pattern captured (a realm, a page title, a TXT record), for
    a field no better-ranked source gave: the capture counts one below its evidence's rank, so
    the same source's own field and every device API answer outrank it."""
    for attr in ("model", "firmware", "serial"):
        held = policy.ranks.get(d.provenance.get(attr, ""), -1) if getattr(d, attr) else -1
        for match, e in captures:
            value = clean(str(getattr(match, attr)))
            if value and policy.rank(e) - 1 > held:
                setattr(d, attr, value)
                d.provenance[attr] = f"{e.source}:banners"
                held = policy.rank(e) - 1


def _claim_from_oui(d: Device, sigs: Signatures, policy: FusionPolicy, claims: Claims,
                    found: MakerFindings) -> None:
    """The MAC's registrant, unless the MAC is locally administered (then it is flagged and
    never looked up: its first octets are not an IEEE assignment)."""
    if not d.mac:
        return
    if oui.is_locally_administered(d.mac):
        d.mac_randomised = True
        d.notes.append("locally administered (randomised) MAC: not looked up in the OUI registry")
        return
    found.registrant = oui.registrant(d.mac) or ""
    if found.registrant:
        d.oui_vendor = clean(found.registrant)
        found.oui_match = sigs.oui(found.registrant)
        claims.add(policy.maker_strength["oui"], found.oui_match, "oui")


# --- 4, 5: kind and form ------------------------------------------------------------------------

def form_claims(d: Device, items: list[Evidence], found: MakerFindings, policy: FusionPolicy) -> list[WeightedClaim]:
    """Every static/PTZ claim with its weight: the protocols', a model pattern's, banners'."""
    claims = [(policy.form_weight(e), e.form, e.source) for e in items if e.form]
    mm = found.model_match
    if mm is not None and mm.form:
        claims.append((policy.form_weights["model"], mm.form, f"{d.provenance.get('model', '')}:models"))
    claims += [(policy.form_weights["banner"], bm.form, src) for bm, src in found.banner_hints if bm.form]
    return claims


def kind_claims(d: Device, items: list[Evidence], found: MakerFindings, forms: list[WeightedClaim],
                policy: FusionPolicy) -> list[WeightedClaim]:
    """Every device-type claim with its weight, in the order the policy's ties go by."""
    weight = policy.kind_weight
    claims = [(policy.rank(e) + weight["evidence_bonus"], e.device_type, e.source) for e in items if e.device_type]
    mm = found.model_match
    if mm is not None and mm.device_type:
        claims.append((weight["model"], mm.device_type, f"{d.provenance.get('model', '')}:models"))
    claims += [(weight["banner"], bm.device_type, src) for bm, src in found.banner_hints if bm.device_type]
    # the OUI names the network chip's maker: it may say "alarm panel maker", never "not a camera"
    if found.oui_match is not None and found.oui_match.device_type not in ("", "other"):
        claims.append((weight["oui"], found.oui_match.device_type, "oui"))
    wsd = policy.wsd_types
    claims += [(wsd.weight, wsd.device_type, wsd.provenance) for e in items
               if e.source == "wsd" and wsd.matches(e.banners.get("wsd_types", ""))]
    # only cameras are static or PTZ: a weak hint, below any model pattern or protocol
    claims += [(weight["form_implies_camera"], "camera", src) for _, form, src in forms if form in ("ptz", "static")]
    return claims


def resolve_kind(d: Device, claims: list[WeightedClaim], items: list[Evidence], sources: set[str],
                 policy: FusionPolicy) -> None:
    """device_type from the heaviest claim; without any, a recorder's channel is a camera and
    anything else is unknown. "other" needs the device's own word (a banner, a DHCP vendor
    class, HNAP module types, a DHIP access-control class); a banner's "other" is not taken from
    a device that spoke a protocol only camera or recorder firmware speaks. The OUI never makes
    a device "other": it names the network chip's maker."""
    if sources & policy.camera_sources:  # a banner's "not a camera" loses to a camera protocol
        claims = [c for c in claims if c[1] != "other" or c[0] > policy.kind_weight["banner"]]
    if claims:
        _, d.device_type, d.provenance["device_type"] = max(claims, key=lambda c: c[0])
    elif any(e.via for e in items):
        d.device_type, d.provenance["device_type"] = "camera", "nvr"
    else:
        d.device_type = "unknown"
    if d.device_type == "unknown":
        d.provenance["device_type"] = "unsettled"


def resolve_form(d: Device, claims: list[WeightedClaim]) -> None:
    """form for a camera from the heaviest claim ("unknown" when nothing placed it); "" else."""
    if d.device_type != "camera":
        d.form = ""
    elif claims:
        _, d.form, d.provenance["form"] = max(claims, key=lambda c: c[0])
    else:
        d.form, d.provenance["form"] = "unknown", "unsettled"


# --- 6: analytics and a recorder's channels ----------------------------------------------------

# kinds of device whose analytics are "unknown" when nothing said them (video kit, or maybe)
VIDEO_KINDS = ("camera", "nvr", "dvr", "encoder", "unknown")
RECORDER_KINDS = ("nvr", "dvr")


def resolve_analytics(d: Device, items: list[Evidence]) -> None:
    """analytics from every source that said what the device can analyse, and the model number's
    pattern: a capability any source says is enabled is enabled, else capable. Provenance is the
    strongest source that spoke. Nothing said: "unknown" for video kit, empty for anything else."""
    vocab = analytics.load()
    found: dict[str, str] = {}
    said_by: list[str] = []
    for e in items:
        if e.analytics is None:
            continue
        said_by.append(e.source)
        for cap, state in e.analytics.items():
            if found.get(cap) != analytics.ENABLED:
                found[cap] = state
    model_cap = vocab.model(d.model) if d.model else ""
    if model_cap:
        said_by.append(f"{d.provenance.get('model', '')}:analytics")
        found.setdefault(model_cap, analytics.CAPABLE)
    if said_by:
        d.analytics, d.provenance["analytics"] = vocab.render(found), said_by[0]
    elif d.device_type in VIDEO_KINDS:
        d.analytics, d.provenance["analytics"] = [analytics.UNKNOWN], "unsettled"


def resolve_recorder_channels(d: Device, items: list[Evidence]) -> None:
    """A recorder's channel capacity (the largest discovery declared) and, when no channel list
    of its own was read, `channels_unasked` with a note saying how many cameras may be behind it."""
    if d.device_type not in RECORDER_KINDS:
        return
    declared = [e for e in items if e.channel_capacity is not None]
    if declared:
        best = max(declared, key=lambda e: e.channel_capacity or 0)
        d.channel_capacity, d.provenance["channel_capacity"] = best.channel_capacity, best.source
    if any(e.channels_listed for e in items):
        return
    d.channels_unasked = True
    if d.channel_capacity:
        d.notes.append(f"its channel list was not read (no credentials, refused or no answer): up to "
                       f"{d.channel_capacity} cameras may be connected to it")
    else:
        d.notes.append("its channel list was not read (no credentials, refused or no answer): "
                       "the cameras connected to it are not known")
