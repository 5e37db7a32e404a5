"""`camscan diff` tells news from detail: a re-flash or a different device is a change, a field
that went from unknown to known is more detail, an advisory that now applies is a new risk.
Firmware is compared as parsed versions, so a build date added to the same version is detail."""

from __future__ import annotations

import json

import pytest

from camscan.model import Device
from camscan.report.diff import diff, firmware_change
from camscan.report.diff_output import render_json, render_table

MAC = "44:19:b6:aa:bb:cc"


def cam(**fields: object) -> Device:
    base: dict[str, object] = {"ip": "10.1.1.3", "mac": MAC, "manufacturer": "Hikvision", "brand": "Hikvision",
                               "device_type": "camera", "form": "static", "model": "DS-2CD2143G0-I",
                               "firmware": "V5.5.0 build 191126", "serial": "S1"}
    base.update(fields)
    return Device(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("2.800.0000016.0.R", "2.800.0000016.0.R build 2020-06-05", "detail"),  # build date added
    ("", "V5.5.0 build 191126", "detail"),  # firmware read this time
    ("V5.5.0 build 191126", "", ""),  # not read this time: missing, not news
    ("V5.6.2build 190701", "V5.6.2 build 190701", ""),  # the same build written two ways
    ("V5.5.0 build 191126", "V5.7.3 build 220112", "changed"),  # another version
    ("V5.7.3 build 220112", "V5.7.3 build 220315", "changed"),  # same version, another build
    ("2.800.0000016.0.R build 2020-06-05", "2.800.0000000.23.R build 2021-09-13", "changed"),
    ("2.800.0000016.0.R build 2020-06-05", "2.800.0000016.0.R", ""),  # build date not read this time
    ("10.12.182", "10.12.190", "changed"),  # a string camscan does not parse still compares
])
def test_firmware_compared_as_parsed_versions(old: str, new: str, kind: str) -> None:
    assert firmware_change(old, new) == kind


def test_dahua_firmware_gaining_a_build_date_is_more_detail_not_a_reflash() -> None:
    """The four Dahua devices the issue saw called re-flashed."""
    old = [cam(ip=f"10.0.1.{i}", mac=f"3c:ef:8c:00:00:0{i}", serial=f"D{i}", manufacturer="Dahua",
               firmware="2.800.0000016.0.R") for i in range(1, 5)]
    new = [cam(ip=f"10.0.1.{i}", mac=f"3c:ef:8c:00:00:0{i}", serial=f"D{i}", manufacturer="Dahua",
               firmware="2.800.0000016.0.R build 2020-06-05") for i in range(1, 5)]
    d = diff(old, new)
    assert d.reflashed == [] and d.changed == [] and len(d.more_detail) == 4 and d.unchanged == 0
    out = render_table(d)
    assert out.startswith("0 new, 0 gone, 0 moved, 0 re-flashed, 0 changed, 0 new risk, 4 more detail, 0 unchanged")
    assert "more detail (learnt this scan, not a change) (4):" in out
    assert "firmware 2.800.0000016.0.R build 2020-06-05 (was 2.800.0000016.0.R)" in out


def test_a_real_reflash_is_still_a_reflash() -> None:
    d = diff([cam()], [cam(firmware="V5.7.3 build 220112")])
    [r] = d.reflashed
    assert r.fields == {"firmware": ("V5.5.0 build 191126", "V5.7.3 build 220112")}
    assert d.more_detail == [] and d.changed == []
    assert "re-flashed (1):" in render_table(d)


@pytest.mark.parametrize(("field", "old", "new", "kind"), [
    ("form", "unknown", "ptz", "more_detail"),
    ("form", "", "static", "more_detail"),
    ("form", "static", "ptz", "changed"),
    ("device_type", "unknown", "camera", "more_detail"),
    ("model", "", "DS-2CD2143G0-I", "more_detail"),
    ("model", "DS-2CD2143G0-I", "DS-2CD2387G2-LU", "changed"),
    ("brand", "", "HiLook", "more_detail"),
    ("manufacturer", "Dahua", "Hikvision", "changed"),
])
def test_identity_fields_changed_or_more_detail(field: str, old: str, new: str, kind: str) -> None:
    d = diff([cam(**{field: old})], [cam(**{field: new})])
    entries = d.changed if kind == "changed" else d.more_detail
    [c] = entries
    assert c.fields == {field: (old, new)} and c.matched_by == "serial"
    other = d.more_detail if kind == "changed" else d.changed
    assert other == [] and d.unchanged == 0


def test_form_from_unknown_to_known_is_counted_not_silent() -> None:
    """The issue: forms going from unknown to static/PTZ showed as '0 changed' and nothing else."""
    old = [cam(ip=f"10.0.0.{i}", mac="", serial=f"H{i}", form="unknown") for i in range(1, 4)]
    new = [cam(ip=f"10.0.0.{i}", mac="", serial=f"H{i}", form="ptz" if i == 1 else "static") for i in range(1, 4)]
    d = diff(old, new)
    assert len(d.more_detail) == 3 and d.unchanged == 0
    assert "form ptz (was unknown)" in render_table(d)


def test_an_advisory_that_appears_is_a_new_risk() -> None:
    old = [cam(firmware="V5.4.0 build 160530", advisories=[])]
    new = [cam(firmware="V5.4.0 build 160530", advisories=["CVE-2021-36260"])]  # newly published
    d = diff(old, new)
    [r] = d.new_risk
    assert r.fields == {"advisories": ([], ["CVE-2021-36260"])}
    assert d.reflashed == d.changed == d.more_detail == [] and d.unchanged == 0
    out = render_table(d)
    assert "1 new risk" in out and "new risk (1):" in out and "advisories now apply: CVE-2021-36260" in out
    assert out.index("new risk (1):") < out.index("1 new risk") + 200  # listed first, before detail


def test_a_reflash_to_a_vulnerable_build_is_both_reflash_and_new_risk() -> None:
    old = [cam(firmware="V5.7.3 build 220112", advisories=["CVE-2017-7921"])]
    new = [cam(firmware="V5.5.0 build 191126", advisories=["CVE-2017-7921", "CVE-2021-36260"])]
    d = diff(old, new)
    assert len(d.reflashed) == 1 and len(d.new_risk) == 1
    assert d.new_risk[0].fields["advisories"][1] == ["CVE-2021-36260"], "only the advisory that is new"


def test_an_advisory_already_known_is_not_news() -> None:
    d = diff([cam(advisories=["CVE-2021-36260"])], [cam(advisories=["CVE-2021-36260"])])
    assert d.new_risk == [] and d.unchanged == 1
    assert render_table(d).endswith("no differences\n")


def test_json_carries_each_kind() -> None:
    old = [cam(), cam(ip="10.1.1.4", mac="44:19:b6:aa:bb:cd", serial="S2", form="unknown"),
           cam(ip="10.1.1.5", mac="44:19:b6:aa:bb:ce", serial="S3")]
    new = [cam(firmware="V5.7.3 build 220112"), cam(ip="10.1.1.4", mac="44:19:b6:aa:bb:cd", serial="S2", form="ptz"),
           cam(ip="10.1.1.5", mac="44:19:b6:aa:bb:ce", serial="S3", advisories=["CVE-2021-36260"])]
    doc = json.loads(render_json(diff(old, new)))
    assert doc["summary"] == {"new": 0, "gone": 0, "moved": 0, "reflashed": 1, "changed": 0, "new_risk": 1,
                              "more_detail": 1, "unchanged": 0}
    assert doc["more_detail"][0]["changes"] == {"form": {"old": "unknown", "new": "ptz"}}
    assert doc["new_risk"][0]["changes"] == {"advisories": {"old": [], "new": ["CVE-2021-36260"]}}
