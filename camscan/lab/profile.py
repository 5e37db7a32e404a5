"""Load and check the lab's device profiles (`camscan/lab/profiles/*.toml`).

A profile is data, never code: one emulated device, its addresses, one section per protocol
the real device answers on (and only those), and the inventory row a correct scan of it must
produce. This module reads them with tomllib, checks that the keys each section needs are
there with the right types, and raises ProfileError naming the file and the key when not. It
builds no bytes (that is answers/) and sends nothing.

Schema (keys marked * are required when the section is present):

[device]    id*, ip*, mac*, subnet* ("lan" | "far"), username, password (required when the
            profile has isapi/cgi/onvif/rtsp), role ("device" | "router"), far_ip (router:
            its address on the far subnet), vlan (802.1Q tag in the stress capture), notes
[sadp]      description* (model), serial*, software_version* (as SADP prints it, e.g.
            "V5.6.2build 190701"), style ("full" | "short"), uuid, device_type_code, dsp_version,
            boot_time, analog_channels, digital_channels, activated, oem_code, oem_info,
            http_port, command_port, disk_number
[wsd]       endpoint*, scopes* (list), xaddr*, types, metadata_version, instance_id, hello (bool:
            it multicasts a Hello when it joins)
[ssdp]      server*, location* (URL of the description), udn*, friendly_name*, manufacturer*,
            model_name*, device_type, manufacturer_url, model_description, model_number,
            model_url, serial, notify (bool: it multicasts an ssdp:alive NOTIFY)
[dhip]      device_class*, device_type*, vendor*, version*, serial*, manufacturer, machine_name,
            http_port, port, video_inputs, remote_video_inputs, video_outputs, alarm_inputs,
            alarm_outputs, init, find, find_version
[mdns]      service*, instance*, hostname*, port*, txt* (list of "key=value")
[http]      title*, realm*, server ("" sends no Server header), digest (bool, default true:
            ISAPI/CGI need RFC 7616 digest auth), page (extra HTML for the web UI), port (default 80)
[isapi]     namespace* ("hikvision" | "isapi"), device_info* (table: the DeviceInfo elements in
            order; model, serialNumber, firmwareVersion, deviceType required), ptz_axes (list
            of "pan"/"tilt"/"zoom" for a camera's own PTZCtrl channel), version (XML version
            attribute, default "2.0"), input_proxy_size (InputProxyChannelList size attribute),
            [[isapi.channels]] (recorders: id*, name*, ip*, model*, serial*, firmware*, ptz*,
            protocol, port, dev_index), [isapi.capabilities.<Block>] (System/capabilities: per
            block, e.g. SmartCap, isSupport* = true/false), [isapi.smart] (Smart/<Event>/1: event
            name = enabled), [[isapi.video_inputs]] (a DVR's analogue inputs: id*, name*, signal*,
            "NO VIDEO" when nothing is connected)
[cgi]       vendor*, software_version* (getSoftwareVersion value), machine_name*,
            system_info* (table, deviceType and serialNumber required), device_type,
            hardware_version, [[cgi.remote_devices]] (slot*, enable*, address*, and the
            RemoteDevice fields: device_type, name, protocol, vendor, serial, version, mac,
            port, http_port, rtsp_port, username), analyse_caps (devVideoAnalyse getCaps rule
            types), [[cgi.analyse_rules]] (VideoAnalyseRule: type*, enable*)
[onvif]     manufacturer*, model*, firmware*, serial*, hardware_id*, ptz* (bool), ptz_axes,
            hostname, video_sources, paths ("hikvision" | "dahua" service paths)
[rtsp]      realm*, server, path
[bosch]     friendly_name* (the product name Bosch's scan reply gives), unit_name*, serial*,
            style ("xml" | "binary"), guid, device_type_ids
[hanwha]    model*, url (the web address its discovery record gives; default http://<ip>/index.htm)
[dhcp]      hostname* (option 12), vendor_class* (option 60), prl (option 55, list of codes),
            interval (seconds between its DISCOVER/REQUEST rounds, default 1.0). A device with
            [dhcp] keeps asking: its lease server never answers (the lab has none)
[tls]       subject* (RFC 4514, as camscan prints it: "CN=...,O=..."; the certificate is
            self-signed, so it is also the issuer), port (default 443)
[ipv6]      address* (its global IPv6 address, in the benchmarking block 2001:2::/48); its
            link-local address comes from its MAC. It answers NDP and announces both addresses
[expect]    manufacturer*, brand*, device_type*, form*, model*, firmware*, serial*, name*,
            advisories (list), analytics (list: the row's analytics cells when its API is read;
            "unknown" otherwise), [[expect.channels]] (via*, channel*, ip* ("" for an analogue
            camera), manufacturer*, brand*, form*, model*, firmware*, serial*, name*, confidence*
            ("" when no maker is known), device_type, analytics)
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from camscan.errors import CamscanError
from camscan.model import DEVICE_TYPES, FORMS

PROFILE_DIR = Path(__file__).parent / "profiles"

SUBNETS = {"lan": ipaddress.ip_network("198.18.0.0/24"), "far": ipaddress.ip_network("198.18.4.0/24")}
GATEWAYS = {"lan": "198.18.0.1", "far": "198.18.4.1"}
SCANNER_IP = "198.18.0.2"

PROTOCOL_SECTIONS = ("sadp", "wsd", "ssdp", "dhip", "mdns", "http", "isapi", "cgi", "onvif", "rtsp",
                     "bosch", "hanwha", "dhcp", "tls", "ipv6")
AUTH_SECTIONS = ("isapi", "cgi", "onvif", "rtsp")

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")

# section -> {key: type}; required keys only (optional keys are read with defaults by answers/)
_REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "device": {"id": str, "ip": str, "mac": str, "subnet": str},
    "sadp": {"description": str, "serial": str, "software_version": str},
    "wsd": {"endpoint": str, "scopes": list, "xaddr": str},
    "ssdp": {"server": str, "location": str, "udn": str, "friendly_name": str,
             "manufacturer": str, "model_name": str},
    "dhip": {"device_class": str, "device_type": str, "vendor": str, "version": str, "serial": str},
    "mdns": {"service": str, "instance": str, "hostname": str, "port": int, "txt": list},
    "http": {"title": str, "realm": str},
    "isapi": {"namespace": str, "device_info": dict},
    "cgi": {"vendor": str, "software_version": str, "machine_name": str, "system_info": dict},
    "onvif": {"manufacturer": str, "model": str, "firmware": str, "serial": str,
              "hardware_id": str, "ptz": bool},
    "rtsp": {"realm": str},
    "bosch": {"friendly_name": str, "unit_name": str, "serial": str},
    "hanwha": {"model": str},
    "dhcp": {"hostname": str, "vendor_class": str},
    "tls": {"subject": str},
    "ipv6": {"address": str},
    "expect": {"manufacturer": str, "brand": str, "device_type": str, "form": str, "model": str,
               "firmware": str, "serial": str, "name": str},
}
_ISAPI_INFO = ("model", "serialNumber", "firmwareVersion", "deviceType")
_ISAPI_CHANNEL = {"id": int, "name": str, "ip": str, "model": str, "serial": str, "firmware": str,
                  "ptz": bool}
_CGI_REMOTE = {"slot": int, "enable": bool, "address": str}
_VIDEO_INPUT = {"id": int, "name": str, "signal": str}
_ANALYSE_RULE = {"type": str, "enable": bool}
_EXPECT_CHANNEL = {"via": str, "channel": int, "ip": str, "manufacturer": str, "brand": str,
                   "form": str, "model": str, "firmware": str, "serial": str, "name": str,
                   "confidence": str}


class ProfileError(CamscanError, ValueError):
    """A profile file that is missing a key, has a wrong type or an impossible value."""


@dataclass(frozen=True, eq=False)
class Profile:
    """One emulated device. Protocol sections are None when the device does not answer that protocol."""

    id: str
    path: Path
    ip: str
    mac: str
    subnet: str
    username: str = ""
    password: str = ""
    role: str = "device"
    far_ip: str = ""
    vlan: int | None = None
    notes: str = ""
    sadp: dict[str, Any] | None = None
    wsd: dict[str, Any] | None = None
    ssdp: dict[str, Any] | None = None
    dhip: dict[str, Any] | None = None
    mdns: dict[str, Any] | None = None
    http: dict[str, Any] | None = None
    isapi: dict[str, Any] | None = None
    cgi: dict[str, Any] | None = None
    onvif: dict[str, Any] | None = None
    rtsp: dict[str, Any] | None = None
    bosch: dict[str, Any] | None = None
    hanwha: dict[str, Any] | None = None
    dhcp: dict[str, Any] | None = None
    tls: dict[str, Any] | None = None
    ipv6: dict[str, Any] | None = None
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def protocols(self) -> tuple[str, ...]:
        """Names of the protocol sections this device answers on, in schema order."""
        return tuple(name for name in PROTOCOL_SECTIONS if getattr(self, name) is not None)

    @property
    def gateway(self) -> str:
        return GATEWAYS[self.subnet]

    @property
    def on_link(self) -> bool:
        """True when the scanner shares the device's Ethernet segment (it answers ARP, its MAC is seen)."""
        return self.subnet == "lan"

    @property
    def channels(self) -> list[dict[str, Any]]:
        """Expected rows of the cameras behind this recorder ([[expect.channels]])."""
        return list(self.expect.get("channels", []))


def _fail(path: Path, where: str, message: str) -> ProfileError:
    return ProfileError(f"{path.name}: [{where}] {message}")


def _check_keys(path: Path, where: str, table: Any, spec: dict[str, type | tuple[type, ...]]) -> None:
    if not isinstance(table, dict):
        raise _fail(path, where, "must be a table")
    for key, kind in spec.items():
        if key not in table:
            raise _fail(path, where, f"missing key '{key}'")
        value = table[key]
        # bool is an int subclass: do not let `true` pass where a number is wanted
        if kind is int and isinstance(value, bool):
            raise _fail(path, where, f"key '{key}' must be an integer")
        if not isinstance(value, kind):
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise _fail(path, where, f"key '{key}' must be {name}, not {type(value).__name__}")


def _check_ip(path: Path, where: str, key: str, value: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        raise _fail(path, where, f"key '{key}' is not an IPv4 address: {value!r}") from None


def _validate(path: Path, data: dict[str, Any]) -> Profile:
    for section in ("device", "expect"):
        if section not in data:
            raise _fail(path, section, "section missing")
    unknown = set(data) - {"device", "expect", *PROTOCOL_SECTIONS}
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown section")
    for section, spec in _REQUIRED.items():
        if section in data:
            _check_keys(path, section, data[section], spec)
    dev = data["device"]
    role, vlan = _check_device(path, data)
    _check_apis(path, data)
    expect = data["expect"]
    _check_expect(path, expect, dev["ip"])
    return Profile(
        id=dev["id"], path=path, ip=dev["ip"], mac=dev["mac"], subnet=dev["subnet"],
        username=dev.get("username", ""), password=dev.get("password", ""), role=role,
        far_ip=dev.get("far_ip", ""), vlan=vlan, notes=dev.get("notes", ""),
        expect=expect, **{name: data.get(name) for name in PROTOCOL_SECTIONS},
    )


def _check_device(path: Path, data: dict[str, Any]) -> tuple[str, int | None]:
    """The [device] section's values; returns its role and VLAN."""
    dev = data["device"]
    if dev["subnet"] not in SUBNETS:
        raise _fail(path, "device", f"subnet must be 'lan' or 'far', not {dev['subnet']!r}")
    ip = _check_ip(path, "device", "ip", dev["ip"])
    if ip not in SUBNETS[dev["subnet"]]:
        raise _fail(path, "device", f"ip {ip} is not in the {dev['subnet']} subnet {SUBNETS[dev['subnet']]}")
    if not _MAC.match(dev["mac"]):
        raise _fail(path, "device", f"mac must be lower-case aa:bb:cc:dd:ee:ff, not {dev['mac']!r}")
    role = dev.get("role", "device")
    if role not in ("device", "router"):
        raise _fail(path, "device", f"role must be 'device' or 'router', not {role!r}")
    if role == "router":
        far_ip = _check_ip(path, "device", "far_ip", str(dev.get("far_ip", "")))
        if far_ip not in SUBNETS["far"]:
            raise _fail(path, "device", "far_ip must be in the far subnet")
    vlan = dev.get("vlan")
    if vlan is not None and (isinstance(vlan, bool) or not isinstance(vlan, int) or not 1 <= vlan <= 4094):
        raise _fail(path, "device", "vlan must be an integer 1..4094")
    if any(s in data for s in AUTH_SECTIONS):
        _check_keys(path, "device", dev, {"username": str, "password": str})
    if ("isapi" in data or "cgi" in data) and "http" not in data:
        raise _fail(path, "http", "section missing (ISAPI and CGI need its realm)")
    return role, vlan


def _check_apis(path: Path, data: dict[str, Any]) -> None:
    """The values inside the ISAPI, CGI and SADP sections that their required keys do not cover."""
    isapi = data.get("isapi")
    if isapi is not None:
        if isapi["namespace"] not in ("hikvision", "isapi"):
            raise _fail(path, "isapi", "namespace must be 'hikvision' or 'isapi'")
        for key in _ISAPI_INFO:
            if not isinstance(isapi["device_info"].get(key), str):
                raise _fail(path, "isapi.device_info", f"missing key '{key}'")
        for i, ch in enumerate(isapi.get("channels", [])):
            _check_keys(path, f"isapi.channels[{i}]", ch, _ISAPI_CHANNEL)
            _check_ip(path, f"isapi.channels[{i}]", "ip", ch["ip"])
        for i, vi in enumerate(isapi.get("video_inputs", [])):
            _check_keys(path, f"isapi.video_inputs[{i}]", vi, _VIDEO_INPUT)
        for block, flags in isapi.get("capabilities", {}).items():
            if not isinstance(flags, dict) or not all(isinstance(v, bool) for v in flags.values()):
                raise _fail(path, f"isapi.capabilities.{block}", "must be a table of true/false flags")
        if not all(isinstance(v, bool) for v in isapi.get("smart", {}).values()):
            raise _fail(path, "isapi.smart", "must be a table of event name = true/false (enabled)")
        for axis in isapi.get("ptz_axes", []):
            if axis not in ("pan", "tilt", "zoom"):
                raise _fail(path, "isapi", f"ptz_axes: unknown axis {axis!r}")
    cgi = data.get("cgi")
    if cgi is not None:
        for key in ("deviceType", "serialNumber"):
            if not isinstance(cgi["system_info"].get(key), str):
                raise _fail(path, "cgi.system_info", f"missing key '{key}'")
        for i, rd in enumerate(cgi.get("remote_devices", [])):
            _check_keys(path, f"cgi.remote_devices[{i}]", rd, _CGI_REMOTE)
        for i, rule in enumerate(cgi.get("analyse_rules", [])):
            _check_keys(path, f"cgi.analyse_rules[{i}]", rule, _ANALYSE_RULE)
    sadp = data.get("sadp")
    if sadp is not None and sadp.get("style", "full") not in ("full", "short"):
        raise _fail(path, "sadp", "style must be 'full' or 'short'")
    _check_new_sections(path, data)


# The IPv6 block of the lab (RFC 5180's benchmarking prefix, as 198.18.0.0/15 is for IPv4).
IPV6_LAB = ipaddress.ip_network("2001:2::/48")
# RFC 4514 as the lab writes it: no escapes, no multi-valued RDNs
_DN = re.compile(r"^(CN|O|OU|L|ST|C)=[^,=+\\/]+(,(CN|O|OU|L|ST|C)=[^,=+\\/]+)*$")


def _check_new_sections(path: Path, data: dict[str, Any]) -> None:
    """The sections issue 10 added: Bosch, Hanwha, DHCP, TLS and IPv6."""
    bosch = data.get("bosch")
    if bosch is not None and bosch.get("style", "xml") not in ("xml", "binary"):
        raise _fail(path, "bosch", "style must be 'xml' or 'binary'")
    dhcp = data.get("dhcp")
    if dhcp is not None:
        prl = dhcp.get("prl", [])
        if not isinstance(prl, list) or not all(isinstance(c, int) and 0 < c < 255 for c in prl):
            raise _fail(path, "dhcp", "prl must be a list of option codes 1..254")
        interval = dhcp.get("interval", 1.0)
        if isinstance(interval, bool) or not isinstance(interval, int | float) or not 0.1 <= interval <= 60:
            raise _fail(path, "dhcp", "interval must be a number of seconds, 0.1..60")
    tls = data.get("tls")
    if tls is not None and not _DN.match(tls["subject"]):
        raise _fail(path, "tls", f"subject must be CN=...,O=... (CN, O, OU, L, ST, C; no escapes), "
                                 f"not {tls['subject']!r}")
    ipv6 = data.get("ipv6")
    if ipv6 is not None:
        try:
            addr = ipaddress.IPv6Address(ipv6["address"])
        except ValueError:
            raise _fail(path, "ipv6", f"address is not an IPv6 address: {ipv6['address']!r}") from None
        if addr not in IPV6_LAB:
            raise _fail(path, "ipv6", f"address must be in the lab's IPv6 block {IPV6_LAB}")


def _check_expect(path: Path, expect: dict[str, Any], recorder_ip: str) -> None:
    """The [expect] row and its channel rows hold values the inventory can have."""
    if expect["device_type"] not in DEVICE_TYPES:
        raise _fail(path, "expect", f"device_type {expect['device_type']!r} is not one of {DEVICE_TYPES}")
    if expect["form"] not in ("", *FORMS):
        raise _fail(path, "expect", f"form {expect['form']!r} is not empty or one of {FORMS}")
    if expect["device_type"] == "camera" and not expect["form"]:
        raise _fail(path, "expect", "a camera needs a form (static, ptz or unknown)")
    if expect["device_type"] != "camera" and expect["form"]:
        raise _fail(path, "expect", "form is only for cameras")
    if not isinstance(expect.get("advisories", []), list):
        raise _fail(path, "expect", "advisories must be a list")
    for i, ch in enumerate(expect.get("channels", [])):
        where = f"expect.channels[{i}]"
        _check_keys(path, where, ch, _EXPECT_CHANNEL)
        if ch["via"] != recorder_ip:
            raise _fail(path, where, f"via must be this recorder's ip {recorder_ip}")
        if ch["form"] not in FORMS:
            raise _fail(path, where, f"form {ch['form']!r} is not one of {FORMS}")
        if ch["confidence"] not in ("high", "medium", "low", ""):
            raise _fail(path, where, "confidence must be high, medium, low or empty (no maker known)")


def load_profile(path: Path) -> Profile:
    """Read and check one profile file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: not valid TOML ({exc})") from None
    return _validate(path, data)


def load_profiles(directory: Path | None = None) -> list[Profile]:
    """All profiles in `directory` (default: the package's profiles/), sorted by file name.

    Raises ProfileError for the first bad file, or when two profiles share an id or address.
    """
    directory = PROFILE_DIR if directory is None else Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ProfileError(f"{directory}: no *.toml profiles")
    profiles = [load_profile(f) for f in files]
    seen_ids: dict[str, Path] = {}
    seen_ips: dict[str, Path] = {}
    seen_macs: dict[str, Path] = {}
    for p in profiles:
        for key, seen, value in (("id", seen_ids, p.id), ("ip", seen_ips, p.ip), ("mac", seen_macs, p.mac)):
            if value in seen:
                raise ProfileError(f"{p.path.name}: [device] {key} {value!r} already used by {seen[value].name}")
            seen[value] = p.path
    if SCANNER_IP in seen_ips:
        raise ProfileError(f"{seen_ips[SCANNER_IP].name}: [device] ip {SCANNER_IP} is the scanner's")
    return profiles
