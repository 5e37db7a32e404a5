"""Hikvision SADP: the ProbeMatch a device multicasts in answer to a probe."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from camscan.lab.answers.common import dash_mac, esc, stable_uuid
from camscan.lab.profile import Profile
from camscan.protocols import http
from camscan.protocols.sadp import SDK_PORT


def sadp_reply(p: Profile, probe_uuid: str | None = None) -> bytes:
    """Hikvision SADP ProbeMatch (UDP 37020), echoing the probe's Uuid when given.

    Field order, the missing space in "V5.6.2build 190701" and the "flase" typos are the real
    firmware's. style "short" is the trimmed field set EZVIZ units send.
    """
    s = p.sadp
    if s is None:
        raise ValueError(f"{p.id}: no [sadp] section")
    uid = probe_uuid or s.get("uuid") or stable_uuid(p, "sadp")
    common = {
        "DeviceDescription": s["description"], "DeviceSN": s["serial"],
        "CommandPort": s.get("command_port", SDK_PORT), "MAC": dash_mac(p.mac), "IPv4Address": p.ip,
        "IPv4SubnetMask": "255.255.255.0", "IPv4Gateway": p.gateway,
    }
    if s.get("style", "full") == "short":
        fields: list[tuple[str, Any]] = [("Types", "inquiry"), ("Uuid", uid), *common.items(),
                                         ("SoftwareVersion", s["software_version"])]
        body = "".join(f"<{k}>{esc(v)}</{k}>" for k, v in fields)
        return f'<?xml version="1.0" encoding="UTF-8" ?><ProbeMatch>{body}</ProbeMatch>'.encode()
    fields = [
        ("Uuid", uid), ("Types", "inquiry"), ("DeviceType", s.get("device_type_code", "0")),
        ("DeviceDescription", common["DeviceDescription"]), ("DeviceSN", common["DeviceSN"]),
        ("CommandPort", common["CommandPort"]), ("HttpPort", s.get("http_port", http.PORT)),
        ("MAC", common["MAC"]), ("IPv4Address", p.ip), ("IPv4SubnetMask", "255.255.255.0"),
        ("IPv4Gateway", p.gateway), ("IPv6Address", p.ipv6["address"] if p.ipv6 else "::"), ("IPv6Gateway", "::"),
        ("IPv6MaskLen", 64), ("DHCP", "false"),
        ("AnalogChannelNum", s.get("analog_channels", 0)),
        ("DigitalChannelNum", s.get("digital_channels", 1)),
        ("SoftwareVersion", s["software_version"]), ("DSPVersion", s.get("dsp_version", "")),
        ("BootTime", s.get("boot_time", "1970-01-01 00:00:00")),
    ]
    if s.get("oem_info"):
        fields.append(("OEMInfo", s["oem_info"]))
    fields += [
        ("Encrypt", "true"), ("ResetAbility", "false"), ("DiskNumber", s.get("disk_number", 0)),
        ("Activated", "true" if s.get("activated", True) else "false"),
        ("PasswordResetAbility", "true"), ("PasswordResetModeSecond", "true"),
        ("DetailOEMCode", s.get("oem_code", 1)), ("SupportSecurityQuestion", "true"),
        ("SupportHCPlatform", "true"), ("HCPlatformEnable", "flase"),
        ("IsModifyVerificationCode", "true"),
        ("Salt", hashlib.sha256(f"camscan-lab:{p.id}:salt".encode()).hexdigest()),
        ("DeviceLock", "flase"), ("SDKOverTLSPort", 8443), ("SDKServerStatus", "true"),
        ("SDKOverTLSServerStatus", "true"), ("SupportMailBox", "true"),
    ]
    body = "\n".join(f"<{k}>{esc(v)}</{k}>" for k, v in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ProbeMatch>\n{body}\n</ProbeMatch>\n'.encode()


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(ProbeMatch, "group") for an SADP inquiry, echoing its Uuid; None for anything else."""
    text = probe.decode("utf-8", "replace")
    if "<Probe>" not in text or "inquiry" not in text:
        return None
    m = re.search(r"<Uuid>([^<]{1,64})</Uuid>", text)
    return sadp_reply(p, m.group(1) if m else None), "group"
