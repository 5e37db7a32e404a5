"""Sites: which named place each device is at, from a TOML file the user keeps.

    [[site]]
    name = "Town Hall"
    networks = ["10.20.0.0/24", "10.20.1.0/25"]
    recorders = ["10.20.0.20"]        # optional: cameras behind these recorders are here too

The most specific network wins. A camera reported by a recorder takes the recorder's site
(its own address is on the recorder's private PoE network and says nothing about where it is).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import netaddr

from camscan.errors import InputError
from camscan.model import Device
from camscan.values import ip_number


@dataclass(frozen=True)
class Site:
    name: str
    networks: tuple[netaddr.IPNetwork, ...]
    recorders: frozenset[str]
    # each network as (first, last, prefix length) integers: site_of compares numbers, since a
    # netaddr membership test per device per network cost 1.6 s of a 20,000-device report
    ranges: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranges", tuple((n.first, n.last, n.prefixlen) for n in self.networks))


def load_sites(path: str) -> list[Site]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read sites file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: sites file is not UTF-8 text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {exc}") from None
    entries = doc.get("site")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[site]] entries (each needs a name and networks)")
    sites = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}: [[site]] #{i}"
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}: name missing")
        where = f"{path}: [[site]] {name!r}"
        nets = entry.get("networks", [])
        recs = entry.get("recorders", [])
        if isinstance(nets, str):
            nets = [nets]
        if not isinstance(nets, list) or not isinstance(recs, list) or not (nets or recs):
            raise InputError(f"{where}: give networks (a list of CIDRs) and/or recorders (a list of addresses)")
        try:
            networks = tuple(netaddr.IPNetwork(n, version=4) for n in nets)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise InputError(f"{where}: networks must be IPv4 CIDRs like 10.20.0.0/24") from None
        try:
            recorders = frozenset(str(netaddr.IPAddress(r, 4)) for r in recs)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise InputError(f"{where}: recorders must be IPv4 addresses") from None
        sites.append(Site(name.strip(), networks, recorders))
    return sites


def site_of(ip: str, sites: list[Site]) -> str:
    best: tuple[int, str] | None = None
    value = ip_number(ip)
    if value is None:
        return ""
    for s in sites:
        if ip in s.recorders:
            return s.name
        for first, last, prefixlen in s.ranges:
            if first <= value <= last and (best is None or prefixlen > best[0]):
                best = (prefixlen, s.name)
    return best[1] if best else ""


def assign(devices: list[Device], sites: list[Site]) -> None:
    """Fill the `site` column; cameras behind a recorder take the recorder's site."""
    for d in devices:
        d.site = site_of(d.via, sites) if d.via else site_of(d.ip, sites)
