"""`camscan lab up | down | status | exec`: build the emulated estate from the profiles, start
an emulator for every device, and run commands from the scanner's namespace."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from camscan.lab import netns
from camscan.lab.netns import SCANNER, Host, LabError, LabState
from camscan.lab.profile import Profile, load_profiles
from camscan.lab.scale import clone, plan, save_clones

# OUIs for the plain (non-camera) hosts of a scale lab: PCs, phones, printers.
_PLAIN_OUIS = ("b4:45:06", "3c:52:82", "f8:b4:6a", "00:1b:21", "a4:bb:6d")
# the accounts the lab's devices accept, as a camscan credentials file (root only)
CREDENTIALS_FILE = "credentials.toml"


def _ns_for(p: Profile) -> str:
    return f"{netns.PREFIX}{p.id}"[:32]


def _lab_ip(p: Profile) -> str:
    return p.ip


def up(hosts: int = 0, say=print) -> LabState:
    """Tear down any old lab, build a new one, start the emulators; returns the state."""
    netns.check_root()
    profiles = load_profiles()
    router = next((p for p in profiles if p.role == "router"), None)
    devices = [p for p in profiles if p.role == "device"]
    lab_hosts = [Host(_ns_for(p), _lab_ip(p), p.mac, p.subnet, p.ipv6["address"] if p.ipv6 else "")
                 for p in devices]
    clone_hosts: list[tuple[str, str]] = []
    plain_hosts: list[tuple[str, str]] = []
    clones: list[dict] = []
    if hosts:
        ips = netns.scale_ips(hosts, {p.ip for p in profiles})
        macs = [f"{_PLAIN_OUIS[i % len(_PLAIN_OUIS)]}:{(i >> 16) & 0xFF:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}"
                for i in range(len(ips))]
        clones = plan(devices, ips, macs)
        by_id = {p.id: p for p in devices}
        for c in clones:  # a clone keeps its maker's OUI
            prefix = by_id[c["source"]].mac[:8]
            c["mac"] = f"{prefix}:{0x80 | (c['index'] >> 16) & 0x7F:02x}:{(c['index'] >> 8) & 0xFF:02x}:" \
                       f"{c['index'] & 0xFF:02x}"
        cloned = {c["ip"] for c in clones}
        clone_hosts = [(c["ip"], c["mac"]) for c in clones]
        plain_hosts = [(ip, mac) for ip, mac in zip(ips, macs, strict=True) if ip not in cloned]
    router_macs = (router.mac, router.mac[:-2] + f"{(int(router.mac[-2:], 16) + 1) & 0xFF:02x}") if router \
        else ("00:1b:21:00:00:01", "00:1b:21:00:00:02")
    extra = f", {len(clone_hosts)} cloned cameras and {len(plain_hosts)} plain hosts" if hosts else ""
    say(f"building the lab: {len(lab_hosts)} devices, router, scanner{extra}")
    state = netns.setup(lab_hosts, clone_hosts, len(plain_hosts), router_macs)
    state.scale_ips = sorted([ip for ip, _ in clone_hosts + plain_hosts], key=lambda a: tuple(map(int, a.split("."))))
    logdir = netns.STATE_DIR / "logs"
    py = sys.executable
    serving = []
    for p, h in zip(devices, lab_hosts, strict=True):
        if p.protocols:
            state.pids.append(netns.spawn(h.ns, [py, "-m", "camscan.lab.emulator", p.id, "--raw-interface", "eth0"],
                                          logdir / f"{p.id}.log"))
            serving.append(p.id)
    if router is not None and router.protocols:
        state.pids.append(netns.spawn(netns.ROUTER, [py, "-m", "camscan.lab.emulator", router.id],
                                      logdir / "router.log"))
        serving.append(router.id)
    if hosts:
        cfile = netns.STATE_DIR / "clones.json"
        save_clones(cfile, clones)
        pfile = netns.STATE_DIR / "plain.json"
        pfile.write_text(json.dumps(plain_hosts))
        state.pids.append(netns.spawn(netns.SCALE_NS, [py, "-m", "camscan.lab.emulator", "--clones", str(cfile),
                                                       "--arp-hosts", str(pfile), "--arp-interface", "plain"],
                                      logdir / "scale.log"))
        serving.append("scale")
    state.save()
    by_id = {p.id: p for p in devices}
    creds = write_credentials(devices + [clone(by_id[c["source"]], c["index"], c["ip"], c["mac"]) for c in clones])
    _wait_ready([logdir / f"{i}.log" for i in serving])
    say(f"lab up: scanner {netns.SCANNER_IP} in namespace {SCANNER}; LAN {netns.LAN}, far subnet {netns.FAR}")
    say(account_line(devices, creds))
    return state


def accounts(profiles: list[Profile]) -> dict[str, tuple[str, str]]:
    """ip -> (username, password) of every lab device that has an account (its profile's)."""
    return {p.ip: (p.username, p.password) for p in profiles if p.username}


def write_credentials(profiles: list[Profile]) -> Path:
    """The lab's accounts as a credentials file for `camscan scan --credentials` (one [[host]]
    per device; mode 600, as camscan requires of a credentials file)."""
    path = netns.STATE_DIR / CREDENTIALS_FILE
    lines = ["# the accounts the lab's devices accept (written by `camscan lab up`)"]
    for ip, (user, password) in accounts(profiles).items():
        lines.append(f"\n[[host]]\nip = {json.dumps(ip)}\nusername = {json.dumps(user)}\n"
                     f"password = {json.dumps(password)}")
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def account_line(profiles: list[Profile], creds: Path) -> str:
    """What to tell the user about the lab's account: the user name(s), where the passwords are."""
    users = sorted({user for user, _ in accounts(profiles).values()})
    return (f"lab account: user {', '.join(users) or '(none)'} with a password per device, listed by "
            f"`camscan lab status`; for a credentialed scan: --credentials {creds}")


def _wait_ready(logs: list[Path], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    pending = list(logs)
    while pending and time.monotonic() < deadline:
        pending = [f for f in pending if not (f.exists() and b"serving" in f.read_bytes())]
        time.sleep(0.05)
    if pending:
        names = ", ".join(f.stem for f in pending)
        details = ""
        for f in pending[:1]:
            if f.exists():
                details = f.read_text(errors="replace").strip().splitlines()[-1:][0] if f.read_text().strip() else ""
        raise LabError(f"emulators did not start: {names}" + (f" ({details})" if details else ""))


def down() -> list[str]:
    return netns.teardown()


def status() -> list[str]:
    state = LabState.load()
    spaces = netns.namespaces()
    if not spaces:
        return ["no lab is up"]
    alive = sum(1 for pid in state.pids if _alive(pid))
    profiles = load_profiles()
    by_ip = accounts(profiles)
    lines = [f"{len(spaces)} namespaces, {alive}/{len(state.pids)} emulator processes running"]
    for h in state.hosts:
        user, password = by_ip.get(h["ip"], ("", ""))
        account = f"  account {user} / {password}" if user else ""
        lines.append(f"  {h['ip']:<15} {h['mac']}  {h['ns']:<20} ({h['subnet']}){account}")
    if state.scale_ips:
        lines.append(f"  + {len(state.scale_ips)} scale hosts {state.scale_ips[0]} .. {state.scale_ips[-1]} "
                     "(the cloned cameras keep their profile's account)")
    lines.append(account_line(profiles, netns.STATE_DIR / CREDENTIALS_FILE))
    return lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def scanner_command(argv: list[str]) -> list[str]:
    """The command line to run in the scanner's namespace: a bare `camscan` is this camscan
    (this interpreter's `-m camscan`), since sudo's secure_path drops a virtualenv's bin."""
    if argv and argv[0] == "camscan":
        return [sys.executable, "-m", "camscan", *argv[1:]]
    return list(argv)


def exec_in_scanner(argv: list[str]) -> NoReturn:
    """Become COMMAND inside the scanner's namespace (`ip netns exec` execs it in turn): no
    process stays between the terminal and the command, so Ctrl-C, SIGTERM and the exit status
    are the command's own, as outside the lab — a scan cut short still writes its inventory."""
    netns.check_root()
    if SCANNER not in netns.namespaces():
        raise LabError("no lab is up: run `camscan lab up` first")
    cmd = ["ip", "netns", "exec", SCANNER, *scanner_command(argv)]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        raise LabError(f"{' '.join(cmd[:4])}: {exc.strerror}") from None
