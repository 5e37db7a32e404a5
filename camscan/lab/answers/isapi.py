"""Hikvision ISAPI: deviceInfo, the recorder's InputProxy channel list, a DVR's analogue inputs,
the PTZ channels, System/capabilities and the smart-event configurations, and the ResponseStatus
errors real devices give for what they do not support.
"""

from __future__ import annotations

from camscan.lab.answers.common import esc, http_message, server_header, stable_uuid
from camscan.lab.profile import Profile
from camscan.protocols import sadp

NS_HIKVISION = "http://www.hikvision.com/ver20/XMLSchema"
NS_ISAPI = "http://www.isapi.org/ver20/XMLSchema"


def _isapi_ns(p: Profile) -> tuple[str, str]:
    isapi = p.isapi or {}
    ns = NS_ISAPI if isapi.get("namespace") == "isapi" else NS_HIKVISION
    return ns, str(isapi.get("version", "2.0"))


def _isapi_status(p: Profile, status: int, target: str, code: int, text: str, sub: str, close: bool) -> bytes:
    ns, version = _isapi_ns(p)
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="{version}" xmlns="{ns}">\n'
            f"<requestURL>{esc(target)}</requestURL>\n<statusCode>{code}</statusCode>\n"
            f"<statusString>{esc(text)}</statusString>\n<subStatusCode>{esc(sub)}</subStatusCode>\n"
            "</ResponseStatus>\n").encode()
    return http_message(status, body, "application/xml", server_header(p), close=close)


def isapi_device_info(p: Profile) -> bytes:
    """The body of GET /ISAPI/System/deviceInfo."""
    ns, version = _isapi_ns(p)
    info = (p.isapi or {})["device_info"]
    fields = "\n".join(f"<{k}>{esc(v)}</{k}>" for k, v in info.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="{version}" xmlns="{ns}">\n'
            f"{fields}\n</DeviceInfo>\n").encode()


def activate_status(p: Profile, close: bool) -> bytes:
    """GET /SDK/activateStatus, served without login as Hikvision firmware serves it: an
    ActivateStatus document in the device's ISAPI namespace whose Activated is the SADP
    section's `activated` (protocols/hikweb.py cites the public clients that read it)."""
    ns, version = _isapi_ns(p)
    activated = "true" if (p.sadp or {}).get("activated", True) else "false"
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ActivateStatus version="{version}" xmlns="{ns}">\n'
            f"<Activated>{activated}</Activated>\n</ActivateStatus>\n").encode()
    return http_message(200, body, "application/xml", server_header(p), close=close)


def _is_recorder(p: Profile) -> bool:
    return (p.isapi or {}).get("device_info", {}).get("deviceType") in ("NVR", "DVR", "HybirdNVR")


def isapi_input_proxy_channels(p: Profile) -> bytes:
    """The body of GET /ISAPI/ContentMgmt/InputProxy/channels on a recorder."""
    ns, version = _isapi_ns(p)
    channels = (p.isapi or {}).get("channels", [])
    size = (p.isapi or {}).get("input_proxy_size", len(channels))
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n'
             f'<InputProxyChannelList version="{version}" xmlns="{ns}" size="{size}">']
    for ch in channels:
        dev_index = ch.get("dev_index") or stable_uuid(p, "channel", str(ch["id"]))
        manage_port = int(ch.get("port", sadp.SDK_PORT))
        parts.append(
            f'<InputProxyChannel version="{version}" xmlns="{ns}">\n<id>{int(ch["id"])}</id>\n'
            f"<name>{esc(ch['name'])}</name>\n<sourceInputPortDescriptor>\n"
            f"<proxyProtocol>{esc(ch.get('protocol', 'HIKVISION'))}</proxyProtocol>\n"
            "<addressingFormatType>ipaddress</addressingFormatType>\n"
            f"<ipAddress>{esc(ch['ip'])}</ipAddress>\n<managePortNo>{manage_port}</managePortNo>\n"
            "<srcInputPort>1</srcInputPort>\n<userName>admin</userName>\n<connMode>plugplay</connMode>\n"
            f"<streamType>auto</streamType>\n<model>{esc(ch['model'])}</model>\n"
            f"<serialNumber>{esc(ch['serial'])}</serialNumber>\n"
            f"<firmwareVersion>{esc(ch['firmware'])}</firmwareVersion>\n<deviceID></deviceID>\n"
            "</sourceInputPortDescriptor>\n<certificateValidationEnabled>false</certificateValidationEnabled>\n"
            "<defaultAdminPortEnabled>true</defaultAdminPortEnabled>\n<enableAnr>false</enableAnr>\n"
            f"<enableTiming>true</enableTiming>\n<devIndex>{dev_index}</devIndex>\n</InputProxyChannel>"
        )
    parts.append("</InputProxyChannelList>\n")
    return "\n".join(parts).encode()


def _ptz_channel(ns: str, version: str, cid: int, axes: list[str]) -> str:
    flag = {a: "true" if a in axes else "false" for a in ("pan", "tilt", "zoom")}
    return (
        f'<PTZChannel version="{version}" xmlns="{ns}">\n<id>{cid}</id>\n<enabled>true</enabled>\n'
        f"<videoInputID>{cid}</videoInputID>\n<panMaxSpeed>100</panMaxSpeed>\n<tiltMaxSpeed>100</tiltMaxSpeed>\n"
        "<presetSpeed>4</presetSpeed>\n<autoPatrolSpeed>4</autoPatrolSpeed>\n"
        "<keyBoardControlSpeed>4</keyBoardControlSpeed>\n<controlProtocol>hikvision</controlProtocol>\n"
        "<controlAddress>\n<enabled>true</enabled>\n<Address>0</Address>\n</controlAddress>\n"
        "<defaultPresetID>1</defaultPresetID>\n"
        f"<panSupport>{flag['pan']}</panSupport>\n<tiltSupport>{flag['tilt']}</tiltSupport>\n"
        f"<zoomSupport>{flag['zoom']}</zoomSupport>\n</PTZChannel>"
    )


def isapi_ptz_channels(p: Profile) -> bytes | None:
    """The body of GET /ISAPI/PTZCtrl/channels, or None where the device has no PTZ channel."""
    ns, version = _isapi_ns(p)
    isapi = p.isapi or {}
    if _is_recorder(p):
        items = [_ptz_channel(ns, version, int(ch["id"]), ["pan", "tilt", "zoom"])
                 for ch in isapi.get("channels", []) if ch.get("ptz")]
    elif isapi.get("ptz_axes"):
        items = [_ptz_channel(ns, version, 1, list(isapi["ptz_axes"]))]
    else:
        return None
    body = "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<PTZChannelList version="{version}" xmlns="{ns}">',
                      *items, "</PTZChannelList>\n"])
    return body.encode()


def _flag(value: object) -> str:
    return "true" if value is True else "false" if value is False else esc(str(value))


def isapi_capabilities(p: Profile) -> bytes | None:
    """The body of GET /ISAPI/System/capabilities from [isapi.capabilities] (one table per
    capability block, SmartCap/EventCap/..., of isSupport* flags), or None when not declared."""
    ns, version = _isapi_ns(p)
    caps = (p.isapi or {}).get("capabilities")
    if not caps:
        return None
    blocks = []
    for block, flags in caps.items():
        inner = "\n".join(f"<{k}>{_flag(v)}</{k}>" for k, v in flags.items())
        blocks.append(f'<{block} version="{version}" xmlns="{ns}">\n{inner}\n</{block}>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceCap version="{version}" xmlns="{ns}">\n'
            "<SysCap>\n<isSupportDst>true</isSupportDst>\n</SysCap>\n" + "\n".join(blocks)
            + "\n</DeviceCap>\n").encode()


def isapi_smart_config(p: Profile, event: str) -> bytes | None:
    """The body of GET /ISAPI/Smart/<event>/1 from [isapi.smart] (event name → enabled), or None."""
    ns, version = _isapi_ns(p)
    smart = (p.isapi or {}).get("smart", {})
    if event not in smart:
        return None
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{event} version="{version}" xmlns="{ns}">\n<id>1</id>\n'
            f"<enabled>{_flag(bool(smart[event]))}</enabled>\n<sensitivityLevel>50</sensitivityLevel>\n"
            f"</{event}>\n").encode()


def isapi_video_inputs(p: Profile) -> bytes | None:
    """The body of GET /ISAPI/System/Video/inputs/channels on a DVR ([[isapi.video_inputs]]: id,
    name, signal — "NO VIDEO" when no camera is connected), or None when not declared."""
    ns, version = _isapi_ns(p)
    inputs = (p.isapi or {}).get("video_inputs", [])
    if not inputs:
        return None
    items = [f'<VideoInputChannel version="{version}" xmlns="{ns}">\n<id>{int(v["id"])}</id>\n'
             f'<inputPort>{int(v["id"])}</inputPort>\n<videoInputEnabled>true</videoInputEnabled>\n'
             f'<name>{esc(v["name"])}</name>\n<videoFormat>PAL</videoFormat>\n<resDesc>{esc(v["signal"])}</resDesc>\n'
             "</VideoInputChannel>" for v in inputs]
    return "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<VideoInputChannelList version="{version}" '
                       f'xmlns="{ns}">', *items, "</VideoInputChannelList>\n"]).encode()


def _optional(p: Profile, body: bytes | None, target: str, close: bool) -> bytes:
    if body is None:
        return _isapi_status(p, 403, target, 4, "Invalid Operation", "notSupport", close)
    return http_message(200, body, "application/xml", server_header(p), close=close)


def isapi_route(p: Profile, path: str, target: str, close: bool) -> bytes:
    if path == "/ISAPI/System/deviceInfo":
        return http_message(200, isapi_device_info(p), "application/xml", server_header(p), close=close)
    if path == "/ISAPI/ContentMgmt/InputProxy/channels":
        if not _is_recorder(p):
            return _isapi_status(p, 403, target, 4, "Invalid Operation", "notSupport", close)
        return http_message(200, isapi_input_proxy_channels(p), "application/xml", server_header(p), close=close)
    if path == "/ISAPI/PTZCtrl/channels":
        body = isapi_ptz_channels(p)
        if body is None:
            return _isapi_status(p, 403, target, 4, "Invalid Operation", "notSupport", close)
        return http_message(200, body, "application/xml", server_header(p), close=close)
    if path == "/ISAPI/System/capabilities":
        return _optional(p, isapi_capabilities(p), target, close)
    if path == "/ISAPI/System/Video/inputs/channels":
        return _optional(p, isapi_video_inputs(p), target, close)
    if path.startswith("/ISAPI/Smart/") and path.endswith("/1"):
        return _optional(p, isapi_smart_config(p, path.split("/")[3]), target, close)
    return _isapi_status(p, 404, target, 4, "Invalid Operation", "notSupport", close)
