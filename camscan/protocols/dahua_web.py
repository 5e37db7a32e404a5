"""Dahua's web UI (firmware 3.x and later): the unauthenticated capabilities document
`/web_caps/webCapsConfig`, the `/RPC2_Login` challenge and the JSON-RPC answers of `/RPC2`
that a browser session asks for — read from a capture, never sent by camscan.

- webCapsConfig: `vendor`, `deviceClass`/`deviceType` (the DHIP class words: SD = speed dome),
  `SN`, `WebVersion`, served to anyone before login.
- RPC2_Login's first answer is a challenge carrying the device's `realm` (`Login to <serial>`)
  and `mac`; the realm becomes an `http_realm` banner (the signatures read the serial from it).
- RPC2 answers, paired with the request by JSON-RPC id (system.multicall too):
  magicBox.getSoftwareVersion (firmware), getDeviceType (model), getSerialNo, getDeviceClass,
  getProductDefinition (HasPtz; Major/Minor/OEM/Revision/TypeVersion, Dahua's firmware layout
  `2.622.0000000.7.R`).

Only Dahua firmware (and its OEMs') serves these, so answers carry platform="Dahua"; an answer
inside a logged-in session (the request carries one) is authenticated. Pure: bytes in,
Evidence out; raises only Malformed.
"""

from __future__ import annotations

import json
from typing import Any

from camscan.firmware import normalise_firmware
from camscan.identify.device_classes import classify
from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

WEB_CAPS = "/web_caps/webcapsconfig"
RPC2 = "/rpc2"
RPC2_LOGIN = "/rpc2_login"
MAX_BODY = 1_000_000
MAX_CALLS = 200
_VERSION_PARTS = ("MajorVersion", "MinorVersion", "OEMVersion", "Revision", "TypeVersion")


def _json(body: bytes, what: str) -> Any:
    if len(body) > MAX_BODY:
        raise Malformed(f"{what}: body of {len(body)} bytes is too large")
    try:
        return json.loads(bytes(body).decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        raise Malformed(f"{what}: not JSON") from None


def _text(value: object, limit: int = 100) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())[:limit]


def parse_web_caps(body: bytes, server: Endpoint) -> list[Evidence]:
    """webCapsConfig → [Evidence] with vendor, class (type and form) and serial."""
    doc = _json(body, "Dahua webCapsConfig")
    if not isinstance(doc, dict) or not ("deviceClass" in doc or "SN" in doc):
        return []
    device_class = _text(doc.get("deviceClass")) or _text(doc.get("deviceType"))
    device_type, form = classify("dhip", device_class)
    notes = [f"DeviceClass {device_class}"] if device_class else []
    if _text(doc.get("WebVersion")):
        notes.append(f"web UI {_text(doc.get('WebVersion'))}")
    return [Evidence(
        source="cgi", platform="Dahua", ip=server.ip, mac=normalise_mac(server.mac),
        vendor=_text(doc.get("vendor")), serial=_text(doc.get("SN")),
        device_type=device_type, form=form, note="; ".join(notes),
    )]


def parse_login(body: bytes, server: Endpoint) -> list[Evidence]:
    """The RPC2_Login challenge → [Evidence] with its realm as a banner and the device's MAC."""
    doc = _json(body, "Dahua RPC2_Login")
    params = doc.get("params") if isinstance(doc, dict) else None
    if not isinstance(params, dict) or not _text(params.get("realm")):
        return []
    return [Evidence(
        source="cgi", platform="Dahua", ip=server.ip,
        mac=normalise_mac(server.mac) or normalise_mac(_text(params.get("mac"))),
        banners={"http_realm": _text(params.get("realm"), 200)},
    )]


def _calls(request: Any) -> dict[int, tuple[str, Any]]:
    """JSON-RPC id → (method, params) of a request, multicall flattened."""
    if not isinstance(request, dict):
        return {}
    if request.get("method") == "system.multicall" and isinstance(request.get("params"), list):
        inner = request["params"][:MAX_CALLS]
    else:
        inner = [request]
    out = {}
    for call in inner:
        if isinstance(call, dict) and isinstance(call.get("id"), int) and isinstance(call.get("method"), str):
            out[call["id"]] = (call["method"], call.get("params"))
    return out


def _answers(response: Any) -> dict[int, Any]:
    """JSON-RPC id → params of each successful answer, multicall flattened."""
    if not isinstance(response, dict):
        return {}
    inner = response.get("params") if isinstance(response.get("params"), list) else [response]
    return {a["id"]: a.get("params") for a in inner[:MAX_CALLS]
            if isinstance(a, dict) and isinstance(a.get("id"), int) and a.get("result") is not False}


def _read(method: str, asked: Any, params: Any, found: dict[str, str]) -> None:
    """What one answer says, into `found` (model, firmware, serial, class, ptz, version parts)."""
    if not isinstance(params, dict):
        return
    if method == "magicBox.getSoftwareVersion" and isinstance(params.get("version"), dict):
        found["firmware"] = _text(params["version"].get("Version"))
    elif method == "magicBox.getDeviceType":
        found["model"] = _text(params.get("type"))
    elif method == "magicBox.getSerialNo":
        found["serial"] = _text(params.get("sn"))
    elif method == "magicBox.getDeviceClass":
        found["class"] = _text(params.get("type"))
    elif method == "magicBox.getProductDefinition" and isinstance(asked, dict):
        name, value = _text(asked.get("name")), params.get("definition")
        if name == "HasPtz" and isinstance(value, bool):
            found["ptz"] = "yes" if value else "no"
        elif name in _VERSION_PARTS and _text(value):
            found[name] = _text(value)


def parse_rpc2(request_body: bytes, body: bytes, server: Endpoint) -> list[Evidence]:
    """An RPC2 exchange → [Evidence] with what the answered magicBox calls say; [] when none
    of them is one camscan reads."""
    request = _json(request_body, "Dahua RPC2 request")
    calls = _calls(request)
    if not calls:
        return []
    found: dict[str, str] = {}
    for call_id, params in _answers(_json(body, "Dahua RPC2")).items():
        if call_id in calls:
            _read(calls[call_id][0], calls[call_id][1], params, found)
    if all(found.get(p) for p in _VERSION_PARTS) and not found.get("firmware"):
        found["firmware"] = ".".join(found[p] for p in _VERSION_PARTS)
    device_type, form = classify("dhip", found.get("class", ""))
    if found.get("ptz") == "yes" and device_type in ("", "camera"):
        form = "ptz"  # a recorder may say HasPtz too (it drives its cameras'); only the form
    if not (found.get("model") or found.get("firmware") or found.get("serial") or device_type):
        return []
    return [Evidence(
        source="cgi", platform="Dahua", ip=server.ip, mac=normalise_mac(server.mac),
        model=found.get("model", ""), firmware=normalise_firmware(found.get("firmware", "")),
        serial=found.get("serial", ""), device_type=device_type, form=form,
        authenticated=bool(isinstance(request, dict) and request.get("session")),
    )]
