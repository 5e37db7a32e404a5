"""The value layer: MACs, IPv4 sort keys and firmware strings read one way everywhere."""

from __future__ import annotations

from datetime import date

import pytest

from camscan.firmware import Firmware, normalise_firmware
from camscan.model import Device, Inventory
from camscan.report.counts import FormCounts, Headcount, by_maker, forms_by_maker
from camscan.report.html import build_year
from camscan.values import ip_number, ip_sort_key, normalise_mac, register_mac


def test_station_macs_are_normalised_and_group_addresses_refused() -> None:
    assert normalise_mac("58 50 ED 1F E3 85") == "58:50:ed:1f:e3:85"
    for bad in ("01:00:5e:00:00:fb", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "0:1:2:3:4:5", "x" * 50):
        assert normalise_mac(bad) == ""


def test_register_macs_drop_whatever_a_person_typed_around_the_digits() -> None:
    assert register_mac("5850:ED1F:E385") == "58:50:ed:1f:e3:85"
    assert register_mac("01-00-5E-00-00-FB") == "01:00:5e:00:00:fb"  # the register says what it says
    assert register_mac("58:50:ed") == ""


def test_ip_sort_key_orders_numerically_then_empty_and_unreadable_last() -> None:
    ips = ["10.0.0.10", "", "10.0.0.9", "camera.local", "9.255.255.255"]
    assert sorted(ips, key=ip_sort_key) == ["9.255.255.255", "10.0.0.9", "10.0.0.10", "", "camera.local"]
    assert ip_number("10.0.0.1") == 167772161 and ip_number("fe80::1") is None


@pytest.mark.parametrize(("text", "version", "build", "year"), [
    ("V5.6.2 build 190701", (5, 6, 2), date(2019, 7, 1), 2019),
    ("2.800.0000016.0.R build 2020-06-05", (2, 800), date(2020, 6, 5), 2020),
    ("V5.6.2 build 190230", (5, 6, 2), None, 2019),  # no 30 February, but the year is plain
    ("V4.001.0000007.1 Build Date 27-08-2021", (), None, 2021),  # as a web UI sends it
    ("V5.6.2 build 199999", (5, 6, 2), None, None),
    ("garbage", (), None, None),
])
def test_firmware_is_parsed_once_into_version_build_and_year(text: str, version: tuple, build: date | None,
                                                             year: int | None) -> None:
    fw = Firmware.parse(text)
    assert (fw.version, fw.build, fw.build_year) == (version, build, year)
    assert build_year(text) == year


def test_normalised_firmware_reads_back() -> None:
    fw = Firmware.parse(normalise_firmware("V5.7.14", "build 231028"))
    assert fw.version == (5, 7, 14) and fw.build == date(2023, 10, 28)


def test_headline_counts_are_counted_once() -> None:
    devs = [Device(device_type="camera", form="static", manufacturer="Hikvision"),
            Device(device_type="camera", form="unknown", manufacturer="Dahua", via="10.0.0.9"),
            Device(device_type="camera", form=""),
            Device(device_type="nvr", ip="10.0.0.9"), Device(device_type="dvr", via="10.0.0.9")]
    count = Headcount.of(Inventory(devs).devices)
    assert (count.cameras, count.forms.static, count.forms.unknown, count.forms.unsettled) == (3, 1, 1, 2)
    assert (count.recorders, count.cameras_behind_recorders, count.behind_recorders) == (2, 1, 2)
    assert by_maker(devs, "?")["?"] == 3
    assert forms_by_maker(devs[:3], "?") == {"Hikvision": FormCounts(1, 1, 0, 0), "Dahua": FormCounts(1, 0, 0, 1),
                                             "?": FormCounts(1, 0, 0, 0)}
