"""The HTML report: self-contained, escaped, with the headline figures, three charts and every row;
then the same page in a real headless Chromium (Debian's, installed by scripts/ensure-chromium):
the DOM after the script ran, no console errors, the table's filter and sort driven through the
page's `#filter=` / `#sort=` fragment, and (over the DevTools protocol, tests/cdp.py) the page
laid out at a phone's and a desktop's width and as printed on A4, measured for overflow, with
screenshots and the PDF kept in tests/artifacts/ for a person to look at."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from cdp import Browser, ensure_chromium

from camscan.model import Device, Inventory
from camscan.report import RenderContext
from camscan.report.assets import LINE_KEY, JoinResult
from camscan.report.html import HtmlExporter, build_year, headline
from camscan.report.html_charts import FORM_COLOURS, MAKER_COLOURS, SPARE_COLOURS, UNKNOWN_COLOUR
from camscan.report.html_notes import plain_notes
from camscan.serialise import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_MODEL = '"><img src=x onerror=alert(1)>'
HOSTILE_SITE = "Annex & <Yard>"
RAW_ONVIF_NOTE = ("onvif fault: ActionNotSupported (Optional Action Not Implemented); "
                  "xaddr http://10.0.0.9/onvif/device_service")
RAW_SADP_NOTE = "not activated (Activated=false); channels: analog=0 digital=1"


def _cam(ip: str, maker: str, form: str, fw: str, site: str, *, brand: str = "", model: str = "", name: str = "",
         via: str = "", channel: int | None = None, advisories: list[str] | None = None,
         extra: dict[str, str] | None = None, device_type: str = "camera", notes: list[str] | None = None) -> Device:
    return Device(ip=ip, manufacturer=maker, brand=brand or maker, device_type=device_type, notes=notes or [],
                  form=form if device_type == "camera" else "", model=model, firmware=fw, name=name, via=via,
                  channel=channel, site=site, advisories=advisories or [], evidence=["sadp", "onvif"],
                  confidence="high" if maker else "low", extra=extra or {},
                  mac="" if via else f"44:19:b6:00:00:{int(ip.split('.')[-1]):02x}" if ip else "")


def _inventory() -> Inventory:
    hik, dahua = "Hikvision", "Dahua"
    devices = [
        # HQ: Hikvision static and PTZ, an NVR with four cameras behind it (one without an IP)
        _cam("10.0.0.2", hik, "static", "V5.7.3 build 220112", "HQ", model="DS-2CD2143G0-I", name="Lobby",
             extra={"asset_tag": "A-001", "cost": "120"}),
        _cam("10.0.0.3", hik, "static", "V5.5.0 build 191126", "HQ", model="DS-2CD2043G2-I", name="Stairs",
             extra={"asset_tag": "A-002", "cost": "95.50"}),
        _cam("10.0.0.9", hik, "static", "V5.6.5 build 210312", "HQ", brand="HiLook", model="IPC-B140H",
             name="Goods in", notes=[RAW_ONVIF_NOTE, RAW_SADP_NOTE]),
        _cam("10.0.0.10", hik, "static", "V5.3.0 build 200110", "HQ", brand="EZVIZ", model="CS-C6N", name="Kitchen"),
        _cam("10.0.0.11", hik, "ptz", "V5.6.2 build 190701", "HQ", model="DS-2DE4425IW-DE", name="Car park PTZ",
             advisories=["CVE-2021-36260"], extra={"asset_tag": "A-003", "cost": "840"}),
        _cam("10.0.0.12", hik, "ptz", "V5.7.14 build 231028", "HQ", model="DS-2DE2A404IW-DE3", name="Gate PTZ"),
        _cam("10.0.0.20", hik, "", "V4.30.085 build 200916", "HQ", model="DS-7608NI-K2", name="NVR HQ",
             device_type="nvr", advisories=["CVE-2021-36260"], extra={"asset_tag": "A-010", "cost": "310"}),
        _cam("192.168.254.2", hik, "static", "V5.5.800 build 210628", "HQ", model="DS-2CD1043G0-I",
             via="10.0.0.20", channel=1, name="Yard 1"),
        _cam("192.168.254.3", hik, "static", "V5.5.800 build 210628", "HQ", model="DS-2CD1043G0-I",
             via="10.0.0.20", channel=2, name="Yard 2"),
        _cam("", hik, "unknown", "", "HQ", model="", via="10.0.0.20", channel=10, name="Channel 10"),
        _cam("192.168.254.11", hik, "ptz", "V5.6.2 build 190701", "HQ", model="DS-2DE4425IW-DE",
             via="10.0.0.20", channel=11, name="Dock PTZ", advisories=["CVE-2021-36260"]),
        _cam("10.0.0.30", hik, "", "V4.0.1 build 180524", "HQ", brand="Hikvision", model="DS-KV6113-WPE1",
             device_type="intercom", name="Front door"),
        # Depot: Dahua and its OEMs, a Dahua NVR with cameras behind it, an Axis
        _cam("10.0.1.5", dahua, "static", "2.800.0000016.0.R build 2020-06-05", "Depot", model="IPC-HFW2431S-S-S2",
             name="Depot gate"),
        _cam("10.0.1.6", dahua, "static", "2.800.0000016.0.R build 2020-06-05", "Depot",
             brand="Amcrest", model="IP8M-2496EB", name="Depot side"),
        _cam("10.0.1.7", dahua, "static", "V2.622.0000000.31.R build 2019-03-01", "Depot", brand="Lorex",
             model="LNB8111B", name="Depot rear"),
        _cam("10.0.1.8", dahua, "ptz", "V2.623.0000000.7.R build 2018-11-20", "Depot", model="SD49225XA-HNR",
             name="Depot PTZ", advisories=["CVE-2021-33044"]),
        _cam("10.0.1.20", dahua, "", "V4.001.0000000.1.R build 2021-01-15", "Depot", model="DHI-NVR4108HS-8P-4KS2",
             device_type="nvr", name="NVR Depot", advisories=["CVE-2021-33044"]),
        _cam("10.0.1.101", dahua, "static", "2.800.0000016.0.R build 2020-06-05", "Depot",
             model="IPC-HDW1230T1", via="10.0.1.20", channel=1, name="Depot bay 1"),
        _cam("10.0.1.102", dahua, "static", "2.820.0000000.3.R build 2022-02-11", "Depot",
             model="IPC-HDW1230T1", via="10.0.1.20", channel=2, name="Depot bay 2"),
        _cam("10.0.1.30", "Axis", "static", "10.12.182", "Depot", model="P3245-LVE", name="Axis depot",
             extra={"asset_tag": "A-020", "cost": "610"}),
        # Annex (a hostile site name) and no site at all
        _cam("10.0.2.4", "", "unknown", "", HOSTILE_SITE, brand="", model="", name="mystery"),
        _cam("10.0.2.5", "Uniview", "static", "IPC_G6103-B0013P11D1907", HOSTILE_SITE, model="IPC2124LB-SF28KM-G",
             name="Annex door"),
        _cam("10.0.2.6", hik, "static", "V5.5.82 build 190220", HOSTILE_SITE, brand="HiWatch", model="IPC-B120",
             name=HOSTILE_NAME, extra={"asset_tag": "<b>A-030</b>", "cost": "80"}),
        _cam("10.0.2.7", hik, "static", "V5.4.5 build 170124", HOSTILE_SITE, model=HOSTILE_MODEL,
             name='x"><svg onload=alert(2)>'),
        _cam("10.0.3.2", "Hanwha", "ptz", "2.21.02_20211013", "", model="XNP-6400R", name="Roof"),
        _cam("10.0.3.3", "", "", "", "", device_type="unknown", brand="", model="", name="printer?"),
        _cam("10.0.3.4", hik, "static", "V5.7.1 build 220901", "", model="DS-2CD2387G2-LU", name="Bike shed"),
    ]
    # not in contract order, so that sorting by ip has something to do
    devices = devices[::-1]
    return Inventory(devices=devices, targets=["198.19.0.0/24", "198.19.1.0/24", "198.19.2.0/24", "198.19.3.0/24"],
                     scanned_at="2025-03-04T10:15:00+00:00", skipped={"out of scope": 2},
                     notes=["2 hosts did not answer ONVIF"])


UNMATCHED_DEVICES = [
    Device(ip="10.0.3.2", manufacturer="Hanwha", brand="Hanwha", device_type="camera", form="ptz", model="XNP-6400R",
           name="Roof"),
    Device(ip="10.0.2.7", manufacturer="Hikvision", brand="Hikvision", device_type="camera", form="static",
           model=HOSTILE_MODEL, name="<i>unregistered</i>"),
]
UNMATCHED_ASSETS = [
    {"asset_tag": "A-099", "model": "DS-2CD2T47G2-L", "location": "Car park north", LINE_KEY: "7"},
    {"asset_tag": "A-100", "model": "IPC-HFW1431S", "location": "</td><script>alert(3)</script>", LINE_KEY: "9"},
]

N_DEVICES = 27


def _render() -> str:
    join = JoinResult(unmatched_devices=UNMATCHED_DEVICES, unmatched_rows=UNMATCHED_ASSETS)
    return HtmlExporter().render(_inventory(), RenderContext(title="Camera inventory — Example Council", join=join))


@pytest.fixture(scope="module")
def page() -> str:
    return _render()


def _body_rows(doc: str, table_id: str = "devices") -> list[str]:
    m = re.search(rf'<table\b[^>]*\bid="{table_id}".*?<tbody>(.*?)</tbody>', doc, re.S)
    assert m, f"no table {table_id}"
    return re.findall(r"<tr\b[^>]*>.*?</tr>", m.group(1), re.S)


# ---------------------------------------------------------------- the page as text


def test_build_year_from_both_firmware_formats():
    assert build_year("V5.7.3 build 220112") == 2022
    assert build_year("V5.5.0 build 191126") == 2019
    assert build_year("2.800.0000016.0.R build 2020-06-05") == 2020
    assert build_year("2.800.0000016.0.R,build:2020-06-05") == 2020
    assert build_year("V4.001.0000007.1 Build Date 27-08-2021") == 2021
    assert build_year("V5.6.2build 190701") == 2019
    assert build_year("10.12.182") is None
    assert build_year("") is None
    assert build_year("V5.7.3 build 221399") is None  # month 13: not a date


def test_headline_figures(page):
    inv = _inventory()
    assert len(inv.devices) == N_DEVICES
    expected = "23 cameras: 16 static, 5 PTZ, 2 of unknown form; 2 recorders; 6 cameras behind recorders"
    assert headline(inv) == expected
    assert f'<p class="headline" id="headline">{expected}.</p>' in page
    assert "27 devices in all" in page
    # the manufacturer table: Hikvision then Dahua first, then by count; unknown last
    makers = re.findall(r'<tr><th scope="row">([^<]*)</th>', page)
    assert makers == ["Hikvision", "Dahua", "Axis", "Hanwha", "Uniview", "unknown"]
    hik = re.search(r'<tr><th scope="row">Hikvision</th>(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", hik)
    assert cells[:4] == ["13", "1", "1", "15"]  # cameras, recorders, other, total
    assert "HiLook 1" in cells[4] and "EZVIZ 1" in cells[4] and "HiWatch 1" in cells[4]
    assert "2025-03-04T10:15:00+00:00" in page and "198.19.1.0/24" in page


def test_no_external_references(page):
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:|//)""", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:|//)", page, re.I)
    assert "<link" not in page.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert "@font-face" not in page
    # and the browser is told to refuse anything that is not the page's own style and script
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_device_text_is_escaped(page):
    assert HOSTILE_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<svg onload" not in page
    assert "<b>A-030</b>" not in page and "&lt;b&gt;A-030&lt;/b&gt;" in page
    assert "Annex &amp; &lt;Yard&gt;" in page  # in the chart's labels too
    assert "alert(3)</script>" not in page
    # exactly one script element, the page's own
    assert len(re.findall(r"<script\b", page, re.I)) == 1
    assert "</script>" not in page.split("<script>", 1)[1].split("</script>", 1)[1]


def test_charts_present(page):
    assert page.count("<svg") == 3
    for chart in ("chart-sites", "chart-forms", "chart-years"):
        svg = re.search(rf'<svg id="{chart}".*?</svg>', page, re.S).group(0)
        assert "<title" in svg and "<text" in svg and "<rect" in svg
    sites = re.search(r'<svg id="chart-sites".*?</svg>', page, re.S).group(0)
    for label in ("HQ", "Depot", "(no site)", "Annex &amp; &lt;Yard&gt;"):
        assert f">{label}</text>" in sites
    assert "<title>HQ: 10 cameras</title>" in sites
    forms = re.search(r'<svg id="chart-forms".*?</svg>', page, re.S).group(0)
    assert "<title>Hikvision: 15 cameras</title>" not in forms  # cameras only, the NVR and intercom are not
    assert "<title>Hikvision: 13 cameras</title>" in forms
    assert "static 9 · PTZ 3 · unknown form 1" in forms
    years = re.search(r'<svg id="chart-years".*?</svg>', page, re.S).group(0)
    labels = re.findall(r'class="lb">([^<]+)</text>', years)
    assert labels == [str(y) for y in range(2017, 2024)] + ["unknown"]
    assert "<title>2020: 4 cameras</title>" in years  # 3 Dahua 2020-06-05 and Hikvision 200110
    assert "<title>unknown: 5 cameras</title>" in years  # Axis, Uniview, Hanwha, channel 10, the mystery one


def test_table_rows_and_columns(page):
    rows = _body_rows(page)
    assert len(rows) == N_DEVICES
    heads = re.findall(r'<th scope="col" data-col="([^"]+)"', page)
    assert heads[:16] == ["ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware",
                          "serial", "name", "via", "channel", "site", "advisories", "evidence", "confidence"]
    assert heads[16:] == ["oui_vendor", "analytics", "asset_tag", "cost", "notes"]
    assert 'data-col="cost" data-type="num"' in page and 'data-col="asset_tag" data-type="text"' in page
    assert 'data-col="ip" data-type="ip"' in page and 'data-col="channel" data-type="num"' in page
    assert 'data-visible="27" data-total="27"' in page


def test_advisories_and_unmatched_sections(page):
    adv = re.search(r'<section id="advisories">.*?</section>', page, re.S).group(0)
    assert re.findall(r"<h3>([^<]+?) <span", adv) == ["CVE-2021-33044", "CVE-2021-36260"]
    assert "CVE-2021-36260 <span class=\"count\">(3 devices)</span>" in adv
    assert "CVE-2021-33044 <span class=\"count\">(2 devices)</span>" in adv
    assert "10.0.0.20 channel 11" in adv
    assert "In the register but not found on the network" in page
    assert "Found on the network but not in the register" in page
    assert len(_body_rows(page, "unmatched-assets-table")) == 2
    assert len(_body_rows(page, "unmatched-devices-table")) == 2
    assert "Car park north" in page
    # sections are left out when no register was given, and say "none" when it all matched
    plain = HtmlExporter().render(_inventory())
    assert 'id="unmatched"' not in plain
    none = HtmlExporter().render(_inventory(), RenderContext(join=JoinResult()))
    assert "None: every register row was found." in none and "None: every device found is in the register." in none


def test_empty_inventory_renders():
    doc = HtmlExporter().render(Inventory(devices=[]))
    assert doc.count("<svg") == 3
    assert "0 cameras: 0 static, 0 PTZ, 0 of unknown form; 0 recorders; 0 cameras behind recorders" in doc
    assert "No device's firmware" in doc


# ---------------------------------------------------------------- the page in a real browser


@pytest.fixture(scope="module")
def chromium() -> str:
    path, why = ensure_chromium()
    if not path:
        pytest.skip(why)
    return path


def _run_chromium(chromium: str, tmp: Path, url: str, *args: str, logging: bool = False) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{time.monotonic_ns()}"
    profile.mkdir()
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", "--disable-dev-shm-usage", "--no-default-browser-check",
           f"--user-data-dir={profile}", *args]
    if logging:
        cmd += ["--enable-logging=stderr", "--v=0"]
    cmd.append(url)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def page_file(tmp_path_factory, page) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _console_errors(stderr: str, url_part: str) -> list[str]:
    """Console lines about the page: uncaught exceptions, errors, Content-Security-Policy refusals."""
    bad = ("Uncaught", "rror", "Content Security Policy", "violates")
    lines = [ln for ln in stderr.splitlines() if "CONSOLE" in ln]
    return [ln for ln in lines if any(b in ln for b in bad) and (url_part in ln or "source: " not in ln)]


def test_browser_dom_after_script(chromium, page_file, tmp_path):
    proc = _run_chromium(chromium, tmp_path, page_file.as_uri(), "--dump-dom", logging=True)
    dom = proc.stdout
    assert '<table id="devices"' in dom
    assert len(_body_rows(dom)) == N_DEVICES
    assert dom.count("<svg") == 3
    # the hostile text stayed text: no element was made from it, and the script did not run it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<img" not in dom and "onerror" not in dom.replace("onerror=alert(1)&gt;", "")
    assert len(re.findall(r"<script\b", dom)) == 1
    assert 'data-visible="27"' in dom
    errors = _console_errors(proc.stderr, page_file.name)
    assert not errors, "\n".join(errors)


def test_browser_console_errors_are_seen(chromium, tmp_path):
    """The console check above can fail: a page with a broken script is caught by it."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    proc = _run_chromium(chromium, tmp_path, bad.as_uri(), "--dump-dom", logging=True)
    assert _console_errors(proc.stderr, bad.name), proc.stderr[-2000:]


# what the page looks like laid out: the page's width against the viewport's, the device
# table's against its box, and which of its columns are shown
LAYOUT = """(function () {
  var table = document.getElementById("devices"), box = table.parentNode;
  var shown = Array.prototype.filter.call(table.tHead.rows[0].cells, function (c) { return c.offsetParent !== null; });
  var right = Math.max.apply(null, shown.map(function (c) { return c.getBoundingClientRect().right; }));
  return {viewport: window.innerWidth, page: document.documentElement.scrollWidth, table: table.scrollWidth,
          box: box.clientWidth, boxRight: box.getBoundingClientRect().right, lastColumnRight: right,
          columns: shown.map(function (c) { return c.getAttribute("data-col"); })};
})()"""
ESSENTIAL = ["ip", "manufacturer", "brand", "device_type", "form", "model", "name", "via", "site", "advisories",
             "notes"]
ON_A_PHONE = ["ip", "manufacturer", "form", "name", "notes"]


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    with Browser(chromium, tmp_path_factory.mktemp("cdp") / "profile") as b:
        yield b


@pytest.mark.parametrize(("width", "columns"), [(390, ON_A_PHONE), (1366, ESSENTIAL)])
def test_browser_fits_phone_and_desktop(browser, page_file, width, columns):
    browser.open(page_file.as_uri(), width)
    got = browser.evaluate(LAYOUT)
    assert got["viewport"] == width
    assert got["page"] <= width, f"the page scrolls sideways at {width} px: {got}"
    assert got["table"] <= got["box"], f"the device table does not fit at {width} px: {got}"
    assert got["columns"] == columns
    assert not browser.problems()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data = browser.screenshot(ARTIFACTS / f"report-{width}px.png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and int.from_bytes(data[16:20], "big") == width


def test_browser_all_columns_on_demand(browser, page_file):
    browser.open(page_file.as_uri(), 1366)
    assert "mac" not in browser.evaluate(LAYOUT)["columns"]
    browser.evaluate('document.getElementById("all-columns").click()')
    shown = browser.evaluate(LAYOUT)["columns"]
    assert {"mac", "firmware", "serial", "channel", "evidence", "confidence", "asset_tag", "cost"} <= set(shown)
    assert shown[:len(COLUMNS)] == list(COLUMNS), "every inventory column, in the CSV's order"
    assert shown[len(COLUMNS):] == ["asset_tag", "cost", "notes"], "then the register's columns and the notes"
    assert browser.evaluate("document.documentElement.scrollWidth") <= 1366, "the wide table scrolls in its box"


def test_browser_prints_on_a4_without_losing_columns(browser, page_file):
    """A4 landscape with 10 mm margins leaves 277 mm: 1047 CSS pixels. Every column shown on
    screen is printed, and none runs past the page's edge."""
    browser.open(page_file.as_uri(), 1047, media="print")
    got = browser.evaluate(LAYOUT)
    assert got["columns"] == ESSENTIAL
    assert got["table"] <= got["box"] <= 1047 and got["lastColumnRight"] <= got["boxRight"] + 1, got
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = browser.pdf(ARTIFACTS / "report-a4.pdf")
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(round(float(x)) for x in m.split()) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+ [\d.]+)\]", pdf)}
    assert boxes == {(842, 595)}, f"every page A4 landscape (842 x 595 pt): {boxes}"


def test_colours_mean_one_thing_each(page):
    """A maker's colour is never a form's (static was once Dahua's blue), and the advisory mark is
    neither."""
    makers = {*MAKER_COLOURS.values(), *SPARE_COLOURS, UNKNOWN_COLOUR}
    forms = set(FORM_COLOURS.values())
    assert not makers & forms and len(makers) == len(MAKER_COLOURS) + len(SPARE_COLOURS) + 1
    legends = {}
    for chart in ("chart-sites", "chart-forms"):
        svg = re.search(rf'<svg id="{chart}".*?</svg>', page, re.S).group(0)
        legends[chart] = dict(re.findall(r'<rect [^>]*fill="(#[0-9A-Fa-f]{6})"[^>]*/><text [^>]*class="lg">([^<]+)',
                                         svg))
    assert legends["chart-sites"]["#0072B2"] == "Dahua"
    assert "#0072B2" not in legends["chart-forms"] and set(legends["chart-forms"]) == forms
    advisory = re.search(r"td\.adv-cell \{ background: (#\w+)", page).group(1)
    assert advisory.upper() not in {c.upper() for c in makers | forms}


def test_notes_in_plain_language(page):
    assert "onvif fault" not in page and "xaddr" not in page and "Activated=false" not in page
    row = next(r for r in _body_rows(page) if "Goods in" in r)
    assert "Its ONVIF interface does not offer that request." in row
    assert "Not activated: no administrator password has been set yet" in row
    assert "Has inputs for 1 network (IP) cameras." in row
    assert plain_notes(["something new from a parser"], []) == ["Something new from a parser"], "nothing is lost"


def test_register_line_is_a_labelled_column_not_an_internal_key(page):
    table = re.search(r'<table class="list" id="unmatched-assets-table">.*?</table>', page, re.S).group(0)
    assert "_line" not in page
    assert re.findall(r'<th scope="col">([^<]+)</th>', table) == ["register line", "asset_tag", "model", "location"]
    assert '<td class="n">7</td><td>A-099</td>' in table


def _visible_rows(dom: str) -> list[str]:
    return [r for r in _body_rows(dom) if not re.match(r"<tr\b[^>]*\bhidden\b", r)]


def _ips(rows: list[str]) -> list[str]:
    return [re.search(r"<td[^>]*>([^<]*)</td>", r).group(1) for r in rows]


def test_browser_filter_and_sort_from_fragment(chromium, page_file, tmp_path):
    proc = _run_chromium(chromium, tmp_path, page_file.as_uri() + "#filter=dahua", "--dump-dom", logging=True)
    visible = _visible_rows(proc.stdout)
    assert len(visible) == 7  # 5 cameras (Dahua, Amcrest, Lorex), 2 behind the NVR, and the NVR
    assert all("dahua" in r.lower() for r in visible)
    assert 'data-visible="7"' in proc.stdout
    assert "7 of 27 devices match" in proc.stdout
    assert not _console_errors(proc.stderr, page_file.name)

    # two words: both must be in the row
    proc = _run_chromium(chromium, tmp_path, page_file.as_uri() + "#filter=hikvision%20ptz", "--dump-dom")
    assert len(_visible_rows(proc.stdout)) == 3

    proc = _run_chromium(chromium, tmp_path, page_file.as_uri() + "#sort=ip", "--dump-dom")
    ips = _ips(_body_rows(proc.stdout))
    keyed = [tuple(int(p) for p in ip.split(".")) for ip in ips if ip]
    assert keyed == sorted(keyed), ips  # numeric: 10.0.0.9 before 10.0.0.10
    assert ips.index("10.0.0.9") < ips.index("10.0.0.10")
    assert ips[-1] == ""  # the camera with no address goes last
    assert 'aria-sort="ascending"' in proc.stdout

    proc = _run_chromium(chromium, tmp_path, page_file.as_uri() + "#filter=10.0.0.20&sort=-channel", "--dump-dom")
    rows = _visible_rows(proc.stdout)
    channels = [re.findall(r"<td[^>]*>([^<]*)</td>", r)[11] for r in rows]
    assert channels == ["11", "10", "2", "1", ""]  # numeric, descending; the NVR itself has none


def test_browser_header_click_and_typing(chromium, page, tmp_path):
    """The page's own controls: a copy with a driver script that clicks the channel heading twice
    (ascending, then descending) and types into the filter box, as a person would."""
    driver = """<script>
      var th = document.querySelector('th[data-col="channel"] button');
      th.click(); th.click();
      var box = document.getElementById("filter");
      box.value = "depot";
      box.dispatchEvent(new Event("input"));
    </script>"""
    copy = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace("</body>", driver + "</body>")
    path = tmp_path / "driven.html"
    path.write_text(copy, encoding="utf-8")
    proc = _run_chromium(chromium, tmp_path, path.as_uri(), "--dump-dom", logging=True)
    dom = proc.stdout
    assert 'data-sort="-channel"' in dom and 'aria-sort="descending"' in dom
    channels = [re.findall(r"<td[^>]*>([^<]*)</td>", r)[11] for r in _body_rows(dom)]
    assert channels[:6] == ["11", "10", "2", "2", "1", "1"]
    visible = _visible_rows(dom)
    assert len(visible) == 8 and all("Depot" in r for r in visible)
    assert "8 of 27 devices match" in dom
    assert not _console_errors(proc.stderr, path.name)
