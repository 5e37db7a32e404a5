"""The signature data proves itself, recog-style: every example of every entry is found by its own
entry (first match wins, so it must not be swallowed by an earlier one) and yields exactly the
fields it states; every not_example misses its entry. Broken files fail loudly with the file and
entry named. The OUI table from aiooui maps every Hikvision- and Dahua-group registrant to its
group, and nothing else to either."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import aiooui
import pytest

from camscan.identify import oui
from camscan.identify.signatures import (
    DEFAULT_DIR,
    FILES,
    KINDS,
    NOT_YET_PRODUCED_KINDS,
    PRODUCED_KINDS,
    SPECS,
    Match,
    SignatureError,
    Signatures,
    load,
)

SIGS = load()


def _examples(kind: str) -> list:
    params = []
    for file in FILES:
        for sig in SIGS.entries(file):
            items = sig.examples if kind == "examples" else sig.not_examples
            for n, ex in enumerate(items, 1):
                params.append(pytest.param(sig, ex, id=f"{file}:{sig.id}:{n}"))
    return params


# --- the data -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sig", "example"), _examples("examples"))
def test_example_matches_its_own_entry_with_the_fields_it_states(sig, example):
    got = SIGS.lookup(sig.file, example)
    text = example[SPECS[sig.file].input_key]
    assert got is not None, f"{sig.file}.toml '{sig.id}': {text!r} matches nothing"
    assert got.id == sig.id, f"{sig.file}.toml '{sig.id}': {text!r} is taken by '{got.id}'"
    spec = SPECS[sig.file]
    for key, want in example.items():
        if key in spec.outputs or key in spec.captures or key == "heuristic":
            assert getattr(got, key) == want, f"{sig.path} '{sig.id}': {text!r}: {key}"


@pytest.mark.parametrize(("sig", "example"), _examples("not_examples"))
def test_not_example_misses_its_entry(sig, example):
    assert not SIGS.not_example_matches(sig, example)


def test_check_reports_nothing_for_the_shipped_data():
    assert SIGS.check() == []


def test_every_file_has_entries_and_examples():
    for file in FILES:
        entries = SIGS.entries(file)
        assert entries, file
        assert all(sig.examples and sig.description and sig.source for sig in entries)


def test_every_manufacturer_is_a_canonical_name_from_brands():
    canonical = {s.manufacturer for s in SIGS.entries("brands") if s.manufacturer}
    for file in FILES:
        for sig in SIGS.entries(file):
            for name in filter(None, (sig.manufacturer, sig.requires_manufacturer)):
                assert name in canonical, f"{file}.toml '{sig.id}': manufacturer {name!r} is not in brands.toml"


def test_heuristic_entries_say_so():
    # grade-D (general knowledge) entries must be marked
    for file in FILES:
        for sig in SIGS.entries(file):
            if sig.source.split(",")[0] == "D":
                assert sig.heuristic, f"{file}.toml '{sig.id}'"


# --- engine behaviour -------------------------------------------------------------------------------

def test_rebadges_resolve_to_the_real_maker():
    assert SIGS.vendor("HiLook") == SIGS.vendor("  HiLook ")
    assert (SIGS.vendor("ANNKE").manufacturer, SIGS.vendor("ANNKE").brand) == ("Hikvision", "Annke")
    assert SIGS.vendor("Amcrest").manufacturer == "Dahua"
    assert SIGS.vendor("Acme Cameras") is None
    assert SIGS.vendor("") is None


def test_white_label_needs_the_dahua_platform():
    assert SIGS.vendor("General") is None
    assert SIGS.vendor("Private", platform="Hikvision") is None
    m = SIGS.vendor("Private", platform="Dahua")
    assert (m.manufacturer, m.brand) == ("Dahua", "")
    assert SIGS.vendor("AC") is None
    assert SIGS.vendor("AC", "dahua").brand == "Amcrest"


def test_model_never_matches_an_entry_of_another_known_manufacturer():
    assert SIGS.model("IPC-B120H").id == "hilook-ipc"
    assert SIGS.model("IPC-B120H", "Dahua") is None
    assert SIGS.model("IPC-B120H", "hilook").brand == "HiLook"  # brand resolved to its group
    assert SIGS.model("IPC-HDW5831R-ZE", "Hikvision") is None
    assert SIGS.model("IPC-HDW5831R-ZE", "Amcrest").form == "static"  # Amcrest is Dahua
    assert SIGS.model("DS-2CD2386G2-IU", "Acme") is None
    assert SIGS.model("DS-2CD2386G2-IU", "HIKVISION").form == "static"


def test_motorised_zoom_is_not_ptz():
    for model in ("DS-2CD2785G1-IZS", "IPC-HDW5831R-ZE", "DS-2CD2625FWD-IZS"):
        assert SIGS.model(model).form == "static", model


def test_banner_normalisation():
    assert SIGS.banner("rtsp_realm", "Hikvision | /").id == "hik-realm"
    assert SIGS.banner("http_realm", "IP Camera(C1234) | hikvision").id == "hik-realm"
    assert SIGS.banner("http_realm", 'Digest realm="hikvision", nonce="abc"').id == "hik-realm"
    assert SIGS.banner("wsd_name", "HIKVISION%20DS-2CD2385G1-I").manufacturer == "Hikvision"
    assert SIGS.banner("http_title", "App-webs/") is None  # a server header is not a title
    assert SIGS.banner("wsd_hardware", "DS-2CD2385G1-I") is None  # a kind with no entries: nothing
    assert SIGS.banner("no_such_kind", "App-webs/") is None  # unknown kind: nothing, no error
    assert SIGS.banner("upnp_manufacturer", "Hikvision Digital Technology").manufacturer == "Hikvision"


def test_hostile_input_is_bounded_and_harmless():
    huge = "App-webs/" + "A" * 1_000_000
    assert SIGS.banner("http_server", huge).manufacturer == "Hikvision"
    assert SIGS.model("\x00DS-2CD2386G2-IU\r\n").form == "static"
    assert SIGS.firmware("\x1b[2J") is None
    assert SIGS.oui(None) is None  # type: ignore[arg-type]


def test_match_is_a_frozen_record():
    m = SIGS.oui("Pyronix Ltd")
    assert isinstance(m, Match)
    with pytest.raises(AttributeError):
        m.manufacturer = "x"  # type: ignore[misc]


def test_default_directory_and_env_override(tmp_path, monkeypatch):
    assert Path(__file__).resolve().parents[1] / "signatures" == DEFAULT_DIR
    copy = _copy_signatures(tmp_path)
    _replace_in(copy / "brands.toml", 'id = "pyronix"\n', 'id = "pyronix"\nnote = "from the copy"\n')
    monkeypatch.setenv("CAMSCAN_SIGNATURES", str(copy))
    assert load().vendor("Pyronix").note == "from the copy"
    monkeypatch.delenv("CAMSCAN_SIGNATURES")
    assert load().vendor("Pyronix").note == ""


def test_load_is_cached_and_reloads_a_changed_file(tmp_path):
    copy = _copy_signatures(tmp_path)
    first = load(copy)
    assert load(copy) is first
    _replace_in(copy / "firmware.toml", 'brand = "Amcrest"', 'brand = "Amcrest2"')
    assert load(copy).firmware("2.800.00AC000.0.R").brand == "Amcrest2"


# --- broken files are refused, naming file and entry -------------------------------------------------

def _copy_signatures(tmp_path: Path) -> Path:
    dst = tmp_path / "signatures"
    shutil.copytree(DEFAULT_DIR, dst)
    return dst


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


GOOD_ENTRY = """
[[signature]]
id = "x-entry"
description = "test entry"
source = "test"
pattern = '^X-\\d'
manufacturer = "Hikvision"
device_type = "camera"
form = "static"
examples = [{ model = "X-1", form = "static" }]
"""


@pytest.mark.parametrize(("old", "new", "message"), [
    ("pattern = '^X-\\d'", "pattern = '^X-(\\d'", r"models\.toml: entry 'x-entry'.*bad regex"),
    ('id = "x-entry"\n', "", r"models\.toml: entry #1 \(no id\): missing 'id'"),
    ('description = "test entry"\n', "", r"models\.toml: entry 'x-entry'.*missing 'description'"),
    ('source = "test"\n', "", r"models\.toml: entry 'x-entry'.*missing 'source'"),
    ('examples = [{ model = "X-1", form = "static" }]', 'examples = [{ model = "X-1" }]',
     r"models\.toml: entry 'x-entry'.*states no expected field"),
    ('examples = [{ model = "X-1", form = "static" }]', "examples = []",
     r"models\.toml: entry 'x-entry'.*no 'examples'"),
    ('examples = [{ model = "X-1", form = "static" }]', 'examples = [{ modl = "X-1", form = "static" }]',
     r"models\.toml: entry 'x-entry'.*examples\[1\] has no 'model'"),
    ('form = "static"\n', 'form = "static"\nvendor = "Hik"\n', r"models\.toml: entry 'x-entry'.*unknown key.*vendor"),
    ('device_type = "camera"', 'device_type = "nvr"', r"models\.toml: entry 'x-entry'.*'form' is only for"),
    ('device_type = "camera"', 'device_type = "webcam"', r"models\.toml: entry 'x-entry'.*'device_type' must be"),
    ('form = "static"\n', 'form = "static"\nconfidence = "maybe"\n', r"models\.toml: entry 'x-entry'.*'confidence'"),
    ('form = "static"\n', 'form = "unknown"\n', r"entry 'x-entry'.*'form' must be one of \['static', 'ptz'\]"),
    ('source = "test"', 'source = "test', r"models\.toml: not valid TOML"),
])
def test_broken_model_entry_is_refused(tmp_path, old, new, message):
    copy = _copy_signatures(tmp_path)
    entry = GOOD_ENTRY
    assert old in entry
    (copy / "models.toml").write_text(entry.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SignatureError, match=message):
        load(copy)


def test_good_entry_loads(tmp_path):
    copy = _copy_signatures(tmp_path)
    (copy / "models.toml").write_text(GOOD_ENTRY, encoding="utf-8")
    assert load(copy).model("X-1").id == "x-entry"


def test_duplicate_id_is_refused(tmp_path):
    copy = _copy_signatures(tmp_path)
    (copy / "models.toml").write_text(GOOD_ENTRY + GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(SignatureError, match=r"models\.toml: entry 'x-entry' \(#2\): duplicate id"):
        load(copy)


def test_unknown_banner_kind_is_refused(tmp_path):
    copy = _copy_signatures(tmp_path)
    _replace_in(copy / "banners" / "http_rtsp.toml", 'kind = "rtsp_server"', 'kind = "rtsp_sever"')
    with pytest.raises(SignatureError, match=r"banners/http_rtsp\.toml: entry 'dahua-rtsp-server'.*unknown kind"):
        load(copy)


def test_missing_file_is_refused(tmp_path):
    copy = _copy_signatures(tmp_path)
    (copy / "oui.toml").unlink()
    with pytest.raises(SignatureError, match=r"oui\.toml"):
        load(copy)


def test_check_catches_a_swallowed_example_and_a_wrong_field(tmp_path):
    copy = _copy_signatures(tmp_path)
    # a broad entry placed first swallows the DS-2CD examples of the entry after it
    broad = GOOD_ENTRY.replace("'^X-\\d'", "'^(X-\\d|DS-)'").replace('form = "static"\n', 'form = "ptz"\n', 1)
    text = (copy / "models.toml").read_text(encoding="utf-8")
    (copy / "models.toml").write_text(broad + text, encoding="utf-8")
    problems = load(copy).check()
    assert any("'hik-ds-2cd'" in p and "swallowed by earlier entry 'x-entry'" in p for p in problems)
    assert any("'x-entry'" in p and "form is 'ptz', example says 'static'" in p for p in problems)


def test_check_catches_a_not_example_that_matches(tmp_path):
    copy = _copy_signatures(tmp_path)
    _replace_in(copy / "models.toml", 'not_examples = ["DS-2TD4136-25"]', 'not_examples = ["DS-2TD1228-2/QA"]')
    problems = load(copy).check()
    assert problems == ["models.toml: entry 'hik-thermal-fixed': not_example 1 'DS-2TD1228-2/QA' matches it"]


# --- banner files: one per family of kinds, captures proved by examples ------------------------------

GOOD_BANNER = """
[[signature]]
id = "x-server"
description = "test banner"
source = "test"
kind = "rtsp_server"
pattern = '^XCam/(?P<firmware>[\\d.]+) \\((?P<model>[^)]+)\\)'
manufacturer = "Hikvision"
examples = [{ text = "XCam/1.2.3 (XC-100)", manufacturer = "Hikvision", model = "XC-100", firmware = "1.2.3" }]
"""


def _with_banner_file(tmp_path: Path, text: str) -> Path:
    copy = _copy_signatures(tmp_path)
    (copy / "banners" / "x.toml").write_text(text.replace('kind = "rtsp_server"', 'kind = "x509_subject"'),
                                              encoding="utf-8")
    (copy / "banners" / "x509.toml").unlink()  # x509_subject now lives in x.toml alone
    return copy


def test_banner_captures_model_and_firmware(tmp_path):
    sigs = load(_with_banner_file(tmp_path, GOOD_BANNER))
    m = sigs.banner("x509_subject", "XCam/1.2.3 (XC-100) extra")
    assert (m.id, m.manufacturer, m.model, m.firmware) == ("x-server", "Hikvision", "XC-100", "1.2.3")
    assert sigs.check() == []


def test_shipped_captures():
    assert SIGS.banner("wsd_name", "HIKVISION%20DS-2CD2385G1-I").model == "DS-2CD2385G1-I"
    assert SIGS.banner("rtsp_server", "AvigilonOnvifNvt/2.6.0.130").firmware == "2.6.0.130"
    assert SIGS.banner("http_realm", 'Basic realm="DCS-2530L"').model == "DCS-2530L"
    assert SIGS.banner("http_server", "App-webs/").model == ""  # an entry without groups captures nothing
    captured = {sig.id for sig in SIGS.entries("banners") if sig.captures}
    assert {"hik-wsd-name", "avigilon-onvif", "dlink-dcs-realm", "dlink-dcs-ssdp", "panasonic-title"} <= captured


@pytest.mark.parametrize(("old", "new", "message"), [
    (', firmware = "1.2.3" }', " }", r"captures \(\?P<firmware>...\) but no example states the firmware"),
    ("(?P<model>[^)]+)", "[^)]+", r"an example states 'model' but the pattern has no \(\?P<model>"),
    ("(?P<model>", "(?P<modle>", r"named group\(s\) \['modle'\].*only \(\?P<model>...\), \(\?P<firmware>...\)"),
])
def test_banner_capture_faults_are_refused(tmp_path, old, new, message):
    assert old in GOOD_BANNER
    with pytest.raises(SignatureError, match=r"banners/x\.toml: entry 'x-server'.*" + message):
        load(_with_banner_file(tmp_path, GOOD_BANNER.replace(old, new, 1)))


def test_check_catches_a_wrong_capture(tmp_path):
    copy = _with_banner_file(tmp_path, GOOD_BANNER.replace('model = "XC-100"', 'model = "XC-200"'))
    assert load(copy).check() == [
        "banners/x.toml: entry 'x-server': example 1 'XCam/1.2.3 (XC-100)': model is 'XC-100', example says 'XC-200'"]


def test_named_groups_only_in_banner_files(tmp_path):
    copy = _copy_signatures(tmp_path)
    (copy / "models.toml").write_text(GOOD_ENTRY.replace("'^X-\\d'", "'^X-(?P<firmware>\\d)'"), encoding="utf-8")
    with pytest.raises(SignatureError, match=r"models\.toml: entry 'x-entry'.*named group.*none in this file"):
        load(copy)


def test_a_kind_lives_in_one_banner_file(tmp_path):
    copy = _copy_signatures(tmp_path)
    (copy / "banners" / "zz.toml").write_text(GOOD_BANNER, encoding="utf-8")
    with pytest.raises(SignatureError, match=r"zz\.toml: entry 'x-server': kind 'rtsp_server' already has "
                                             r"entries in banners/http_rtsp\.toml"):
        load(copy)


def test_banners_need_a_banner_file(tmp_path):
    copy = _copy_signatures(tmp_path)
    shutil.rmtree(copy / "banners")
    with pytest.raises(SignatureError, match=r"banners: no banner files"):
        load(copy)


def test_every_kind_is_produced_by_a_protocol_module_or_listed_as_not_yet():
    # a banner entry for a kind nothing produces is dead data: the kind must appear as a key
    # some protocol parser writes, or be listed as not yet produced (and in signatures/README.md)
    protocols = Path(__file__).resolve().parents[1] / "camscan" / "protocols"
    source = "\n".join(p.read_text(encoding="utf-8") for p in protocols.glob("*.py"))
    readme = (DEFAULT_DIR / "README.md").read_text(encoding="utf-8")
    for kind in PRODUCED_KINDS:
        assert f'"{kind}"' in source, f"{kind} is in PRODUCED_KINDS but no protocol module writes it"
    for kind in NOT_YET_PRODUCED_KINDS:
        assert f'"{kind}"' not in source, f"{kind} is produced now: move it to PRODUCED_KINDS"
        assert kind in readme
    used = {k for sig in SIGS.entries("banners") for k in sig.kinds}
    assert used <= set(KINDS)


# --- the OUI registry (aiooui) ----------------------------------------------------------------------

HIKVISION_GROUP = re.compile(r"hikvision|ezviz|hikrobot|hikstorage|^pyronix\b", re.I)
DAHUA_GROUP = re.compile(r"dahua|huacheng|huaray", re.I)


@pytest.fixture(scope="module")
def registry() -> dict[int, str]:
    asyncio.run(aiooui.async_load())
    manager = aiooui._OUI_MANAGER
    return {k: manager.get_vendor(f"{k:06X}") for k in manager._keys}


def test_every_hikvision_group_registrant_maps_to_hikvision(registry):
    group = {k: v for k, v in registry.items() if HIKVISION_GROUP.search(v)}
    named = [v for v in group.values() if "hikvision" in v.lower()]
    assert len(named) >= 86  # 84 Hangzhou Hikvision + 2 Prama Hikvision India (aiooui 2026-09)
    assert sum("ezviz" in v.lower() for v in group.values()) >= 15
    assert any("hikrobot" in v.lower() for v in group.values())
    assert any(v.lower().startswith("pyronix") for v in group.values())
    wrong = {f"{k:06X}": v for k, v in group.items() if (SIGS.oui(v) or Match("none")).manufacturer != "Hikvision"}
    assert wrong == {}


def test_every_dahua_group_registrant_maps_to_dahua(registry):
    group = {k: v for k, v in registry.items() if DAHUA_GROUP.search(v)}
    assert sum("dahua" in v.lower() for v in group.values()) >= 28
    wrong = {f"{k:06X}": v for k, v in group.items() if (SIGS.oui(v) or Match("none")).manufacturer != "Dahua"}
    assert wrong == {}


def test_no_other_registrant_is_claimed_for_hikvision_or_dahua(registry):
    # only the group itself and the rebadgers' own OUIs (LTS, Amcrest, Lorex) may map there
    stray = {}
    for name in set(registry.values()):
        m = SIGS.oui(name)
        claimed = m is not None and m.manufacturer in ("Hikvision", "Dahua") and not m.oem_own_oui
        if claimed and not (HIKVISION_GROUP.search(name) or DAHUA_GROUP.search(name)):
            stray[name] = m.id
    assert stray == {}


def test_hikvision_probable_registrants_are_not_claimed(registry):
    names = {v for v in registry.values() if re.match(r"Hangzhou Microimage|Prama India Private", v)}
    assert len(names) == 2
    for name in names:
        m = SIGS.oui(name)
        assert m.manufacturer == "" and m.heuristic and "hikvision-probable" in m.note


def test_oem_own_ouis(registry):
    for name, brand, maker in (("Amcrest Technologies", "Amcrest", "Dahua"), ("LT SECURITY INC", "LTS", "Hikvision"),
                               ("Lorex Technology Inc.", "Lorex", "Dahua")):
        assert name in registry.values()
        m = SIGS.oui(name)
        assert (m.manufacturer, m.brand, m.oem_own_oui) == (maker, brand, True)


# --- camscan.identify.oui ---------------------------------------------------------------------------

@pytest.mark.parametrize(("mac", "local", "multicast"), [
    ("58:50:ed:1f:e3:85", False, False),   # Hikvision camera (SADP sample)
    ("08-ED-ED-87-42-7A", False, False),   # Dahua camera (DHIP sample), dashes, upper case
    ("0242.ac11.0002", True, False),       # Docker bridge default, Cisco dotted notation
    ("da:a1:19:00:00:01", True, False),    # phone "private address" (randomised)
    ("02:60:8c:00:00:01", True, False),    # 3Com's old 02:60:8C block: still locally administered
    ("01:00:5e:7f:ff:fa", False, True),    # SSDP IPv4 multicast group 239.255.255.250
    ("33:33:00:00:00:fb", True, True),     # IPv6 mDNS multicast
    ("ff:ff:ff:ff:ff:ff", True, True),     # broadcast
])
def test_mac_bits(mac, local, multicast):
    assert oui.is_locally_administered(mac) is local
    assert oui.is_multicast(mac) is multicast


@pytest.mark.parametrize("bad", ["", "58:50:ed", "58:50:ed:1f:e3:85:00", "zz:50:ed:1f:e3:85"])
def test_mac_bits_refuse_garbage(bad):
    with pytest.raises(ValueError):
        oui.is_locally_administered(bad)
    assert oui.registrant(bad) is None


def test_registrant_lookups():
    assert oui.registrant("58:50:ed:1f:e3:85") == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert SIGS.oui(oui.registrant("08:ed:ed:87:42:7a")).manufacturer == "Dahua"
    assert SIGS.oui(oui.registrant("54-c4-15-9a-38-74")).manufacturer == "Hikvision"  # EZVIZ sample's MAC
    assert oui.registrant("02:60:8c:00:00:01") is None  # in the table as 3COM, but locally administered
    assert oui.registrant("01:00:5e:7f:ff:fa") is None
    assert oui.registrant(None) is None  # type: ignore[arg-type]


def test_registrant_loads_inside_a_running_event_loop(monkeypatch):
    fresh = aiooui.OUIManager()
    monkeypatch.setattr(aiooui, "_OUI_MANAGER", fresh)
    assert not aiooui.is_loaded()

    async def inside() -> str | None:
        return oui.registrant("58:50:ed:1f:e3:85")

    assert asyncio.run(inside()) == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert aiooui.is_loaded()


def test_registrant_loads_without_an_event_loop(monkeypatch):
    monkeypatch.setattr(aiooui, "_OUI_MANAGER", aiooui.OUIManager())
    assert oui.registrant("24:b1:05:00:00:01") == "Prama Hikvision India Private Limited"


def test_signatures_type_is_public():
    assert isinstance(SIGS, Signatures)
