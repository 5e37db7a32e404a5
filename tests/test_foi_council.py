"""Issue 11's "done when": a council's answer, end to end through the real command line.

The council has three sites (a sites file), an asset register kept in a spreadsheet (UK dates,
a spreadsheet serial date, costs in pounds written three ways, one cost not an amount), a Dahua
recorder scanned without credentials, a Hikvision DVR with analogue cameras, an ANPR camera and
a face-capture camera. The inventory is built here as the JSON `camscan scan --json` writes (the
lab has no such estate yet). `camscan report ... --foi draft.md --foi-annex annex.md --html
report.html` must give a draft whose sentences can be sent, an annex holding what is withheld,
and a report that reads on a phone and a desktop in Chromium (screenshots in tests/artifacts/).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cdp import Browser, ensure_chromium

from camscan.model import Device, Inventory
from camscan.report.assets import uk_date
from camscan.serialise import DEVICE_FIELDS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
# the analytics work (issue 11 item 1) adds these fields; until it is merged the inventory cannot
# carry them and the draft says analytics were not determined
ANALYTICS = next((f for f in DEVICE_FIELDS if f.name == "analytics"), None)
UNASKED = {f.name for f in DEVICE_FIELDS} >= {"channels_unasked", "channel_capacity"}

SITES = """
[[site]]
name = "Civic Centre"
networks = ["198.18.10.0/24"]

[[site]]
name = "Riverside Depot"
networks = ["198.18.20.0/24"]

[[site]]
name = "Northgate Car Park"
networks = ["198.18.30.0/24"]
"""

REGISTER = """Asset tag,MAC address,Serial number,Description,Purchase date,Cost (£),Location
CC-001,44-19-B6-10-00-0A,,Entrance camera,14/03/2024,"£1,234.50","Civic Centre, main entrance"
CC-002,,DS-7608NI-K20120200101CCWR123456789,Recorder,02/11/2020,£899,Civic Centre comms room
CC-003,44:19:b6:10:00:0b,,Reception camera,45365,GBP 150,Civic Centre reception
RD-001,3C:EF:8C:20:00:1E,,ANPR gate camera,2023-06-01,2450.00,Riverside Depot gate
RD-002,44:19:b6:20:00:15,,Analogue DVR,1/4/21,£310.5,Riverside Depot office
NG-001,3c:ef:8c:30:00:14,,Car park recorder,15/09/2022,TBC,Northgate Car Park kiosk
XX-009,aa:bb:cc:00:00:09,,Old dome camera,03/01/2019,£99,Disposed?
"""


def _dev(ip: str, kind: str, maker: str, model: str, *, form: str = "", firmware: str = "", mac: str = "",
         brand: str = "", serial: str = "", name: str = "", via: str = "", channel: int | None = None,
         evidence: tuple[str, ...] = ("sadp", "isapi"), notes: tuple[str, ...] = ()) -> Device:
    return Device(ip=ip, mac=mac, manufacturer=maker, brand=brand or maker, device_type=kind, form=form,
                  model=model, firmware=firmware, serial=serial, name=name, via=via, channel=channel,
                  evidence=list(evidence), confidence="high" if maker else "", notes=list(notes))


def _council() -> tuple[list[Device], dict[str, str]]:
    """The estate, and each device's analytics (by name) as the analytics field would hold it."""
    hik, dahua = "Hikvision", "Dahua"
    devices = [
        # Civic Centre: a credentialed Hikvision NVR with three IP cameras, two cameras on the LAN,
        # a DeepinView face-capture camera
        _dev("198.18.10.10", "camera", hik, "DS-2CD2143G0-I", form="static", firmware="V5.5.0 build 191126",
             mac="44:19:b6:10:00:0a", name="Entrance"),
        _dev("198.18.10.11", "camera", hik, "IPC-B140H", form="static", firmware="V5.6.5 build 210312",
             mac="44:19:b6:10:00:0b", brand="HiLook", name="Reception"),
        _dev("198.18.10.12", "camera", hik, "iDS-2CD7146G0-IZS", form="static", firmware="V5.7.3 build 220112",
             mac="44:19:b6:10:00:0c", name="Foyer face capture"),
        _dev("198.18.10.20", "nvr", hik, "DS-7608NI-K2", firmware="V4.30.085 build 200916", mac="44:19:b6:10:00:14",
             serial="DS-7608NI-K20120200101CCWR123456789", name="Civic NVR"),
        *(_dev(f"192.168.254.{c + 1}", "camera", hik, "DS-2CD1043G0-I", form="ptz" if c == 3 else "static",
               firmware="V5.5.800 build 210628", name=f"Civic {c}", via="198.18.10.20", channel=c,
               evidence=("nvr",)) for c in (1, 2, 3)),
        # Riverside Depot: a Hikvision DVR with four analogue cameras, a Dahua ANPR camera, a Dahua
        # camera whose firmware has no build date, an Axis camera whose form and firmware are unknown
        _dev("198.18.20.21", "dvr", hik, "DS-7204HGHI-K1", firmware="V4.0.1 build 180524", mac="44:19:b6:20:00:15",
             name="Depot DVR", notes=("channels: analog=4 digital=0",)),
        *(_dev("", "camera", "", "", form="unknown", name=f"Analogue {c}", via="198.18.20.21", channel=c,
               evidence=("nvr",)) for c in (1, 2, 3, 4)),
        _dev("198.18.20.30", "camera", dahua, "ITC237-PW6M-IRLZF", form="static",
             firmware="2.800.0000016.0.R build 2020-06-05", mac="3c:ef:8c:20:00:1e", name="Gate ANPR",
             evidence=("dhip", "cgi")),
        _dev("198.18.20.31", "camera", dahua, "IPC-HFW2431S-S-S2", form="static", firmware="2.800.0000016.0.R",
             mac="3c:ef:8c:20:00:1f", name="Yard", evidence=("dhip", "cgi"),
             notes=("onvif fault: ActionNotSupported (Optional Action Not Implemented); "
                    "xaddr http://198.18.20.31/onvif/device_service",)),
        _dev("198.18.20.40", "camera", "Axis", "", form="unknown", mac="ac:cc:8e:20:00:28", name="",
             evidence=("arp", "oui", "http")),
        # Northgate Car Park: a Dahua NVR nobody gave credentials for, and a Hikvision PTZ
        _dev("198.18.30.20", "nvr", dahua, "DHI-NVR4108HS-8P-4KS2", firmware="4.001.0000000.3.R",
             mac="3c:ef:8c:30:00:14", name="Car park NVR", evidence=("dhip",)),
        _dev("198.18.30.10", "camera", hik, "DS-2DE4425IW-DE", form="ptz", firmware="V5.7.10 build 230406",
             mac="44:19:b6:30:00:0a", name="Barrier PTZ"),
    ]
    analytics = {"Foyer face capture": "face", "Gate ANPR": "anpr (capable)", "Entrance": "standard",
                 "Reception": "standard", "Barrier PTZ": "standard", "Yard": "standard"}
    return devices, analytics


def _write_inventory(path: Path) -> None:
    devices, analytics = _council()
    inv = Inventory(devices=devices, targets=["198.18.10.0/24", "198.18.20.0/24", "198.18.30.0/24"],
                    scanned_at="2025-03-04T10:15:00+00:00")
    doc = inv.to_dict()
    for row in doc["devices"]:
        if row["device_type"] == "camera" and row["name"] in analytics:
            value = analytics[row["name"]]
            row["analytics"] = [value] if ANALYTICS is not None and ANALYTICS.kind == "texts" else value
        if UNASKED and row["name"] == "Car park NVR":  # DHIP declared 8 channels; no credentials to ask
            row["channels_unasked"], row["channel_capacity"] = True, 8
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def camscan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("council")
    files = {name: where / name for name in ("inventory.json", "sites.toml", "register.csv", "draft.md",
                                             "annex.md", "report.html")}
    _write_inventory(files["inventory.json"])
    files["sites.toml"].write_text(SITES, encoding="utf-8")
    files["register.csv"].write_text(REGISTER, encoding="utf-8")
    proc = camscan("report", str(files["inventory.json"]), "--sites", str(files["sites.toml"]), "--assets",
                   str(files["register.csv"]), "--foi", str(files["draft.md"]), "--foi-annex", str(files["annex.md"]),
                   "--html", str(files["report.html"]))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return files


@pytest.fixture(scope="module")
def chromium() -> str:
    path, why = ensure_chromium()
    if not path:
        pytest.skip(why)
    return path


def _section(text: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"no section {heading!r} in:\n{text}"
    return m.group(1)


def test_draft_answers_in_the_order_requests_ask(council: dict[str, Path]) -> None:
    draft = council["draft.md"].read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", draft, re.M)
    assert headings[:6] == [
        "Is equipment made by Hikvision, or a company it owns, in use?",
        "How many cameras are there?",
        "How many are static, and how many can pan, tilt and zoom (PTZ)?",
        "Where are they?",
        "When were they bought, and for how much?",
        "Which are standard CCTV, and which can recognise faces or read number plates?",
    ]
    today = uk_date(datetime.now(UTC).date())
    assert f"Draft prepared on {today} for checking before it is sent." in draft
    assert "survey of the council's networks made on 4 March 2025" in draft
    assert "2025-03-04" not in draft and "T10:15" not in draft


def test_draft_sentences(council: dict[str, Path]) -> None:
    draft = council["draft.md"].read_text(encoding="utf-8")
    hik = _section(draft, "Is equipment made by Hikvision, or a company it owns, in use?")
    assert ("Yes. 9 devices made by Hikvision or its subsidiaries (including brands and rebadged equipment sold "
            "under other names) were identified: Hikvision 8, HiLook 1.") in hik
    assert "By type: cameras 7, NVRs 1, DVRs 1." in hik
    assert "Dahua, including equipment it makes for other brands: 3 devices (Dahua 3)." in hik

    many = _section(draft, "How many cameras are there?")
    assert "14 cameras were identified, 7 of them made by Hikvision or its subsidiaries." in many
    assert "7 cameras are counted from the lists their recorders gave, 4 of them analogue cameras on a DVR." in many
    assert "There are also 3 recorders (NVR or DVR)." in many
    assert ("1 recorder was not asked which cameras are connected to it (no credentials were given for it, or the "
            "request was refused): up to 8 cameras may be connected to recorders that were not asked, not counted "
            "above.") in many

    forms = _section(draft, "How many are static, and how many can pan, tilt and zoom (PTZ)?")
    assert "| Hikvision | 5 | 2 | 0 | 7 |" in forms
    assert "| Dahua | 2 | 0 | 0 | 2 |" in forms
    assert "| unknown maker | 0 | 0 | 4 | 4 |" in forms
    assert "| **all** | 7 | 2 | 5 | 14 |" in forms

    where = _section(draft, "Where are they?")
    assert "| Civic Centre | 6 | 0 | 0 | 1 |" in where
    assert "| Riverside Depot | 0 | 2 | 5 | 1 |" in where
    assert "| Northgate Car Park | 1 | 0 | 0 | 1 |" in where
    assert "TEMPLATE" not in where, "locations are published unless the officer chooses to withhold them"


def test_draft_purchases_in_uk_dates_and_pounds(council: dict[str, Path]) -> None:
    bought = _section(council["draft.md"].read_text(encoding="utf-8"), "When were they bought, and for how much?")
    assert "The asset register matched 6 devices found on the network." in bought
    assert "Purchased between 2 November 2020 and 14 March 2024." in bought
    assert "Purchased by year: 2020: 1, 2021: 1, 2022: 1, 2023: 1, 2024: 2." in bought
    assert "Recorded cost of the 5 matched devices with a cost: £5,044.00." in bought
    assert "Of which equipment made by Hikvision or its subsidiaries (4 devices): £2,594.00." in bought
    assert "The cost of 1 matched device is not held in the register (1 in a form that is not an amount in pounds)." \
        in bought
    assert "Devices found on the network but not in the register: 11. Register entries not found on the network: 1." \
        in bought


def test_draft_analytics(council: dict[str, Path]) -> None:
    answer = _section(council["draft.md"].read_text(encoding="utf-8"),
                      "Which are standard CCTV, and which can recognise faces or read number plates?")
    if ANALYTICS is None:  # the inventory cannot carry analytics yet (issue 11 item 1 not merged)
        assert "This was not determined for any of the 14 cameras" in answer
        return
    assert "Of the 14 cameras:" in answer
    assert "- 4 cameras are standard CCTV (no video analytics found);" in answer
    assert "- 1 camera is capable of facial recognition;" in answer
    assert "- 1 camera is capable of reading number plates (ANPR);" in answer
    assert "- for 8 cameras this could not be determined." in answer
    assert "The cameras themselves report facial recognition switched on in 1 camera." in answer
    assert "number plate reading" not in answer, "the ANPR camera is capable of it, not said to use it"


def test_draft_states_every_gap(council: dict[str, Path]) -> None:
    gaps = _section(council["draft.md"].read_text(encoding="utf-8"), "What could not be settled")
    for sentence in (
        "- 5 cameras of unknown form (whether static or PTZ could not be told).",
        "- 1 recorder was not asked which cameras are connected to it",
        "- 4 cameras or recorders whose maker is unknown.",
        "- 5 cameras or recorders whose firmware version is unknown (so whether published security advisories "
        "apply to them is unknown).",
        "- 1 asset register entry was not found on the network",
        "- 11 devices found on the network are not in the asset register.",
    ):
        assert sentence in gaps, f"{sentence!r} missing from:\n{gaps}"


def test_draft_withholds_nothing_by_itself_and_leaks_nothing(council: dict[str, Path]) -> None:
    draft = council["draft.md"].read_text(encoding="utf-8")
    for internal in ("198.18.", "192.168.", "V5.5.0", "2.800.0000016", "CVE-", "Disposed?", "comms room"):
        assert internal not in draft, f"{internal!r} belongs in the annex"
    assert "section 31" not in draft, "no exemption is applied for the officer"
    assert "They are in the internal annex" in _section(draft, "Not in this draft")


def test_annex_holds_what_is_withheld(council: dict[str, Path]) -> None:
    annex = council["annex.md"].read_text(encoding="utf-8")
    assert annex.startswith("# INTERNAL ANNEX: NOT FOR PUBLICATION\n")
    assert "Do not send it with the answer." in annex
    assert "198.18.10.0/24, 198.18.20.0/24, 198.18.30.0/24" in annex
    assert "| Civic Centre | Entrance | camera | Hikvision | DS-2CD2143G0-I | 198.18.10.10 | - |" in annex
    assert "| Riverside Depot | Analogue 2 | camera | unknown | - | - | 198.18.20.21 channel 2 |" in annex
    assert "| Hikvision | DS-2CD2143G0-I | V5.5.0 build 191126 | 1 |" in annex
    assert "| 198.18.30.20 | Northgate Car Park | Dahua | DHI-NVR4108HS-8P-4KS2 | 8 |" in annex
    assert "| 8 | XX-009 | aa:bb:cc:00:00:09 |  | Old dome camera | 03/01/2019 | £99 | Disposed? |" in annex
    template = annex.split("## Exemption wording (templates)", 1)[1]
    assert "[TEMPLATE: a starting point to edit, not a decision." in template
    assert "section 31(1)(a) of the Freedom of Information Act 2000" in template
    assert "we have considered the public interest" in template


def test_withholding_locations_is_the_officers_choice(council: dict[str, Path], tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    proc = camscan("report", str(council["inventory.json"]), "--sites", str(council["sites.toml"]), "--assets",
                   str(council["register.csv"]), "--foi", str(draft), "--withhold-locations")
    assert proc.returncode == 0, proc.stderr
    text = draft.read_text(encoding="utf-8")
    where = text.split("Where are they?\n---------------\n", 1)[1].split("When were they bought", 1)[0]
    assert "[TEMPLATE: you chose to withhold locations." in where
    assert "section 31(1)(a) of the Freedom of Information Act 2000" in where
    assert "Civic Centre" not in text and "Riverside Depot" not in text, "no site names when locations are withheld"
    assert "|" not in text and "##" not in text, "plain text for a letter"


def test_html_report_in_chromium(council: dict[str, Path], chromium: str, tmp_path: Path) -> None:
    page = council["report.html"].read_text(encoding="utf-8")
    assert "Scanned on <time datetime=\"2025-03-04T10:15:00+00:00\">4 March 2025 at 10:15 UTC</time>" in page
    assert ("1 recorder was not asked which cameras are connected to it (no credentials were given for it, or the "
            "request was refused): up to 8 cameras may be connected") in page
    assert "Its ONVIF interface does not offer that request." in page and "onvif fault" not in page
    assert "Has inputs for 4 analogue cameras." in page
    assert "_line" not in page and "register line" in page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with Browser(chromium, tmp_path / "profile") as browser:
        for width in (390, 1366):
            browser.open(council["report.html"].as_uri(), width)
            page_width, table, box = browser.evaluate(
                '[document.documentElement.scrollWidth, document.getElementById("devices").scrollWidth,'
                ' document.getElementById("devices").parentNode.clientWidth]')
            assert page_width <= width, f"sideways scrolling at {width} px"
            assert table <= box, f"the device table does not fit at {width} px"
            assert browser.evaluate('document.querySelectorAll("#devices tbody tr").length') == 17
            assert not browser.problems()
            shot = browser.screenshot(ARTIFACTS / f"council-{width}px.png")
            assert int.from_bytes(shot[16:20], "big") == width


def test_estate_per_site_sections_keep_internal_detail_in_the_annex(tmp_path: Path) -> None:
    """`camscan report` over several sites' inventories: the draft's per-site sections say what
    was found, the annex also which scan each rests on and how many devices have advisories."""
    devices, _ = _council()
    files = []
    for site, prefix in (("Civic Centre", "198.18.10."), ("Riverside Depot", "198.18.20.")):
        here = [d for d in devices if (d.via or d.ip).startswith(prefix)]
        for d in here:
            d.site = site
        path = tmp_path / f"{site}.json"
        path.write_text(json.dumps(Inventory(devices=here, scanned_at="2025-03-04T10:15:00+00:00").to_dict()))
        files.append(str(path))
    draft, annex = tmp_path / "draft.md", tmp_path / "annex.md"
    proc = camscan("report", *files, "--foi", str(draft), "--foi-annex", str(annex))
    assert proc.returncode == 0, proc.stderr
    public, internal = draft.read_text(encoding="utf-8"), annex.read_text(encoding="utf-8")
    for text in (public, internal):
        assert "## Per site" in text and "### Civic Centre" in text and "### Riverside Depot" in text
    assert "| cameras | 6 |" in public
    assert "with advisories" not in public and "Civic Centre.json" not in public
    assert "| with advisories |" in internal and "From " in internal
    withheld = tmp_path / "withheld.md"
    assert camscan("report", *files, "--foi", str(withheld), "--withhold-locations").returncode == 0
    assert "## Per site" not in withheld.read_text(encoding="utf-8")
