"""Dahua DHIP discovery (UDP 37810, multicast 239.255.255.251): build the `DHDiscover.search`
probe and read `client.notifyDevInfo` replies into Evidence.

A DHIP datagram is a 32-byte header (`20 00 00 00 "DHIP"`, session and request ids, the JSON
length little-endian at offsets 16 and 24) followed by JSON. Devices do not answer bare JSON,
so the probe always carries the header; replies are accepted with or without it. Only Dahua
firmware (and its OEM lines: Amcrest, Lorex, Intelbras, white-label "Private"/"General"...)
speaks DHIP, so every reply carries platform="Dahua"; Vendor/Manufacturer is the badge and
is kept raw.

Pure: bytes in, Evidence out. It must not open sockets and must not resolve the badge to a
maker (identify/ does). Some firmware emits broken JSON (a real reply has
`"Version" : "1.0000,` with the closing quote missing); such replies are salvaged field by
field with a bounded regex rather than dropped.
"""

from __future__ import annotations

import json
import re
import struct
from typing import Any

from camscan.firmware import normalise_firmware
from camscan.identify import analytics
from camscan.identify.device_classes import classify, classify_model
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.addresses import ipv4
from camscan.values import normalise_mac

PORT = 37810
GROUP = "239.255.255.251"
SDK_PORT = 37777  # Dahua's private SDK port (the Port a DHIP reply names)
MAX_PAYLOAD = 1_000_000
HEADER_LEN = 32
MAGIC = b"DHIP"

PROBE_JSON = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'

# "Key" : "string" | number | true/false/null — for salvaging broken JSON.
_FIELD = re.compile(rb'"([A-Za-z][\w]{0,40})"\s*:\s*(?:"((?:[^"\\\r\n]|\\.){0,256})"|(-?\d{1,12})|(true|false|null))')
_SALVAGE_KEYS = {
    "mac", "method", "DeviceClass", "DeviceType", "SerialNo", "Version", "Vendor",
    "Manufacturer", "MachineName", "IPAddress", "VideoInputChannels", "RemoteVideoInputChannels",
}


def build_probe() -> bytes:
    """The 32-byte DHIP header followed by the DHDiscover.search JSON."""
    size = len(PROBE_JSON)
    header = struct.pack("<I", HEADER_LEN) + MAGIC + bytes(8) + struct.pack("<QQ", size, size)
    return header + PROBE_JSON


def _body(data: bytes) -> bytes | None:
    """The JSON part of a DHIP datagram, None when the datagram is not DHIP at all."""
    if data[4:8] == MAGIC:
        if len(data) < HEADER_LEN:
            raise Malformed(f"DHIP: truncated header ({len(data)} of {HEADER_LEN} bytes)")
        body = data[HEADER_LEN:]
        declared = struct.unpack_from("<I", data, 16)[0]
        if declared > len(body):
            raise Malformed(f"DHIP: truncated body ({len(body)} of {declared} bytes)")
        if declared:
            body = body[:declared]
        if not body.lstrip().startswith(b"{"):
            # header sizes have varied across firmware: find the JSON rather than trust 32
            brace = data.find(b"{", 8, 128)
            body = data[brace:] if brace >= 0 else body
        return body
    if data.lstrip().startswith(b"{"):
        return data
    return None


def _str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        return " ".join(str(value).split())[:256]
    return ""


def _salvage(body: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for m in _FIELD.finditer(body[:65536]):
        key = m.group(1).decode("ascii")
        if key not in _SALVAGE_KEYS or key in found:
            continue
        raw = m.group(2) if m.group(2) is not None else (m.group(3) or b"")
        value = raw.decode("utf-8", "replace").replace("\\/", "/")
        # a value whose closing quote was lost swallows the separator of the next field
        found[key] = value.strip().rstrip(",").strip()
    return found


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A DHIP datagram (with the 32-byte header or bare JSON) → [Evidence] for
    `client.notifyDevInfo`; [] for `DHDiscover.search` requests, other methods and
    datagrams that are not DHIP. Malformed for truncated headers, oversized payloads and
    JSON from which neither a MAC nor a DeviceType can be recovered."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"DHIP: payload of {len(data)} bytes is too large")
    if not data.strip():
        raise Malformed("DHIP: empty payload")
    body = _body(data)
    if body is None:
        return []
    body = body.rstrip(b"\x00 \t\r\n")
    try:
        message = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return _from_salvage(body, src)
    if not isinstance(message, dict):
        return []
    method = _str(message.get("method"))
    if method == "DHDiscover.search":
        return []
    params = message.get("params")
    info = params.get("deviceInfo") if isinstance(params, dict) else None
    if not isinstance(info, dict) or (method and method != "client.notifyDevInfo"):
        return []
    ipv4 = info.get("IPv4Address")
    fields = {
        "mac": _str(message.get("mac")),
        "IPAddress": _str(ipv4.get("IPAddress")) if isinstance(ipv4, dict) else "",
    }
    for key in ("DeviceClass", "DeviceType", "SerialNo", "Version", "Vendor", "Manufacturer", "MachineName",
                "VideoInputChannels", "RemoteVideoInputChannels"):
        fields[key] = _str(info.get(key))
    return [_evidence(fields, src, "")]


def _from_salvage(body: bytes, src: Endpoint) -> list[Evidence]:
    fields = _salvage(body)
    if fields.get("method") == "DHDiscover.search":
        return []
    method = fields.get("method", "")
    if method and method != "client.notifyDevInfo":
        return []
    if not normalise_mac(fields.get("mac", "")) and not fields.get("DeviceType"):
        raise Malformed(f"DHIP: JSON not readable ({repr(body[:40])[:60]})")
    return [_evidence(fields, src, "salvaged from malformed JSON")]



def _evidence(fields: dict[str, str], src: Endpoint, note: str) -> Evidence:
    device_class = fields.get("DeviceClass", "")
    # what the class means is data: signatures/device_classes.toml [[dhip]]
    device_type, form = classify("dhip", device_class)
    if not device_type:  # no class, or one the vocabulary lacks: the model family's prefix
        device_type, form = classify_model("dhip", fields.get("DeviceType", ""))
    notes = [note] if note else []
    if device_class:
        notes.append(f"DeviceClass {device_class}")
    # a class that exists for an analytic (ITC: traffic/ANPR cameras), from analytics.toml
    cap = analytics.load().word("dhip", device_class)
    inputs = [int(v) for v in (fields.get("VideoInputChannels", ""), fields.get("RemoteVideoInputChannels", ""))
              if v.isdigit() and len(v) < 6]
    return Evidence(
        source="dhip",
        platform="Dahua",
        ip=src.ip or ipv4(fields.get("IPAddress", "")),
        mac=normalise_mac(src.mac) or normalise_mac(fields.get("mac", "")),
        model=fields.get("DeviceType", ""),
        vendor=fields.get("Vendor", "") or fields.get("Manufacturer", ""),
        serial=fields.get("SerialNo", ""),
        firmware=normalise_firmware(fields.get("Version", "")),
        name=fields.get("MachineName", ""),
        device_type=device_type,
        form=form,
        note="; ".join(notes),
        analytics={cap: analytics.CAPABLE} if cap else None,
        channel_capacity=sum(inputs) if inputs else None,
    )
