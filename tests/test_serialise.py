"""The one serialiser (camscan/serialise.py): every field round-trips through the JSON form, the
CSV, table and diff take their columns from the same field list, a field added to that list
shows up everywhere without another edit, and a bad inventory file gets a one-line error."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from camscan.errors import InputError
from camscan.model import AdvisoryFinding, Device, Inventory
from camscan.report import RenderContext
from camscan.report.diff import diff
from camscan.report.formats import EXPORTERS, exporter, foi_format
from camscan.report.inventory_file import load_inventory
from camscan.serialise import COLUMNS, DEVICE_FIELDS, Field, SerialiseError, csv_cells, device_from_dict, device_to_dict

FULL = Device(
    ip="10.0.0.5", mac="58:50:ed:1f:e3:85", manufacturer="Hikvision", brand="HiLook", device_type="camera",
    form="ptz", model="DS-2DE4425IW-DE", firmware="V5.5.41 build 200911", serial="DS-2DE0001", name="Gate",
    via="10.0.0.9", channel=3, site="Depot", advisories=["HIK-2021-1"],
    findings=[AdvisoryFinding("HIK-2021-1", "Command injection", heuristic=True)], evidence=["sadp", "nvr"],
    confidence="high", provenance={"model": "sadp", "ip": "nvr"}, notes=["a note"], mac_randomised=True,
    tls_sha256="ab" * 32, tls_changed=True, extra={"cost": "120.00"},
)


def test_every_field_round_trips_through_the_json_form() -> None:
    raw = json.loads(json.dumps(FULL.to_dict()))
    back = Device.from_dict(raw)
    assert back == FULL
    inv = Inventory([FULL], targets=["198.18.0.0/24"], scanned_at="2026-01-01T00:00:00+00:00",
                    skipped={"malformed": 2}, notes=["n"])
    assert Inventory.from_dict(json.loads(json.dumps(inv.to_dict()))) == inv


def test_json_keys_and_csv_columns_come_from_the_one_field_list() -> None:
    keys = list(FULL.to_dict())
    assert keys == [f.name for f in DEVICE_FIELDS] + ["register"]
    rendered = exporter("csv").render(Inventory([FULL]), RenderContext())
    header, row = list(csv.reader(io.StringIO(rendered)))
    assert header == [*COLUMNS, "cost"]
    assert dict(zip(header, row, strict=True))["channel"] == "3"
    assert dict(zip(header, row, strict=True))["evidence"] == "sadp;nvr"


@dataclass(slots=True)
class _WiderDevice(Device):
    mount_height: str = ""


def test_a_new_field_is_one_line_in_the_field_list() -> None:
    """What a newcomer adding an inventory column does: a field on the model and one Field."""
    fields = (*DEVICE_FIELDS, Field("mount_height", table=(11, "height", 6)))
    d = _WiderDevice(ip="10.0.0.7", mount_height="4.5m")
    raw = json.loads(json.dumps(device_to_dict(d, fields)))
    assert list(raw)[-1] == "mount_height" and raw["mount_height"] == "4.5m"
    assert csv_cells(d, fields)["mount_height"] == "4.5m"
    back = device_from_dict(raw, fields, _WiderDevice)
    assert isinstance(back, _WiderDevice) and back.mount_height == "4.5m" and back.ip == "10.0.0.7"
    with pytest.raises(SerialiseError, match="mount_height must be text"):
        device_from_dict({"mount_height": 4}, fields, _WiderDevice)


@pytest.mark.parametrize(("raw", "message"), [
    ({"ip": 5}, "ip must be text"),
    ({"channel": "two"}, "channel must be a number"),
    ({"evidence": "sadp"}, "evidence must be a list of text"),
    ({"findings": [{"title": "no id"}]}, "findings must be a list of advisory findings"),
])
def test_a_wrong_type_names_the_field(raw: dict, message: str) -> None:
    with pytest.raises(SerialiseError, match=message):
        Device.from_dict(raw)


def test_a_bad_inventory_file_is_one_line_naming_file_and_device(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps({"camscan": "0.1", "devices": [{"ip": "10.0.0.1"}, {"channel": "x"}]}))
    with pytest.raises(InputError) as err:
        load_inventory(str(path))
    assert str(err.value) == f"{path}: device #2: channel must be a number"
    path.write_text(json.dumps({"camscan": "0.1", "devices": [7]}))
    with pytest.raises(InputError, match="device #1 is not an object"):
        load_inventory(str(path))


def test_the_reader_leaves_out_register_columns_and_run_notes(tmp_path: Path) -> None:
    """`camscan report` joins the register given now; stale columns from the input would mix in."""
    path = tmp_path / "inv.json"
    path.write_text(exporter("json").render(Inventory([FULL], notes=["old"]), RenderContext()))
    inv = load_inventory(str(path))
    assert inv.devices[0].extra == {} and inv.notes == []
    assert inv.devices[0].model == FULL.model and inv.devices[0].findings == FULL.findings


def test_the_store_rows_read_through_from_dict() -> None:
    """What the history store hands over: a 0/1 flag, lists and mappings already decoded."""
    d = Device.from_dict({"ip": "10.0.0.2", "channel": None, "mac_randomised": 1, "provenance": {"ip": "arp"},
                          "advisories": [], "evidence": ["arp"], "notes": []})
    assert d.mac_randomised is True and d.channel is None and d.provenance == {"ip": "arp"}


def test_every_output_is_picked_by_name_and_renders() -> None:
    inv = Inventory([FULL, Device(ip="10.0.0.1", device_type="nvr")])
    context = RenderContext(diff=diff([], inv.devices))
    for name, out in EXPORTERS.items():
        assert out.name == name and out.suffix.startswith(".")
        assert out.render(inv, context)
    assert "2 new" in exporter("diff-text").render(inv, context)
    assert json.loads(exporter("diff-json").render(inv, context))["summary"]["new"] == 2
    assert foi_format("answer.md") == "foi-markdown" and foi_format("answer.txt") == "foi-text"
    with pytest.raises(KeyError, match="no output 'xml'; there are table, csv"):
        exporter("xml")
