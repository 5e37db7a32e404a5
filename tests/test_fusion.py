"""Fusion on its own: evidence in, inventory rows out.

Each case is what the parsers would hand over for a few devices and the rows fusion must make
of it, in inventory order, with the fields that case is about (a field a case does not state
is not checked; `provenance` states the keys it checks). The conflicts that matter are here:
two MACs on one IP, a recorder's channel list against the camera's own answer, OUI against a
banner, authenticated against unauthenticated answers, rebadges and OEMs, a PTZ claim against
the vendor's own type, the scanner's ARP requests, randomised MACs and a router's MAC.

The MACs are real IEEE assignments (aiooui's registry), so the OUI step runs for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from edited_signatures import edited_copy, refusal

from camscan.identify import policy as fusion_policy
from camscan.identify.fusion import fuse
from camscan.identify.signatures import DEFAULT_DIR, SignatureError, load
from camscan.model import Device, Evidence

SIGS = load()

HIK_MAC = "c0:56:e3:72:19:be"      # Hangzhou Hikvision Digital Technology
HIK_MAC2 = "54:8c:81:0d:3a:6e"     # Hangzhou Hikvision Digital Technology
NVR_MAC = "58:03:fb:10:88:4c"      # Hangzhou Hikvision Digital Technology
DAHUA_MAC = "3c:e3:6b:8a:52:1f"    # Zhejiang Dahua Technology
AMCREST_MAC = "9c:8e:cd:1e:0b:7a"  # Amcrest Technologies (a rebadger's own OUI)
CIMSYS_MAC = "00:11:22:33:44:55"   # CIMSYS Inc: a registrant no signature knows
ROUTER_MAC = "4c:5e:0c:41:7a:10"   # Routerboard.com
DELL_MAC = "b4:45:06:9a:2c:e1"     # Dell Inc.
PYRONIX_MAC = "00:19:eb:27:4c:81"  # Pyronix Ltd (Hikvision group, intruder alarms)
RANDOM_MAC = "da:a1:19:6e:42:0b"   # locally administered: not an IEEE assignment
SCANNER_MAC = "02:c5:00:00:00:02"

CAM_SERIAL = "DS-2CD2386G2-IU20231104AAWRJ51234567"


def ev(source: str, **fields: Any) -> Evidence:
    return Evidence(source=source, **fields)


def arp(ip: str, mac: str, op: str = "reply") -> Evidence:
    return ev("arp", ip=ip, mac=mac, arp_op=op)


def sadp(ip: str, mac: str, **fields: Any) -> Evidence:
    return ev("sadp", ip=ip, mac=mac, platform="Hikvision", **fields)


def isapi(ip: str, mac: str, authenticated: bool = True, **fields: Any) -> Evidence:
    return ev("isapi", ip=ip, mac=mac, platform="Hikvision", authenticated=authenticated, **fields)


HIK_CAMERA = [
    arp("198.18.0.10", HIK_MAC),
    sadp("198.18.0.10", HIK_MAC, model="DS-2CD2386G2-IU", serial=CAM_SERIAL, firmware="V5.7.15 build 240201"),
]
HIK_NVR = [
    arp("198.18.0.20", NVR_MAC),
    isapi("198.18.0.20", NVR_MAC, model="DS-7608NXI-I2/8P/S", device_type="nvr", name="Site NVR"),
]


def channel(serial: str, ip: str = "192.168.254.2") -> Evidence:
    """Camera 1 as the recorder's InputProxy channel list reports it."""
    return ev("nvr", ip=ip, via="198.18.0.20", channel=1, platform="Hikvision", model="DS-2CD2386G2-IU",
              firmware="V5.7.15 build 240201", serial=serial, name="Garden", device_type="camera",
              authenticated=True)


CASES = [
    # --- addresses ---------------------------------------------------------------------------
    pytest.param(
        [*HIK_CAMERA, ev("ssdp", ip="198.18.0.10", mac=DAHUA_MAC, banners={"ssdp_server": "Linux UPnP/1.0"})],
        [{"ip": "198.18.0.10", "mac": HIK_MAC, "manufacturer": "Hikvision", "brand": "Hikvision",
          "device_type": "camera", "form": "static", "confidence": "high", "evidence": ["arp", "oui", "sadp", "ssdp"],
          "provenance": {"mac": "sadp", "manufacturer": "sadp", "brand": "sadp:models",
                         "device_type": "sadp:models", "form": "sadp:models"}}],
        id="two MACs on one IP: ARP's binding wins, one row"),
    pytest.param(
        [sadp("198.18.0.10", HIK_MAC, model="DS-2CD2386G2-IU"),
         ev("dhip", ip="198.18.0.10", mac=DAHUA_MAC, platform="Dahua", model="IPC-HFW2431S-S-S2",
            device_type="camera")],
        [{"ip": "198.18.0.10", "mac": DAHUA_MAC, "manufacturer": "Dahua", "model": "IPC-HFW2431S-S-S2"},
         {"ip": "198.18.0.10", "mac": HIK_MAC, "manufacturer": "Hikvision", "model": "DS-2CD2386G2-IU"}],
        id="two MACs on one IP without ARP: an address conflict, two devices"),
    pytest.param(
        [*(ev("arp", ip="198.18.0.2", mac=SCANNER_MAC, arp_op="request", arp_target=f"198.18.0.{n}")
           for n in range(10, 18)), arp("198.18.0.61", DELL_MAC)],
        [{"ip": "198.18.0.61", "mac": DELL_MAC, "manufacturer": "", "device_type": "unknown",
          "form": "", "confidence": "", "evidence": ["arp", "oui"], "oui_vendor": "Dell Inc.",
          "provenance": {"device_type": "unsettled"}}],
        id="a host only asking ARP about many addresses is the scanner sweeping: dropped; a Dell OUI says no type"),
    pytest.param(
        [sadp("198.18.0.32", RANDOM_MAC, model="CS-C6N-A0-1C2WFR", form="ptz")],
        [{"mac": RANDOM_MAC, "mac_randomised": True, "manufacturer": "Hikvision", "brand": "EZVIZ",
          "evidence": ["sadp"],
          "notes": ["locally administered (randomised) MAC: not looked up in the OUI registry"]}],
        id="a locally administered MAC is flagged and not looked up"),
    pytest.param(
        [arp("198.18.0.1", ROUTER_MAC),
         ev("http", ip="10.9.0.5", mac=ROUTER_MAC, banners={"http_server": "App-webs/"}),
         ev("http", ip="10.9.0.6", mac=ROUTER_MAC, banners={"http_server": "nginx"})],
        [{"ip": "10.9.0.5", "mac": "", "manufacturer": "Hikvision", "confidence": "medium",
          "device_type": "unknown", "evidence": ["http"],
          "provenance": {"manufacturer": "http:banners", "device_type": "unsettled"}},
         {"ip": "10.9.0.6", "mac": "", "manufacturer": "", "device_type": "unknown", "evidence": ["http"]},
         {"ip": "198.18.0.1", "mac": ROUTER_MAC, "device_type": "unknown", "evidence": ["arp", "oui"]}],
        id="a router's MAC on off-link hosts' packets is inherited by none"),

    # --- a recorder's channel list against the camera's own answer ----------------------------
    pytest.param(
        [*HIK_CAMERA, *HIK_NVR, channel(CAM_SERIAL)],
        [{"ip": "198.18.0.10", "mac": HIK_MAC, "via": "198.18.0.20", "channel": 1, "serial": CAM_SERIAL,
          "name": "Garden", "device_type": "camera", "form": "static", "evidence": ["arp", "oui", "sadp", "nvr"],
          "provenance": {"ip": "sadp", "mac": "sadp", "via": "nvr", "model": "nvr", "device_type": "nvr"}},
         {"ip": "198.18.0.20", "mac": NVR_MAC, "device_type": "nvr", "form": "", "name": "Site NVR",
          "via": "", "channel": None, "provenance": {"device_type": "isapi"}}],
        id="channel list and camera agree on the serial: one row"),
    pytest.param(
        [*HIK_CAMERA, *HIK_NVR, channel("DS-2CD2386G2-IU20240101AAWRJ59999999")],
        [{"ip": "192.168.254.2", "mac": "", "via": "198.18.0.20", "channel": 1, "manufacturer": "Hikvision",
          "device_type": "camera", "confidence": "high", "serial": "DS-2CD2386G2-IU20240101AAWRJ59999999",
          "evidence": ["nvr"], "provenance": {"ip": "nvr", "manufacturer": "nvr", "device_type": "nvr"}},
         {"ip": "198.18.0.10", "mac": HIK_MAC, "via": "", "channel": None, "serial": CAM_SERIAL,
          "evidence": ["arp", "oui", "sadp"]},
         {"ip": "198.18.0.20", "device_type": "nvr"}],
        id="channel list and camera disagree on the serial: two rows"),
    pytest.param(
        [ev("nvr", ip="10.1.1.70", via="198.18.0.42", channel=4, authenticated=True)],
        [{"ip": "10.1.1.70", "via": "198.18.0.42", "channel": 4, "device_type": "camera", "form": "unknown",
          "provenance": {"device_type": "nvr", "form": "unsettled"}}],
        id="a channel nothing else describes is a camera of unknown form"),

    # --- who made it ---------------------------------------------------------------------------
    pytest.param(
        [arp("198.18.0.50", HIK_MAC), ev("rtsp", ip="198.18.0.50", banners={"rtsp_server": "Dahua Rtsp Server"})],
        [{"manufacturer": "Dahua", "brand": "", "confidence": "medium", "device_type": "unknown",
          "evidence": ["arp", "oui", "rtsp"], "provenance": {"manufacturer": "rtsp:banners"}}],
        id="a banner outweighs the OUI (and the OUI's brand does not stick to another maker)"),
    pytest.param(
        [arp("198.18.0.51", HIK_MAC)],
        [{"manufacturer": "Hikvision", "brand": "Hikvision", "confidence": "low", "device_type": "unknown",
          "provenance": {"manufacturer": "oui", "brand": "oui", "device_type": "unsettled"}}],
        id="an OUI alone: the maker at low confidence, the kind unsettled"),
    pytest.param(
        [sadp("198.18.0.30", HIK_MAC2, model="IPC-T240H", firmware="V5.5.800 build 210628"),
         isapi("198.18.0.30", HIK_MAC2, vendor="HiLook", model="IPC-T240H", device_type="camera", form="static")],
        [{"manufacturer": "Hikvision", "brand": "HiLook", "confidence": "high", "model": "IPC-T240H",
          "provenance": {"manufacturer": "isapi", "brand": "isapi:brands", "model": "isapi"}}],
        id="rebadge: HiLook on Hikvision's own protocols"),
    pytest.param(
        [sadp("198.18.0.35", CIMSYS_MAC, model="CMIP3382WI-28SDL"),
         ev("onvif", ip="198.18.0.35", mac=CIMSYS_MAC, vendor="LTS")],
        [{"manufacturer": "Hikvision", "brand": "LTS", "confidence": "high", "device_type": "camera",
          "form": "static", "provenance": {"manufacturer": "sadp", "brand": "onvif:brands"}}],
        id="rebadge: LTS claimed over ONVIF by a SADP-speaking camera"),
    pytest.param(
        [ev("dhip", ip="198.18.0.43", mac=AMCREST_MAC, platform="Dahua", vendor="Amcrest",
            model="IP5M-T1179EW-28MM", firmware="2.800.00AC000.0.R build 2021-04-20", device_type="camera")],
        [{"manufacturer": "Dahua", "brand": "Amcrest", "confidence": "high", "device_type": "camera",
          "provenance": {"manufacturer": "dhip", "brand": "dhip:brands", "device_type": "dhip"}}],
        id="Dahua OEM: Amcrest over DHIP"),
    pytest.param(
        [ev("dhip", ip="198.18.0.44", mac=CIMSYS_MAC, platform="Dahua", vendor="Private",
            model="IPC-HDW1431T1-S4", device_type="camera")],
        [{"manufacturer": "Dahua", "brand": "", "confidence": "high", "device_type": "camera", "form": "static",
          "provenance": {"manufacturer": "dhip", "form": "dhip:models"}}],
        id="Dahua white label: 'Private' over DHIP names the maker and no brand"),
    pytest.param(
        [ev("onvif", ip="198.18.0.45", vendor="General", model="NC-200")],
        [{"manufacturer": "", "brand": "", "confidence": "", "device_type": "unknown"}],
        id="'General' is Dahua only over Dahua's own protocol"),
    pytest.param(
        [ev("onvif", ip="198.18.0.50", vendor="AXIS", model="M1065-LW", authenticated=True)],
        [{"manufacturer": "Axis", "confidence": "high", "device_type": "camera", "form": "static"}],
        id="a vendor string from an authenticated API is a strong claim"),
    pytest.param(
        [ev("onvif", ip="198.18.0.50", vendor="AXIS", model="M1065-LW")],
        [{"manufacturer": "Axis", "confidence": "medium"}],
        id="the same vendor string without logging in is a medium claim"),

    # --- authenticated against unauthenticated API answers --------------------------------------
    pytest.param(
        [sadp("198.18.0.11", HIK_MAC, model="DS-2CD2646G2-IZS", firmware="V5.7.13 build 230612"),
         isapi("198.18.0.11", HIK_MAC, authenticated=False, model="DS-2CD2646G2-IZS",
               firmware="V5.7.12 build 230101", device_type="camera", form="static"),
         ev("onvif", ip="198.18.0.11", mac=HIK_MAC, form="ptz", authenticated=True)],
        [{"firmware": "V5.7.13 build 230612", "form": "ptz", "device_type": "camera",
          "provenance": {"firmware": "sadp", "form": "onvif", "device_type": "isapi"}}],
        id="an ISAPI answer given without login ranks below SADP and below authenticated ONVIF"),
    pytest.param(
        [sadp("198.18.0.11", HIK_MAC, model="DS-2CD2646G2-IZS", firmware="V5.7.13 build 230612"),
         isapi("198.18.0.11", HIK_MAC, model="DS-2CD2646G2-IZS",
               firmware="V5.7.12 build 230101", device_type="camera", form="static"),
         ev("onvif", ip="198.18.0.11", mac=HIK_MAC, form="ptz", authenticated=True)],
        [{"firmware": "V5.7.12 build 230101", "form": "static",
          "provenance": {"firmware": "isapi", "form": "isapi"}}],
        id="authenticated ISAPI wins firmware, and its IPCamera beats ONVIF's PTZ service (a motorised zoom)"),

    # --- what it is, static or PTZ -------------------------------------------------------------
    pytest.param(
        [ev("wsd", ip="198.18.0.12", mac=HIK_MAC, form="ptz",
            banners={"wsd_types": "device networkvideotransmitter ptz"}),
         isapi("198.18.0.12", HIK_MAC, device_type="camera", form="static")],
        [{"device_type": "camera", "form": "static", "provenance": {"device_type": "isapi", "form": "isapi"}}],
        id="a PTZ scope in WS-Discovery loses to ISAPI's IPCamera"),
    pytest.param(
        [ev("wsd", ip="198.18.0.12", form="ptz", banners={"wsd_types": "device networkvideotransmitter ptz"})],
        [{"device_type": "camera", "form": "ptz", "provenance": {"device_type": "wsd", "form": "wsd"}}],
        id="WS-Discovery alone: its PTZ scope places the camera"),
    pytest.param(
        [ev("wsd", ip="198.18.0.13", banners={"wsd_types": "device networkvideotransmitter"})],
        [{"device_type": "camera", "form": "unknown",
          "provenance": {"device_type": "wsd:NetworkVideoTransmitter", "form": "unsettled"}}],
        id="an ONVIF video transmitter is a camera of unknown form"),
    pytest.param(
        [sadp("198.18.0.14", HIK_MAC, model="DS-2DE4425IW-DE"),
         ev("onvif", ip="198.18.0.14", mac=HIK_MAC, form="static", authenticated=True)],
        [{"device_type": "camera", "form": "ptz", "provenance": {"form": "sadp:models"}}],
        id="a PTZ model number beats ONVIF's mere absence of a PTZ service"),
    pytest.param(
        [arp("198.18.0.34", PYRONIX_MAC), ev("http", ip="198.18.0.34", banners={"http_title": "Home"})],
        [{"manufacturer": "Hikvision", "brand": "Pyronix", "device_type": "alarm", "confidence": "low",
          "provenance": {"device_type": "oui"}}],
        id="a Pyronix OUI: Hikvision group, an alarm"),
]


@pytest.mark.parametrize(("evidence", "rows"), CASES)
def test_fusion(evidence: list[Evidence], rows: list[dict[str, Any]]) -> None:
    devices = fuse(evidence, SIGS)
    assert len(devices) == len(rows), [(d.ip, d.mac, d.via) for d in devices]
    for n, (dev, want) in enumerate(zip(devices, rows, strict=True)):
        _assert_row(n, dev, want)


def _assert_row(n: int, dev: Device, want: dict[str, Any]) -> None:
    for key, value in want.items():
        if key == "provenance":
            got = {k: dev.provenance.get(k) for k in value}
            assert got == value, f"row {n} ({dev.ip}): provenance"
        else:
            assert getattr(dev, key) == value, f"row {n} ({dev.ip}): {key}"


def test_every_field_a_row_shows_names_its_source() -> None:
    for param in CASES:
        for dev in fuse(param.values[0], SIGS):
            for key in ("ip", "mac", "manufacturer", "brand", "model", "firmware", "serial", "name", "via"):
                assert not getattr(dev, key) or key in dev.provenance, (param.id, key)


# --- the numbers are data ------------------------------------------------------------------------

def _policy_dir(tmp_path: Path, old: str, new: str) -> Path:
    return edited_copy(tmp_path, "fusion.toml", old, new)


def test_ranking_comes_from_fusion_toml(tmp_path: Path) -> None:
    evidence = [sadp("198.18.0.11", HIK_MAC, firmware="V5.7.13 build 230612"),
                isapi("198.18.0.11", HIK_MAC, firmware="V5.7.12 build 230101")]
    assert fuse(list(evidence), SIGS)[0].firmware == "V5.7.12 build 230101"
    policy = fusion_policy.load(_policy_dir(tmp_path, "sadp = 50", "sadp = 80"))
    [dev] = fuse(list(evidence), SIGS, policy)
    assert (dev.firmware, dev.provenance["firmware"]) == ("V5.7.13 build 230612", "sadp")


def test_form_weights_come_from_fusion_toml(tmp_path: Path) -> None:
    evidence = [ev("wsd", ip="198.18.0.12", form="ptz"), isapi("198.18.0.12", HIK_MAC, form="static")]
    assert fuse(list(evidence), SIGS)[0].form == "static"
    policy = fusion_policy.load(_policy_dir(tmp_path, "other_sources_cap = 40", "other_sources_cap = 100"))
    # the cap is raised but WS-Discovery's rank (40) still bounds it; the authenticated ISAPI weight does not move
    assert fuse(list(evidence), SIGS, policy)[0].form == "static"
    policy = fusion_policy.load(_policy_dir(tmp_path, "authenticated = 90", "authenticated = 30"))
    assert fuse(list(evidence), SIGS, policy)[0].form == "ptz"


def test_maker_strengths_come_from_fusion_toml(tmp_path: Path) -> None:
    evidence = [arp("198.18.0.50", HIK_MAC), ev("rtsp", ip="198.18.0.50", banners={"rtsp_server": "Dahua Rtsp Server"})]
    assert fuse(list(evidence), SIGS)[0].manufacturer == "Dahua"
    policy = fusion_policy.load(_policy_dir(tmp_path, 'oui = "low"', 'oui = "high"'))
    [dev] = fuse(list(evidence), SIGS, policy)
    assert (dev.manufacturer, dev.confidence) == ("Hikvision", "high")


def test_shipped_policy_examples_hold() -> None:
    assert fusion_policy.check() == []


@pytest.mark.parametrize(("old", "new", "message"), [
    ("sadp = 50", "sadp = 50\nsapd = 50", "[rank]: unknown key(s) ['sapd']"),
    ("sadp = 50    # Hikvision discovery\n", "", "[rank]: missing key(s) ['sadp']"),
    ("sadp = 50", 'sadp = "50"', "[rank]: 'sadp' must be a whole number"),
    ("sadp = 50", "sadp = -1", "[rank]: 'sadp' must be a whole number"),
    ("penalty = 25", "penalty = true", "[unauthenticated]: 'penalty' must be a whole number"),
    ('oui = "low"', 'oui = "lowish"', "[maker]: 'oui' must be one of ['high', 'medium', 'low']"),
    ('"sadp", "dhip", "wsd"', '"sadp", "dhcpx", "wsd"', "[kind]: 'camera_sources' has ['dhcpx']"),
    ('device_type = "camera"\nweight = 14', 'device_type = "webcam"\nweight = 14',
     "[kind.wsd_types]: 'device_type' must be one of"),
    ("pattern = 'networkvideotransmitter|", "pattern = '(networkvideotransmitter|", "[kind.wsd_types]: bad regex"),
    ("[form.sources.nvr]", "[form.sources.nvrs]", "[form.sources]: unknown key(s) ['nvrs']"),
    ("static = 25", "static = 25\nptz = 80", "[form.sources.onvif]: unknown key(s) ['ptz']"),
    ("[unauthenticated]", "[unauthenticated]\n[extra]", "top level: unknown key(s) ['extra']"),
])
def test_a_broken_policy_is_one_line_naming_file_table_and_key(tmp_path: Path, old: str, new: str,
                                                                message: str) -> None:
    text = refusal(fusion_policy.load, _policy_dir(tmp_path, old, new), "fusion.toml")
    assert message in text, text


def test_a_policy_example_that_fails_is_reported(tmp_path: Path) -> None:
    directory = _policy_dir(tmp_path, '"networkvideotransmitter",\n', '"networkvideodisplay",\n')
    assert fusion_policy.check(directory) == [
        "fusion.toml: [kind.wsd_types]: example 'networkvideodisplay' does not match"]


def test_a_missing_policy_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match=r"fusion\.toml: cannot read"):
        fusion_policy.load(tmp_path)


@pytest.mark.parametrize(("file", "old", "new"), [
    ("fusion.toml", "sadp = 50", "sadp = 5O"),
    ("device_classes.toml", 'names = ["IPDome"]', 'names = ["IPDome"]\nname = "x"'),
])
def test_replay_reports_a_broken_policy_file_before_reading_captures(tmp_path: Path, file: str, old: str,
                                                                     new: str) -> None:
    path = edited_copy(tmp_path, file, old, new) / file
    out = tmp_path / "inv.csv"
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(DEFAULT_DIR.parent / "pcaps" / "demo.pcap"),
                           "--csv", str(out), "-q", "--no-history"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CAMSCAN_SIGNATURES": str(tmp_path)})
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"camscan: error: {path}:"), proc.stderr
    assert not out.exists()
