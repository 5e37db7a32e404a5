"""Dahua CGI: magicBox.cgi's key=value answers and configManager.cgi's RemoteDevice table."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from camscan.lab.answers.common import http_message, server_header
from camscan.lab.profile import Profile
from camscan.protocols import dhip, http, rtsp


def _kv(lines: list[tuple[str, Any]]) -> bytes:
    return "".join(f"{k}={v}\r\n" for k, v in lines).encode("utf-8")


def cgi_remote_devices(p: Profile) -> bytes:
    """The body of configManager.cgi?action=getConfig&name=RemoteDevice (a Dahua recorder's cameras)."""
    rows: list[tuple[str, Any]] = []
    for rd in (p.cgi or {}).get("remote_devices", []):
        prefix = f"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_{int(rd['slot'])}."
        fields = {
            "Address": rd["address"], "DeviceType": rd.get("device_type", ""),
            "Enable": "true" if rd["enable"] else "false", "HttpPort": rd.get("http_port", http.PORT),
            "Mac": rd.get("mac", ""), "Name": rd.get("name", ""),
            "Password": "******" if rd["enable"] else "", "Port": rd.get("port", dhip.SDK_PORT),
            "ProtocolType": rd.get("protocol", "Private"), "RtspPort": rd.get("rtsp_port", rtsp.PORT),
            "SerialNo": rd.get("serial", ""), "UserName": rd.get("username", ""),
            "Vendor": rd.get("vendor", ""), "Version": rd.get("version", ""),
            "VideoInputs[0].MainStreamUrl": "", "VideoInputs[0].Name": rd.get("name", ""),
        }
        rows += [(prefix + k, v) for k, v in fields.items()]
    rows.sort(key=lambda kv: kv[0])  # the device lists keys in string order (INFO_0, INFO_1, INFO_10...)
    return _kv(rows)


def cgi_route(p: Profile, path: str, query: str, close: bool) -> bytes:
    c = p.cgi or {}
    args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    action = args.get("action", "")
    body: bytes | None = None
    if path == "/cgi-bin/magicBox.cgi":
        info = c["system_info"]
        answers = {
            "getSystemInfo": lambda: _kv(list(info.items())),
            "getDeviceType": lambda: _kv([("type", c.get("device_type", info["deviceType"]))]),
            "getSoftwareVersion": lambda: _kv([("version", c["software_version"])]),
            "getVendor": lambda: _kv([("vendor", c["vendor"])]),
            "getSerialNo": lambda: _kv([("sn", info["serialNumber"])]),
            "getMachineName": lambda: _kv([("name", c["machine_name"])]),
            "getHardwareVersion": lambda: _kv([("version", c.get("hardware_version", "1.00"))]),
        }
        if action in answers:
            body = answers[action]()
    elif path == "/cgi-bin/configManager.cgi":
        if action == "getConfig" and args.get("name") == "RemoteDevice" and c.get("remote_devices"):
            body = cgi_remote_devices(p)
        elif action == "getConfig" and args.get("name") == "VideoAnalyseRule" and c.get("analyse_rules"):
            body = _kv([(f"table.VideoAnalyseRule[0][{i}].{k}", v) for i, r in enumerate(c["analyse_rules"])
                        for k, v in (("Enable", "true" if r["enable"] else "false"), ("Name", r["type"]),
                                     ("Type", r["type"]))])
    elif path == "/cgi-bin/devVideoAnalyse.cgi":
        if action == "getCaps" and c.get("analyse_caps"):
            body = _kv([(f"caps.SupportedRules[{i}]", rule) for i, rule in enumerate(c["analyse_caps"])])
    else:
        return http_message(404, b"", "text/plain", server_header(p), close=close)
    if body is None:
        return http_message(400, b"Error\r\nBad Request!\r\n", "text/plain;charset=utf-8", server_header(p),
                            close=close)
    return http_message(200, body, "text/plain;charset=utf-8", server_header(p), close=close)
