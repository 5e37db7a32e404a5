"""The FOI draft's facts: register dates and costs as people keep them, analytics cells, and the
channels a recorder that was not asked may have."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from camscan.model import Device
from camscan.report.assets import gbp, parse_cost, parse_date, pick_column, uk_date
from camscan.report.foi_facts import capabilities, channels_of, purchases


@pytest.mark.parametrize(("text", "expected"), [
    ("14/03/2024", date(2024, 3, 14)),
    ("14/3/24", date(2024, 3, 14)),
    ("1/4/21", date(2021, 4, 1)),
    ("14-03-2024", date(2024, 3, 14)),
    ("14.03.2024", date(2024, 3, 14)),
    ("2024-03-14", date(2024, 3, 14)),
    ("2024-03-14T09:30:00", date(2024, 3, 14)),
    ("14 Mar 2024", date(2024, 3, 14)),
    ("14-Mar-2024", date(2024, 3, 14)),
    ("3rd March 2021", date(2021, 3, 3)),
    ("45365", date(2024, 3, 14)),  # a spreadsheet serial number
    ("45365.5", date(2024, 3, 14)),
    ("03/14/2024", None),  # US order: there is no month 14, and it is not swapped
    ("31/02/2024", None),
    ("12345", None),  # a five-digit number far from any purchase date
    ("TBC", None),
    ("", None),
])
def test_register_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("£1,234.50", Decimal("1234.50")),
    ("1234.5", Decimal("1234.5")),
    ("GBP 1234", Decimal("1234")),
    ("1234 GBP", Decimal("1234")),
    ("£ 80", Decimal("80")),
    ("€100", None),
    ("$99", None),
    ("1,23", None),
    ("TBC", None),
    ("", None),
])
def test_register_costs(text: str, expected: Decimal | None) -> None:
    assert parse_cost(text) == expected


def test_dates_and_pounds_as_people_write_them() -> None:
    assert uk_date(date(2024, 3, 14)) == "14 March 2024"
    assert uk_date(date(2021, 12, 1)) == "1 December 2021"
    assert gbp(Decimal("1234.5")) == "£1,234.50"
    assert pick_column(["Asset", "Date of survey", "Purchase date", "Cost (£)"], ("purchase date", "date")) == \
        "Purchase date"


def test_purchases_count_what_could_not_be_read() -> None:
    def dev(maker: str, when: str, cost: str) -> Device:
        return Device(manufacturer=maker, device_type="camera", extra={"Bought": when, "Cost": cost})
    got = purchases([dev("Hikvision", "14/03/2024", "£100"), dev("Dahua", "", "€50"), dev("Hikvision", "soon", ""),
                     Device(device_type="camera")], "Bought", "Cost")
    assert got.matched == 3 and got.dates == [date(2024, 3, 14)]
    assert (got.no_date, got.unreadable_dates) == (1, 1)
    assert (got.total, got.costed, got.hikvision_total) == (Decimal(100), 1, Decimal(100))
    assert (got.no_cost, got.unreadable_costs) == (1, 1)


@pytest.mark.parametrize(("cells", "expected"), [
    (["standard"], ["standard"]),
    (["face", "anpr (capable)"], ["face", "anpr"]),
    ("face;perimeter (capable)", ["face", "perimeter"]),
    ([], ["unknown"]),
    (None, ["unknown"]),
])
def test_analytics_cells(cells: object, expected: list[str]) -> None:
    class WithAnalytics:  # a Device with the analytics field, whatever the model holds today
        analytics = cells
    assert capabilities(WithAnalytics()) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("maker", "model", "channels"), [
    ("Hikvision", "DS-7608NI-K2", 8),
    ("Hikvision", "DS-7204HGHI-K1", 4),
    ("Hikvision", "DS-9664NI-I8", 64),
    ("Hikvision", "iDS-7208HQHI-M1/S", 8),
    ("Dahua", "DHI-NVR4108HS-8P-4KS2", 8),
    ("Dahua", "XVR5116HS-I3", 16),
    ("Dahua", "IPC-HFW2431S", None),
    ("Axis", "", None),
])
def test_recorder_channels_from_the_model_number(maker: str, model: str, channels: int | None) -> None:
    assert channels_of(Device(manufacturer=maker, model=model, device_type="nvr")) == channels
