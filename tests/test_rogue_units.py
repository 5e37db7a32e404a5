"""The pieces behind the rogue-device guarantees, each attacked directly: the scope gate on
URLs a device gives, the choice of UPnP descriptions, the device-clock rule, who is offered the
[default] account, the credentials file's permissions, and the private temporary directory."""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import netaddr
import pytest

from camscan.errors import InputError
from camscan.model import Evidence
from camscan.scan import credentials, offer, tempcapture
from camscan.scan.enrich import Target
from camscan.scan.isolation import printable, unreadable_note
from camscan.scan.onvifguard import CLOCK_BOUND, clock_use, device_clock_offset
from camscan.scan.probes import choose_descriptions
from camscan.scan.targets import Scope, ScopeError

SCOPE = Scope(netaddr.IPSet(["198.19.40.0/24"]))
DEV = "198.19.40.5"


@pytest.mark.parametrize("url", [
    "http://198.19.40.5:99999/desc.xml",     # no such port
    "http://198.19.40.5:0/desc.xml",
    "http://rogue.example/desc.xml",         # a name: never looked up
    "http://198.19.40.6/desc.xml",           # another target: a device speaks only for itself
    "http://198.19.41.1/desc.xml",           # outside the targets
    "ftp://198.19.40.5/desc.xml",
    "http://[::1]/desc.xml",
])
def test_urls_that_leave_the_device_are_refused(url: str) -> None:
    with pytest.raises(ScopeError):
        SCOPE.check_url(url, DEV)


def test_a_url_back_to_the_device_passes_and_ports_can_be_pinned() -> None:
    assert SCOPE.check_url("http://198.19.40.5:8080/x", DEV) == (DEV, 8080)
    assert SCOPE.check_url("https://198.19.40.5/x", DEV) == (DEV, 443)
    with pytest.raises(ScopeError):
        SCOPE.check_url("http://198.19.40.5:8080/x", DEV, (80,))


def test_descriptions_come_only_from_their_announcer_and_only_a_few() -> None:
    notes: list[str] = []
    pairs = [(DEV, f"http://{DEV}/d{i}.xml") for i in range(10)]
    pairs += [(DEV, "http://198.19.40.6/stolen.xml"), (DEV, f"http://{DEV}:99999/x"), ("198.19.40.7", "http://198.19.40.7/ok")]
    chosen = choose_descriptions(pairs, SCOPE, notes.append, per_device=2)
    assert [c for c in chosen if c[0] == DEV] == [(DEV, 80, "/d0.xml"), (DEV, 80, "/d1.xml")]
    assert ("198.19.40.7", 80, "/ok") in chosen
    assert len(notes) == 1 and notes[0].startswith(f"SSDP LOCATION from {DEV} not fetched")


def _time_reply(year: int | None) -> object:
    if year is None:
        return SimpleNamespace(UTCDateTime=None)
    return SimpleNamespace(UTCDateTime=SimpleNamespace(Date=SimpleNamespace(Year=year, Month=1, Day=2),
                                                      Time=SimpleNamespace(Hour=3, Minute=4, Second=5)))


def test_a_time_reply_without_a_utc_time_is_no_offset() -> None:
    assert device_clock_offset(_time_reply(None)) is None
    assert device_clock_offset(SimpleNamespace()) is None
    assert device_clock_offset(_time_reply(99999)) is None
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert device_clock_offset(_time_reply(2027), now) == dt.timedelta(days=365)
    use = clock_use(None)
    assert use.offset is None and "scanner's clock" in use.note


def test_a_clock_far_ahead_signs_one_request_and_a_close_one_says_nothing() -> None:
    ahead = clock_use(CLOCK_BOUND + dt.timedelta(hours=1))
    assert ahead.one_request and "one request only" in ahead.note
    assert not clock_use(dt.timedelta(minutes=2)).note
    behind = clock_use(-dt.timedelta(days=600))  # a neglected camera: tokens dated in the past
    assert not behind.one_request and "behind" in behind.note


def _creds(tmp_path: Path, text: str) -> credentials.Credentials:
    path = tmp_path / "c.toml"
    path.write_text(text)
    path.chmod(0o600)
    return credentials.load(str(path), environ={})


def test_default_account_needs_two_kinds_of_evidence(tmp_path: Path) -> None:
    creds = _creds(tmp_path, '[default]\nusername = "v"\npassword = "p"\n'
                              '[[host]]\nip = "198.19.40.9"\nusername = "h"\npassword = "p"\n')
    banner = Evidence(source="http", ip=DEV, banners={"http_server": "App-webs/"})
    sadp = Evidence(source="sadp", ip=DEV, platform="Hikvision")
    lone, both, named = Target(DEV, platform="Hikvision"), Target(DEV, platform="Hikvision"), Target("198.19.40.9")
    offer.corroborate([lone], [banner, Evidence(source="http", ip=DEV, banners={"http_title": "x"})])
    offer.corroborate([both], [banner, sadp])
    offer.corroborate([named], [])
    acct, why = offer.account_for(creds, lone)
    assert acct is None and "not offered" in why and "http" in why
    assert offer.account_for(creds, both)[0].username == "v"
    assert offer.account_for(creds, named)[0].username == "h", "a device the file names gets its account"


@pytest.mark.parametrize(("mode", "message"), [
    (0o640, "open to the file's group"), (0o660, "open to the file's group"), (0o620, "open to the file's group"),
    (0o602, "writable or executable by every user"), (0o604, "readable by every user"),
])
def test_credentials_open_to_anyone_else_are_refused(tmp_path: Path, mode: int, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[default]\nusername = "a"\npassword = "b"\n')
    path.chmod(mode)
    with pytest.raises(InputError, match=message) as err:
        credentials.load(str(path), environ={})
    assert "chmod 600" in str(err.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_credentials_owned_by_someone_else_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[default]\nusername = "a"\npassword = "b"\n')
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    with pytest.raises(InputError, match="owned by user id 65534, not by the user running camscan"):
        credentials.load(str(path), environ={})


def test_device_text_in_notes_is_printable_and_short() -> None:
    assert printable("a\x1b[2Jb\u202ec\x9b", 80) == "a [2Jb c"
    note = unreadable_note("ONVIF", ValueError("x" * 500))
    assert note.startswith("ONVIF answer unreadable: ValueError (") and len(note) < 130


def test_private_dir_is_0700_and_goes_on_an_exception() -> None:
    with pytest.raises(RuntimeError), tempcapture.private_dir() as d:
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
        Path(d, "scan.pcap").write_bytes(b"secret")
        raise RuntimeError
    assert not os.path.exists(d)


def test_sigterm_runs_the_cleanup(tmp_path: Path) -> None:
    code = ("import sys, time\nfrom camscan.scan import tempcapture\ntry:\n"
            "    with tempcapture.private_dir() as d, tempcapture.sigterm_interrupts():\n"
            "        print(d, flush=True)\n        time.sleep(120)\nexcept KeyboardInterrupt:\n    sys.exit(130)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.stdout is not None
    made = proc.stdout.readline().strip()
    assert os.path.isdir(made)
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
    assert not os.path.exists(made)
