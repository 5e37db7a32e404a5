"""The certificate pins of issue 9 (guarantee 4) without a network: the fingerprint survives both
history stores, the history answers with the last accepted certificate per IP and per MAC
(never a changed one, never a replay's, only the scan's own site), a change is found by either
key, and an API session whose certificate is pinned never falls back to plain HTTP."""

from __future__ import annotations

import asyncio

import netaddr
import pytest

from camscan.model import Device, Inventory
from camscan.scan.certpins import changes, known_certs
from camscan.scan.credentials import Account, Credentials
from camscan.scan.enrich import Target, enrich
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope
from camscan.store import CertificatePins, SqliteHistory

A, B, C = "aa" * 32, "bb" * 32, "cc" * 32
MAC1, MAC2 = "44:19:b6:00:00:01", "44:19:b6:00:00:02"


def inv(*devices: Device, when: str = "2026-01-01T10:00:00+00:00") -> Inventory:
    return Inventory(devices=list(devices), targets=["198.18.0.0/24"], scanned_at=when)


def cam(ip: str, mac: str, sha: str = "", changed: bool = False) -> Device:
    return Device(ip=ip, mac=mac, manufacturer="Hikvision", tls_sha256=sha, tls_changed=changed)


def test_the_fingerprint_round_trips_through_sqlite(tmp_path) -> None:
    recorded = inv(cam("10.0.0.5", MAC1, A), cam("10.0.0.6", MAC2, B, changed=True), cam("10.0.0.7", ""))
    with SqliteHistory(tmp_path / "h.sqlite3") as h:
        back = h.devices(h.record(recorded, "scan"))
    assert back == recorded.devices
    assert [(d.tls_sha256, d.tls_changed) for d in back] == [(A, False), (B, True), ("", False)]


def test_the_fingerprint_round_trips_through_postgres(pg_url: str) -> None:
    from camscan.store import open_store, resolve

    recorded = inv(cam("10.0.0.5", MAC1, A), cam("10.0.0.6", MAC2, B, changed=True))
    with open_store(resolve(pg_url, environ={})) as server:
        assert server.devices(server.record(recorded, "scan")) == recorded.devices
        assert server.certificate_pins() == CertificatePins({"10.0.0.5": A}, {MAC1: A})


def test_pins_are_the_latest_accepted_certificate_by_ip_and_by_mac(tmp_path) -> None:
    with SqliteHistory(tmp_path / "h.sqlite3") as h:
        h.record(inv(cam("10.0.0.5", MAC1, A), cam("10.0.0.6", MAC2, C), when="2026-01-01T10:00:00+00:00"), "scan")
        # later: .5 showed B (found changed, not accepted); .6 moved its MAC's certificate to B, accepted
        h.record(inv(cam("10.0.0.5", MAC1, B, changed=True), cam("10.0.0.9", MAC2, B),
                     when="2026-01-02T10:00:00+00:00"), "scan")
        # a replay (someone's capture) and another site's scan say nothing about this site's devices
        h.record(inv(cam("10.0.0.5", MAC1, C), when="2026-01-03T10:00:00+00:00"), "replay")
        h.record(inv(cam("10.0.0.5", MAC1, C), when="2026-01-03T10:00:00+00:00"), "scan", site="Elsewhere")
        # a scan pushed late from a spool does not hide the newer one
        h.record(inv(cam("10.0.0.9", MAC2, A), when="2025-12-01T10:00:00+00:00"), "scan")
        pins = h.certificate_pins()
        assert pins.by_ip == {"10.0.0.5": A, "10.0.0.6": C, "10.0.0.9": B}
        assert pins.by_mac == {MAC1: A, MAC2: B}
        assert h.certificate_pins("Elsewhere") == CertificatePins({"10.0.0.5": C}, {MAC1: C})


PINS = CertificatePins({"10.0.0.5": A}, {MAC1: A, MAC2: B})


@pytest.mark.parametrize(("seen", "macs", "changed"), [
    ({"10.0.0.5": A}, {"10.0.0.5": MAC1}, None),  # the same certificate, same place
    ({"10.0.0.5": C}, {"10.0.0.5": MAC1}, (A, C)),  # another certificate at the address
    ({"10.0.0.5": C}, {"10.0.0.5": "02:00:00:00:00:01"}, (A, C)),  # a fresh MAC does not dodge the IP's pin
    ({"10.0.0.8": C}, {"10.0.0.8": MAC1}, (A, C)),  # the MAC's pin follows it to another address
    ({"10.0.0.5": B}, {"10.0.0.5": MAC2}, (A, B)),  # a device trusted elsewhere cannot take .5's place
    ({"10.0.0.5": ""}, {"10.0.0.5": MAC1}, (A, "")),  # no certificate on 443 now: plain HTTP refused
    ({"10.0.0.8": C}, {}, None),  # nothing known about it: first use
])
def test_a_change_is_found_by_either_key(seen: dict, macs: dict, changed: tuple | None) -> None:
    present = set(seen)
    found = changes({ip: s for ip, s in seen.items() if s}, present, macs, PINS, https_probed=True)
    if changed is None:
        assert found == {}
    else:
        [(ip, change)] = found.items()
        assert (change.was, change.now, change.accepted) == (*changed, False)
        assert "no credentials" in change.note() and "--accept-new-certs" in change.warning()
        assert known_certs({ip: changed[1]}, PINS, macs, found).get(ip) is None, "a held device is not asked"


def test_a_missing_certificate_says_nothing_when_443_was_not_probed() -> None:
    assert changes({}, {"10.0.0.5"}, {"10.0.0.5": MAC1}, PINS, https_probed=False) == {}


def test_an_accepted_change_is_asked_with_the_new_certificate_pinned() -> None:
    found = changes({"10.0.0.5": C}, {"10.0.0.5"}, {"10.0.0.5": MAC1}, PINS, https_probed=True, accept=True)
    assert found["10.0.0.5"].accepted and "accepted" in found["10.0.0.5"].note()
    assert known_certs({"10.0.0.5": C}, PINS, {"10.0.0.5": MAC1}, found) == {"10.0.0.5": C}


def test_a_pinned_device_whose_https_fails_is_not_asked_over_http() -> None:
    """443 answers but not with TLS (an impostor without the key): the session must not fall back
    to the HTTP port, where the account would travel readable to whoever holds the address."""
    seen: list[bytes] = []

    async def run() -> list:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = await reader.read(4096)
            seen.append(head)
            writer.write(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n"
                         b"Content-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()

        not_tls = await asyncio.start_server(handle, "127.0.0.1", 0)
        plain = await asyncio.start_server(handle, "127.0.0.1", 0)
        t = Target("127.0.0.1", port=plain.sockets[0].getsockname()[1], platform="Hikvision",
                   tls_port=not_tls.sockets[0].getsockname()[1])
        creds = Credentials(None, [], {"127.0.0.1": Account("admin", "pw", "test")})
        try:
            return await enrich([t], creds, Scope(netaddr.IPSet(["127.0.0.1"])), RateLimiter(1000), None,
                                known_certs={"127.0.0.1": A})
        finally:
            not_tls.close()
            plain.close()

    [out] = asyncio.run(run())
    assert not any(b"GET /ISAPI" in h for h in seen), "nothing may be asked over plain HTTP"
    assert any("not asked over HTTP" in n for n in out.notes) and not out.read


def test_a_history_that_cannot_be_read_compares_nothing_and_says_so(tmp_path) -> None:
    from camscan.scan.certpins import read_pins
    from camscan.store import resolve

    warnings: list[str] = []
    missing = tmp_path / "none.sqlite3"
    assert read_pins(resolve(str(missing)), "", warnings.append) == CertificatePins()
    assert not missing.exists() and warnings == [], "no file is made just to read it"
    (tmp_path / "dir.sqlite3").mkdir()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    for name in ("dir.sqlite3", "junk.sqlite3"):
        assert read_pins(resolve(str(tmp_path / name)), "", warnings.append) is None
    assert len(warnings) == 2 and all("no certificate is compared" in w for w in warnings)
