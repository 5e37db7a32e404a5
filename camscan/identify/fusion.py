"""Evidence → one Device per physical device, each field from the most trustworthy source.

Grouping: by MAC first, then by IP; a camera reported by a recorder's channel list is keyed by
(recorder IP, channel) and becomes its own row, merged with a directly seen device only when
the serial numbers agree. A MAC seen as the source of several IPs is a router's (packets from
off-link hosts carry it), so those hosts never inherit it; ARP's IP→MAC binding is the truth
where it exists. A locally administered (randomised) MAC is kept but flagged, never looked up.

Ranking (DESIGN.md): authenticated ISAPI/ONVIF/CGI > a recorder's channel list > SADP/DHIP >
WS-Discovery > SSDP/mDNS > HTTP/RTSP banners > OUI. Who made the hardware is decided from
claims, strongest first: the vendor protocol that answered (only Hikvision firmware speaks
SADP/ISAPI, only Dahua firmware DHIP/magicBox), the device's own vendor string through the
brand table (rebadges resolve here), firmware OEM codes, model patterns, banners, and last the
OUI. Every field records which source (and signature) set it.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass

from camscan.identify import advisories, oui
from camscan.identify.signatures import Match, Signatures
from camscan.model import SOURCES, Device, Evidence

SOURCE_RANK = {
    "isapi": 70, "onvif": 70, "cgi": 70, "nvr": 60, "sadp": 50, "dhip": 50, "wsd": 40,
    "ssdp": 30, "mdns": 30, "http": 20, "rtsp": 20, "arp": 10, "oui": 0,
}
# sources that report a MAC from the device's own payload or the kernel's binding, not just L2
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_FIELD = 200


def rank(ev: Evidence) -> int:
    r = SOURCE_RANK.get(ev.source, 0)
    if ev.source in ("isapi", "onvif", "cgi") and not ev.authenticated:
        r -= 25
    return r


def clean(value: str) -> str:
    """Device text made safe to show: no control characters, bounded length."""
    value = _CONTROL.sub(" ", value).strip()
    return value[:MAX_FIELD]


@dataclass(slots=True)
class _Claim:
    strength: int  # 3 high, 2 medium, 1 low
    order: int
    manufacturer: str
    brand: str
    source: str


def _ip_key(ip: str) -> tuple[int, int]:
    try:
        return (0, int(ipaddress.IPv4Address(ip)))
    except ValueError:
        return (1, 0)


def fuse(evidence: list[Evidence], sigs: Signatures) -> list[Device]:
    """Group and resolve evidence into inventory rows, sorted as INVENTORY.md says."""
    evidence = [e for e in evidence if e.ip or e.mac or e.via]
    _sanitise_macs(evidence)
    # a host seen only asking ARP questions is, in a scan's capture, the scanner itself
    groups = [g for g in _group(evidence) if not all(e.arp_op == "request" for e in g)]
    devices = [_resolve(items, sigs) for items in groups]
    devices.sort(key=lambda d: (_ip_key(d.ip), _ip_key(d.via), d.channel or 0, d.mac))
    advisories.annotate(devices)
    return devices


def _sanitise_macs(evidence: list[Evidence]) -> None:
    arp_bind: dict[str, str] = {}
    for e in evidence:
        if e.source == "arp" and e.ip and e.mac:
            arp_bind.setdefault(e.ip, e.mac)
    mac_ips: dict[str, set[str]] = defaultdict(set)
    for e in evidence:
        if e.mac and e.ip and not e.via:
            mac_ips[e.mac].add(e.ip)
    shared = {m for m, ips in mac_ips.items() if len(ips) > 1}
    for e in evidence:
        if e.via or not e.ip:
            continue
        if e.ip in arp_bind:
            e.mac = arp_bind[e.ip]
        elif e.mac in shared:
            e.mac = ""  # a router's MAC on an off-link host's packets


def _group(evidence: list[Evidence]) -> list[list[Evidence]]:
    ip_mac: dict[str, str] = {}
    for e in evidence:
        if e.ip and e.mac and not e.via:
            ip_mac.setdefault(e.ip, e.mac)
    groups: dict[tuple, list[Evidence]] = {}
    channel_groups: dict[tuple, list[Evidence]] = {}
    for e in evidence:
        if e.via:
            channel_groups.setdefault(("ch", e.via, e.channel), []).append(e)
            continue
        mac = e.mac or ip_mac.get(e.ip, "")
        key = ("mac", mac) if mac else ("ip", e.ip)
        groups.setdefault(key, []).append(e)
    # a camera a recorder reports that was also seen directly: one row, when serials agree
    by_serial: dict[str, tuple] = {}
    for key, items in groups.items():
        for e in items:
            if e.serial:
                by_serial.setdefault(e.serial.upper(), key)
    for ckey, items in channel_groups.items():
        serials = {e.serial.upper() for e in items if e.serial}
        target = next((by_serial[s] for s in serials if s in by_serial), None)
        if target is not None:
            groups[target].extend(items)
        else:
            groups[ckey] = items
    return list(groups.values())


def _best(items: list[Evidence], attr: str) -> tuple[str, str]:
    best: tuple[int, str, str] | None = None
    for e in items:
        v = getattr(e, attr)
        if v and (best is None or rank(e) > best[0]):
            best = (rank(e), clean(str(v)), e.source)
    return (best[1], best[2]) if best else ("", "")


def _resolve(items: list[Evidence], sigs: Signatures) -> Device:
    d = Device()
    items = sorted(items, key=rank, reverse=True)
    direct = [e for e in items if not e.via]
    chan = [e for e in items if e.via]
    d.ip, src = _best(direct or items, "ip")
    if src:
        d.provenance["ip"] = src
    d.mac = next((e.mac for e in direct if e.mac), "")
    if d.mac:
        d.provenance["mac"] = next(e.source for e in direct if e.mac)
    if chan:
        d.via = chan[0].via
        d.channel = chan[0].channel
        d.provenance["via"] = "nvr"
    for f in ("model", "firmware", "serial", "name"):
        v, s = _best(items, f)
        if v:
            setattr(d, f, v)
            d.provenance[f] = s
    sources = {e.source for e in items}

    # --- who made it -------------------------------------------------------------------------
    claims: list[_Claim] = []
    order = 0

    def claim(strength: int, m: Match | None, source: str, brand_ok: bool = True) -> None:
        nonlocal order
        if m is None or not (m.manufacturer or m.brand):
            return
        order += 1
        claims.append(_Claim(strength, order, m.manufacturer, m.brand if brand_ok else "", source))

    platform = ""
    for e in items:
        if e.platform:
            platform = e.platform
            order += 1
            claims.append(_Claim(3, order, e.platform, "", e.source))
            break
    for e in items:
        if e.vendor:
            strength = 3 if e.authenticated else 2
            claim(strength, sigs.vendor(clean(e.vendor), platform), f"{e.source}:brands")
    if d.firmware:
        m = sigs.firmware(d.firmware)
        claim(2, m, f"{d.provenance['firmware']}:firmware")
    banner_hints: list[tuple[Match, str]] = []
    for e in items:
        for kind, text in e.banners.items():
            if text:
                bm = sigs.banner(kind, clean(text))
                claim(2, bm, f"{e.source}:banners")
                if bm is not None and (bm.device_type or bm.form):
                    banner_hints.append((bm, f"{e.source}:banners"))
    if d.mac and oui.is_locally_administered(d.mac):
        d.mac_randomised = True
        d.notes.append("locally administered (randomised) MAC: not looked up in the OUI registry")
    oui_match: Match | None = None
    registrant = ""
    if d.mac and not d.mac_randomised:
        registrant = oui.registrant(d.mac) or ""
        if registrant:
            sources.add("oui")  # the registry named who owns the prefix, camera maker or not
            oui_match = sigs.oui(registrant)
            claim(1, oui_match, "oui")
    maker = _pick(claims, "manufacturer")
    mm = sigs.model(d.model, maker[0]) if d.model else None
    if mm is not None and (mm.manufacturer or mm.brand):
        claim(2, mm, f"{d.provenance['model']}:models")
        maker = _pick(claims, "manufacturer")
    d.manufacturer, msrc, mstrength = maker
    if d.manufacturer:
        d.provenance["manufacturer"] = msrc
        d.confidence = {3: "high", 2: "medium", 1: "low"}[mstrength]
    brand = _pick([c for c in claims if not d.manufacturer or c.manufacturer in ("", d.manufacturer)], "brand")
    if brand[0]:
        d.brand, d.provenance["brand"] = brand[0], brand[1]

    # --- what it is, and static or PTZ ---------------------------------------------------------
    if mm is None and d.model:
        mm = sigs.model(d.model, d.manufacturer)
    type_claims: list[tuple[int, str, str]] = []
    form_claims: list[tuple[int, str, str]] = []
    for e in items:
        w = rank(e)
        if e.device_type:
            type_claims.append((w + 5, e.device_type, e.source))
        if e.form:
            form_claims.append((_form_weight(e), e.form, e.source))
    if mm is not None:
        if mm.device_type:
            type_claims.append((47, mm.device_type, f"{d.provenance.get('model', '')}:models"))
        if mm.form:
            form_claims.append((47, mm.form, f"{d.provenance.get('model', '')}:models"))
    for bm, src in banner_hints:  # a banner that names the kind of device: below a model pattern
        if bm.device_type:
            type_claims.append((30, bm.device_type, src))
        if bm.form:
            form_claims.append((30, bm.form, src))
    if oui_match is not None and oui_match.device_type:
        type_claims.append((12, oui_match.device_type, "oui"))
    for e in items:
        if e.source == "wsd" and re.search(r"networkvideotransmitter|network_video_transmitter|video_encoder",
                                            e.banners.get("wsd_types", "")):
            # an ONVIF video transmitter is a camera unless something says recorder or encoder
            type_claims.append((14, "camera", "wsd:NetworkVideoTransmitter"))
    for _, form, src in form_claims:
        if form in ("ptz", "static"):
            # only cameras are static or PTZ: a weak hint, below any model pattern or protocol
            type_claims.append((15, "camera", src))
    if type_claims:
        _, d.device_type, d.provenance["device_type"] = max(type_claims, key=lambda c: c[0])
    elif chan:
        d.device_type, d.provenance["device_type"] = "camera", "nvr"
    elif registrant and not d.manufacturer and not sources & CAMERA_SOURCES:
        # a registered non-camera maker and nothing camera-like said: a PC, printer, router...
        d.device_type, d.provenance["device_type"] = "other", "oui"
    else:
        d.device_type = "unknown"
    if d.device_type == "camera":
        if form_claims:
            _, d.form, d.provenance["form"] = max(form_claims, key=lambda c: c[0])
        else:
            d.form, d.provenance["form"] = "unknown", "unsettled"
    else:
        d.form = ""
    if d.device_type == "unknown":
        d.provenance["device_type"] = "unsettled"
    d.evidence = [s for s in SOURCES if s in sources]
    for e in items:
        if e.note and not e.problem and e.note not in d.notes:
            d.notes.append(clean(e.note))
    return d


def _form_weight(e: Evidence) -> int:
    """How far a static/PTZ claim is trusted. Hikvision's own deviceType (IPDome/IPCamera) is
    the vendor's word and beats ONVIF, whose PTZ service some Hikvision units expose for a
    motorised zoom alone; both beat model patterns (47); WS-Discovery's type/ptz scope and
    ONVIF's mere absence of a PTZ service are weaker than a pattern."""
    if e.source == "isapi":
        return 90 if e.authenticated else 60
    if e.source in ("nvr", "cgi"):
        return 80
    if e.source == "onvif":
        if e.form == "static":
            return 25
        return 75 if e.authenticated else 50
    return min(rank(e), 40)


# sources only camera, recorder or intercom firmware speaks
CAMERA_SOURCES = {"sadp", "dhip", "wsd", "onvif", "isapi", "cgi", "nvr", "rtsp"}


def _pick(claims: list[_Claim], attr: str) -> tuple[str, str, int]:
    best: _Claim | None = None
    for c in claims:
        if getattr(c, attr) and (best is None or c.strength > best.strength):
            best = c
    return (getattr(best, attr), best.source, best.strength) if best else ("", "", 0)
