"""Network namespaces for the rogue-device tests: a switch (one bridge), the scanner, one
namespace per rogue device and a canary, all on 198.19.40.0/24 (inside RFC 2544's 198.18.0.0/15
but away from the shared lab's 198.18.0.0/21), no default route anywhere. Every name starts
with `csrogue-`; `teardown()` removes them all (and the processes in them), and `build()` calls
it first, so a crashed run never lingers. The scanner's resolv.conf names the canary as its
DNS server, so a host-name lookup by the scanner reaches the canary and is seen."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "csrogue-"
SWITCH, SCANNER, CANARY_NS = f"{PREFIX}sw", f"{PREFIX}scan", f"{PREFIX}can"
NET = "198.19.40"
SCANNER_IP, CANARY_IP = f"{NET}.2", f"{NET}.99"
DEVICE_SCRIPT = Path(__file__).with_name("rogue_device.py")
RESOLV_DIR = Path("/etc/netns") / SCANNER


@dataclass
class Node:
    ns: str
    ip: str
    mac: str
    cfg: dict


def sh(*args: str, ns: str | None = None, check: bool = True) -> str:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if check and proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stderr.strip()}")
    return proc.stdout


def namespaces() -> list[str]:
    out = sh("ip", "netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]


def teardown() -> None:
    for ns in namespaces():
        for pid in sh("ip", "netns", "pids", ns, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
    time.sleep(0.05)
    for ns in namespaces():
        sh("ip", "netns", "delete", ns, check=False)
    if RESOLV_DIR.exists():
        for f in RESOLV_DIR.iterdir():
            f.unlink()
        RESOLV_DIR.rmdir()


def _plug(ns: str, mac: str, ip: str, tag: str) -> None:
    sh("ip", "netns", "add", ns)
    sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1", ns=ns)
    sh("ip", "-n", SWITCH, "link", "add", f"v{tag}", "type", "veth", "peer", "name", "eth0", "netns", ns)
    sh("ip", "-n", SWITCH, "link", "set", f"v{tag}", "master", "br0", "up")
    for cmd in (["link", "set", "eth0", "address", mac], ["addr", "add", f"{ip}/24", "dev", "eth0"],
                ["link", "set", "eth0", "up"], ["route", "add", "224.0.0.0/4", "dev", "eth0"]):
        sh("ip", "-n", ns, *cmd)


def build(nodes: list[Node], workdir: Path) -> list[subprocess.Popen]:
    """The namespaces, the devices' processes (started and answering) and the canary's
    packet capture (workdir/canary.pcap). Returns the processes started."""
    teardown()
    sh("ip", "netns", "add", SWITCH)
    sh("ip", "-n", SWITCH, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", SWITCH, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0")
    sh("ip", "-n", SWITCH, "link", "set", "br0", "up")
    _plug(SCANNER, "02:c5:40:00:00:02", SCANNER_IP, "scan")
    RESOLV_DIR.mkdir(parents=True, exist_ok=True)
    (RESOLV_DIR / "resolv.conf").write_text(f"nameserver {CANARY_IP}\noptions timeout:1 attempts:1\n")
    procs = []
    for i, node in enumerate(nodes):
        _plug(node.ns, node.mac, node.ip, f"d{i}")
        cfg = workdir / f"{node.ns}.json"
        cfg.write_text(json.dumps({**node.cfg, "ip": node.ip, "log": str(workdir / f"{node.ns}.log")}))
        procs.append(subprocess.Popen(["ip", "netns", "exec", node.ns, sys.executable, str(DEVICE_SCRIPT), str(cfg)],
                                      stdout=subprocess.PIPE, stderr=open(workdir / f"{node.ns}.err", "w"),  # noqa: SIM115
                                      text=True, start_new_session=True))
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", "a rogue device did not start"
    dump = subprocess.Popen(["ip", "netns", "exec", CANARY_NS, "tcpdump", "-i", "eth0", "-n", "-U", "-w",
                             str(workdir / "canary.pcap")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    assert dump.stderr is not None and "listening" in dump.stderr.readline()
    procs.append(dump)
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def log(workdir: Path, ns: str) -> list[dict]:
    path = workdir / f"{ns}.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


MARKER_PORT = 9  # discard: the test's own datagram, sent to show the capture is up to date


def _dst_lines(pcap: Path, ip: str) -> list[str]:
    out = subprocess.run(["tcpdump", "-n", "-r", str(pcap), f"dst host {ip}"], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def packets_to(pcap: Path, ip: str) -> list[str]:
    """Every IP packet in `pcap` addressed to `ip`, other than the markers: datagrams the
    scanner namespace sends, the newest now, whose arrival in the file shows that everything
    sent before it is there too."""
    def is_marker(line: str) -> bool:
        return f"{ip}.{MARKER_PORT}: UDP" in line

    before = sum(map(is_marker, _dst_lines(pcap, ip)))
    sh(sys.executable, "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
       f".sendto(b'marker', ('{ip}', {MARKER_PORT}))", ns=SCANNER)
    deadline = time.monotonic() + 10
    while True:
        lines = _dst_lines(pcap, ip)
        if sum(map(is_marker, lines)) > before or time.monotonic() > deadline:
            assert sum(map(is_marker, lines)) > before, "the marker never reached the canary's capture"
            # ARP for it is left out: the marker itself may need one, and any real attempt to
            # reach the canary shows as an IP packet once the canary has answered the ARP
            return [line for line in lines if not is_marker(line) and " ARP" not in line]
        time.sleep(0.1)
