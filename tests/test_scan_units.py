"""The parts of a live scan that need no network: targets, scope, credentials, pacing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from camscan.errors import InputError
from camscan.model import Device, Inventory
from camscan.scan import credentials
from camscan.scan.pacing import RateLimiter
from camscan.scan.result import apply_scan_notes
from camscan.scan.runner import ScanResult
from camscan.scan.targets import Scope, ScopeError, parse_ports, parse_targets


def test_targets_accept_cidrs_ranges_addresses_and_files(tmp_path: Path) -> None:
    f = tmp_path / "targets.txt"
    f.write_text("# site A\n198.18.0.0/30\n198.18.1.5  # the recorder\n\n198.18.2.10-12, 198.18.3.1\n")
    got = parse_targets([f"@{f}", "198.18.0.10-198.18.0.11"])
    assert sorted(str(ip) for ip in got) == sorted(
        ["198.18.0.0", "198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.1.5", "198.18.2.10", "198.18.2.11",
         "198.18.2.12", "198.18.3.1", "198.18.0.10", "198.18.0.11"])


@pytest.mark.parametrize(("specs", "message"), [
    (["8.8.8.8"], "public address range"),
    (["198.18.0.0/12"], "public address range"),
    (["224.0.0.251"], "refusing multicast"),
    (["198.18.0.20-10"], "ends before it starts"),
    (["198.18.0.256"], "is not an IPv4 address"),
    (["198.18.0.0/15"], "more than 65536"),
    (["@/nonexistent/targets.txt"], "cannot read targets file"),
])
def test_bad_targets_are_refused_with_a_reason(specs: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_targets(specs)


def test_public_targets_with_allow_public() -> None:
    assert parse_targets(["192.0.2.1", "203.0.113.0/30"], allow_public=True).size == 5


def test_scope_allows_targets_and_discovery_groups_only() -> None:
    scope = Scope(parse_targets(["198.18.0.0/24"]))
    assert scope.allows("198.18.0.77") and scope.allows("239.255.255.250") and scope.allows("224.0.0.251")
    for outside in ("198.18.1.1", "10.0.0.1", "8.8.8.8", "255.255.255.255", "not-an-ip"):
        assert not scope.allows(outside)
    with pytest.raises(ScopeError, match="outside the targets"):
        scope.check("198.18.1.1")


def _creds(tmp_path: Path, text: str, mode: int = 0o600) -> str:
    p = tmp_path / "creds.toml"
    p.write_text(text)
    p.chmod(mode)
    return str(p)


def test_credentials_the_most_specific_account_wins(tmp_path: Path) -> None:
    path = _creds(tmp_path, """
[default]
username = "viewer"
password = "v"

[[range]]
targets = ["198.18.0.0/22"]
username = "wide"
password = "w"

[[range]]
targets = "198.18.0.0/24"
username = "narrow"
password = "n"

[[host]]
ip = "198.18.0.13"
username = "admin"
password = "s3cret-Pw"
""")
    c = credentials.load(path, environ={})
    assert c.for_ip("198.18.0.13").username == "admin"
    assert c.for_ip("198.18.0.14").username == "narrow"
    assert c.for_ip("198.18.2.1").username == "wide"
    assert c.for_ip("198.18.9.9").username == "viewer"
    assert "s3cret-Pw" not in repr(c.for_ip("198.18.0.13")) and "s3cret-Pw" not in str(c.for_ip("198.18.0.13"))


def test_credentials_from_the_environment() -> None:
    c = credentials.load(None, environ={"CAMSCAN_USERNAME": "ops", "CAMSCAN_PASSWORD": "pw"})
    assert c.for_ip("198.18.0.1").username == "ops"
    assert not credentials.load(None, environ={})


@pytest.mark.parametrize(("text", "mode", "message"), [
    ('[default]\nusername = "a"\npassword = "b"\n', 0o644, "readable by every user"),
    ('[default]\nusername = "a"\n', 0o600, "password missing"),
    ('[[host]]\nip = "nope"\nusername = "a"\npassword = "b"\n', 0o600, "ip must be an IPv4 address"),
    ('[[range]]\nusername = "a"\npassword = "b"\n', 0o600, "targets missing"),
    ('[admins]\nusername = "a"\n', 0o600, "unknown section"),
    ('[default\nusername = "a"', 0o600, "not valid TOML"),
])
def test_bad_credentials_files(tmp_path: Path, text: str, mode: int, message: str) -> None:
    path = _creds(tmp_path, text, mode)
    with pytest.raises(InputError, match=message) as info:
        credentials.load(path, environ={})
    assert '"b"' not in str(info.value) and "password = " not in str(info.value), "no secret in the message"


def test_rate_limiter_keeps_its_ceiling() -> None:
    limiter = RateLimiter(200)
    t0 = time.monotonic()
    for _ in range(100):
        limiter.wait()
    elapsed = time.monotonic() - t0
    # 100 packets at 200/s with a burst of 10: at least 0.45 s
    assert elapsed >= 0.44
    assert limiter.sent == 100


def test_ports_are_a_comma_separated_list() -> None:
    assert parse_ports("80, 554,,8000") == (80, 554, 8000)
    for bad in ("", "http", "0", "65536", "80;554"):
        with pytest.raises(InputError) as err:
            parse_ports(bad)
        assert str(err.value) == f"--ports {bad!r}: give TCP ports as a comma-separated list, e.g. 80,554"


def test_scan_notes_go_to_the_devices_reached_directly_and_into_the_summary() -> None:
    inv = Inventory([Device(ip="198.18.0.5"), Device(ip="198.18.0.5", via="198.18.0.9", channel=1)])
    result = ScanResult(evidence=[], skipped={}, device_notes={"198.18.0.5": ["ISAPI: 401 with the account"]},
                        enrichment={"refused": 1, "identified": 2})
    apply_scan_notes(inv, result)
    assert inv.devices[0].notes == ["ISAPI: 401 with the account"] and inv.devices[1].notes == []
    assert inv.notes == ["credentialed identification: 2 identified, 1 refused",
                         "  198.18.0.5: ISAPI: 401 with the account"]
