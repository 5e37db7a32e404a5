"""The lab's device profiles: they load, a broken one names its file and key, addresses are
unique, and every expected inventory value is backed by what the device's own sections report."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import unquote

import pytest

from camscan.firmware import normalise_firmware
from camscan.lab.profile import Profile, ProfileError, load_profile, load_profiles

PROFILES = load_profiles()
BY_ID = {p.id: p for p in PROFILES}


def ids(profiles: list[Profile]) -> list[str]:
    return [p.id for p in profiles]


def test_the_estate_has_every_kind_of_device_the_demo_needs():
    assert len(PROFILES) >= 17
    brands = {p.expect["brand"] for p in PROFILES}
    assert {"Hikvision", "HiLook", "HiWatch", "EZVIZ", "Pyronix", "Annke", "Dahua", "Amcrest", "Axis"} <= brands
    types = {p.expect["device_type"] for p in PROFILES}
    assert {"camera", "nvr", "dvr", "intercom", "alarm", "other"} <= types
    assert [p.id for p in PROFILES if p.subnet == "far"], "no off-link host"
    assert [p.id for p in PROFILES if p.role == "router"], "no router"
    assert any(int(p.mac.split(":")[0], 16) & 0x02 for p in PROFILES), "no locally administered MAC"
    forms = {(p.expect["device_type"], p.expect["form"]) for p in PROFILES}
    assert ("camera", "ptz") in forms and ("camera", "static") in forms
    assert sum(len(p.channels) for p in PROFILES) >= 4
    # issue 10: makers found by their own protocols, and devices that reveal little
    assert {"Bosch", "Hanwha", "Intelbras"} <= brands
    for section in ("bosch", "hanwha", "dhcp", "tls", "ipv6"):
        assert any(getattr(p, section) is not None for p in PROFILES), f"no [{section}] device"
    assert any(p.protocols == ("dhcp",) for p in PROFILES), "no DHCP-only device"
    assert any(p.protocols == ("tls",) for p in PROFILES), "no HTTPS-only device"


def test_a_broken_profile_names_its_file_and_key(tmp_path: Path):
    text = BY_ID["hik-bullet"].path.read_text().replace('ip = "198.18.0.10"\n', "")
    bad = tmp_path / "broken-cam.toml"
    bad.write_text(text)
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*\[device\].*'ip'"):
        load_profile(bad)
    bad.write_text(text.replace("[device]", '[device]\nip = "10.0.0.1"'))
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*not in the lan subnet"):
        load_profile(bad)
    bad.write_text(BY_ID["hik-bullet"].path.read_text().replace('device_type = "camera"', 'device_type = "cam"'))
    with pytest.raises(ProfileError, match=r"broken-cam\.toml.*\[expect\].*device_type"):
        load_profile(bad)


def test_two_profiles_cannot_share_an_address(tmp_path: Path):
    for name in ("hik-bullet.toml", "hik-izs.toml"):
        (tmp_path / name).write_text((BY_ID[name[:-5]].path).read_text().replace("198.18.0.11", "198.18.0.10"))
    with pytest.raises(ProfileError, match="already used"):
        load_profiles(tmp_path)


def _claims(p: Profile) -> dict[str, set[str]]:
    """What the profile's protocol sections report, field by field."""
    got: dict[str, set[str]] = {"model": set(), "serial": set(), "firmware": set(), "name": set()}
    if p.sadp:
        got["model"].add(p.sadp["description"])
        got["serial"].add(p.sadp["serial"])
        got["firmware"].add(normalise_firmware(p.sadp["software_version"]))
    if p.isapi:
        info = p.isapi["device_info"]
        got["model"].add(info["model"])
        got["serial"].add(info["serialNumber"])
        got["firmware"].add(normalise_firmware(info["firmwareVersion"], info.get("firmwareReleasedDate", "")))
        got["name"].add(info.get("deviceName", ""))
    if p.cgi:
        info = p.cgi["system_info"]
        got["model"] |= {info["deviceType"], info.get("updateSerial", "")}
        got["serial"].add(info["serialNumber"])
        got["firmware"].add(normalise_firmware(p.cgi["software_version"]))
        got["name"].add(p.cgi["machine_name"])
    if p.dhip:
        got["model"].add(p.dhip["device_type"])
        got["serial"].add(p.dhip["serial"])
        got["name"].add(p.dhip.get("machine_name", ""))
        got["firmware"].add(normalise_firmware(p.dhip["version"]))
    if p.onvif:
        got["model"].add(p.onvif["model"])
        got["serial"].add(p.onvif["serial"])
        got["firmware"].add(normalise_firmware(p.onvif["firmware"]))
    if p.ssdp:
        got["model"] |= {p.ssdp["model_name"], p.ssdp.get("model_number", "")}
        got["serial"].add(p.ssdp.get("serial", ""))
        got["name"].add(p.ssdp["friendly_name"])
    if p.wsd:
        got["name"] |= {unquote(s.rsplit("/", 1)[1]) for s in p.wsd["scopes"] if "/name/" in s}
    if p.mdns:
        got["name"].add(p.mdns["instance"])
        got["model"] |= set(p.mdns["instance"].split(" "))
    if p.bosch:
        got["model"].add(p.bosch["friendly_name"])
        got["serial"].add(p.bosch["serial"])
        got["name"].add(p.bosch["unit_name"])
    if p.hanwha:
        got["model"].add(p.hanwha["model"])
    if p.dhcp:  # Axis' vendor class: AXIS,Network Camera,<model>,<firmware>
        got["name"].add(p.dhcp["hostname"])
        parts = p.dhcp["vendor_class"].split(",")
        if len(parts) == 4:
            got["model"].add(parts[2])
            got["firmware"].add(parts[3])
    return got


@pytest.mark.parametrize("p", PROFILES, ids=ids(PROFILES))
def test_every_expected_value_is_backed_by_a_section(p: Profile):
    claims = _claims(p)
    for field in ("model", "serial", "firmware", "name"):
        value = p.expect[field]
        if value:
            assert value in claims[field], f"{p.path.name}: expect.{field} {value!r} is not what any section says"
    if p.expect["manufacturer"]:
        assert p.protocols, f"{p.path.name}: names a manufacturer but answers no protocol"
    if p.expect["form"] == "ptz":
        assert ((p.isapi and {"pan", "tilt"} & set(p.isapi.get("ptz_axes", [])))
                or (p.onvif and p.onvif["ptz"] and "pan" in p.onvif.get("ptz_axes", ["pan"]))
                or (p.dhip and p.dhip["device_class"] == "SD")), f"{p.path.name}: ptz without a PTZ answer"
    if p.isapi:
        assert p.isapi["device_info"].get("macAddress", p.mac) == p.mac
        kind = p.isapi["device_info"]["deviceType"]
        assert {"IPCamera": "camera", "IPDome": "camera", "NVR": "nvr", "DVR": "dvr",
                "VIS": "intercom"}[kind] == p.expect["device_type"]
        if kind == "IPCamera":
            assert p.expect["form"] == "static"
    if p.wsd:
        macs = [s.rsplit("/", 1)[1] for s in p.wsd["scopes"] if "/MAC/" in s]
        assert macs in ([], [p.mac])
        assert p.wsd["xaddr"].startswith(f"http://{p.ip}/")
    if p.ssdp:
        assert p.ssdp["location"].startswith(f"http://{p.ip}:")


@pytest.mark.parametrize("p", [p for p in PROFILES if p.channels], ids=ids([p for p in PROFILES if p.channels]))
def test_recorder_channels_match_what_the_recorder_reports(p: Profile):
    if p.isapi:
        reported = {ch["id"]: (ch["ip"], ch["model"], ch["serial"], normalise_firmware(ch["firmware"]), ch["name"])
                    for ch in p.isapi.get("channels", [])}
        # a DVR's analogue inputs with a video signal: cameras that report nothing of themselves
        reported.update({vi["id"]: ("", "", "", "", vi["name"]) for vi in p.isapi.get("video_inputs", [])
                         if vi["signal"] != "NO VIDEO"})
    else:
        reported = {rd["slot"] + 1: (rd["address"], rd.get("device_type", ""), rd.get("serial", ""),
                                     normalise_firmware(rd.get("version", "")), rd.get("name", ""))
                    for rd in p.cgi.get("remote_devices", []) if rd["enable"]}
    expected = {ch["channel"]: (ch["ip"], ch["model"], ch["serial"], ch["firmware"], ch["name"]) for ch in p.channels}
    assert expected == reported
    for ch in p.channels:
        if not ch["ip"]:  # an analogue camera has no address
            assert p.isapi and ch["channel"] in {vi["id"] for vi in p.isapi.get("video_inputs", [])}
            continue
        assert ipaddress.IPv4Address(ch["ip"]).is_private and not ch["ip"].startswith("198.18.")
