"""Who is offered the account.

Anyone can plug in something that looks like a camera, and whatever is offered the account
learns a digest of its password (HTTP digest, WS-Security digest) it can attack offline. So an
account the credentials file names for a device (`[[host]]`, `[[range]]`) goes to that device,
but the catch-all `[default]` account (or CAMSCAN_USERNAME) goes only where two independent
kinds of evidence name the same maker: the MAC's OUI and each discovery or probe protocol that
answered (SADP, DHIP, WS-Discovery, SSDP, the HTTP or RTSP banner, mDNS) are kinds; one message
counts once, however many fields of it name the maker. A lone HTTP banner saying
"App-webs" is one kind, and not enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camscan.model import Evidence
from camscan.scan.credentials import Account, Credentials

if TYPE_CHECKING:
    from camscan.scan.enrich import Target


def _makers(e: Evidence, sigs: object) -> set[str]:
    """The makers one message names, by any of its fields."""
    found: set[str] = set()
    if e.platform:
        found.add(e.platform)
    for kind, value in e.banners.items():
        m = sigs.banner(kind, value) if value else None  # type: ignore[attr-defined]
        if m is not None and m.manufacturer:
            found.add(m.manufacturer)
    if e.vendor:
        m = sigs.vendor(e.vendor, e.platform)  # type: ignore[attr-defined]
        if m is not None and m.manufacturer:
            found.add(m.manufacturer)
    return found


def _oui_maker(mac: str, sigs: object) -> str:
    from camscan.identify import oui

    try:
        registrant = oui.registrant(mac) if mac else None
    except Exception:  # the OUI table could not be loaded: this kind of evidence is missing
        return ""
    m = sigs.oui(registrant) if registrant else None  # type: ignore[attr-defined]
    return m.manufacturer if m is not None and m.manufacturer else ""


def maker_kinds(evidence: list[Evidence]) -> dict[str, dict[str, set[str]]]:
    """ip → maker → the kinds of evidence naming it ("oui", or the message's source)."""
    from camscan.identify.signatures import load

    sigs = load()
    out: dict[str, dict[str, set[str]]] = {}
    macs: dict[str, str] = {}
    for e in evidence:
        if not e.ip or e.via:
            continue
        per_ip = out.setdefault(e.ip, {})
        for maker in _makers(e, sigs):
            per_ip.setdefault(maker, set()).add(e.source)
        if e.mac:
            macs.setdefault(e.ip, e.mac)
    for ip, mac in macs.items():
        maker = _oui_maker(mac, sigs)
        if maker:
            out.setdefault(ip, {}).setdefault(maker, set()).add("oui")
    return out


def corroborate(targets: list[Target], evidence: list[Evidence],
                open_ports: dict[str, list[int]] | None = None) -> list[Target]:
    """Mark each target with the makers two or more kinds of evidence agree on (and, when the
    API was chosen for a platform, only that platform's maker counts), and with 443 when it is
    open: its API is then asked over HTTPS."""
    kinds = maker_kinds(evidence)
    for t in targets:
        if 443 in (open_ports or {}).get(t.ip, []):
            t.tls_port = 443
        per_maker = kinds.get(t.ip, {})
        agreed = sorted(m for m, k in per_maker.items() if len(k) >= 2 and (not t.platform or m == t.platform))
        t.corroborated = tuple(agreed)
        t.maker_kinds = tuple(sorted({k for ks in per_maker.values() for k in ks}))
    return targets


def account_for(creds: Credentials, t: Target) -> tuple[Account | None, str]:
    """The account to offer `t`, or None and why not (a note for the device's row)."""
    named = creds.named_for(t.ip)
    if named is not None:
        return named, ""
    if creds.default is None:
        return None, ""
    if t.corroborated:
        return creds.default, ""
    seen = ", ".join(t.maker_kinds) or "nothing"
    return None, (f"the default account was not offered: its maker is not corroborated by two kinds of evidence "
                  f"(seen: {seen}); name the device in the credentials file ([[host]] or [[range]]) to ask it")
