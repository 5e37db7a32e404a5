"""A device's HTTPS certificate is pinned by the scan history (issue 9, guarantee 4): live,
credentialed scans of one HTTPS camera in network namespaces (tests/rogue_net.py), with a
history database. The first scan sends the account over HTTPS and records the certificate;
after the camera's certificate is replaced, a scan sends it no Authorization header, warns on
stderr and notes the row, and keeps doing so until the user accepts the new certificate.
Root needed (skipped with the reason otherwise); take /tmp/cslab.lock when running it."""

from __future__ import annotations

import hashlib
import json
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import rogue_net as net
from labcheck import lab_unavailable

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "certhist-test-S3cret-pw"
IP = f"{net.NET}.10"
NS = f"{net.PREFIX}d10"
WARNING = f"camscan: warning: {IP}: HTTPS certificate changed since the last scan"


if why := lab_unavailable("tcpdump", "openssl"):
    pytest.skip(why, allow_module_level=True)


def _certificate(workdir: Path, name: str) -> tuple[list[str], str]:
    """A new self-signed certificate: ([certificate, key] paths, its hex SHA-256)."""
    cert, key = workdir / f"{name}.pem", workdir / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=cam", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return [str(cert), str(key)], hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.read_text())).hexdigest()


class Camera:
    """The namespaces and one Hikvision camera serving its web interface and ISAPI on 80 and 443;
    `replace_certificate` restarts it with another certificate (same address, same MAC)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tls, self.sha256 = _certificate(workdir, "first")
        self.cfg = {"role": "good", "canary": net.CANARY_IP, "good": IP, "server": "App-webs/",
                    "isapi": "DS-2CD2043G2-I"}
        self.procs = net.build([net.Node(NS, IP, "58:50:ed:40:00:10", {**self.cfg, "tls": self.tls}),
                                net.Node(net.CANARY_NS, net.CANARY_IP, "02:c5:40:00:00:99", {"role": "canary"})],
                               workdir)

    def replace_certificate(self, name: str) -> None:
        device = self.procs[0]
        net.stop([device])
        self.tls, self.sha256 = _certificate(self.workdir, name)
        cfg = self.workdir / f"{NS}.json"
        cfg.write_text(json.dumps({**self.cfg, "tls": self.tls, "ip": IP, "log": str(self.workdir / f"{NS}.log")}))
        started = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, str(net.DEVICE_SCRIPT), str(cfg)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   start_new_session=True)
        assert started.stdout is not None and started.stdout.readline().strip() == "ready"
        self.procs[0] = started

    def requests_since(self, mark: int) -> list[dict]:
        return net.log(self.workdir, NS)[mark:]


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("certhist")
    cam = Camera(workdir)
    try:
        yield cam
    finally:
        net.stop(cam.procs)
        net.teardown()
        assert net.namespaces() == []


def scan(cam: Camera, name: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict, list[dict]]:
    """`camscan scan` of the camera with the account named for it and the module's history:
    (process, its JSON row for the camera, the requests the camera received meanwhile)."""
    creds = cam.workdir / "creds.toml"
    creds.write_text(f'[[host]]\nip = "{IP}"\nusername = "admin"\npassword = "{PASSWORD}"\n')
    creds.chmod(0o600)
    out = cam.workdir / f"{name}.json"
    mark = len(net.log(cam.workdir, NS))
    proc = subprocess.run(["ip", "netns", "exec", net.SCANNER, sys.executable, "-m", "camscan", "scan", IP,
                           "--credentials", str(creds), "--json", str(out), "--wait", "0.5",
                           "--db", str(cam.workdir / "history.sqlite3"), *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [d for d in json.loads(out.read_text())["devices"] if d["ip"] == IP]
    assert len(rows) == 1, proc.stderr
    return proc, rows[0], cam.requests_since(mark)


def _authorised(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r["auth"]]


def test_a_changed_certificate_gets_no_credentials_until_accepted(camera: Camera) -> None:
    first_sha = camera.sha256
    # no history yet: the account goes over HTTPS and the certificate is recorded
    proc, row, seen = scan(camera, "first")
    assert _authorised(seen) and all(r["tls"] for r in _authorised(seen) if r["path"].startswith("/ISAPI/"))
    assert (row["tls_sha256"], row["tls_changed"]) == (first_sha, False)
    assert "HTTPS certificate changed" not in proc.stderr
    assert row["model"] == "DS-2CD2043G2-I"

    # the same certificate again: still asked
    proc, row, seen = scan(camera, "same")
    assert _authorised(seen) and "HTTPS certificate changed" not in proc.stderr

    camera.replace_certificate("second")
    proc, row, seen = scan(camera, "changed")
    assert seen, "the camera was probed (its web page), so the assertion below can fail"
    assert not _authorised(seen), "no Authorization header may reach a device whose certificate changed"
    assert not any(r["path"].startswith("/onvif/") for r in seen), "nor ONVIF's WS-Security token"
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith(WARNING)]
    assert "no credentials sent" in line and "--accept-new-certs" in line
    assert (row["tls_sha256"], row["tls_changed"]) == (camera.sha256, True)
    assert any(n.startswith("HTTPS certificate changed since the last scan") for n in row["notes"])

    # not accepted: the next scan warns again (the changed row is not taken as the pin)
    proc, row, seen = scan(camera, "still-changed", "--quiet")
    assert not _authorised(seen) and WARNING in proc.stderr

    # accepted: the account goes to it this time, and from now on without a warning
    proc, row, seen = scan(camera, "accepted", "--accept-new-certs")
    assert _authorised(seen) and "accepted" in proc.stderr
    assert (row["tls_sha256"], row["tls_changed"]) == (camera.sha256, False)
    proc, row, seen = scan(camera, "after")
    assert _authorised(seen) and "HTTPS certificate changed" not in proc.stderr
    assert camera.sha256 != first_sha


def test_without_history_nothing_is_compared(camera: Camera) -> None:
    camera.replace_certificate("third")
    proc, row, seen = scan(camera, "no-history", "--no-history")
    assert _authorised(seen) and "HTTPS certificate changed" not in proc.stderr
    assert (row["tls_sha256"], row["tls_changed"]) == (camera.sha256, False)
