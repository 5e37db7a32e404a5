"""Hikvision SADP (Search Active Devices Protocol) over UDP 37020, multicast 239.255.255.250:
build the `<Probe>` inquiry and read `<ProbeMatch>` replies into Evidence.

Only Hikvision firmware (and the brands and OEM lines built on it: EZVIZ, HiLook, LTS,
Annke...) answers SADP, so every reply carries platform="Hikvision" whatever badge the
device wears; OEMInfo, when present, is the badge. Pure: bytes in, Evidence out. It must not
open sockets, must parse device XML only through camscan.safexml, and must not decide the
device type or the real maker (the model patterns in signatures/ do that).

Real-world quirks handled: `flase` for false, CRLF line ends and leading tabs, the numeric
DeviceType code (141945...) that is not a model, short EZVIZ replies with most fields
missing, MACs written `58-50-ed-1f-e3-85`, IPv6 fields of `::`.
"""

from __future__ import annotations

import re
import uuid as _uuid
from xml.etree.ElementTree import Element

from camscan.firmware import normalise_firmware
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4, ipv6
from camscan.safexml import find, local, parse_xml, text
from camscan.values import normalise_mac

PORT = 37020
GROUP = "239.255.255.250"
SDK_PORT = 8000  # Hikvision's private SDK port (the CommandPort a SADP reply names)
MAX_PAYLOAD = 1_000_000

_UUID_OK = re.compile(r"[0-9A-Za-z-]{1,64}")
_FALSE = {"false", "flase", "0", "no"}


def build_probe(uuid: str | None = None) -> bytes:
    """The SADP inquiry, `<Probe><Uuid>UUID-UPPER</Uuid><Types>inquiry</Types></Probe>`.
    Devices echo the Uuid in their reply, so a scanner can match replies to its probe."""
    value = (uuid if uuid is not None else str(_uuid.uuid4())).upper()
    if not _UUID_OK.fullmatch(value):
        raise ValueError("SADP Uuid must be letters, digits and hyphens (at most 64)")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Probe><Uuid>{value}</Uuid><Types>inquiry</Types></Probe>"
    ).encode("ascii")



def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() and len(value.strip()) < 7 else 0


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A SADP datagram → [Evidence] for a `<ProbeMatch>`, [] for a `<Probe>` (a request,
    ours or another SADP tool's) or any other document. Malformed for broken, hostile or
    oversized XML."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"SADP: payload of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("SADP: empty payload")
    root = parse_xml(data, "SADP")
    name = local(root.tag)
    if name == "Probe":
        return []
    match: Element | None = root if name == "ProbeMatch" else find(root, "ProbeMatch")
    if match is None:
        return []
    return [_evidence(match, src)]


def _evidence(pm: Element, src: Endpoint) -> Evidence:
    description = text(pm, "DeviceDescription")
    device_type = text(pm, "DeviceType")
    model = description
    if not model and device_type and not device_type.isdigit():
        model = device_type

    reported_ip = ipv4(text(pm, "IPv4Address"))
    notes: list[str] = []
    activated = text(pm, "Activated").lower()
    if activated in _FALSE:
        notes.append("not activated (Activated=false)")
    if src.ip and reported_ip and reported_ip != src.ip:
        notes.append(f"reports IPv4Address {reported_ip}")
    analog, digital = _int(text(pm, "AnalogChannelNum")), _int(text(pm, "DigitalChannelNum"))
    if analog > 0 or digital > 1:
        notes.append(f"channels: analog={analog} digital={digital}")

    return Evidence(
        source="sadp",
        platform="Hikvision",
        ip=src.ip or reported_ip,
        mac=normalise_mac(src.mac) or normalise_mac(text(pm, "MAC")),
        vendor=text(pm, "OEMInfo"),
        model=model,
        serial=text(pm, "DeviceSN"),
        firmware=normalise_firmware(text(pm, "SoftwareVersion")),
        name=text(pm, "DeviceName"),
        ipv6=ipv6(text(pm, "IPv6Address")),
        note="; ".join(notes),
        # a recorder's channel count, for the cameras it may have when it cannot be asked
        channel_capacity=analog + digital if text(pm, "AnalogChannelNum") or text(pm, "DigitalChannelNum") else None,
    )
