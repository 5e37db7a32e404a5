"""Video analytics (issue 11): what each device says it can analyse, read by the protocols'
parsers (ISAPI capabilities and smart-event configurations on the real dumps, Dahua analyse
rules, ONVIF event topics, DHIP ITC), the vocabulary file that names the words, fusion's
`analytics` field and a recorder's unasked channels, and the shared counts reports use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from edited_signatures import edited_copy, refusal
from test_protocols_apps import dump_document, get, real_glob, response

from camscan.estate import Part, merge
from camscan.identify import analytics
from camscan.identify.fusion import fuse
from camscan.identify.signatures import load
from camscan.model import Device, Endpoint, Evidence, Inventory
from camscan.protocols import dahua_cgi, dhip, http, isapi, onvif, sadp
from camscan.report.counts import analytics_counts, camera_counts
from camscan.serialise import COLUMNS, csv_cells, device_from_dict, device_to_dict

FIX = Path(__file__).parent / "fixtures" / "apps"
CAM = Endpoint(ip="198.18.0.10", mac="", port=80)
DVR = Endpoint(ip="198.18.0.21", mac="", port=80)
SIGS = load()


def dump(model: str) -> dict:
    [path] = real_glob(f"hikvision-isapi-dump-{model}.json")
    return json.loads(path.read_text())


def caps_of(model: str) -> dict[str, str] | None:
    [ev] = isapi.parse_capabilities(dump_document(dump(model), "System/capabilities"), CAM)
    return ev.analytics


# --------------------------------------------------------------------------- ISAPI, real dumps

@pytest.mark.parametrize(("model", "expected"), [
    # value-line cameras: line crossing, intrusion and region entrance/exit only
    ("DS-2CD2146G2-ISU", {"perimeter"}),
    ("DS-2CD2386G2-IU", {"perimeter"}),
    ("DS-2CD2443G0-IW", {"perimeter"}),
    ("DS-2CD2532F-IWS", {"perimeter"}),
    # the PTZ's panoramic channel captures faces (EventCap isSupportFaceSnap)
    ("DS-2SE4C425MWG-E-26", {"face", "perimeter"}),
    # the thermal camera: fire detection, no perimeter analytics
    ("DS-2TD1228-2-QA", {"fire"}),
    # an AcuSense NVR analyses its channels: face comparison among them
    ("DS-7608NXI-I2", {"face-recognition", "face", "people-counting", "perimeter", "behaviour", "heat-map", "fire"}),
])
def test_isapi_capabilities_of_the_real_dumps(model: str, expected: set[str]) -> None:
    found = caps_of(model)
    assert found is not None and set(found) == expected
    assert set(found.values()) == {analytics.CAPABLE}, "a capabilities document never says enabled"


def test_isapi_capabilities_note_names_the_elements_and_none_means_standard() -> None:
    [ev] = isapi.parse_capabilities(dump_document(dump("DS-2CD2146G2-ISU"), "System/capabilities"), CAM)
    assert ev.authenticated and ev.platform == "Hikvision" and ev.source == "isapi"
    assert "isSupportLineDetection" in ev.note and "isSupportFaceDetect" not in ev.note
    body = (b'<DeviceCap xmlns="http://www.hikvision.com/ver20/XMLSchema"><SmartCap>'
            b"<isSupportFaceDetect>false</isSupportFaceDetect><isSupportROI>true</isSupportROI></SmartCap>"
            b"<EventCap><isSupportMotionDetection>true</isSupportMotionDetection></EventCap></DeviceCap>")
    [ev] = isapi.parse_capabilities(body, CAM)
    assert ev.analytics == {} and ev.note == ""
    assert isapi.parse_capabilities(b"<DeviceInfo/>", CAM) == []


def test_isapi_smart_event_documents_say_enabled_or_capable() -> None:
    off = dump_document(dump("DS-2CD2146G2-ISU"), "Smart/LineDetection/1")
    [ev] = isapi.parse_smart_config(off, CAM)
    assert ev.analytics == {"perimeter": analytics.CAPABLE}
    on = dump_document(dump("iDS-7204HUHI-M1"), "Smart/FieldDetection/1")
    [ev] = isapi.parse_smart_config(on, CAM)
    assert ev.analytics == {"perimeter": analytics.ENABLED}
    face = (b'<FaceDetect version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><id>1</id>'
            b"<enabled>true</enabled></FaceDetect>")
    assert isapi.parse_smart_config(face, CAM)[0].analytics == {"face": analytics.ENABLED}
    assert isapi.parse_smart_config(b"<MotionDetection><enabled>true</enabled></MotionDetection>", CAM) == []


def test_dvr_analogue_inputs_with_a_signal_are_cameras_behind_it() -> None:
    inputs = dump_document(dump("iDS-7204HUHI-M1"), "System/Video/inputs/channels")
    listed, *cams = isapi.parse_video_inputs(inputs, DVR)
    assert (listed.ip, listed.channels_listed, listed.via) == (DVR.ip, True, "")
    assert listed.note == "analogue inputs: 4, 2 with a video signal"
    # inputs 2 and 4 say "NO VIDEO": nothing is connected there
    assert [(c.via, c.channel, c.name, c.ip, c.device_type) for c in cams] == [
        (DVR.ip, 1, "Entrada", "", "camera"), (DVR.ip, 3, "Terraza - Taller", "", "camera")]
    assert all(c.source == "nvr" and c.analytics == {} for c in cams)
    assert "2560*1440(4MP)P30" in cams[0].note


@pytest.mark.parametrize("model", ["DS-2CD2146G2-ISU", "DS-2SE4C425MWG-E-26", "DS-2TD1228-2-QA"])
def test_a_cameras_own_video_inputs_are_not_cameras(model: str) -> None:
    """An IP camera lists its own sensor(s) there, without a signal description."""
    assert isapi.parse_video_inputs(dump_document(dump(model), "System/Video/inputs/channels"), CAM) == []


def test_every_dvr_dump_counts_its_analogue_cameras() -> None:
    assert len(isapi.parse_video_inputs(dump_document(dump("iDS-7208HQHI-M1"), "System/Video/inputs/channels"),
                                        DVR)) > 1


def test_http_dispatch_routes_the_new_isapi_paths() -> None:
    body = dump_document(dump("DS-2CD2146G2-ISU"), "System/capabilities")
    out = http.parse_exchange(get(isapi.CAPABILITIES), response(200, body), CAM)
    assert out[1].analytics == {"perimeter": analytics.CAPABLE}
    # without the request, the root element decides
    out = http.parse_exchange(None, response(200, body), CAM)
    assert out[1].analytics == {"perimeter": analytics.CAPABLE}


# --------------------------------------------------------------------------- Dahua, ONVIF, discovery

def test_dahua_analyse_caps_and_rules() -> None:
    caps, rules = dahua_cgi.ACTIONS["VideoAnalyseCaps"], dahua_cgi.ACTIONS["VideoAnalyseRule"]
    [ev] = dahua_cgi.parse(caps, (FIX / "dahua-devVideoAnalyse-getCaps.txt").read_bytes(), CAM)
    assert ev.analytics == {"perimeter": "capable", "behaviour": "capable", "face": "capable"}
    assert ev.platform == "Dahua" and ev.authenticated
    [ev] = dahua_cgi.parse(caps, (FIX / "dahua-devVideoAnalyse-getCaps-motion-only.txt").read_bytes(), CAM)
    assert ev.analytics == {}, "rules listed, none of them analytics: a standard camera"
    [ev] = dahua_cgi.parse(rules, (FIX / "dahua-VideoAnalyseRule.txt").read_bytes(), CAM)
    assert ev.analytics == {"perimeter": "enabled", "face": "capable"}
    assert dahua_cgi.parse(rules, b"table.VideoAnalyseRule[0][0].Enable=true\r\n", CAM) == []


def test_onvif_event_topics() -> None:
    [ev] = onvif.parse_response((FIX / "onvif-GetEventProperties-analytics.xml").read_bytes(), CAM)
    assert ev.analytics == {"perimeter": "capable", "anpr": "capable"}
    [ev] = onvif.parse_response((FIX / "onvif-GetEventProperties-motion-only.xml").read_bytes(), CAM)
    assert ev.analytics == {}, "motion and tamper are standard CCTV"


def test_dhip_itc_class_is_an_anpr_camera_and_recorders_declare_their_channels() -> None:
    [path] = real_glob("dahua-dhip-notifyDevInfo-IPC-HDW1431T1-S4.json")
    doc = json.loads(path.read_text())
    [ev] = dhip.parse(json.dumps(doc).encode(), CAM)
    assert ev.analytics is None and ev.channel_capacity == 1
    doc["params"]["deviceInfo"].update(DeviceClass="ITC", DeviceType="ITC413-PW4D-IZ1")
    [ev] = dhip.parse(json.dumps(doc).encode(), CAM)
    assert ev.analytics == {"anpr": "capable"}
    doc["params"]["deviceInfo"].update(DeviceClass="NVR", VideoInputChannels=0, RemoteVideoInputChannels=16)
    [ev] = dhip.parse(json.dumps(doc).encode(), CAM)
    assert ev.channel_capacity == 16 and ev.analytics is None


def test_sadp_declares_a_recorders_channels() -> None:
    reply = (b"<ProbeMatch><DeviceDescription>iDS-7208HQHI-M1/S</DeviceDescription><DeviceSN>X</DeviceSN>"
             b"<MAC>98-df-82-3e-61-02</MAC><AnalogChannelNum>8</AnalogChannelNum>"
             b"<DigitalChannelNum>2</DigitalChannelNum></ProbeMatch>")
    [ev] = sadp.parse(reply, DVR)
    assert ev.channel_capacity == 10
    [ev] = sadp.parse(b"<ProbeMatch><DeviceDescription>DS-2CD2386G2-IU</DeviceDescription></ProbeMatch>", CAM)
    assert ev.channel_capacity is None


# --------------------------------------------------------------------------- the vocabulary file

def test_vocabulary_examples_hold_and_models_are_matched() -> None:
    vocab = analytics.load()
    assert vocab.check() == []
    assert vocab.model("iDS-TCM403-GIR") == "anpr" and vocab.model("DHI-ITC237-PU1B-IR") == "anpr"
    assert vocab.model("DS-2CD2386G2-IU") == "" and vocab.model("iDS-2CD7146G0-IZS") == ""
    assert vocab.render({"perimeter": "capable", "face": "enabled"}) == ["face", "perimeter (capable)"]
    assert vocab.render({}) == ["standard"]


@pytest.mark.parametrize(("old", "new", "says"), [
    ('{ vocabulary = "isapi", value = "isSupportHeatmap" }', '{ vocabulary = "isapi", value = "isSupportCounting" }',
     "finds 'people-counting'"),
    ('dhip = ["ITC"]', 'dhip = ["ITC"]\nfoo = 1', "unknown key"),
    ('isapi = ["isSupportHeatmap"]', 'isapi = ["isSupportHeatmap", "isSupportLineDetection"]', "is in 'perimeter'"),
    ("'iDS-TCM',", "'iDS-TCM', 'DS-2CD2',", "not_models"),
    ('"behaviour", "heat-map", "fire"]', '"behaviour", "heat-map"]', "'id' must be one of"),
])
def test_a_broken_vocabulary_is_refused_in_one_line(tmp_path: Path, old: str, new: str, says: str) -> None:
    directory = edited_copy(tmp_path, "analytics.toml", old, new)
    assert says in refusal(analytics.load, directory, "analytics.toml")


# --------------------------------------------------------------------------- fusion

HIK_MAC = "c0:56:e3:72:19:be"


def one(items: list[Evidence]) -> Device:
    [d] = fuse(items, SIGS)
    return d


def cam_isapi(**fields: object) -> Evidence:
    return Evidence(source="isapi", ip="198.18.0.10", mac=HIK_MAC, platform="Hikvision", authenticated=True,
                    **fields)  # type: ignore[arg-type]


def test_fusion_enabled_beats_capable_and_provenance_is_the_strongest_source() -> None:
    d = one([cam_isapi(device_type="camera", form="static", model="iDS-2CD7146G0-IZS"),
             cam_isapi(analytics={"face": "capable", "perimeter": "capable"}),
             cam_isapi(analytics={"face": "enabled"})])
    assert d.analytics == ["face", "perimeter (capable)"]
    assert d.provenance["analytics"] == "isapi"


def test_fusion_standard_unknown_and_not_video() -> None:
    assert one([cam_isapi(device_type="camera", analytics={})]).analytics == ["standard"]
    d = one([cam_isapi(device_type="camera", form="static")])
    assert d.analytics == ["unknown"] and d.provenance["analytics"] == "unsettled"
    intercom = one([cam_isapi(device_type="intercom")])
    assert intercom.device_type == "intercom" and intercom.analytics == [] and "analytics" not in intercom.provenance


def test_fusion_model_number_says_capable_when_nothing_else_does() -> None:
    d = one([Evidence(source="sadp", ip="198.18.0.16", mac=HIK_MAC, platform="Hikvision",
                      model="iDS-TCM403-GIR")])
    assert d.analytics == ["anpr (capable)"] and d.provenance["analytics"] == "sadp:analytics"
    d = one([Evidence(source="dhip", ip="198.18.0.44", mac="3c:e3:6b:8a:52:1f", platform="Dahua",
                      device_type="camera", model="ITC413-PW4D-IZ1", analytics={"anpr": "capable"})])
    assert d.analytics == ["anpr (capable)"] and d.provenance["analytics"] == "dhip"


def dvr_sadp(**fields: object) -> Evidence:
    return Evidence(source="sadp", ip="198.18.0.21", mac="98:df:82:3e:61:02", platform="Hikvision",
                    model="iDS-7208HQHI-M1/S", **fields)  # type: ignore[arg-type]


def test_a_recorder_not_asked_says_how_many_cameras_may_be_behind_it() -> None:
    d = one([dvr_sadp(channel_capacity=10)])
    assert d.device_type == "dvr" and d.channels_unasked and d.channel_capacity == 10
    assert d.provenance["channel_capacity"] == "sadp"
    assert "up to 10 cameras may be connected" in d.notes[-1]
    d = one([dvr_sadp()])
    assert d.channels_unasked and d.channel_capacity is None and "not known" in d.notes[-1]


def test_a_recorder_asked_is_not_unasked_even_with_no_cameras() -> None:
    listed = Evidence(source="isapi", ip="198.18.0.21", mac="98:df:82:3e:61:02", platform="Hikvision",
                      authenticated=True, channels_listed=True)
    rows = fuse([dvr_sadp(channel_capacity=10), listed,
                 Evidence(source="nvr", via="198.18.0.21", channel=3, device_type="camera", analytics={})], SIGS)
    dvr = next(d for d in rows if d.device_type == "dvr")
    cam = next(d for d in rows if d.via)
    assert not dvr.channels_unasked and dvr.channel_capacity == 10
    assert (cam.device_type, cam.channel, cam.analytics, cam.form) == ("camera", 3, ["standard"], "unknown")


# --------------------------------------------------------------------------- serialisation and counts

def test_analytics_is_a_csv_column_after_the_contract_and_unasked_is_json_only() -> None:
    assert COLUMNS[-1] == "analytics" and COLUMNS.index("analytics") > COLUMNS.index("confidence")
    assert "channels_unasked" not in COLUMNS and "channel_capacity" not in COLUMNS
    d = Device(ip="198.18.0.17", device_type="camera", analytics=["face", "perimeter (capable)"],
               provenance={"analytics": "isapi"})
    assert csv_cells(d)["analytics"] == "face;perimeter (capable)"
    r = Device(ip="198.18.0.21", device_type="dvr", channels_unasked=True, channel_capacity=10, analytics=["unknown"])
    raw = json.loads(json.dumps(device_to_dict(r)))
    assert (raw["channels_unasked"], raw["channel_capacity"], raw["analytics"]) == (True, 10, ["unknown"])
    assert device_from_dict(raw) == r
    assert device_from_dict({"ip": "198.18.0.5"}).analytics == [], "an older file without the field reads"


def estate() -> list[Device]:
    return [
        Device(ip="198.18.0.10", device_type="camera", form="static", analytics=["perimeter (capable)"]),
        Device(ip="198.18.0.16", device_type="camera", form="static", analytics=["anpr (capable)"]),
        Device(ip="198.18.0.17", device_type="camera", form="static", analytics=["face", "perimeter (capable)"]),
        Device(ip="198.18.0.18", device_type="camera", form="unknown", analytics=["unknown"]),
        Device(ip="198.18.0.20", device_type="nvr", analytics=["face (capable)"]),
        Device(ip="192.168.254.2", via="198.18.0.20", channel=1, device_type="camera", form="static",
               analytics=["unknown"]),
        Device(ip="198.18.0.21", device_type="dvr"),
        Device(via="198.18.0.21", channel=1, device_type="camera", form="unknown", analytics=["standard"]),
        Device(via="198.18.0.21", channel=2, device_type="camera", form="unknown", analytics=["standard"]),
        Device(ip="198.18.0.42", device_type="nvr", channels_unasked=True, channel_capacity=8),
        Device(ip="198.18.0.43", device_type="dvr", channels_unasked=True),
        Device(ip="198.18.0.1", device_type="other"),
    ]


def test_camera_counts_state_every_camera_or_its_absence() -> None:
    c = camera_counts(estate())
    assert (c.seen, c.seen_directly, c.behind_recorders, c.analogue) == (7, 4, 3, 2)
    assert c.recorders_unasked == 2 and [d.ip for d in c.unasked] == ["198.18.0.42", "198.18.0.43"]
    assert c.possible_unseen == 8 and c.unasked_uncounted == 1


def test_analytics_counts() -> None:
    a = analytics_counts(estate())
    assert (a.cameras, a.standard, a.unknown) == (7, 2, 2)
    assert a.capable == {"perimeter": 2, "anpr": 1, "face": 1}
    assert a.enabled == {"face": 1}, "the NVR's face capability is not a camera's"


# --------------------------------------------------------------------------- two sensors, one estate

def sensor(site: str, *devices: Device) -> Part:
    return Part(site=site, inventory=Inventory(devices=list(devices), scanned_at="2026-01-01T00:00:00+00:00"),
                source=f"{site} sensor")


def test_two_sensors_count_a_dvrs_analogue_cameras_once_and_keep_the_asked_reading() -> None:
    """One sensor had the accounts, the other did not: the estate holds the DVR's analogue
    cameras once (same recorder serial, same channel), the DVR as asked, and each device's
    analytics as the sensor that could read them said, whichever sensor came first."""
    dvr = dict(ip="10.0.0.21", mac="98:df:82:3e:61:02", serial="iDS-7208HQHI-M1/S0120240105CCWRFD44", device_type="dvr")
    asked = sensor("Depot", Device(**dvr, channel_capacity=10, analytics=["face (capable)"]),  # type: ignore[arg-type]
                   Device(via="10.0.0.21", channel=1, device_type="camera", analytics=["standard"]),
                   Device(via="10.0.0.21", channel=2, device_type="camera", analytics=["standard"]),
                   Device(ip="10.0.0.17", mac="24:0f:9b:5a:10:17", device_type="camera", analytics=["face"]))
    unasked = sensor("HQ", Device(**dvr, channels_unasked=True, channel_capacity=10,  # type: ignore[arg-type]
                                  analytics=["unknown"]),
                     Device(ip="10.0.0.17", mac="24:0f:9b:5a:10:17", device_type="camera", analytics=["unknown"]))
    for parts in ([asked, unasked], [unasked, asked]):
        devices, _ = merge(parts)
        assert len(devices) == 4
        rec = next(d for d in devices if d.device_type == "dvr")
        assert not rec.channels_unasked and rec.analytics == ["face (capable)"]
        assert next(d for d in devices if d.ip == "10.0.0.17").analytics == ["face"]
        assert camera_counts(devices).analogue == 2 and camera_counts(devices).recorders_unasked == 0
