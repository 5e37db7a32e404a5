"""The lab's plumbing: Linux network namespaces, a bridge per subnet, veth pairs, a router.

Everything is created inside namespaces named `cslab-*`; nothing is created in, or sent from,
the host's own namespace (the bridges live in the `cslab-sw` namespace). No namespace gets a
default route, so nothing in the lab can reach a real network, and addresses come only from
198.18.0.0/15 (RFC 2544's benchmarking range). `teardown()` removes every namespace, link and
process the lab made, and `setup()` calls it first, so a crashed lab never lingers.

Needs root (CAP_NET_ADMIN); every function raises LabError with the failing command.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from camscan.errors import CamscanError

PREFIX = "cslab-"
SWITCH = f"{PREFIX}sw"
SCANNER = f"{PREFIX}scan"
ROUTER = f"{PREFIX}rtr"
# The LAN is a /22: named devices on 198.18.0.x, the scale hosts of `lab up --hosts N` on its
# free addresses from 198.18.3.254 downwards; the far subnet behind the router is 198.18.4.0/24. The whole lab
# is 198.18.0.0/21.
LAN = ipaddress.IPv4Network("198.18.0.0/22")
FAR = ipaddress.IPv4Network("198.18.4.0/24")
LAB = ipaddress.IPv4Network("198.18.0.0/21")
LAB_SPACE = ipaddress.IPv4Network("198.18.0.0/15")
SCANNER_IP = "198.18.0.2"
ROUTER_LAN_IP = "198.18.0.1"
ROUTER_FAR_IP = "198.18.4.1"
STATE_DIR = Path(os.environ.get("CAMSCAN_LAB_STATE", "/run/camscan-lab"))


class LabError(CamscanError):
    """A lab operation failed; the message names the command and what it printed."""


def run(*args: str, ns: str | None = None, check: bool = True, input: str | None = None) -> str:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, input=input)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(cmd)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def batch(lines: list[str], ns: str | None = None) -> None:
    """Many `ip` commands in one process (`ip -batch`), for the hundreds of links of a big lab."""
    if not lines:
        return
    cmd = ["ip", "-force", "-batch", "-"]
    if ns:
        cmd = ["ip", "-n", ns, "-force", "-batch", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, input="\n".join(lines) + "\n")
    if proc.returncode != 0:
        raise LabError(f"ip -batch: {proc.stderr.strip()[:500]}")


def check_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces): run it with sudo")
    if subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
        raise LabError("the `ip` command is missing (Debian: apt-get install iproute2)")


def namespaces() -> list[str]:
    out = run("ip", "netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]


@dataclass
class Host:
    """One namespace on a subnet: a device, the scanner, or the scale namespace's macvlans."""

    ns: str
    ip: str
    mac: str
    subnet: str = "lan"  # lan | far
    ipv6: str = ""  # a global IPv6 address: IPv6 is switched on in this namespace only


@dataclass
class LabState:
    hosts: list[dict] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    scale_ips: list[str] = field(default_factory=list)

    def save(self) -> None:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        (STATE_DIR / "state.json").write_text(json.dumps(self.__dict__, indent=1))

    @classmethod
    def load(cls) -> LabState:
        try:
            return cls(**json.loads((STATE_DIR / "state.json").read_text()))
        except (OSError, ValueError, TypeError):
            return cls()


def _sysctls(ns: str, forward: bool = False) -> None:
    settings = {
        "net.ipv6.conf.all.disable_ipv6": "1",
        "net.ipv6.conf.default.disable_ipv6": "1",
        # each interface answers ARP only for its own address (many macvlans share a subnet)
        "net.ipv4.conf.all.arp_ignore": "1",
        "net.ipv4.conf.all.arp_announce": "2",
        "net.ipv4.ip_forward": "1" if forward else "0",
    }
    run("sysctl", "-q", "-w", *[f"{k}={v}" for k, v in settings.items()], ns=ns)


def _enable_ipv6(ns: str, address: str) -> None:
    """IPv6 on the namespace's eth0 (link-local from its MAC, and `address`/64, no duplicate
    address detection wait), so its kernel answers neighbour solicitations. Still no route out:
    only the link's prefix is reachable."""
    run("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.eth0.disable_ipv6=0",
        "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.eth0.accept_ra=0", ns=ns)
    run("ip", "-6", "addr", "add", f"{address}/64", "dev", "eth0", "nodad", ns=ns)


def _add_ns(ns: str) -> None:
    run("ip", "netns", "add", ns)
    run("ip", "link", "set", "lo", "up", ns=ns)


def _plug(ns: str, ifname: str, bridge: str, mac: str, cidr: str | None, tag: str) -> None:
    """A veth from the switch's bridge into `ns`, named `ifname` there, with `mac` and `cidr`."""
    peer = f"v{tag}"[:15]
    batch([
        f"link add {peer} type veth peer name {ifname} netns {ns}",
        f"link set {peer} master {bridge} up",
    ], ns=SWITCH)
    batch([f"link set {ifname} address {mac}", *([f"addr add {cidr} dev {ifname}"] if cidr else []),
           f"link set {ifname} up"], ns=ns)


def setup(devices: list[Host], scale: list[tuple[str, str]] | None = None, plain: int = 0,
          router_macs: tuple[str, str] = ("00:1b:21:00:00:01", "00:1b:21:00:00:02")) -> LabState:
    """Build the lab: switch with LAN and far bridges, router, scanner, one namespace per device
    and, with `scale`/`plain`, the scale namespace (see _scale)."""
    check_root()
    teardown()
    state = LabState()
    _add_ns(SWITCH)
    _sysctls(SWITCH)
    batch(["link add br0 type bridge", "link set br0 up", "link add br1 type bridge", "link set br1 up",
           # bridges forward multicast to every port (no snooping), as small office switches do
           "link set br0 type bridge mcast_snooping 0", "link set br1 type bridge mcast_snooping 0"], ns=SWITCH)
    # scanner: on the LAN, with routes to the far subnet and the scale block via the router,
    # and the multicast groups on its LAN interface; no default route.
    _add_ns(SCANNER)
    _sysctls(SCANNER)
    _plug(SCANNER, "eth0", "br0", "02:c5:00:00:00:02", f"{SCANNER_IP}/{LAN.prefixlen}", "scan")
    batch([f"route add {FAR} via {ROUTER_LAN_IP}", "route add 224.0.0.0/4 dev eth0"], ns=SCANNER)
    _add_ns(ROUTER)
    _sysctls(ROUTER, forward=True)
    _plug(ROUTER, "eth0", "br0", router_macs[0], f"{ROUTER_LAN_IP}/{LAN.prefixlen}", "rtr0")
    _plug(ROUTER, "eth1", "br1", router_macs[1], f"{ROUTER_FAR_IP}/{FAR.prefixlen}", "rtr1")
    for i, h in enumerate(devices):
        _add_ns(h.ns)
        _sysctls(h.ns)
        net = FAR if h.subnet == "far" else LAN
        _plug(h.ns, "eth0", "br1" if h.subnet == "far" else "br0", h.mac, f"{h.ip}/{net.prefixlen}", f"d{i}")
        routes = ["route add 224.0.0.0/4 dev eth0"]
        if h.subnet == "far":
            routes.append(f"route add {LAN} via {ROUTER_FAR_IP}")
        batch(routes, ns=h.ns)
        if h.ipv6:
            _enable_ipv6(h.ns, h.ipv6)
        state.hosts.append(h.__dict__)
    if scale or plain:
        _scale(scale or [], plain)
    state.save()
    return state


SCALE_NS = f"{PREFIX}many"


def scale_ips(count: int, taken: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Addresses for the scale namespace's hosts: the LAN's free addresses, from the top of the
    /22 down, skipping the router, the scanner and the named devices."""
    reserved = {ROUTER_LAN_IP, SCANNER_IP, *taken}
    free = [str(ip) for ip in reversed(list(LAN.hosts())) if str(ip) not in reserved]
    if count > len(free):
        raise LabError(f"--hosts {count}: at most {len(free)} fit in the LAN {LAN}")
    return sorted(free[:count], key=lambda a: ipaddress.IPv4Address(a))


def _scale(clones: list[tuple[str, str]], plain: int) -> None:
    """The scale namespace: a macvlan per cloned camera (its own MAC, address and kernel stack)
    on the `trunk` veth, and a `plain` veth on which the emulator answers ARP for `plain`
    ordinary hosts from user space.

    Why not a macvlan for every host: each ARP broadcast is copied to every macvlan by one
    kernel, so a thousand of them slow the whole lab to ~80 ARP replies a second — a cost real
    networks, where every host has its own CPU, never pay. Ordinary hosts only answer ARP, so a
    user-space responder with their MACs is all they need."""
    _add_ns(SCALE_NS)
    _sysctls(SCALE_NS)
    _plug(SCALE_NS, "trunk", "br0", "02:c5:ff:00:00:01", None, "many")
    if plain:
        _plug(SCALE_NS, "plain", "br0", "02:c5:ff:00:00:02", None, "plain")
    lines = []
    rules = []
    for i, (ip, mac) in enumerate(clones):
        name = f"h{i}"
        lines += [f"link add link trunk name {name} address {mac} type macvlan mode bridge bcqueuelen 100000",
                  f"addr add {ip}/{LAN.prefixlen} dev {name} noprefixroute", f"link set {name} up"]
        # replies leave by the interface that owns the source address (its own MAC)
        # (tables from 1000: 253, 254 and 255 are the kernel's default, main and local tables, and
        # a clone's routes there sent every other clone's replies out of that clone's MAC)
        table = 1000 + i
        rules += [f"rule add from {ip} table {table}", f"route add {LAN} dev {name} src {ip} table {table}",
                  f"route add 224.0.0.0/4 dev {name} src {ip} table {table}"]
    batch(lines, ns=SCALE_NS)
    batch(rules, ns=SCALE_NS)


def spawn(ns: str, argv: list[str], log: Path) -> int:
    """Start a process inside `ns`, detached, logging to `log`; returns its pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as fh:
        proc = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdout=fh, stderr=fh,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return proc.pid


def teardown() -> list[str]:
    """Remove every lab namespace (their links go with them) and kill every process in them."""
    state = LabState.load()
    removed = []
    for ns in namespaces():
        for pid in run("ip", "netns", "pids", ns, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
    for pid in state.pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    time.sleep(0.05)
    for ns in namespaces():
        run("ip", "netns", "delete", ns, check=False)
        removed.append(ns)
    for name in ("state.json", "clones.json", "plain.json", "credentials.toml"):  # the logs stay, for a post-mortem
        (STATE_DIR / name).unlink(missing_ok=True)
    return removed
