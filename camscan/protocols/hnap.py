"""D-Link HNAP (Home Network Administration Protocol, SOAP over HTTP at `/HNAP1/`): read a
`GetDeviceSettingsResponse` into Evidence — VendorName, ModelName, FirmwareVersion,
HardwareVersion, DeviceName, DeviceMacId, ModelDescription, ModuleTypes.

D-Link cameras (DCS-9xx), hubs and routers answer it, and their setup apps ask it first, so a
capture of a camera's setup usually holds one; most firmware also answers a plain
`GET /HNAP1/` with the same document, without authentication. HNAP is D-Link's (and
Cisco/Linksys') so no platform is claimed; VendorName is the badge as the device states it.
A ModelDescription naming a camera ("Wireless Internet Camera") is the device's own word and
sets device_type="camera"; anything else leaves the type to the model patterns.

Pure: bytes in, Evidence out, no sockets; XML through camscan.safexml. Banner kinds set here:
hnap_model_description, hnap_module_types, hnap_hardware_version.
"""

from __future__ import annotations

import re

from camscan.firmware import normalise_firmware
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.arp import normalise_mac
from camscan.protocols.cstrings import cstring
from camscan.safexml import find, find_all, local, parse_xml, text

PATH = "/HNAP1/"
NAMESPACE = "http://purenetworks.com/HNAP1/"
PORTS = (80, 443, 8080)
MAX_BODY = 1_000_000
_CAMERA = re.compile(r"\bcamera\b", re.I)
_MAX_MODULES = 16


def build_request(action: str = "GetDeviceSettings") -> tuple[dict[str, str], bytes]:
    """Headers and body of an HNAP SOAP 1.1 POST to PATH for `action` (a bare name)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,63}", action):
        raise ValueError("HNAP action must be a bare name such as GetDeviceSettings")
    body = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<{action} xmlns="{NAMESPACE}" /></soap:Body></soap:Envelope>').encode("ascii")
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NAMESPACE}{action}"'}
    return headers, body


def is_hnap(body: bytes) -> bool:
    """Whether a response body is in the HNAP namespace (so it goes here, not to ONVIF)."""
    return NAMESPACE.encode() in bytes(body[:4096])


def parse_response(body: bytes, server: Endpoint) -> list[Evidence]:
    """A GetDeviceSettingsResponse document (SOAP envelope or bare) → [Evidence]; [] for other
    HNAP answers (LoginResponse, Set...Response) and documents without device fields.
    Malformed for broken, hostile or oversized XML."""
    data = bytes(body)
    if len(data) > MAX_BODY:
        raise Malformed(f"HNAP: body of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("HNAP: empty body")
    root = parse_xml(data, "HNAP")
    settings = root if local(root.tag) == "GetDeviceSettingsResponse" else find(root, "GetDeviceSettingsResponse")
    if settings is None:
        return []
    fields = {name: cstring(text(settings, name).encode(), 200) for name in (
        "VendorName", "ModelName", "FirmwareVersion", "HardwareVersion", "DeviceName", "DeviceMacId",
        "ModelDescription")}
    if not (fields["ModelName"] or fields["DeviceMacId"] or fields["VendorName"]):
        return []
    modules_el = find(settings, "ModuleTypes")
    modules = [cstring((m.text or "").encode(), 60) for m in find_all(modules_el, "string")[:_MAX_MODULES]] \
        if modules_el is not None else []
    banners = {}
    if fields["ModelDescription"]:
        banners["hnap_model_description"] = fields["ModelDescription"]
    if any(modules):
        banners["hnap_module_types"] = ", ".join(m for m in modules if m)
    if fields["HardwareVersion"]:
        banners["hnap_hardware_version"] = fields["HardwareVersion"]
    return [Evidence(
        source="hnap",
        ip=server.ip,
        mac=normalise_mac(fields["DeviceMacId"]) or normalise_mac(server.mac),
        vendor=fields["VendorName"],
        model=fields["ModelName"][:100],
        firmware=normalise_firmware(fields["FirmwareVersion"]),
        name=fields["DeviceName"],
        device_type="camera" if _CAMERA.search(fields["ModelDescription"]) else "",
        banners=banners,
    )]
