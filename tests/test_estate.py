"""Estate-wide answers: several sensors' inventories merged (each device once, matched by serial
then MAC), sites from --site and sites files, and the report's per-site sections — from files and
from the store."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from camscan.estate import Part, combine, merge
from camscan.model import Device, Inventory

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"
# rows of the demo capture's inventory (the Depot's sensor): counted, not written in, so a lab
# profile added to the demo estate does not change what these tests mean
DEMO_ROWS = sum(1 for _ in csv.DictReader((PCAPS / "demo.expected.csv").open(encoding="utf-8")))


def part(site: str, *devices: Device) -> Part:
    return Part(site=site, inventory=Inventory(devices=list(devices), scanned_at="2026-01-01T00:00:00+00:00"),
                source=f"{site} sensor")


def test_a_device_two_sensors_saw_is_one_device_matched_by_serial_then_mac() -> None:
    routed = part("HQ", Device(ip="10.2.0.5", serial="DS-2CD2386G2-IU2023AAWR1", model="DS-2CD2386G2-IU",
                               evidence=["http"]),
                  Device(ip="10.2.0.6", firmware="V5.7.3", mac="44:19:b6:00:00:06"))
    local = part("Depot", Device(ip="10.2.0.5", mac="44:19:b6:00:00:05", serial="ds-2cd2386g2-iu2023aawr1",
                                 firmware="V5.7.15", evidence=["arp", "sadp"]),
                 Device(ip="10.2.0.60", mac="44:19:B6:00:00:06"))
    devices, merged = merge([routed, local])
    assert merged == 2 and len(devices) == 2
    cam = next(d for d in devices if d.ip == "10.2.0.5")
    # the local sensor's record (it has the MAC) is kept; the routed scan fills what it lacked
    assert (cam.mac, cam.firmware, cam.model) == ("44:19:b6:00:00:05", "V5.7.15", "DS-2CD2386G2-IU")
    assert cam.evidence == ["arp", "sadp", "http"]
    assert cam.notes == ["seen by 2 sensors: HQ sensor, Depot sensor"]


def test_placeholder_serials_shared_macs_and_addresses_match_nothing_across_sites() -> None:
    a = part("A", Device(ip="10.0.0.1", serial="0000000"), Device(ip="10.0.0.2", serial="0000000"),
             Device(ip="10.0.0.3", serial="CLONE1"), Device(ip="10.0.0.4", serial="CLONE1"),
             Device(ip="10.0.0.5", mac="da:00:00:00:00:01", mac_randomised=True))
    b = part("B", Device(ip="10.0.0.1", serial="0000000"), Device(ip="10.0.0.3", serial="CLONE1"),
             Device(ip="10.0.0.5", mac="da:00:00:00:00:01", mac_randomised=True))
    devices, merged = merge([a, b])
    assert merged == 0 and len(devices) == 8


def test_sites_file_wins_then_the_device_then_the_sensor(tmp_path: Path) -> None:
    from camscan.report.sites import load_sites

    sites_file = tmp_path / "sites.toml"
    sites_file.write_text('[[site]]\nname = "Far"\nnetworks = ["198.18.9.0/24"]\n')
    p = part("HQ", Device(ip="198.18.9.4"), Device(ip="198.18.1.4", site="Yard"), Device(ip="198.18.1.5"),
             Device(ip="", via="198.18.9.1", channel=2))
    est = combine([p, part("B")], load_sites(str(sites_file)))
    assert [d.site for d in est.inventory.devices] == ["Far", "Yard", "HQ", "Far"]


def camscan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.fixture(scope="module")
def three_sites(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Three sensors' replays: Depot's own (demo), a routed scan from HQ that saw the same
    devices (stress-tcp), and the Annex (hostile, 3 devices also seen at the Depot); recorded in
    one SQLite store, and written as JSON inventories."""
    base = tmp_path_factory.mktemp("estate")
    db = base / "estate.sqlite3"
    files = []
    for name, site in (("demo", "Depot"), ("stress-tcp", "HQ"), ("hostile", "Annex")):
        out = base / f"{site}.json"
        proc = camscan("replay", str(PCAPS / f"{name}.pcap"), "--site", site, "--db", str(db), "--json", str(out),
                       "-q")
        assert proc.returncode in (0, 2), proc.stderr  # hostile.pcap has deliberately broken records
        files.append(out)
    (base / "sites.toml").write_text('[[site]]\nname = "Far Depot"\nnetworks = ["198.18.4.0/24"]\n')
    return base, files


def check_estate_outputs(base: Path, proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((base / "estate.csv").open(encoding="utf-8")))
    assert len(rows) == DEMO_ROWS + 4  # the Depot's (HQ saw the same), 4 more at the Annex
    sites = {r["site"] for r in rows}
    assert sites == {"Depot", "Annex", "Far Depot"}
    assert [r["site"] for r in rows if r["ip"] == "198.18.4.20"] == ["Far Depot"]
    assert sum(r["site"] == "Annex" for r in rows) == 4
    serials = [r["serial"] for r in rows if r["serial"]]
    assert len(serials) == len(set(serials))
    foi = (base / "estate.md").read_text(encoding="utf-8")
    assert "## Per site" in foi and "### Annex" in foi and "### Depot" in foi and "### Far Depot" in foi
    assert "| cameras | 1 |" in foi  # the Annex's one identified camera (the Dahua without a serial)
    hq = foi.split("### HQ", 1)[1].split("###", 1)[0]  # HQ's routed scan saw only what the Depot's sensor saw
    assert "Every device this sensor saw was seen by another site's sensor too" in hq
    html = (base / "estate.html").read_text(encoding="utf-8")
    assert '<section id="per-site">' in html and "<h3>Annex</h3>" in html
    assert f"{DEMO_ROWS + 4} devices" in proc.stdout


def test_report_merges_three_sites_from_inventory_files(three_sites) -> None:
    base, files = three_sites
    proc = camscan("report", *map(str, files), "--sites", str(base / "sites.toml"), "--csv",
                   str(base / "estate.csv"), "--foi", str(base / "estate.md"), "--html", str(base / "estate.html"))
    check_estate_outputs(base, proc)
    assert f"{DEMO_ROWS + 3} devices seen by more than one sensor counted once" in proc.stdout


def test_report_merges_the_latest_scan_of_each_site_in_the_store(three_sites) -> None:
    base, _ = three_sites
    db = str(base / "estate.sqlite3")
    proc = camscan("report", "--db", db, "--latest-per-site", "--sites", str(base / "sites.toml"), "--csv",
                   str(base / "estate.csv"), "--foi", str(base / "estate.md"), "--html", str(base / "estate.html"))
    check_estate_outputs(base, proc)
    one = camscan("report", "--db", db, "--site", "Annex", "--json", str(base / "annex.json"))
    assert one.returncode == 0, one.stderr
    doc = json.loads((base / "annex.json").read_text())
    assert len(doc["devices"]) == 7 and {d["site"] for d in doc["devices"]} == {"Annex"}


def test_history_and_diff_per_site(three_sites) -> None:
    base, _ = three_sites
    db = str(base / "estate.sqlite3")
    hist = camscan("history", "--db", db, "--site", "HQ", "--json")
    assert [s["site"] for s in json.loads(hist.stdout)] == ["HQ"]
    everything = camscan("history", "--db", db)
    assert "Annex / " in everything.stdout and "Depot / " in everything.stdout
    again = camscan("replay", str(PCAPS / "demo.pcap"), "--site", "Depot", "--db", db, "-q")
    assert again.returncode == 0
    d = camscan("diff", "--db", db, "--site", "Depot")  # Depot's two scans, not HQ's or the Annex's
    assert d.returncode == 0, d.stderr
    assert d.stdout.startswith("0 new, 0 gone, 0 moved, 0 re-flashed, 0 changed, 0 new risk, 0 more detail, "
                               f"{DEMO_ROWS} unchanged")
    whole = camscan("diff", "--db", db)  # estate-wide: the Annex's scan against the Depot's new one
    assert whole.stdout.startswith(f"{DEMO_ROWS - 3} new, 4 gone")
    missing = camscan("diff", "--db", db, "--site", "Nowhere")
    assert missing.returncode == 2 and "no scans recorded yet in" in missing.stderr
    assert "for site 'Nowhere'" in missing.stderr


def test_report_from_a_store_without_sites_says_what_to_do(tmp_path: Path) -> None:
    proc = camscan("report", "--db", str(tmp_path / "empty.sqlite3"), "--latest-per-site")
    assert proc.returncode == 2
    assert "has no scan of any site (record scans with --site NAME)" in proc.stderr
