"""Which ports and groups camscan speaks on, collected from the protocol modules that own them.

Each protocol module declares its own PORT / GROUP (and PORTS where it is served on several);
everything that needs a list of them — the collector's dispatch, the replay and capture BPF
filters, the scope's allowed groups, the scanner's discovery probes and default TCP ports, the
lab emulator and the capture generator — reads this module, so a new protocol or port is
declared once, in its module, and added here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from camscan.model import Endpoint, Evidence
from camscan.protocols import bosch, dhcp, dhcp6, dhip, hanwha, http, mdns, rtsp, sadp, ssdp, wsdiscovery

UdpParser = Callable[[bytes, Endpoint], list[Evidence]]


@dataclass(frozen=True, slots=True)
class UdpDiscovery:
    """A multicast discovery protocol: where it is spoken, how its replies are read, and the
    probe a scan sends."""

    name: str  # as counters and messages say it
    source: str  # the Evidence source its parser gives, and the lab profile section that serves it
    group: str
    port: int
    parse: UdpParser
    probe: Callable[[], bytes]
    # replies go to the group (or come from the protocol port), so the prober must bind that port
    replies_on_port: bool


def _ssdp_probe() -> bytes:
    return ssdp.build_msearch("ssdp:all", 1)


def _mdns_probe() -> bytes:
    return mdns.build_query(list(mdns.DEFAULT_SERVICES))


UDP_DISCOVERY: tuple[UdpDiscovery, ...] = (
    UdpDiscovery("SADP", "sadp", sadp.GROUP, sadp.PORT, sadp.parse, sadp.build_probe, True),
    UdpDiscovery("WS-Discovery", "wsd", wsdiscovery.GROUP, wsdiscovery.PORT, wsdiscovery.parse,
                 wsdiscovery.build_probe, False),
    UdpDiscovery("SSDP", "ssdp", ssdp.GROUP, ssdp.PORT, ssdp.parse, _ssdp_probe, False),
    UdpDiscovery("DHIP", "dhip", dhip.GROUP, dhip.PORT, dhip.parse, dhip.build_probe, True),
    UdpDiscovery("mDNS", "mdns", mdns.GROUP, mdns.PORT, mdns.parse, _mdns_probe, True),
)


@dataclass(frozen=True, slots=True)
class UdpPassive:
    """A protocol camscan only reads, never sends (no probe, no group to join): devices speak it
    on their own and a capture shows it."""

    name: str
    source: str
    ports: tuple[int, ...]
    parse: UdpParser


UDP_PASSIVE: tuple[UdpPassive, ...] = (
    UdpPassive("DHCP", "dhcp", dhcp.PORTS, dhcp.parse),
    UdpPassive("DHCPv6", "dhcp", dhcp6.PORTS, dhcp6.parse),
)
UDP_BY_PORT: dict[int, UdpDiscovery | UdpPassive] = {
    **{d.port: d for d in UDP_DISCOVERY}, **{p: d for d in UDP_PASSIVE for p in d.ports}}
# every UDP port a capture filter keeps (discovery and passive protocols)
UDP_PORTS: tuple[int, ...] = tuple(UDP_BY_PORT)


@dataclass(frozen=True, slots=True)
class UdpBroadcast:
    """A vendor discovery sent to the limited broadcast address of the chosen link (never routed
    beyond it) and answered by unicast to the sender's address on a fixed reply port. Its
    replies are read where UDP_BY_PORT says (the protocol's parser); this entry is the probe."""

    name: str  # as counters and messages say it
    source: str  # the Evidence source its parser gives, and the lab profile section that serves it
    port: int  # where the request goes
    reply_port: int  # where the answers come back (the prober binds it)
    probe: Callable[[], bytes]


BROADCAST = "255.255.255.255"
UDP_BROADCAST: tuple[UdpBroadcast, ...] = (
    UdpBroadcast("Bosch discovery", "bosch", bosch.PORT, bosch.REPLY_PORT, bosch.build_probe),
    UdpBroadcast("Hanwha discovery", "hanwha", hanwha.PORT, hanwha.REPLY_PORT, hanwha.build_probe),
)
# The link-local groups a scan may send to on its chosen interface (and BROADCAST, through
# Scope.check_broadcast: never a host's address).
DISCOVERY_GROUPS: frozenset[str] = frozenset(d.group for d in UDP_DISCOVERY)

# Every port whose TCP conversations the HTTP/RTSP/ONVIF/ISAPI/CGI parsers read.
TCP_PORTS: tuple[int, ...] = tuple(sorted(set(http.PORTS) | set(rtsp.PORTS)))
# What a scan probes by default: the web UI and its usual alternatives, RTSP, and the vendors'
# private SDK ports (open or not says something; camscan never speaks those protocols).
DEFAULT_TCP_PORTS: tuple[int, ...] = (http.PORT, http.TLS_PORT, rtsp.PORT, sadp.SDK_PORT, http.ALT_PORT,
                                      dhip.SDK_PORT)
