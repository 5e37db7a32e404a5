"""Dahua DHIP: the client.notifyDevInfo a device answers DHDiscover.search with."""

from __future__ import annotations

import json
import struct

from camscan.lab.answers.common import link_local_ipv6
from camscan.lab.profile import Profile
from camscan.protocols import http
from camscan.protocols.dhip import SDK_PORT


def _dhip_frame(body: bytes, session_id: int = 0, request_id: int = 0) -> bytes:
    # 0x20 00 00 00 "DHIP", session id, request id, then the body length twice (offsets 16 and 24)
    return (b"\x20\x00\x00\x00DHIP" + struct.pack("<II", session_id, request_id)
            + struct.pack("<II", len(body), 0) + struct.pack("<II", len(body), 0) + body)


def dhip_reply(p: Profile, session_id: int = 0, request_id: int = 0) -> bytes:
    """Dahua DHIP client.notifyDevInfo (UDP 37810): 32-byte header, then JSON as real devices send it."""
    d = p.dhip
    if d is None:
        raise ValueError(f"{p.id}: no [dhip] section")
    info = {
        "AlarmInputChannels": d.get("alarm_inputs", 0), "AlarmOutputChannels": d.get("alarm_outputs", 0),
        "DeviceClass": d["device_class"], "DeviceID": "", "DeviceType": d["device_type"],
        "Find": d.get("find", "BC"), "FindVersion": d.get("find_version", 1),
        "HttpPort": d.get("http_port", http.PORT),
        "IPv4Address": {"DefaultGateway": p.gateway, "DhcpEnable": False, "IPAddress": p.ip,
                        "SubnetMask": "255.255.255.0"},
        "IPv6Address": {"DefaultGateway": None, "DhcpEnable": False, "IPAddress": "/0",
                        "LinkLocalAddress": link_local_ipv6(p.mac) + "/64"},
        "Init": d.get("init", 0), "MachineName": d.get("machine_name", d["serial"]),
        "Manufacturer": d.get("manufacturer", d["vendor"]), "Port": d.get("port", SDK_PORT),
        "RemoteVideoInputChannels": d.get("remote_video_inputs", 0), "SerialNo": d["serial"],
        "UnLoginFuncMask": 1, "Vendor": d["vendor"], "Version": d["version"],
        "VideoInputChannels": d.get("video_inputs", 1), "VideoOutputChannels": d.get("video_outputs", 0),
    }
    doc = {"mac": p.mac, "method": "client.notifyDevInfo", "params": {"deviceInfo": info}}
    # Dahua's JSON writer escapes "/" as "\/" (see the real samples)
    body = json.dumps(doc, sort_keys=True, separators=(",", ":")).replace("/", "\\/").encode()
    return _dhip_frame(body, session_id, request_id)


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(notifyDevInfo, "sender") for a DHDiscover.search; None for anything else."""
    if b"DHDiscover.search" not in probe:
        return None
    return dhip_reply(p), "sender"
