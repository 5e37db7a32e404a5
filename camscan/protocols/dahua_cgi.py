"""Dahua HTTP CGI (magicBox.cgi, configManager.cgi): the read-only actions camscan asks for,
and parsers for their `key=value` answers.

Dahua firmware and its OEMs' (Amcrest, Lorex, Honeywell Performance, Intelbras...) answer these
CGIs (digest auth), so an answer is Dahua platform evidence whatever the badge. Answers are
marked authenticated here; http.parse_exchange clears that unless the exchange carried
credentials the device accepted, as any host can send these lines. Answers are
`key=value` lines; examples in the wild are often indented, so every line is stripped.
`getSystemInfo` gives deviceType (the model), but recorders answer a number there (`31`) and
carry the model in `updateSerial`. `getSoftwareVersion` gives
`version=2.800.0000016.0.R,build:2020-06-05`; the two letters after `00` in the middle block
are the OEM code (AC = Amcrest), kept in the firmware string for the signatures to read.

The recorder's channel list (`configManager.cgi?action=getConfig&name=RemoteDevice`) has one
block of lines per slot: `table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_<n>.<Field>=...`.
Slot n (0-based) is channel n+1, the convention the community tools that read this table use;
the firmware's own channel binding (`VideoInputs`/ChannelTitle) is not read, so on a recorder
whose cameras were re-ordered the channel numbers may differ from its UI. A slot id that does
not end in a number is numbered by order of appearance, starting at 1. Only enabled slots
become Evidence. `Vendor` there is the protocol the recorder uses for the camera: `Private`
is Dahua's own protocol (→ platform Dahua), `Onvif`/`General` say nothing about the maker;
any other value (e.g. `Hikvision`, `Axis`) is kept as the vendor.

What it must not do: send anything but the GETs in ACTIONS (no setConfig, reboot,
RPC2_Login or other crafted logins), copy the slot's UserName/Password into Evidence (that
table holds the camera passwords), or raise anything but Malformed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from camscan.firmware import normalise_firmware
from camscan.identify import analytics
from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols.isapi import valid_ipv4
from camscan.values import normalise_mac

ACTIONS: dict[str, str] = {
    "getSystemInfo": "/cgi-bin/magicBox.cgi?action=getSystemInfo",
    "getDeviceType": "/cgi-bin/magicBox.cgi?action=getDeviceType",
    "getSoftwareVersion": "/cgi-bin/magicBox.cgi?action=getSoftwareVersion",
    "getVendor": "/cgi-bin/magicBox.cgi?action=getVendor",
    "getSerialNo": "/cgi-bin/magicBox.cgi?action=getSerialNo",
    "getMachineName": "/cgi-bin/magicBox.cgi?action=getMachineName",
    "RemoteDevice": "/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice",
    # what channel 1 can analyse, and the analysis rules configured (with their Enable)
    "VideoAnalyseCaps": "/cgi-bin/devVideoAnalyse.cgi?action=getCaps&channel=1",
    "VideoAnalyseRule": "/cgi-bin/configManager.cgi?action=getConfig&name=VideoAnalyseRule",
}

MAX_CGI_BYTES = 1_000_000
_REMOTE = re.compile(r"^table\.RemoteDevice\.([^.=]+)\.(.+)$")
_PLACEHOLDER_IPS = {"0.0.0.0", "192.168.0.0"}
_PROTOCOL_VENDORS = {"private", "onvif", "general", "rtsp", "custom", ""}


def _lines(body: bytes, what: str) -> list[tuple[str, str]]:
    if len(body) > MAX_CGI_BYTES:
        raise Malformed(f"{what}: body of {len(body)} bytes exceeds {MAX_CGI_BYTES}")
    if b"\x00" in body:
        raise Malformed(f"{what}: binary body (NUL bytes), not key=value text")
    out = []
    for raw in body.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out.append((key.strip(), value.strip()))
    return out


def _action(target: str) -> tuple[str, str]:
    """(cgi name, action) from a request target, both lower-case; the RemoteDevice config
    read is reported as action "remotedevice"."""
    parts = urlsplit(target)
    cgi = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    query = {k.lower(): v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    action = (query.get("action") or [""])[0].lower()
    name = (query.get("name") or [""])[0].lower()
    if cgi == "configmanager.cgi" and action == "getconfig" and name in ("remotedevice", "videoanalyserule"):
        return cgi, name
    if cgi == "devvideoanalyse.cgi" and action == "getcaps":
        return cgi, "videoanalysecaps"
    return cgi, action


def parse(target: str, body: bytes, server: Endpoint) -> list[Evidence]:
    """Parse the answer to one of ACTIONS (chosen by the request `target`); [] for any other."""
    cgi, action = _action(target)
    if cgi == "magicbox.cgi" and action in {"getsysteminfo", "getdevicetype", "getsoftwareversion",
                                             "getvendor", "getserialno", "getmachinename"}:
        return _magicbox(action, _lines(body, f"Dahua magicBox {action}"), server)
    if action == "remotedevice":
        return _remote_devices(_lines(body, "Dahua RemoteDevice"), server)
    if action == "videoanalysecaps":
        return _analyse_caps(_lines(body, "Dahua devVideoAnalyse getCaps"), server)
    if action == "videoanalyserule":
        return _analyse_rules(_lines(body, "Dahua VideoAnalyseRule"), server)
    return []


def _magicbox(action: str, pairs: list[tuple[str, str]], server: Endpoint) -> list[Evidence]:
    kv: dict[str, str] = {}
    for key, value in pairs:
        kv.setdefault(key.lower(), value)
    fields: dict[str, str] = {}
    notes: list[str] = []
    if action == "getsysteminfo":
        device_type, update = kv.get("devicetype", ""), kv.get("updateserial", "")
        if device_type and not device_type.isdigit():
            fields["model"] = device_type
        elif update:
            fields["model"] = update
        if device_type.isdigit():
            notes.append(f"deviceType={device_type[:10]}")
        if update and update != fields.get("model"):
            notes.append(f"updateSerial={update[:60]}")
        if kv.get("serialnumber"):
            fields["serial"] = kv["serialnumber"]
        if kv.get("processor"):
            notes.append(f"processor={kv['processor'][:30]}")
    elif action == "getdevicetype":
        value = kv.get("type", "")
        if value and not value.isdigit():
            fields["model"] = value
        elif value:
            notes.append(f"type={value[:10]}")
    elif action == "getsoftwareversion":
        if kv.get("version"):
            fields["firmware"] = normalise_firmware(kv["version"], kv.get("build", ""))
    elif action == "getvendor":
        if kv.get("vendor"):
            fields["vendor"] = kv["vendor"]
    elif action == "getserialno":
        if kv.get("sn"):
            fields["serial"] = kv["sn"]
    elif action == "getmachinename" and kv.get("name"):
        fields["name"] = kv["name"]
    if not fields and not notes:
        return []
    return [Evidence(source="cgi", ip=server.ip, mac=normalise_mac(server.mac), platform="Dahua", authenticated=True,
                     note="; ".join(notes), **fields)]


def _analytics_evidence(server: Endpoint, found: dict[str, str], note: str = "") -> list[Evidence]:
    return [Evidence(source="cgi", ip=server.ip, mac=normalise_mac(server.mac), platform="Dahua", authenticated=True,
                     analytics=found, note=note)]


def _analyse_caps(pairs: list[tuple[str, str]], server: Endpoint) -> list[Evidence]:
    """devVideoAnalyse getCaps: `caps.SupportedRules[0]=CrossLineDetection` (or per scene,
    `caps.SupportedScenes.Normal.SupportedRules[0]=...`). Every rule type analytics.toml names
    is a capability; an answer that lists rules but none of those is a standard camera."""
    rules = [value for key, value in pairs if "supportedrule" in key.lower()]
    if not rules:
        return []
    vocab = analytics.load()
    found = {cap: analytics.CAPABLE for cap in (vocab.word("dahua", r) for r in rules) if cap}
    return _analytics_evidence(server, found)


def _analyse_rules(pairs: list[tuple[str, str]], server: Endpoint) -> list[Evidence]:
    """configManager VideoAnalyseRule: `table.VideoAnalyseRule[0][1].Type=FaceDetection` with
    `...Enable=true` beside it. A rule of a known type that is enabled makes its capability
    "enabled", one that is not "capable". No known rule says nothing (rules are optional)."""
    rules: dict[str, dict[str, str]] = {}
    for key, value in pairs:
        prefix, _, leaf = key.rpartition(".")
        if prefix.lower().startswith("table.videoanalyserule"):
            rules.setdefault(prefix, {})[leaf.lower()] = value
    vocab = analytics.load()
    found: dict[str, str] = {}
    for rule in rules.values():
        cap = vocab.word("dahua", rule.get("type", ""))
        if cap:
            enabled = rule.get("enable", "").lower() == "true"
            if enabled or found.get(cap) != analytics.ENABLED:
                found[cap] = analytics.ENABLED if enabled else analytics.CAPABLE
    return _analytics_evidence(server, found) if found else []


def _remote_devices(pairs: list[tuple[str, str]], server: Endpoint) -> list[Evidence]:
    slots: dict[str, dict[str, str]] = {}
    for key, value in pairs:
        m = _REMOTE.match(key)
        if m:
            slots.setdefault(m.group(1), {}).setdefault(m.group(2).lower(), value)
    # the recorder's own word that its channel list was read (no enabled slot: no cameras)
    out = [Evidence(source="cgi", ip=server.ip, mac=normalise_mac(server.mac), platform="Dahua", authenticated=True,
                    channels_listed=True)]
    for order, (slot_id, f) in enumerate(slots.items(), start=1):
        if f.get("enable", "").lower() != "true":
            continue
        num = re.search(r"_(\d{1,5})$", slot_id)
        channel = int(num.group(1)) + 1 if num else order
        address = f.get("address", "")
        ip = valid_ipv4(address)
        if ip in _PLACEHOLDER_IPS:
            ip = ""
        model, serial = f.get("devicetype", ""), f.get("serialno", "")
        if not (ip or model or serial):
            continue  # an enabled slot with a placeholder address and nothing else
        vendor_raw = f.get("vendor", "")
        notes = [f"protocol={vendor_raw[:20]}"] if vendor_raw else []
        if address and not ip and address not in _PLACEHOLDER_IPS:
            notes.append(f"address={address[:60]}")
        mac = normalise_mac(f.get("mac", ""))  # "" for the ff:ff:... placeholder recorders fill in
        out.append(Evidence(
            source="nvr",
            ip=ip,
            mac=mac,
            vendor="" if vendor_raw.lower() in _PROTOCOL_VENDORS else vendor_raw,
            platform="Dahua" if vendor_raw.lower() == "private" else "",
            model=model,
            firmware=normalise_firmware(f.get("version", "")),
            serial=serial,
            name=f.get("name", "") or f.get("videoinputs[0].name", ""),
            device_type="camera",
            via=server.ip,
            channel=channel,
            authenticated=True,
            note="; ".join(notes),
        ))
    return out
