"""ONVIF SOAP: parsers for the answers to the read-only requests camscan sends.

ONVIF is the cross-vendor camera API (SOAP 1.2 over HTTP, WS-Security UsernameToken digest).
It says who the device claims to be (GetDeviceInformation: Manufacturer, Model,
FirmwareVersion, SerialNumber), whether it has a PTZ service (GetCapabilities, GetServices,
PTZ GetNodes), its name (GetHostname, GetScopes) and how many video sources it has.
Rebadged units report the badge as Manufacturer, so it is the weakest maker signal; it is
kept raw in `vendor` and resolved later. Some vendors advertise a PTZ service on fixed
cameras (Xiongmai firmware is known for it), which is why fusion ranks ISAPI/model patterns
above ONVIF for static-vs-PTZ.

GetScopesResponse is read with WS-Discovery's scope handling (one reading of scopes for both).
Parsers accept a whole Envelope or a logged Body (prefixes undeclared; safexml copes).

The requests themselves (Get* only, WS-Security digest) are made by onvif-zeep-async in
camscan/scan/enrich.py; the lab answers them in camscan/lab/answers.py.

What it must not do: raise anything but Malformed. `authenticated` is True for answers other
than faults and GetSystemDateAndTime, which devices give without credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from camscan.firmware import normalise_firmware
from camscan.identify import analytics
from camscan.model import Endpoint, Evidence
from camscan.protocols import wsdiscovery
from camscan.safexml import find, find_all, local, parse_xml, text
from camscan.values import normalise_mac

PTZ_NS = "http://www.onvif.org/ver20/ptz/wsdl"


def scope_fields(scopes: list[str]) -> dict[str, str]:
    """ONVIF scope URIs → fields, read exactly as WS-Discovery reads them (wsdiscovery.parse_scopes
    and its type table): `.../name/HIKVISION%20DS-2CD2385G1-I` → name (percent-decoded),
    `.../hardware/DS-2CD2385G1-I` → model, `.../type/ptz` → form ptz, `.../type/NVR` (and the
    other unambiguous recorder types) → device_type, `.../MAC/58:50:ed:1f:e3:85` → mac.
    Returns only the keys found: name, model, form, device_type, mac."""
    parsed = wsdiscovery.parse_scopes(" ".join(scopes))
    first = {}
    for key, value in parsed:
        if value and key not in first:
            first[key] = " ".join(value.split())[:120]
    kinds = {v.lower() for k, v in parsed if k == "type"}
    out: dict[str, str] = {}
    if first.get("name"):
        out["name"] = first["name"]
    if first.get("hardware"):
        out["model"] = first["hardware"]
    if "ptz" in kinds:
        out["form"] = "ptz"
    device_type = next((wsdiscovery._TYPE_HINTS[k] for k in sorted(kinds) if k in wsdiscovery._TYPE_HINTS), "")
    if device_type:
        out["device_type"] = device_type
    mac = normalise_mac(first.get("mac", ""))
    if mac:
        out["mac"] = mac
    return out


def _operation(root: Element) -> Element | None:
    """The response element: the first child of Body, or the root of a logged fragment."""
    name = local(root.tag)
    if name in ("Envelope", "Body"):
        body = root if name == "Body" else find(root, "Body")
        if body is None:
            return None
        return next(iter(body), None)
    return root


def _direct(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    return next((c for c in el if local(c.tag) == name), None)


def _fault_note(op: Element) -> str:
    # SOAP 1.2: Code/Value, Code/Subcode/Value...: the deepest value is the most specific
    # (ter:NotAuthorized); SOAP 1.1: faultcode/faultstring.
    codes = []
    cur = _direct(op, "Code")
    while cur is not None and len(codes) < 8:
        value = _direct(cur, "Value")
        if value is not None and (value.text or "").strip():
            codes.append(value.text.strip())
        cur = _direct(cur, "Subcode")
    code = codes[-1] if codes else text(op, "faultcode")
    reason = text(op, "Text") or text(op, "faultstring")
    code = local(code) if code else "unknown"
    note = f"onvif fault: {code}"
    if reason:
        note += f" ({' '.join(reason.split())[:60]})"
    return note


def parse_response(body: bytes, server: Endpoint) -> list[Evidence]:
    """One ONVIF response body → Evidence (see the module docstring for what each gives)."""
    root = parse_xml(body, "ONVIF response")
    op = _operation(root)
    if op is None:
        return []
    name = local(op.tag)

    def ev(**kw: object) -> Evidence:
        fields: dict[str, object] = {"ip": server.ip, "mac": normalise_mac(server.mac), "authenticated": True}
        fields.update(kw)
        return Evidence(source="onvif", **fields)  # type: ignore[arg-type]

    if name == "Fault":
        return [ev(note=_fault_note(op), authenticated=False)]
    if name == "GetScopesResponse":
        return _scopes(op, ev, server)
    reader = _READERS.get(name)
    return reader(op, ev) if reader else []


_Ev = Callable[..., Evidence]


def _device_information(op: Element, ev: _Ev) -> list[Evidence]:
    fields = {k: text(op, k) for k in ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")}
    if not any(fields.values()):
        return []
    return [ev(vendor=fields["Manufacturer"], model=fields["Model"],
               firmware=normalise_firmware(fields["FirmwareVersion"]), serial=fields["SerialNumber"],
               note=f"HardwareId={fields['HardwareId'][:40]}" if fields["HardwareId"] else "")]


def _capabilities(op: Element, ev: _Ev) -> list[Evidence]:
    caps = find(op, "Capabilities")
    if caps is None:
        return []
    ptz = [p for p in find_all(caps, "PTZ") if text(p, "XAddr")]
    sources = text(caps, "DeviceIO", "VideoSources")
    note = f"video sources: {sources}" if sources.isdigit() else ""
    if ptz:
        return [ev(form="ptz", note=note)]
    if find(caps, "Media") is not None:
        return [ev(form="static", note=note)]
    return []


def _services(op: Element, ev: _Ev) -> list[Evidence]:
    services = find_all(op, "Service")
    if not services:
        return []
    ptz = any(text(s, "Namespace") == PTZ_NS for s in services)
    return [ev(form="ptz" if ptz else "static")]


def _nodes(op: Element, ev: _Ev) -> list[Evidence]:
    nodes = find_all(op, "PTZNode")
    return [ev(form="ptz", note=f"PTZ nodes: {len(nodes)}")] if nodes else []


def _hostname(op: Element, ev: _Ev) -> list[Evidence]:
    hostname = text(op, "Name")
    return [ev(name=hostname[:120])] if hostname else []


def _video_sources(op: Element, ev: _Ev) -> list[Evidence]:
    return [ev(note=f"video sources: {len(find_all(op, 'VideoSources'))}")]


def _scopes(op: Element, ev: _Ev, server: Endpoint) -> list[Evidence]:
    fields = scope_fields([text(i) for i in find_all(op, "ScopeItem")])
    if not fields:
        return []
    banners = {}
    if "name" in fields:
        banners["wsd_name"] = fields["name"]
    if "model" in fields:
        banners["wsd_hardware"] = fields["model"]
    return [ev(name=fields.get("name", ""), model=fields.get("model", ""), form=fields.get("form", ""),
               device_type=fields.get("device_type", ""), banners=banners,
               mac=normalise_mac(server.mac) or fields.get("mac", ""))]


def _event_topics(op: Element, ev: Callable[..., Evidence]) -> list[Evidence]:
    """GetEventProperties: the topics the device can raise (tns1:RuleEngine/LineDetector/Crossed
    is the element path RuleEngine > LineDetector > Crossed). A topic segment analytics.toml
    names is a capability; a topic set without any is a standard camera's. Topics say what the
    device can raise, not what is configured: every capability is "capable"."""
    topics = find(op, "TopicSet")
    if topics is None:
        return []
    vocab = analytics.load()
    found = {cap: analytics.CAPABLE for cap in (vocab.word("onvif", local(el.tag)) for el in topics.iter()) if cap}
    return [ev(analytics=found)]


# each answer the module reads, by its operation's element name (GetSystemDateAndTime says
# nothing about the device: the clock is the client's business)
_READERS: dict[str, Callable[[Element, _Ev], list[Evidence]]] = {
    "GetDeviceInformationResponse": _device_information,
    "GetCapabilitiesResponse": _capabilities,
    "GetServicesResponse": _services,
    "GetNodesResponse": _nodes,
    "GetHostnameResponse": _hostname,
    "GetEventPropertiesResponse": _event_topics,
    "GetVideoSourcesResponse": _video_sources,
}
