"""Every advisory entry proves itself: its examples match it, its not_examples do not, and the
firmware parser reads both vendors' formats. advisories.toml is held to the same strict schema
as the other signature files: an unknown or missing key is an error naming the advisory."""

from __future__ import annotations

from datetime import date

import pytest

from camscan.identify.advisories import check, findings, load, load_file, parse_firmware
from camscan.identify.signatures import SignatureError, default_directory

ADVISORIES = load()


def _cases(kind: str) -> list:
    out = []
    for adv in ADVISORIES:
        for ex in getattr(adv, kind):
            out.append(pytest.param(adv, ex, id=f"{adv.id}:{ex['model']}:{ex['firmware']}"))
    return out


@pytest.mark.parametrize(("adv", "ex"), _cases("examples"))
def test_every_example_matches_its_advisory(adv, ex) -> None:
    got = findings(adv.manufacturer, ex["model"], ex.get("device_type", "camera"), ex["firmware"])
    assert adv.id in [f.id for f in got]


@pytest.mark.parametrize(("adv", "ex"), _cases("not_examples"))
def test_no_not_example_matches_its_advisory(adv, ex) -> None:
    got = findings(adv.manufacturer, ex["model"], ex.get("device_type", "camera"), ex["firmware"])
    assert adv.id not in [f.id for f in got]


def test_the_four_advisories_are_there() -> None:
    assert {a.id for a in ADVISORIES} >= {"CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044", "CVE-2021-33045"}


def test_firmware_parsing() -> None:
    hik = parse_firmware("V5.6.2 build 190701")
    assert hik.version == (5, 6, 2) and hik.build == date(2019, 7, 1)
    dah = parse_firmware("2.800.0000016.0.R build 2020-06-05")
    assert dah.version == (2, 800) and dah.build == date(2020, 6, 5)
    assert parse_firmware("V4.001.0000007.1 build 2021-08-27").build == date(2021, 8, 27)
    assert parse_firmware("garbage").version == ()
    assert parse_firmware("V5.6.2 build 199999").build is None


def test_heuristic_rule_is_labelled_and_fix_build_is_not_flagged() -> None:
    [f] = findings("Hikvision", "DS-2CD2385G1-I", "camera", "V5.6.2 build 190701")
    assert f.id == "CVE-2021-36260" and f.heuristic
    assert findings("Hikvision", "DS-2CD2385G1-I", "camera", "V5.5.800 build 210628") == []
    # the same firmware on a Dahua-made device is not a Hikvision finding
    assert findings("Dahua", "DS-2CD2385G1-I", "camera", "V5.6.2 build 190701") == []


def test_check_reports_nothing_for_the_shipped_data() -> None:
    assert check(ADVISORIES) == []


def _broken(tmp_path, old: str, new: str):
    text = (default_directory() / "advisories.toml").read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in advisories.toml"
    bad = tmp_path / "advisories.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


@pytest.mark.parametrize(("old", "new", "message"), [
    ("models = '^DS-2CD2\\d\\d2F-I'", "models = '^DS-2CD2(('", r"'CVE-2017-7921'.*rule 1: bad rule"),
    ('source = "S7"\nexamples', 'source = "S7"\nexample', r"'CVE-2017-7921'.*unknown key\(s\) \['example'\]"),
    ('source = "S7"\n', "", r"'CVE-2017-7921'.*missing 'source'"),
    ("version_min = \"V5.2.0 build 140721\"", "version_mn = \"V5.2.0 build 140721\"",
     r"'CVE-2017-7921'.*rule 1: unknown key\(s\) \['version_mn'\]"),
    ("version_max = \"V5.4.0 build 160530\"", "version_max = \"V5.4\"",
     r"'CVE-2017-7921'.*rule 1: version bounds must look like"),
    ('{ model = "DS-2CD2132F-I", firmware = "V5.3.0 build 151016" }',
     '{ model = "DS-2CD2132F-I", fw = "V5.3.0 build 151016" }',
     r"'CVE-2017-7921'.*examples\[1\]: unknown key\(s\) \['fw'\]"),
    ('device_types = ["camera"]', 'device_types = "camera"', r"'CVE-2021-36260'.*'device_types' must be a list"),
    ('id = "CVE-2021-36260"', 'id = "CVE-2017-7921"', r"'CVE-2017-7921' \(#2\): duplicate id"),
])
def test_broken_advisory_file_names_the_entry(tmp_path, old, new, message) -> None:
    with pytest.raises(SignatureError, match=r"advisories\.toml: advisory " + message):
        load_file(_broken(tmp_path, old, new))


def test_check_catches_an_example_its_rules_do_not_cover(tmp_path) -> None:
    bad = _broken(tmp_path, '{ model = "DS-2DF8236IX-AEL", firmware = "V5.4.5 build 160928" }',
                  '{ model = "DS-2DF8236IX-AEL", firmware = "V5.5.0 build 170101" }')
    assert check(load_file(bad)) == [
        "advisories.toml: advisory 'CVE-2017-7921': example 2 (DS-2DF8236IX-AEL, V5.5.0 build 170101) "
        "is not covered by its rules"]
