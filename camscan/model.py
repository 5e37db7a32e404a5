"""The records that flow through camscan: Endpoint (where bytes came from), Evidence (what one
message said about one device), Device (the fused row) and Inventory (all rows plus run facts).

Nothing here does I/O. Parsers produce Evidence; identify/ turns Evidence into Devices; report/
writes Inventories. Devices and Inventories serialise in one place, camscan/serialise.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Evidence sources, as they appear in the inventory's `evidence` column (INVENTORY.md).
SOURCES = (
    "arp", "oui", "sadp", "dhip", "dahua1", "bosch", "hanwha", "panasonic", "sony", "vivotek", "wsd", "ssdp",
    "mdns", "http", "hnap", "hikweb", "tls", "rtsp", "onvif", "isapi", "cgi", "nvr", "dhcp", "ndp", "dns", "pppp",
)

DEVICE_TYPES = ("camera", "nvr", "dvr", "encoder", "intercom", "alarm", "other", "unknown")
FORMS = ("static", "ptz", "unknown")


class Malformed(ValueError):
    """A message that belongs to a protocol but cannot be read (broken XML/JSON, truncated
    header, oversized body, hostile entities). Callers skip the message and count it; the
    text names what was wrong, never echoing more than a short excerpt of the input."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The device side of a message: the address it answered from."""

    ip: str
    mac: str = ""
    port: int = 0


@dataclass(slots=True)
class Evidence:
    """What one message said about one device. Every field is optional; empty means "not said".

    `vendor` is the maker or brand name the device itself claims (ONVIF Manufacturer, UPnP
    manufacturer, DHIP Vendor, ISAPI manufacturer...), raw; rebadge resolution happens later.
    `platform` is the maker whose firmware alone speaks the protocol that carried this
    evidence (SADP and ISAPI are Hikvision's, DHIP and magicBox CGI are Dahua's), so an
    answer on it is strong evidence of who built the hardware whatever badge it wears.
    `banners` holds raw strings that signatures match on, keyed by kind:
    http_server, http_realm, http_title, rtsp_server, ssdp_server, mdns_service, wsd_name,
    wsd_hardware, x509_subject, dns_query, p2p_did... (signatures/README.md lists them all).
    `via`/`channel` mark a camera reported by a recorder's channel list.
    """

    source: str
    ip: str = ""
    mac: str = ""
    vendor: str = ""
    platform: str = ""
    model: str = ""
    firmware: str = ""
    serial: str = ""
    name: str = ""
    device_type: str = ""
    form: str = ""
    via: str = ""
    channel: int | None = None
    banners: dict[str, str] = field(default_factory=dict)
    authenticated: bool = False
    # what the message said about where the device serves its descriptions and APIs: an SSDP
    # LOCATION (the UPnP description URL), WS-Discovery XAddrs (ONVIF service addresses)
    location: str = ""
    xaddrs: tuple[str, ...] = ()
    # for ARP: "request", "reply" or "gratuitous", and for a request the address asked about
    # (a host that only asks, about many addresses, is the scanner sweeping: identify/grouping.py)
    arp_op: str = ""
    arp_target: str = ""
    # a problem with the message, by kind ("malformed"); the detail is in `note`
    problem: str = ""
    # text for a person (shown in the JSON's notes); no code may branch on its wording
    note: str = ""
    # the OUI registrant, set by the OUI lookup only
    oui_registrant: str = ""
    # an IPv6 address of the device: the one the message came from, or one it states (NDP, SADP)
    ipv6: str = ""
    # when the message was seen (seconds since the epoch, UTC): the capture's timestamp in a
    # replay, the clock in a live scan; 0 when not known. A device's address is the one it used last.
    seen: float = 0.0
    # video analytics the message said the device has: capability word (signatures/analytics.toml)
    # → "capable" (the device can) or "enabled" (it is configured on); an empty mapping says the
    # device listed what it can do and none of it is analytics; None says nothing
    analytics: dict[str, str] | None = None
    # a recorder's channel count as discovery declares it (SADP analogue + IP channels, DHIP
    # video inputs + remote inputs): how many cameras it may have, asked or not
    channel_capacity: int | None = None
    # the message is a recorder's own list of its channels, read with its account: its cameras
    # were asked for (an empty list means none are connected)
    channels_listed: bool = False


@dataclass(frozen=True, slots=True)
class AdvisoryFinding:
    """A published advisory whose affected range covers a device's firmware. `heuristic` marks a
    rule of thumb (e.g. a build-date cut-off) rather than the vendor's own table."""

    id: str
    title: str = ""
    heuristic: bool = False

    def note(self) -> str:
        """How the finding reads in a device's notes when it is only a rule of thumb."""
        return f"{self.id}: heuristic match ({self.title}; rule of thumb, not the vendor's table)"


@dataclass(frozen=True, slots=True)
class AddressSeen:
    """One IPv4 address a device used, and when it was first and last seen using it (ISO 8601
    UTC, empty when the evidence carried no time)."""

    ip: str
    first_seen: str = ""
    last_seen: str = ""


@dataclass(slots=True)
class Device:
    """One inventory row (INVENTORY.md), with the source of every non-empty field."""

    ip: str = ""
    mac: str = ""
    manufacturer: str = ""
    brand: str = ""
    device_type: str = "unknown"
    form: str = ""
    model: str = ""
    firmware: str = ""
    serial: str = ""
    name: str = ""
    via: str = ""
    channel: int | None = None
    site: str = ""
    advisories: list[str] = field(default_factory=list)
    # the advisory matches behind `advisories`, typed (confidence and title)
    findings: list[AdvisoryFinding] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    confidence: str = ""
    provenance: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mac_randomised: bool = False
    # every IPv6 address the device was seen with (JSON only)
    ipv6: list[str] = field(default_factory=list)
    # every IPv4 address it used, oldest first; `ip` is the one it used last (JSON only)
    addresses: list[AddressSeen] = field(default_factory=list)
    # who registered the MAC's OUI (the network chip's maker, as arp-scan shows it), camera
    # maker or not; "" for a locally administered MAC or one the registry does not hold
    oui_vendor: str = ""
    # video analytics (signatures/analytics.toml): ["standard"], the capabilities found
    # ("face (capable)", "anpr"...), ["unknown"], or [] for a device that is not video kit
    analytics: list[str] = field(default_factory=list)
    # a recorder whose channel list was not read (no credentials, refused, no answer), and the
    # channel count discovery declared for it (None when discovery did not say)
    channels_unasked: bool = False
    channel_capacity: int | None = None
    # the SHA-256 (hex) of the certificate the device's HTTPS port (443) presented in a live scan,
    # "" when it showed none; `tls_changed` when it is not the one the history holds for the
    # device (its IP or its MAC): the account was not offered to it (scan/certpins.py)
    tls_sha256: str = ""
    tls_changed: bool = False
    # columns joined from the user's asset register (purchase date, cost...), written after
    # the contract's columns in the register's own order
    extra: dict[str, str] = field(default_factory=dict)

    # Serialised in one place, camscan/serialise.py (imported here on use: it imports this module)
    def to_dict(self) -> dict[str, Any]:
        """The device as the JSON export writes it (JSON-ready, in the contract's key order)."""
        from camscan.serialise import device_to_dict

        return device_to_dict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Device:
        """The device `to_dict` wrote; raises camscan.serialise.SerialiseError naming a bad field."""
        from camscan.serialise import device_from_dict

        return device_from_dict(raw)


@dataclass(slots=True)
class Inventory:
    """All rows of one run plus what the run itself should report (targets, counts of skips)."""

    devices: list[Device]
    targets: list[str] = field(default_factory=list)
    scanned_at: str = ""
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The inventory as the JSON export writes it."""
        from camscan.serialise import inventory_to_dict

        return inventory_to_dict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Inventory:
        """The inventory `to_dict` wrote; raises camscan.serialise.SerialiseError for a bad device."""
        from camscan.serialise import inventory_from_dict

        return inventory_from_dict(doc)
