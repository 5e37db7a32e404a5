"""The vendors' type vocabularies (signatures/device_classes.toml) prove themselves: every example
is put into a real Hikvision deviceInfo document or Dahua DHIP reply and the protocol's own
parser must give the type and form the example states. Unknown words and look-alikes give no
type; a broken file is refused with one line naming the file, the entry and the key."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from edited_signatures import edited_copy, refusal

from camscan.identify import device_classes
from camscan.model import Endpoint
from camscan.protocols import dhip, isapi

CLASSES = device_classes.load()
SERVER = Endpoint(ip="198.18.0.10", mac="c0:56:e3:72:19:be")


def device_info(device_type: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">'
            "<deviceName>Yard</deviceName><model>DS-2CD2386G2-IU</model>"
            f"<deviceType>{device_type}</deviceType></DeviceInfo>").encode()


def notify_dev_info(device_class: str) -> bytes:
    body = json.dumps({"mac": "3c:e3:6b:8a:52:1f", "method": "client.notifyDevInfo", "params": {"deviceInfo": {
        "DeviceClass": device_class, "DeviceType": "IPC-HDW1431T1-S4", "SerialNo": "6J02E1BPAG7F3A1",
        "Vendor": "Private"}}}).encode()
    size = struct.pack("<I", len(body))
    return b"\x20\x00\x00\x00DHIP" + bytes(8) + size + bytes(4) + size + bytes(4) + body


def parse(vocabulary: str, word: str):
    if vocabulary == "isapi":
        [found] = isapi.parse_device_info(device_info(word), SERVER)
    else:
        [found] = dhip.parse(notify_dev_info(word), SERVER)
    return found


def _examples() -> list:
    return [pytest.param(vocab, entry, ex, id=f"{vocab}:{entry.id}:{ex['value']}")
            for vocab in device_classes.VOCABULARIES for entry in CLASSES.entries(vocab) for ex in entry.examples]


@pytest.mark.parametrize(("vocabulary", "entry", "example"), _examples())
def test_each_example_through_the_protocols_own_parser(vocabulary, entry, example) -> None:
    found = parse(vocabulary, example["value"])
    assert (found.device_type, found.form) == (example["device_type"], example["form"])
    assert CLASSES.lookup(vocabulary, example["value"]).id == entry.id


def test_the_shipped_file_checks_clean() -> None:
    assert CLASSES.check() == []


@pytest.mark.parametrize(("vocabulary", "word", "want"), [
    ("isapi", "ipdome", ("camera", "ptz")),      # case is ignored
    ("isapi", "IPCAMERA", ("camera", "static")),
    ("dhip", "sd", ("camera", "ptz")),
    ("isapi", "IPDomeX", ("", "")),               # whole words only
    ("isapi", "IPCam", ("", "")),
    ("dhip", "TPC", ("camera", "")),              # thermal: fixed or positioning, the class cannot tell the form
    ("dhip", "TPCX", ("", "")),
    ("dhip", "ıPC", ("", "")),                    # a dotless i that upper-cases to "IPC" is not IPC
    ("isapi", "", ("", "")),
])
def test_words_are_whole_and_ascii(vocabulary: str, word: str, want: tuple[str, str]) -> None:
    assert CLASSES.classify(vocabulary, word) == want


def test_an_unknown_word_is_kept_in_the_note_and_claims_nothing() -> None:
    found = parse("isapi", "SmartBox")
    assert (found.device_type, found.form) == ("", "")
    assert "deviceType=SmartBox (not a known ISAPI type)" in found.note
    found = parse("dhip", "QQQ")
    # the class is kept in the note; the type falls back to the model's prefix (IPC-HDW1431T1-S4)
    assert (found.device_type, found.form) == ("camera", "") and "DeviceClass QQQ" in found.note


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    return edited_copy(tmp_path, "device_classes.toml", old, new)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('names = ["IPDome"]', 'names = ["IPDome"]\nname = "x"', "[[isapi]] entry 'ipdome' (#2): unknown key(s) ['name']"),
    ('device_type = "alarm"', 'device_type = "burglar"', "[[isapi]] entry 'alarm' (#11): 'device_type' must be one of"),
    ('names = ["NVR"]\ndevice_type = "nvr"', 'names = ["NVR"]\ndevice_type = "nvr"\nform = "static"',
     "entry 'nvr' (#4): 'form' is only for device_type"),
    ('form = "ptz"\nexamples', 'form = "pan"\nexamples', "entry 'ipdome' (#2): 'form' must be one of"),
    ('names = ["IPZoom"]', 'names = ["IPZoom", "ipdome"]', "[[isapi]] name 'ipdome' is in 'ipdome' and 'ipzoom'"),
    ('{ value = "IPZoom", device_type = "camera", form = "static" }', '{ value = "IPZoom" }',
     "entry 'ipzoom' (#3) examples[1]: missing key(s) ['device_type']"),
    ('names = ["IPZoom"]', 'names = ["IPZ\u00f6om"]', "entry 'ipzoom' (#3): 'names' must be ASCII"),
    ('confidence = "heuristic"\nnames = ["IPZoom"]', 'confidence = "maybe"\nnames = ["IPZoom"]',
     "entry 'ipzoom' (#3): 'confidence' must be one of"),
    ("[[dhip]]\nid = \"ipc\"", "[[dhcp]]\nid = \"ipc\"", "top level: unknown key(s) ['dhcp']"),
])
def test_a_broken_file_is_one_line_naming_file_entry_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = refusal(device_classes.load, _broken(tmp_path, old, new), "device_classes.toml")
    assert message in text, text


def test_an_example_that_contradicts_its_entry_is_reported(tmp_path: Path) -> None:
    directory = _broken(tmp_path, '{ value = "SD", device_type = "camera", form = "ptz" }',
                        '{ value = "SD", device_type = "camera", form = "static" }')
    assert device_classes.load(directory).check() == [
        "device_classes.toml: [[dhip]] 'sd': example 'SD' yields ('camera', 'ptz'), the example says "
        "('camera', 'static')"]


def test_guesses_say_so() -> None:
    # a spelling backed only by general knowledge (source tag D) must be marked heuristic
    for vocab in device_classes.VOCABULARIES:
        for entry in CLASSES.entries(vocab):
            if "D" in entry.source.split(","):
                assert entry.heuristic, f"[[{vocab}]] '{entry.id}'"
