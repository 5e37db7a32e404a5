"""`camscan report`: sites, the asset register, advisories, the FOI draft, and what a user sees
when one of those files is wrong."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"


def camscan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("inv") / "demo.json"
    proc = camscan("replay", str(PCAPS / "demo.pcap"), "--json", str(out), "-q", "--no-history")
    assert proc.returncode == 0, proc.stderr
    return out


SITES = """
[[site]]
name = "Town Hall"
networks = ["198.18.0.0/26"]

[[site]]
name = "Depot"
networks = ["198.18.4.0/24"]

[[site]]
name = "Library"
networks = ["198.18.0.40/29"]
recorders = ["198.18.0.42"]
"""

REGISTER = """Asset tag,MAC address,Serial number,Purchase date,Cost,Supplier,Location
A-001,44:19:B6:3C:5E:21,,2021-03-04,412.50,Acme CCTV,Yard
A-002,,DS-2DE4425IW-DE(S6)20230915AAWRF70215538,2023-10-01,1890.00,Acme CCTV,Main gate
A-003,aa:bb:cc:dd:ee:ff,,2019-01-01,99.00,Old Supplier,Skip
"""


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_fills_sites_register_and_foi(inventory: Path, tmp_path: Path) -> None:
    (tmp_path / "sites.toml").write_text(SITES)
    (tmp_path / "register.csv").write_text(REGISTER)
    out_csv, foi_md, foi_txt = tmp_path / "out.csv", tmp_path / "foi.md", tmp_path / "foi.txt"
    annex = tmp_path / "annex.md"
    proc = camscan("report", str(inventory), "--sites", str(tmp_path / "sites.toml"), "--assets",
                   str(tmp_path / "register.csv"), "--csv", str(out_csv), "--foi", str(foi_md),
                   "--foi-annex", str(annex))
    assert proc.returncode == 0, proc.stderr
    got = rows(out_csv)
    header = out_csv.read_text().splitlines()[0].split(",")
    assert header[:17] == ["ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware",
                           "serial", "name", "via", "channel", "site", "advisories", "evidence", "confidence",
                           "oui_vendor"]
    assert header[17] == "analytics" and header[18:] == ["Asset tag", "Purchase date", "Cost", "Supplier", "Location"]
    by = {(r["ip"], r["via"]): r for r in got}
    assert by[("198.18.0.10", "")]["site"] == "Town Hall"
    assert by[("198.18.0.40", "")]["site"] == "Library", "the most specific network wins"
    assert by[("198.18.4.20", "")]["site"] == "Depot"
    behind = [r for r in got if r["via"] == "198.18.0.42"]
    assert behind and all(r["site"] == "Library" for r in behind), "cameras behind a recorder take its site"
    assert by[("198.18.0.10", "")]["Cost"] == "412.50", "matched by MAC"
    assert by[("198.18.0.12", "")]["Asset tag"] == "A-002", "matched by serial"
    assert by[("198.18.4.20", "")]["advisories"] == "CVE-2021-36260"
    assert "1 register rows not found on the network" in proc.stdout
    text = foi_md.read_text()
    assert "## Is equipment made by Hikvision, or a company it owns, in use?" in text and "Yes." in text
    assert "HiLook 1" in text and "EZVIZ 1" in text and "Pyronix" in text
    assert "| Town Hall |" in text
    assert "CVE-2021-36260" not in text and "198.18." not in text, "advisories and addresses stay in the annex"
    internal = annex.read_text()
    assert internal.startswith("# INTERNAL ANNEX: NOT FOR PUBLICATION")
    assert "CVE-2021-36260" in internal and "198.18.4.20" in internal
    assert "rule of thumb" in internal, "a heuristic advisory is labelled as such"
    assert "Register entries not found on the network: 1." in text
    assert "Recorded cost of the 2 matched devices with a cost: £2,302.50." in text
    assert "Purchased between 4 March 2021 and 1 October 2023." in text
    assert camscan("report", str(inventory), "--foi", str(foi_txt)).returncode == 0
    plain = foi_txt.read_text()
    assert "Is equipment made by Hikvision, or a company it owns, in use?\n---" in plain and "|" not in plain


def test_foi_counts_match_the_inventory(inventory: Path, tmp_path: Path) -> None:
    foi_md = tmp_path / "foi.md"
    assert camscan("report", str(inventory), "--foi", str(foi_md)).returncode == 0
    doc = json.loads(inventory.read_text())
    cams = [d for d in doc["devices"] if d["device_type"] == "camera"]
    static = sum(d["form"] == "static" for d in cams)
    ptz = sum(d["form"] == "ptz" for d in cams)
    text = foi_md.read_text()
    unknown_form = len(cams) - static - ptz  # the DVR's analogue cameras and the DHCP-only Axis
    assert f"| **all** | {static} | {ptz} | {unknown_form} | {len(cams)} |" in text
    assert "No sites file was given" in text


@pytest.mark.parametrize(("name", "content", "flag", "message"), [
    ("sites.toml", "[[site]]\nname = 'X'\nnetworks = ['198.18.0.300/24']\n", "--sites", "sites.toml: [[site]] 'X'"),
    ("sites.toml", "[[site]\nname=", "--sites", "sites.toml: "),
    ("register.csv", "Asset,Cost\nA,1\n", "--assets", "register.csv:1: no MAC or serial column"),
    ("register.csv", "MAC,Cost\naa:bb:cc:dd:ee:ff,1\nbb:cc,2,3\n", "--assets", "register.csv:3: 3 fields"),
])
def test_bad_side_files_get_one_line_naming_file_and_line(inventory: Path, tmp_path: Path, name: str,
                                                          content: str, flag: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "out.csv"
    proc = camscan("report", str(inventory), flag, str(path), "--csv", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not out.exists(), "nothing is half-written"


def test_bad_inventory_json(tmp_path: Path) -> None:
    bad = tmp_path / "inv.json"
    bad.write_text('{"camscan": "0.1",\n "devices": [\n {"ip": 5}\n]}')
    proc = camscan("report", str(bad), "--foi", str(tmp_path / "f.md"))
    assert proc.returncode == 2 and "device #1: ip must be text" in proc.stderr
    bad.write_text('{"camscan": "0.1",\n "devices": [,]}')
    proc = camscan("report", str(bad))
    assert proc.returncode == 2 and f"{bad}:2: not valid JSON" in proc.stderr
    bad.write_text('{"something": "else"}')
    assert "not a camscan inventory" in camscan("report", str(bad)).stderr


def test_history_and_diff_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite3")
    assert camscan("diff", "--db", db).returncode == 2  # nothing recorded yet
    assert camscan("replay", str(PCAPS / "demo.pcap"), "-q", "--db", db).returncode == 0
    assert camscan("replay", str(PCAPS / "hostile.pcap"), "-q", "--db", db).returncode == 0
    hist = camscan("history", "--db", db)
    assert hist.returncode == 0
    lines = hist.stdout.splitlines()
    assert "replay" in lines[1] and "hostile.pcap" in lines[1] and "demo.pcap" in lines[2], "newest first"
    out = camscan("diff", "--db", db)
    demo_rows = sum(1 for _ in csv.DictReader((PCAPS / "demo.expected.csv").open(encoding="utf-8")))
    # hostile.pcap's 3 good devices are the demo's too: every other demo row is gone
    assert out.returncode == 0 and out.stdout.startswith(f"4 new, {demo_rows - 3} gone, 0 moved, 0 re-flashed")
    same = camscan("diff", "-2", "-2", "--db", db)
    assert same.returncode == 0 and "0 new, 0 gone" in same.stdout
    as_json = json.loads(camscan("diff", "1", "2", "--json", "--db", db).stdout)
    assert as_json["summary"]["new"] == 4
    missing = camscan("diff", "1", "9", "--db", db)
    assert missing.returncode == 2 and "no scan 9" in missing.stderr
