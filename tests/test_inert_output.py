"""Device text is inert wherever a person reads it, and files are written safely: an inventory
whose rows carry markup, terminal controls, bidi overrides and spreadsheet formulas goes
through `camscan report` and the exporters; outputs and the live capture meet planted symlinks."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from camscan.model import Device, Inventory
from camscan.output import write_atomic
from camscan.report.formats import exporter
from camscan.serialise import inventory_to_dict

ROOT = Path(__file__).resolve().parents[1]
ESC, CSI, RLO = "\x1b", "\x9b", "\u202e"
FAKE_LINE = "\n0 devices, 0 cameras"  # a device trying to print a summary line of its own


def hostile_inventory() -> Inventory:
    devices = [
        Device(ip="198.18.0.10", mac="44:19:b6:3c:5e:21", manufacturer="Hikvision", brand="[x](javascript:alert(1))",
               device_type="camera", form="static", model="<img src=x onerror=alert(1)>",
               firmware=f"V5.7{ESC}[2J{CSI}31m", serial="\ufeff=HYPERLINK(\"http://evil\")", name=f"Yard{RLO}gpj.exe",
               site="  =1+1", evidence=["sadp"], confidence="high", notes=[f"ONVIF fault: {ESC}]0;pwned\a{FAKE_LINE}"]),
        Device(ip="198.18.0.11", mac="44:19:b6:3c:5e:22", manufacturer="Hikvision", device_type="camera",
               form="ptz", model="＝cmd|' /C calc'!A0", serial="＋1", name="\t@SUM(A1)", evidence=["sadp"],
               confidence="high"),
    ]
    return Inventory(devices=devices, targets=["198.18.0.0/24"], scanned_at="2026-01-01T00:00:00+00:00",
                     skipped={f"odd {RLO}kind": 1}, notes=[f"host name from SSDP: cam{ESC}[1A{FAKE_LINE}"])


@pytest.fixture
def inventory_file(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(inventory_to_dict(hostile_inventory()), ensure_ascii=False), encoding="utf-8")
    return path


def camscan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def assert_inert(text: str) -> None:
    assert not any(c in text for c in (ESC, CSI, RLO, "\a", "\ufeff")), repr(text[:200])
    assert "\n0 devices, 0 cameras" not in text


def test_terminal_lines_carry_no_controls_or_bidi_and_no_forged_lines(inventory_file: Path) -> None:
    proc = camscan("report", str(inventory_file))
    assert proc.returncode == 0, proc.stderr
    assert_inert(proc.stdout)
    assert "odd \\u202ekind" in proc.stdout  # shown escaped, not dropped: the user sees what was sent
    table = exporter("table").render(hostile_inventory())  # what replay and scan print
    assert_inert(table)
    assert "cam\\x1b[1A\\x0a0 devices" in table


def test_foi_markdown_and_text_escape_device_markup(inventory_file: Path, tmp_path: Path) -> None:
    for name in ("foi.md", "foi.txt"):
        annex = f"annex.{name.split('.')[1]}"
        assert camscan("report", str(inventory_file), "--foi", str(tmp_path / name),
                       "--foi-annex", str(tmp_path / annex)).returncode == 0
        text = (tmp_path / name).read_text(encoding="utf-8") + (tmp_path / annex).read_text(encoding="utf-8")
        assert_inert(text)
        assert not re.search(r"(?<!\\)<img", text) and "\\<img src=x onerror=alert(1)\\>" in text
        assert not re.search(r"(?<!\\)\[x(?<!\\)\]\(javascript:", text)
        assert "\\[x\\](javascript:alert(1))" in text
    # the table rows still have their five cells: a device's `|` would be a border
    md = (tmp_path / "foi.md").read_text(encoding="utf-8") + (tmp_path / "annex.md").read_text(encoding="utf-8")
    firmware_rows = [ln for ln in md.splitlines() if "\\<img" in ln]
    assert firmware_rows and all(ln.count(" | ") == len(ln.split(" | ")) - 1 for ln in firmware_rows)


def test_csv_defuses_formulas_after_bom_full_width_and_whitespace(inventory_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "inv.csv"
    assert camscan("report", str(inventory_file), "--csv", str(out)).returncode == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cells = [rows[0]["serial"], rows[0]["site"], rows[1]["model"], rows[1]["serial"], rows[1]["name"]]
    assert all(c.startswith("'") for c in cells), cells
    assert rows[0]["name"] == "Yard\\u202egpj.exe"
    assert_inert(out.read_text(encoding="utf-8"))


def test_json_keeps_the_raw_text_and_flags_the_rows(inventory_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    assert camscan("report", str(inventory_file), "--json", str(out)).returncode == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    first, second = doc["devices"]
    assert first["name"] == f"Yard{RLO}gpj.exe"
    assert {"name:bidi", "firmware:control", "serial:invisible", "notes:control"} <= set(first["text_flags"])
    assert second["text_flags"] == ["name:control"]


def test_an_output_never_follows_a_symlink_and_keeps_the_files_mode(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "inv.csv"
    link.symlink_to(victim)
    write_atomic(str(link), "a,b\n")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "a,b\n"
    private = tmp_path / "inv.json"
    private.write_text("{}")
    private.chmod(0o600)
    write_atomic(str(private), "{}\n")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="a live capture needs root")
def test_capture_replaces_a_planted_symlink_and_is_private(tmp_path: Path) -> None:
    from camscan.scan.capture import LiveCapture

    victim = tmp_path / "shadow"
    victim.write_text("root:x:0:0\n")
    link = tmp_path / "scan.pcap"
    link.symlink_to(victim)
    cap = LiveCapture("lo", "127.0.0.1", str(link))  # loopback only: nothing is sent
    cap.start()
    cap.stop()
    assert victim.read_text() == "root:x:0:0\n"
    assert not link.is_symlink()
    assert stat.S_IMODE(link.stat().st_mode) == 0o600
    assert link.read_bytes()[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_history_is_private_and_never_created_through_a_dangling_symlink(tmp_path: Path) -> None:
    from camscan.store.common import HistoryError
    from camscan.store.sqlite import SqliteHistory

    old = tmp_path / "old.sqlite3"
    SqliteHistory(old).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    old.chmod(0o644)  # as an older camscan or a loose umask left it
    SqliteHistory(old).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    planted = tmp_path / "h.sqlite3"
    planted.symlink_to(tmp_path / "elsewhere.sqlite3")
    with pytest.raises(HistoryError, match="symlink to nothing"):
        SqliteHistory(planted)
    assert not (tmp_path / "elsewhere.sqlite3").exists()
