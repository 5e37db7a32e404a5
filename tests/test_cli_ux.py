"""What the command line shows a person: the one-line summary (also with -q), the table's name
and vendor columns, progress bars only on a terminal, host names as targets, shell completion,
and how `lab exec` names camscan. No test here sends a packet or looks a name up beyond this
machine: names are resolved by a resolver the test passes, or are `localhost` (/etc/hosts)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from camscan.errors import InputError
from camscan.lab.control import scanner_command
from camscan.model import Device
from camscan.report.table import columns
from camscan.scan.progress import no_progress
from camscan.scan.targets import is_host_name, parse_targets, read_targets
from camscan.terminal import PhaseBars, phase_bars

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"
VENV_BIN = Path(sys.executable).parent


def camscan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env=env)


# --- the one-line summary and -q ---------------------------------------------------------------

DEMO_SUMMARY = ("camscan: 30 cameras (19 static, 5 PTZ, 6 of unknown form), 4 recorders, 7 other hosts; "
                "12 of the cameras known through recorders")


def test_quiet_hides_the_table_but_not_the_one_line_summary() -> None:
    proc = camscan("replay", str(PCAPS / "demo.pcap"), "-q", "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [DEMO_SUMMARY]


def test_without_quiet_the_table_then_the_summary_on_stderr() -> None:
    proc = camscan("replay", str(PCAPS / "demo.pcap"), "--no-history")
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0].split()
    assert header[:2] == ["ip", "mac"] and "name" in header
    assert header.index("name") == header.index("model") + 1, "each device's name beside its model"
    reception = next(line for line in proc.stdout.splitlines() if line.startswith("10.1.1.65 "))
    assert "Reception" in reception
    assert proc.stderr.splitlines()[-1] == DEMO_SUMMARY


def test_summary_counts_what_was_skipped() -> None:
    proc = camscan("replay", str(PCAPS / "hostile.pcap"), "-q", "--no-history")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("camscan: ") and re.search(r"; skipped \d+: \d+ ", line), line


def test_vendor_column_follows_the_mac_when_the_inventory_has_oui_vendors() -> None:
    headings = [c.heading for c in columns()]
    has_vendor = "oui_vendor" in {f.name for f in dataclasses.fields(Device)}
    assert ("vendor" in headings) == has_vendor
    if has_vendor:
        assert headings[headings.index("mac") + 1] == "vendor"


# --- progress bars ---------------------------------------------------------------------------------

def _tty_output(draw) -> str:
    """What `draw(tty)` writes to a terminal (a pseudo-terminal read as it is written)."""
    master, slave = os.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    with os.fdopen(slave, "w") as tty:
        draw(tty)
    reader.join(10)
    os.close(master)
    return b"".join(chunks).decode()


def test_bars_are_drawn_on_a_terminal_with_count_percent_and_estimate() -> None:
    def draw(tty) -> None:
        bars = phase_bars(tty, quiet=False)
        assert isinstance(bars, PhaseBars)
        done = [0]
        advance, finish = bars("TCP probes", 600, lambda: f"probing {done[0] // 6} of 100 hosts")
        for _ in range(300):
            done[0] += 1
            advance(1)
            time.sleep(0.005)  # 1.5 s in all: long enough for an estimate
        finish()

    out = _tty_output(draw)
    assert "TCP probes   [" in out and "probing 50 of 100 hosts" in out and " 50% " in out
    assert re.search(r" 50%  00:00:0\d  probing 50 of 100 hosts", out), "time left, estimated"


def test_no_bars_in_a_pipe_or_with_quiet(tmp_path: Path) -> None:
    with (tmp_path / "log").open("w") as log:
        assert phase_bars(log, quiet=False) is no_progress
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        assert phase_bars(tty, quiet=True) is no_progress
    os.close(master)


# --- host names as targets ---------------------------------------------------------------------

def _hosts(table: dict[str, list[str]]):
    def resolve(name: str) -> list[str]:
        if name not in table:
            raise InputError("no IPv4 address for this host name (Name or service not known)")
        return table[name]
    return resolve


def test_host_names_resolve_once_to_the_scope() -> None:
    asked: list[str] = []
    table = {"camera-01.example": ["198.18.0.10"], "nvr.example": ["198.18.0.20", "198.18.0.21"]}

    def resolve(name: str) -> list[str]:
        asked.append(name)
        return table[name]

    got = read_targets(["camera-01.example", "nvr.example,198.18.0.30", "camera-01.example"], resolver=resolve)
    assert sorted(str(ip) for ip in got.addresses) == ["198.18.0.10", "198.18.0.20", "198.18.0.21", "198.18.0.30"]
    assert got.names == table
    assert asked == ["camera-01.example", "nvr.example"], "each name is looked up once"


def test_host_names_in_a_targets_file(tmp_path: Path) -> None:
    f = tmp_path / "targets.txt"
    f.write_text("198.18.0.0/30\ncamera-01.example  # the gate\n")
    got = read_targets([f"@{f}"], resolver=_hosts({"camera-01.example": ["198.18.0.10"]}))
    assert got.addresses.size == 5 and got.names == {"camera-01.example": ["198.18.0.10"]}
    with pytest.raises(InputError, match=rf"{re.escape(str(f))}:2: 'camera-01.example': no IPv4 address"):
        read_targets([f"@{f}"], resolver=_hosts({}))


def test_a_name_that_resolves_to_a_public_address_is_refused_like_the_address() -> None:
    with pytest.raises(InputError, match="public address range"):
        read_targets(["www.example"], resolver=_hosts({"www.example": ["192.0.3.7"]}))


def test_localhost_resolves_from_etc_hosts() -> None:
    assert [str(ip) for ip in parse_targets(["localhost"])] == ["127.0.0.1"]


@pytest.mark.parametrize(("spec", "name"), [
    ("camera-01.example", True), ("localhost", True), ("nvr.", True),
    ("198.18.0.256", False), ("198.18.0.10-20", False), ("10-20", False), ("198.18.0.0/24", False),
    ("-bad.example", False), ("bad_name", False),
])
def test_what_counts_as_a_host_name(spec: str, name: bool) -> None:
    assert is_host_name(spec) is name


# --- lab exec and shell completion ---------------------------------------------------------------

def test_lab_exec_runs_this_camscan_for_a_bare_camscan() -> None:
    assert scanner_command(["camscan", "scan", "198.18.0.0/21"]) == [sys.executable, "-m", "camscan", "scan",
                                                                     "198.18.0.0/21"]
    assert scanner_command(["ip", "addr"]) == ["ip", "addr"]


def test_bash_completion_script_is_produced_and_completes() -> None:
    env = {**os.environ, "_CAMSCAN_COMPLETE": "bash_source"}
    script = camscan(env=env).stdout
    assert "complete -o nosort -F _camscan_completion camscan" in script
    # as a user's shell runs it: source the script, then complete `camscan lab <TAB>`
    shell = ('eval "$(_CAMSCAN_COMPLETE=bash_source camscan)"; COMP_WORDS=(camscan lab ""); COMP_CWORD=2; '
             '_camscan_completion camscan; printf "%s\\n" "${COMPREPLY[@]}"')
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == ["down", "exec", "status", "up"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_scripts_are_produced(shell: str) -> None:
    script = camscan(env={**os.environ, "_CAMSCAN_COMPLETE": f"{shell}_source"}).stdout
    assert "_CAMSCAN_COMPLETE" in script and "camscan" in script


def test_readme_runs_camscan_under_sudo_by_its_path() -> None:
    """sudo's secure_path has no virtualenv: `sudo camscan` fails where `sudo .venv/bin/camscan` works."""
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in readme.splitlines() if line.startswith("    ")]
    camscan_as_root = [c for c in commands if re.match(r"sudo( -\S+)* \S*camscan ", c)]
    assert len(camscan_as_root) > 5
    assert [c for c in camscan_as_root if not re.match(r"sudo( -\S+)* \.venv/bin/camscan ", c)] == []
    assert any(c.startswith('eval "$(_CAMSCAN_COMPLETE=bash_source camscan)"') for c in commands), \
        "shell completion documented"
