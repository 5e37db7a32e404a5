"""Whether each device's HTTPS certificate is the one the history holds for it.

A camera's certificate is self-signed, so it cannot be verified; what can be checked is that it
is the same one as last time. An impostor on a device's address cannot show that device's
certificate (the TLS handshake proves it holds the key), so a device whose certificate changed
since the last scan is not offered the account until the user accepts the new certificate
(`camscan scan --accept-new-certs`). Until then every scan warns again: a changed row is
recorded with `tls_changed`, and rows so marked are never taken as the device's certificate
(store.common.Store.certificate_pins).

The history is asked by the device's IP and by its MAC (when ARP gave one), and the certificate
must match both: a fresh MAC does not dodge the check at a known address, and a device trusted
at one address cannot take another's place with its own certificate. A device that showed a
certificate before and shows none on 443 now (while 443 was probed) counts as changed too: an
impostor without the key could otherwise be asked over plain HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from camscan.scan.tlsinfo import fingerprint
from camscan.store.rows import CertificatePins

if TYPE_CHECKING:
    from camscan.store.target import Target

# the port whose certificate is the device's: the one camscan sends the account to (offer.corroborate)
HTTPS_PORT = 443


@dataclass(frozen=True, slots=True)
class Change:
    """A device whose certificate is not the one the history holds: what it was, what it is."""

    ip: str
    was: str
    now: str  # "" when the device shows no certificate on 443 now
    accepted: bool = False

    def describe(self) -> str:
        """The change, in a few words for a person ("was AB:CD:…, now EF:01:…")."""
        now = f"now {short(self.now)}" if self.now else "none on 443 now"
        return f"HTTPS certificate changed since the last scan (was {short(self.was)}, {now})"

    def note(self) -> str:
        """The device row's note."""
        if self.accepted:
            return f"{self.describe()}: accepted (--accept-new-certs); the new one is recorded"
        return (f"{self.describe()}: no credentials are sent to it until the new certificate is accepted "
                "(check the device, then scan with --accept-new-certs)")

    def warning(self) -> str:
        """The one line on stderr."""
        if self.accepted:
            return f"{self.ip}: {self.describe()}; accepted as asked (--accept-new-certs)"
        return f"{self.ip}: {self.describe()}; no credentials sent (check it, then --accept-new-certs)"


def short(sha256: str) -> str:
    """The first eight bytes of a fingerprint, as a person compares them."""
    return fingerprint(sha256)[:23] + "…"


def changes(seen: Mapping[str, str], present: Collection[str], macs: Mapping[str, str], pins: CertificatePins,
            https_probed: bool, accept: bool = False) -> dict[str, Change]:
    """ip → Change for each device in `present` whose certificate on 443 (`seen`: ip → hex
    SHA-256) differs from a pin the history holds for its IP or its MAC (`macs`: ip → MAC).
    Without `https_probed` (443 not among the ports) a missing certificate says nothing."""
    out: dict[str, Change] = {}
    for ip in present:
        now = seen.get(ip, "")
        if not now and not https_probed:
            continue
        pinned = [p for p in (pins.by_ip.get(ip, ""), pins.by_mac.get(macs.get(ip, ""), "")) if p]
        was = next((p for p in pinned if p != now), "")
        if was:
            out[ip] = Change(ip, was, now, accepted=accept)
    return out


def known_certs(seen: Mapping[str, str], pins: CertificatePins, macs: Mapping[str, str],
                changed: Mapping[str, Change]) -> dict[str, str]:
    """ip → the certificate enrich must see before it sends the account: the one checked
    against the history now (so a certificate swapped between the certificate phase and the API
    requests is caught), or the pinned one when none was seen (enrich then refuses plain HTTP)."""
    out: dict[str, str] = {}
    for ip in set(seen) | set(pins.by_ip) | set(changed):
        change = changed.get(ip)
        if change is not None and not change.accepted:
            continue  # not asked at all
        want = seen.get(ip) or pins.by_ip.get(ip, "") or pins.by_mac.get(macs.get(ip, ""), "")
        if want:
            out[ip] = want
    return out


def read_pins(target: Target, site: str, warn: Callable[[str], None]) -> CertificatePins | None:
    """The certificates the history `target` holds for `site`'s devices, or None (and a warning)
    when it cannot be read: nothing is then compared, as with --no-history."""
    from camscan.store import HistoryError, open_store

    if not target.is_postgres and target.path is not None and not os.path.lexists(target.path):
        return CertificatePins()  # no history yet: nothing to compare, and no file made just to read it
    try:
        with open_store(target) as store:
            return store.certificate_pins(site)
    except (HistoryError, OSError) as exc:
        warn(f"the history's certificates cannot be read ({exc}); no certificate is compared with the last scan's")
        return None
