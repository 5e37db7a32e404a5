"""The command line in the lab, as a person uses it: Ctrl-C through `lab exec`, a bare `camscan`
under sudo's PATH, host names as targets, progress bars on a terminal and none in a pipe, -q,
and the lab's account. The lab is built in network namespaces by the test (root needed; skipped
with the reason otherwise) and removed at the end; names resolve from a hosts file the scanner's
namespace alone sees (/etc/netns/cslab-scan/, bind-mounted by `ip netns exec`), never by DNS."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from labcheck import lab_unavailable

from camscan.lab import netns

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[1]
CAMSCAN = Path(sys.executable).parent / "camscan"
# what sudo leaves of PATH (Debian's secure_path): the virtualenv's bin is not on it
SUDO_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SUDO_ENV = {**os.environ, "PATH": SUDO_PATH}
NETNS_ETC = Path("/etc/netns") / netns.SCANNER


if why := lab_unavailable():
    pytest.skip(why, allow_module_level=True)


def camscan(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """`camscan ARGS` as a user runs it after sudo: the installed command, sudo's PATH."""
    return subprocess.run([str(CAMSCAN), *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env=SUDO_ENV, **kw)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, subprocess.CompletedProcess]]:
    slow = os.environ.pop("CAMSCAN_LAB_SLOW", None)  # another module's slow DVR must not slow these scans
    up = camscan("lab", "up")
    try:
        assert up.returncode == 0, up.stderr
        yield tmp_path_factory.mktemp("labcli"), up
    finally:
        down = camscan("lab", "down")
        assert down.returncode == 0, down.stderr
        if slow is not None:
            os.environ["CAMSCAN_LAB_SLOW"] = slow


def test_lab_up_and_status_tell_the_labs_account(lab) -> None:
    _, up = lab
    creds = netns.STATE_DIR / "credentials.toml"
    assert "lab account: user admin with a password per device" in up.stderr
    assert f"--credentials {creds}" in up.stderr
    assert creds.stat().st_mode & 0o777 == 0o600
    status = camscan("lab", "status")
    assert status.returncode == 0, status.stderr
    gate = next(line for line in status.stdout.splitlines() if line.strip().startswith("198.18.0.10 "))
    assert gate.endswith("account admin / Lab-Hik-0010!")
    assert f"--credentials {creds}" in status.stdout


def test_ctrl_c_to_lab_exec_keeps_the_inventory(lab) -> None:
    """A terminal's Ctrl-C signals the whole foreground process group: `lab exec` and the scan.
    The scan must still write what it found and exit 130, as it does outside the lab."""
    tmp, _ = lab
    inv = tmp / "cut.csv"
    proc = subprocess.Popen([str(CAMSCAN), "lab", "exec", "--", "camscan", "scan", "198.18.0.0/21", "--csv", str(inv),
                             "--wait", "5", "-q", "--no-history"], cwd=ROOT, env=SUDO_ENV, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.5)  # ARP sweep done, discovery listening
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "cut short" in err and "Traceback" not in err
    assert len(rows(inv)) >= 15, "what the sweep and discovery found must be written"
    assert re.search(r"^camscan: \d+ cameras? \(", err, re.M), "the one-line summary, also when cut short"


def test_quiet_scan_in_a_pipe_prints_only_the_summary(lab) -> None:
    proc = camscan("lab", "exec", "--", "camscan", "scan", "198.18.0.8/29", "-q", "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert re.fullmatch(r"camscan: 4 cameras \(3 static, 1 PTZ\), 0 recorders, 0 other hosts", line), line


@pytest.fixture
def scanner_hosts() -> Iterator[None]:
    """Names for the lab's devices in the scanner's namespace only, and no DNS there."""
    if NETNS_ETC.exists():
        pytest.fail(f"{NETNS_ETC} exists already; not overwriting it")
    NETNS_ETC.mkdir(parents=True)
    try:
        (NETNS_ETC / "hosts").write_text("127.0.0.1 localhost\n198.18.0.10 camera-01.example\n"
                                         "198.18.0.11 gate.example\n")
        (NETNS_ETC / "nsswitch.conf").write_text("hosts: files\n")
        yield
    finally:
        shutil.rmtree(NETNS_ETC)


def test_host_names_are_resolved_once_shown_and_scanned(lab, scanner_hosts) -> None:
    tmp, _ = lab
    inv = tmp / "named.csv"
    proc = camscan("lab", "exec", "--", "camscan", "scan", "camera-01.example", "gate.example", "--csv", str(inv),
                   "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert "camera-01.example → 198.18.0.10" in proc.stderr and "gate.example → 198.18.0.11" in proc.stderr
    assert {r["ip"] for r in rows(inv)} == {"198.18.0.10", "198.18.0.11"}


def test_a_name_that_does_not_resolve_is_one_line_and_exit_2(lab, scanner_hosts) -> None:
    proc = camscan("lab", "exec", "--", "camscan", "scan", "198.18.0.10", "nosuch.example")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "camscan: error: target: 'nosuch.example': no IPv4 address for this host name "
        "(Name or service not known)"]


def _on_a_terminal(argv: list[str], timeout: float = 120) -> tuple[int, str, str]:
    """Run `argv` with stderr on a pseudo-terminal: (exit status, stdout, what the terminal showed)."""
    master, slave = os.openpty()
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=slave, text=True, cwd=ROOT, env=SUDO_ENV,
                              timeout=timeout)
    finally:
        os.close(slave)
        reader.join(10)
        os.close(master)
    return proc.returncode, proc.stdout, b"".join(shown).decode(errors="replace")


def test_a_terminal_sees_each_phase_with_counts_and_time_left(lab) -> None:
    tmp, _ = lab
    inv = tmp / "bars.csv"
    creds = netns.STATE_DIR / "credentials.toml"
    rc, out, shown = _on_a_terminal([str(CAMSCAN), "lab", "exec", "--", "camscan", "scan", "198.18.0.0/22",
                                     "--rate", "500", "--credentials", str(creds), "--csv", str(inv),
                                     "--no-history"])
    assert rc == 0, shown
    assert re.search(r"ARP sweep    \[[#-]+\]\s+\d+%  00:00:0\d  \d+ of 10\d\d asked, \d+ answered", shown), \
        "the sweep's bar with its estimate"
    assert re.search(r"ARP retry    \[[#-]+\]\s+\d+%.*\d+ of \d+ silent asked again", shown)
    assert re.search(r"TCP probes   \[[#-]+\]\s+\d+%.*probing \d+ of \d+ hosts", shown)
    assert re.search(r"descriptions \[[#-]+\]\s+\d+%.*\d+ of \d+ read", shown)
    assert re.search(r"device APIs  \[[#-]+\]\s+100%.*(\d+) of \1 devices asked", shown)
    assert out.startswith("ip ") and "Reception" not in shown, "the table goes to stdout"
    assert any(r["via"] for r in rows(inv)), "the lab's credentials file opened the recorders"


def test_without_arp_the_discovery_listening_has_its_bar(lab) -> None:
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is missing")
    rc, _, shown = _on_a_terminal(["ip", "netns", "exec", netns.SCANNER, "setpriv", "--reuid=65534",
                                   "--regid=65534", "--clear-groups", sys.executable, "-m", "camscan", "scan",
                                   "198.18.0.8/29", "--wait", "2", "--no-history"])
    assert rc == 0, shown
    assert re.search(r"discovery    \[[#-]+\]\s+\d+%.*listening, \d+ answered", shown)


def test_no_bars_in_a_pipe(lab) -> None:
    proc = camscan("lab", "exec", "--", "camscan", "scan", "198.18.0.8/29", "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert "ARP sweep of 8 on-link addresses" in proc.stderr
    assert "\r" not in proc.stderr and "[#" not in proc.stderr and "\x1b" not in proc.stderr
