"""`camscan signatures check` and `camscan signatures match`, run as a user runs them: the real
command line (click's runner over the real `cli`, and once through `python -m camscan`), the
shipped data or an edited copy of it, asserting on what is printed and the exit status."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from camscan.cli import cli
from camscan.identify.signatures import DEFAULT_DIR


def run(*args: str):
    return CliRunner().invoke(cli, ["signatures", *args])


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "sigs"
    shutil.copytree(DEFAULT_DIR, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- check ------------------------------------------------------------------------------------------

def test_check_passes_on_the_shipped_data():
    result = run("check")
    assert result.exit_code == 0, result.output
    m = re.fullmatch(r"(\d+) files, (\d+) entries, (\d+) examples: all pass\n", result.output)
    assert m, result.output
    files, entries, examples = map(int, m.groups())
    banner_files = len(list((DEFAULT_DIR / "banners").glob("*.toml")))
    # oui, brands, models, firmware, advisories, fusion, device_classes, analytics + banners
    assert files == 8 + banner_files
    assert entries > 150 and examples > entries


def test_check_reports_each_failing_example_and_exits_1(copy):
    _edit(copy / "banners" / "http_rtsp.toml", '{ text = "App-webs/", manufacturer = "Hikvision", brand = "" }',
          '{ text = "App-webs/", manufacturer = "Dahua", brand = "" }')
    _edit(copy / "models.toml", 'not_examples = ["DS-2TD4136-25"]', 'not_examples = ["DS-2TD1228-2/QA"]')
    _edit(copy / "advisories.toml", '{ model = "DS-2DF8236IX-AEL", firmware = "V5.4.5 build 160928" }',
          '{ model = "DS-2DF8236IX-AEL", firmware = "V5.5.0 build 170101" }')
    result = run("check", "--dir", str(copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "banners/http_rtsp.toml: entry 'hik-app-webs': example 1 'App-webs/': manufacturer is 'Hikvision', "
        "example says 'Dahua'",
        "models.toml: entry 'hik-thermal-fixed': not_example 1 'DS-2TD1228-2/QA' matches it",
        "advisories.toml: advisory 'CVE-2017-7921': example 2 (DS-2DF8236IX-AEL, V5.5.0 build 170101) "
        "is not covered by its rules",
    ]
    assert "all pass" not in result.output


def test_check_reports_every_broken_file_not_only_the_first(copy):
    _edit(copy / "brands.toml", 'id = "pyronix"\n', 'id = "pyronix"\nvendor = "x"\n')
    _edit(copy / "advisories.toml", 'source = "S7"\nexamples', 'source = "S7"\nexample')
    result = run("check", "--dir", str(copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "brands.toml: entry 'pyronix'" in lines[0] and "unknown key(s) ['vendor']" in lines[0]
    assert "advisories.toml: advisory 'CVE-2017-7921'" in lines[1] and "unknown key(s) ['example']" in lines[1]


def test_check_of_a_directory_that_is_not_there():
    result = run("check", "--dir", "/nonexistent/signatures")
    assert result.exit_code == 2
    assert "not a directory" in result.output


# --- match ------------------------------------------------------------------------------------------

def test_match_a_banner():
    result = run("match", "http_server", "App-webs/")
    assert result.exit_code == 0
    assert result.output == ("banners/http_rtsp.toml: hik-app-webs: Hikvision web server on current firmware: "
                             "'App-webs/'\n  manufacturer: Hikvision\n")


def test_match_shows_what_the_pattern_captured():
    result = run("match", "wsd_name", "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2385G1-I")
    assert result.exit_code == 0
    assert "banners/wsd.toml: hik-wsd-name:" in result.output
    assert "  model: DS-2CD2385G1-I\n" in result.output
    result = run("match", "rtsp_server", "AvigilonOnvifNvt/2.6.0.130")
    assert "  firmware: 2.6.0.130\n" in result.output and "  device_type: camera\n" in result.output


@pytest.mark.parametrize(("args", "expect"), [
    (("model", "DS-2CD2386G2-IU"), ["models.toml: hik-ds-2cd:", "  form: static"]),
    (("model", "IPC-B120H", "--manufacturer", "Dahua"), ["no match"]),
    (("vendor", "Private", "--platform", "Dahua"), ["brands.toml: dahua-white-label:", "  manufacturer: Dahua"]),
    (("vendor", "Private"), ["no match"]),
    (("oui", "LT SECURITY INC"), ["oui.toml:", "  brand: LTS", "  oem_own_oui: the rebadger's own OUI"]),
    (("oui", "58:50:ed:1f:e3:85"), ["registrant: Hangzhou Hikvision Digital Technology Co.,Ltd.",
                                    "  manufacturer: Hikvision"]),
    (("firmware", "2.800.00AC000.0.R"), ["firmware.toml:", "  brand: Amcrest"]),
    (("ssdp_location", "/IPCamDesc.xml"), ["banners/upnp.toml: ipcam-upnp-description:", "  confidence: heuristic"]),
    (("upnp_manufacturer", "HiLook"), ["brands.toml:", "  brand: HiLook"]),  # falls back to brands
])
def test_match_each_kind_of_lookup(args, expect):
    result = run("match", *args)
    assert result.exit_code == (1 if expect == ["no match"] else 0), result.output
    for line in expect:
        assert line in result.output.splitlines() or any(o.startswith(line) for o in result.output.splitlines())


def test_no_match_exits_1():
    result = run("match", "http_title", "App-webs/")  # a server header is not a title
    assert (result.exit_code, result.output) == (1, "no match\n")


def test_unknown_kind_is_a_usage_error():
    result = run("match", "http_sever", "App-webs/")
    assert result.exit_code == 2
    assert "'http_sever' is not one of http_server" in result.output


def test_match_reads_an_edited_copy(copy):
    _edit(copy / "banners" / "http_rtsp.toml", "pattern = '^App-webs/'", "pattern = '^App-webz/'")
    assert run("match", "http_server", "App-webs/", "--dir", str(copy)).exit_code == 1
    assert run("match", "http_server", "App-webz/", "--dir", str(copy)).exit_code == 0


def test_the_installed_command_line():
    ok = subprocess.run([sys.executable, "-m", "camscan", "signatures", "check"], capture_output=True, text=True,
                        timeout=60, check=False)
    assert ok.returncode == 0 and ok.stdout.endswith(": all pass\n"), ok.stderr
    miss = subprocess.run([sys.executable, "-m", "camscan", "signatures", "match", "http_server", "nginx"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (miss.returncode, miss.stdout) == (1, "no match\n")


def test_a_broken_file_is_one_line_and_exit_1(copy):
    _edit(copy / "models.toml", "pattern = '^i?DS-2CD'", "pattern = '^i?DS-2CD('")
    result = subprocess.run([sys.executable, "-m", "camscan", "signatures", "match", "model", "DS-2CD2386G2-IU",
                             "--dir", str(copy)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("camscan: error: ") and "models.toml: entry 'hik-ds-2cd'" in line and "bad regex" in line
