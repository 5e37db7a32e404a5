"""What the user may scan: targets parsed from the command line or a file into an IPSet, and
the Scope that every sender asks before a packet goes out.

Public addresses are refused unless the user says --allow-public; so are multicast,
broadcast-only and unspecified addresses, and target sets larger than MAX_ADDRESSES (a typo
like /8 would otherwise send millions of packets).

A host name is resolved once, before anything is sent (IPv4 only, by the system resolver), and
the scope is the addresses it resolved to: a name that later resolves elsewhere changes nothing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import netaddr

from camscan.errors import InputError
from camscan.protocols.registry import BROADCAST, DISCOVERY_GROUPS

MAX_ADDRESSES = 65_536

# Non-public IPv4 space a user may scan without --allow-public.
PRIVATE = netaddr.IPSet([
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
    "198.18.0.0/15", "127.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
])
NEVER = netaddr.IPSet(["0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4"])


def _one(spec: str, origin: str) -> netaddr.IPSet:
    spec = spec.strip()
    try:
        if "-" in spec:
            lo, hi = (s.strip() for s in spec.split("-", 1))
            if "." not in hi:  # 198.18.0.10-20
                hi = lo.rsplit(".", 1)[0] + "." + hi
            lo_ip, hi_ip = netaddr.IPAddress(lo, 4), netaddr.IPAddress(hi, 4)
            if hi_ip < lo_ip:
                raise InputError(f"{origin}: range {spec!r} ends before it starts")
            return netaddr.IPSet(netaddr.IPRange(lo_ip, hi_ip))
        if "/" in spec:
            net = ipaddress.IPv4Network(spec, strict=False)
            return netaddr.IPSet([str(net)])
        return netaddr.IPSet([str(ipaddress.IPv4Address(spec))])
    except InputError:
        raise
    except (ValueError, netaddr.AddrFormatError):
        raise InputError(f"{origin}: {spec!r} is not an IPv4 address, CIDR or range") from None


# a DNS host name (RFC 1123 labels); its last label is not all digits, so "198.18.0.256" and
# "10.0.0.1-20" stay address syntax with the address error
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$)(?:{_LABEL}\.)*(?![0-9-]+\.?$){_LABEL}\.?")

# host name -> its IPv4 addresses (InputError when it has none)
Resolver = Callable[[str], list[str]]


def is_host_name(spec: str) -> bool:
    """Whether `spec` is written as a host name rather than an address, CIDR or range."""
    return _HOST_NAME.fullmatch(spec) is not None


def resolve_ipv4(name: str) -> list[str]:
    """The IPv4 addresses the system resolver (/etc/hosts, DNS...) gives `name`, in address order."""
    try:
        infos = socket.getaddrinfo(name, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"no IPv4 address for this host name ({exc.strerror})") from None
    except UnicodeError:
        raise InputError("not a valid host name") from None
    addresses = {str(info[4][0]) for info in infos}
    if not addresses:
        raise InputError("no IPv4 address for this host name")
    return sorted(addresses, key=lambda a: ipaddress.IPv4Address(a))


@dataclass
class Targets:
    """What the user named: every address, and which host names resolved to which of them
    (shown before the scan starts, so the user sees the scope a name gave)."""

    addresses: netaddr.IPSet
    names: dict[str, list[str]] = field(default_factory=dict)


def _spec_items(spec: str) -> list[tuple[str, str]]:
    """(item, where it was written) for one command-line spec: its own text, or a file's lines."""
    path = Path(spec[1:]) if spec.startswith("@") else Path(spec)
    if not (spec.startswith("@") or path.is_file()):
        return [(spec, "target")]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read targets file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: targets file is not text") from None
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if item:
            items.append((item, f"{path}:{n}"))
    return items


def _check_scope(result: netaddr.IPSet, allow_public: bool, max_addresses: int) -> None:
    if not result:
        raise InputError("no targets given")
    bad = result & NEVER
    if bad:
        raise InputError(f"refusing multicast, reserved or unspecified targets ({bad.iter_cidrs()[0]})")
    public = result - PRIVATE
    if public and not allow_public:
        first = public.iter_cidrs()[0]
        raise InputError(f"{first} is a public address range; scan only networks you are authorised to, "
                         "and pass --allow-public if that is one")
    if result.size > max_addresses:
        raise InputError(f"{result.size} addresses is more than {max_addresses}; split the scan or narrow the range")


def read_targets(specs: list[str], allow_public: bool = False, max_addresses: int = MAX_ADDRESSES,
                 resolver: Resolver = resolve_ipv4) -> Targets:
    """Every address named by `specs` (addresses, CIDRs, ranges, host names, @file or a file
    path), each host name resolved once by `resolver`; the same refusals as parse_targets."""
    result = netaddr.IPSet()
    names: dict[str, list[str]] = {}
    for spec in specs:
        for item, where in _spec_items(spec):
            for part in item.replace(",", " ").split():
                if not is_host_name(part):
                    result |= _one(part, where)
                    continue
                if part not in names:
                    try:
                        names[part] = resolver(part)
                    except InputError as exc:
                        raise InputError(f"{where}: {part!r}: {exc}") from None
                result |= netaddr.IPSet(names[part])
    _check_scope(result, allow_public, max_addresses)
    return Targets(result, names)


def parse_targets(specs: list[str], allow_public: bool = False, max_addresses: int = MAX_ADDRESSES) -> netaddr.IPSet:
    """IPSet of every address named by `specs` (addresses, CIDRs, ranges, host names, @file or a file path)."""
    return read_targets(specs, allow_public, max_addresses).addresses


class ScopeError(Exception):
    """A send outside the user's targets was attempted; the packet was not sent."""


class Scope:
    """The one gate every sender passes: an address must be a target, or one of the discovery
    groups on the chosen link. (Joining those groups makes the kernel send IGMP membership
    reports to the link's all-routers group; that is the only other traffic a scan causes.)"""

    def __init__(self, targets: netaddr.IPSet) -> None:
        self.targets = targets

    def allows(self, ip: str) -> bool:
        if ip in DISCOVERY_GROUPS:
            return True
        try:
            return netaddr.IPAddress(ip, 4) in self.targets
        except (netaddr.AddrFormatError, ValueError):
            return False

    def check(self, ip: str) -> None:
        if not self.allows(ip):
            raise ScopeError(f"{ip} is outside the targets; not sent")

    def check_broadcast(self, ip: str) -> None:
        """A vendor's broadcast discovery (Bosch, Hanwha) may go to the limited broadcast only,
        which no router forwards, from a socket bound to the chosen link's address; it is never
        a host's address (`allows` refuses it for every other sender)."""
        if ip != BROADCAST:
            raise ScopeError(f"{ip} is not the link's limited broadcast; not sent")

    def check_url(self, url: str, device_ip: str, ports: Iterable[int] | None = None) -> tuple[str, int]:
        """(host, port) of a URL a device gave us (a redirect, an XAddr, an SSDP LOCATION), or
        ScopeError. The URL may only lead back to `device_ip` itself — a device can speak only
        for itself — as an IPv4 literal (a host name is refused, never looked up: the lookup
        itself would leave the targets), on a valid port (one of `ports` when given), with
        scheme http or https."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ScopeError("address with an invalid port; not sent") from None
        if parts.scheme not in ("http", "https"):
            raise ScopeError(f"address of scheme {parts.scheme[:10]!r}; not sent")
        host = parts.hostname or ""
        try:
            literal = str(ipaddress.IPv4Address(host))
        except ValueError:
            raise ScopeError("address names a host instead of an IPv4 address; not looked up, not sent") from None
        if literal != device_ip:
            raise ScopeError(f"address leads to {literal}, not to the device that gave it ({device_ip}); not sent")
        if port is None:
            port = 443 if parts.scheme == "https" else 80
        if not 0 < port < 65536:
            raise ScopeError(f"address with port {port}; not sent")
        if ports is not None and port not in set(ports):
            raise ScopeError(f"address leads to port {port}, not one this request may use; not sent")
        self.check(literal)
        return literal, port

def parse_ports(text: str) -> tuple[int, ...]:
    """`--ports 80,443,554` → (80, 443, 554); InputError with the option's own wording otherwise."""
    try:
        ports = tuple(int(p) for p in text.split(",") if p.strip())
        if not ports or any(not 0 < p < 65536 for p in ports):
            raise ValueError
    except ValueError:
        raise InputError(f"--ports {text!r}: give TCP ports as a comma-separated list, e.g. 80,554") from None
    return ports
