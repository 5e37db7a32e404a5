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
from camscan.protocols import (
    bosch,
    dahua_v1,
    dhcp,
    dhcp6,
    dhip,
    dns,
    hanwha,
    http,
    mdns,
    panasonic,
    pppp,
    rtsp,
    sadp,
    sony,
    ssdp,
    tls,
    vivotek,
    wsdiscovery,
)

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
    """A UDP protocol camscan reads wherever it sees it (replay, a scan's capture) but does not
    probe: vendors' broadcast discovery answers, what devices say to their clouds."""

    name: str  # as counters and messages say it
    source: str  # the Evidence source its parser gives
    ports: tuple[int, ...]  # request and reply ports: a datagram to or from any of them is read
    parse: UdpParser


UDP_PASSIVE: tuple[UdpPassive, ...] = (
    UdpPassive("DHCP", "dhcp", dhcp.PORTS, dhcp.parse),
    UdpPassive("DHCPv6", "dhcp", dhcp6.PORTS, dhcp6.parse),
    UdpPassive("Bosch discovery", "bosch", (bosch.PORT, bosch.REPLY_PORT), bosch.parse),
    UdpPassive("Hanwha discovery", "hanwha", (hanwha.PORT, hanwha.REPLY_PORT), hanwha.parse),
    UdpPassive("Panasonic discovery", "panasonic", (panasonic.PORT, panasonic.REPLY_PORT), panasonic.parse),
    UdpPassive("Sony discovery", "sony", (sony.PORT,), sony.parse),
    UdpPassive("Vivotek discovery", "vivotek", (vivotek.PORT,), vivotek.parse),
    UdpPassive("Dahua search", "dahua1", (dahua_v1.PORT,), dahua_v1.parse),
    UdpPassive("DNS", "dns", (dns.PORT,), dns.parse),
    UdpPassive("PPPP", "pppp", pppp.PORTS, pppp.parse),
)
UdpParserEntry = UdpDiscovery | UdpPassive
UDP_BY_PORT: dict[int, UdpParserEntry] = {d.port: d for d in UDP_DISCOVERY}
for _listener in UDP_PASSIVE:
    for _port in _listener.ports:
        UDP_BY_PORT.setdefault(_port, _listener)
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
# TLS ports: a conversation on one of these handed to the Collector is read for the server's
# certificate (TLS 1.0-1.2 handshake), never as HTTP. They are not in TCP_PORTS: HTTPS is most
# of a site's traffic, so the replay's filter keeps of them only the segments from the server
# that start its flight (replay/pcapfile.py), not whole conversations.
TLS_PORTS: tuple[int, ...] = tls.PORTS
# What a scan probes by default: the web UI and its usual alternatives, RTSP, and the vendors'
# private SDK ports (open or not says something; camscan never speaks those protocols).
DEFAULT_TCP_PORTS: tuple[int, ...] = (http.PORT, http.TLS_PORT, rtsp.PORT, sadp.SDK_PORT, http.ALT_PORT,
                                      dhip.SDK_PORT)
