"""Live scans against the emulated estate: the lab is built in network namespaces by the test
itself (root needed; skipped with the reason otherwise) and removed at the end. Nothing here
sends a packet outside the namespaces it made."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labcheck import lab_unavailable

from camscan.lab.profile import load_profiles
from camscan.model import Inventory
from camscan.report.counts import analytics_counts, camera_counts

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[1]


if why := lab_unavailable("tcpdump"):
    pytest.skip(why, allow_module_level=True)


def camscan(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "camscan", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def in_scanner(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return camscan("lab", "exec", "--", sys.executable, "-m", "camscan", *args, timeout=timeout)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def lab_namespaces() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith("cslab-")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    os.environ["CAMSCAN_LAB_SLOW"] = "198.18.0.31=12"  # read by the emulators `lab up` starts
    up = camscan("lab", "up", "--hosts", "24", timeout=120)
    assert up.returncode == 0, up.stderr
    try:
        yield tmp_path_factory.mktemp("lab")
    finally:
        down = camscan("lab", "down")
        assert down.returncode == 0, down.stderr
        assert lab_namespaces() == [], "lab down must remove every namespace"
        leftover = subprocess.run(["pgrep", "-f", "camscan.lab.emulator"], capture_output=True, text=True).stdout
        assert leftover.strip() == "", "lab down must stop every emulator"


@pytest.fixture(scope="module")
def full_scan(lab: Path) -> tuple[Path, Path, Path, subprocess.CompletedProcess]:
    inv, js, cap = lab / "inv.csv", lab / "inv.json", lab / "scan.pcap"
    proc = in_scanner("scan", "198.18.0.0/21", "--csv", str(inv), "--json", str(js), "--capture", str(cap))
    assert proc.returncode == 0, proc.stderr
    return inv, js, cap, proc


def test_scan_finds_every_device_and_who_made_it(full_scan) -> None:
    inv, _, _, proc = full_scan
    got = {r["ip"]: r for r in rows(inv) if not r["via"]}
    for p in load_profiles():
        if p.role == "router":
            # it answers ARP only: its OUI names the maker of its network chip, not what it is
            assert got[p.ip]["device_type"] == "unknown"
            continue
        row = got.get(p.ip)
        assert row is not None, f"{p.id} ({p.ip}) not found"
        assert row["manufacturer"] == p.expect["manufacturer"], p.id
        # off the link: never the router's MAC; its own, when it reports it (WS-Discovery scope)
        assert row["mac"] == p.mac if p.subnet == "lan" else row["mac"] in ("", p.mac), p.id
        if (p.sadp or p.dhip) and p.subnet == "lan":  # the vendor discovery protocol names the model
            assert row["model"] == p.expect["model"], p.id
            assert row["confidence"] == "high", p.id
    assert "198.18.0.2" not in got, "the scanner itself is not a device of the inventory"
    assert got["198.18.0.12"]["form"] == "ptz" and got["198.18.0.11"]["form"] == "static"
    assert "ARP sweep" in proc.stderr and "TCP probes" in proc.stderr


def _device(doc: dict, ip: str) -> dict:
    return next(d for d in doc["devices"] if d["ip"] == ip and not d["via"])


def test_what_issue_10_added_is_found_live(full_scan) -> None:
    """Bosch and Hanwha cameras by their makers' broadcast discovery, an OEM Dahua recorder by
    its own DHIP Vendor, an HTTPS-only camera by its certificate, a DHCP-only camera, and a
    dual-stack camera's IPv6 address."""
    _, js, cap, _ = full_scan
    doc = json.loads(js.read_text())
    by_id = {p.id: p for p in load_profiles()}
    bosch, hanwha = _device(doc, by_id["bosch"].ip), _device(doc, by_id["hanwha"].ip)
    assert bosch["manufacturer"] == "Bosch" and "bosch" in bosch["evidence"]
    assert bosch["model"] == by_id["bosch"].expect["model"] and bosch["confidence"] == "high"
    assert hanwha["manufacturer"] == "Hanwha" and "hanwha" in hanwha["evidence"]
    assert hanwha["model"] == "XNO-6080R" and hanwha["confidence"] == "high"
    oem = _device(doc, by_id["intelbras-xvr"].ip)
    assert (oem["brand"], oem["manufacturer"], oem["device_type"]) == ("Intelbras", "Dahua", "dvr")
    https = _device(doc, by_id["axis-https"].ip)
    assert https["manufacturer"] == "Axis" and https["provenance"]["manufacturer"].startswith("tls")
    dhcp_only = _device(doc, by_id["axis-dhcp"].ip)
    assert "dhcp" in dhcp_only["evidence"] and dhcp_only["mac"] == by_id["axis-dhcp"].mac
    dual = _device(doc, by_id["hik-ipv6"].ip)
    assert by_id["hik-ipv6"].ipv6["address"] in dual["ipv6"]
    # the certificate was fetched over TLS 1.2 (readable in the capture), nothing sent inside
    out = subprocess.run(["tcpdump", "-n", "-r", str(cap), f"host {by_id['axis-https'].ip} and tcp port 443"],
                         capture_output=True, text=True).stdout
    assert "Flags [P.]" in out, "no TLS handshake with the HTTPS-only camera"


def test_scale_hosts_are_found(full_scan) -> None:
    inv, _, _, _ = full_scan
    state = json.loads(Path("/run/camscan-lab/state.json").read_text())
    found = {r["ip"] for r in rows(inv)}
    assert set(state["scale_ips"]) <= found


def same_inventory(scanned: Path, replayed: Path) -> None:
    """The replay of a scan's capture gives the scan's inventory, row for row: the certificates
    of TLS ports included (the scan's inventory is itself the replay of its capture in strict
    mode; the replay of the file reads the same handshakes from the first segment of each
    server's flight)."""
    scan_rows, replay_rows = rows(scanned), rows(replayed)
    assert [r["ip"] for r in replay_rows] == [r["ip"] for r in scan_rows]
    for s, r in zip(scan_rows, replay_rows, strict=True):
        assert r == s, s["ip"]
    assert any("tls" in s["evidence"].split(";") for s in scan_rows), "no certificate in the scan"


def test_replay_of_the_scans_capture_gives_the_same_inventory(full_scan, tmp_path: Path) -> None:
    inv, _, cap, _ = full_scan
    again = tmp_path / "again.csv"
    proc = camscan("replay", str(cap), "--csv", str(again), "-q")
    assert proc.returncode == 0, proc.stderr
    same_inventory(inv, again)


def test_part_of_the_range_and_off_link_targets_replay_the_same(lab: Path, tmp_path: Path) -> None:
    """Other devices answer the multicast probes too, and the gateway answers ARP: the capture
    keeps only what the targets sent over IPv4, so its replay lists exactly the scan's devices.
    Over IPv6 the capture keeps every host's neighbour discovery (an IPv6 frame does not say
    which IPv4 target it belongs to); the scan keeps it for its targets' MACs only, the replay
    of the file, which does not know the targets, lists the other hosts by IPv6 address."""
    inv, cap, again = lab / "part.csv", lab / "part.pcap", tmp_path / "again.csv"
    proc = in_scanner("scan", "198.18.0.8/29", "198.18.4.0/24", "--csv", str(inv), "--capture", str(cap), "-q")
    assert proc.returncode == 0, proc.stderr
    got = rows(inv)
    assert {r["ip"] for r in got} == {"198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13", "198.18.4.20"}
    far = next(r for r in got if r["ip"] == "198.18.4.20")
    assert far["mac"] in ("", "58:50:ed:2a:7c:19") and far["manufacturer"] == "Hikvision"
    assert camscan("replay", str(cap), "--csv", str(again), "-q").returncode == 0
    replayed = rows(again)
    assert [r for r in replayed if ":" not in r["ip"]] == got
    dual = next(p for p in load_profiles() if p.ipv6)  # announces itself over IPv6 every second
    assert {r["ip"] for r in replayed if ":" in r["ip"]} <= {dual.ipv6["address"]}


def _scanner_packets(cap: Path) -> list[str]:
    out = subprocess.run(["tcpdump", "-n", "-e", "-r", str(cap), "ether src 02:c5:00:00:00:02"],
                         capture_output=True, text=True).stdout
    return out.splitlines()


def test_scan_sends_only_to_its_targets(lab: Path) -> None:
    cap, inv = lab / "one.pcap", lab / "one.csv"
    proc = in_scanner("scan", "198.18.0.10", "--capture", str(cap), "--csv", str(inv), "-q")
    assert proc.returncode == 0, proc.stderr
    lines = _scanner_packets(cap)
    assert lines, "the scanner sent nothing?"
    # the target, the discovery groups, the link's limited broadcast (Bosch and Hanwha
    # discovery) and the kernel's IGMP reports of joining those groups
    allowed = ("198.18.0.10", "239.255.255.250", "239.255.255.251", "224.0.0.251", "224.0.0.22",
               "255.255.255.255")
    for line in lines:
        if " ARP" in line:
            assert "who-has 198.18.0.10 " in line or "Reply 198.18.0.2" in line, line
            continue
        dst = line.split(" > ")[-1].split(":")[0]
        if "igmp" not in line:
            dst = dst.rsplit(".", 1)[0]  # drop the port
        assert dst.startswith(allowed), line
    assert [r["ip"] for r in rows(inv)] == ["198.18.0.10"]


def test_rate_ceiling_is_kept(lab: Path) -> None:
    cap = lab / "rate.pcap"
    proc = in_scanner("scan", "198.18.0.0/26", "--rate", "50", "--capture", str(cap), "--ports", "80", "-q")
    assert proc.returncode == 0, proc.stderr
    out = subprocess.run(["tcpdump", "-tt", "-n", "-r", str(cap), "ether src 02:c5:00:00:00:02 and not arp"
                          " or (arp and ether src 02:c5:00:00:00:02)"], capture_output=True, text=True).stdout
    times = [float(line.split()[0]) for line in out.splitlines() if line.strip()]
    sweep = [t for t, line in zip(times, out.splitlines(), strict=True) if "who-has" in line]
    assert len(sweep) >= 60
    worst = max(sum(1 for u in sweep if t <= u < t + 1.0) for t in sweep)
    assert worst <= 50 + 3, f"{worst} ARP requests in one second at --rate 50"


def test_ctrl_c_keeps_what_was_found(lab: Path) -> None:
    inv = lab / "cut.csv"
    proc = subprocess.Popen(["ip", "netns", "exec", "cslab-scan", sys.executable, "-m", "camscan", "scan",
                             "198.18.0.0/21", "--csv", str(inv), "--wait", "5", "-q"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.5)  # ARP sweep done, discovery listening
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "cut short" in err
    found = rows(inv)
    assert len(found) >= 15, "what the sweep and discovery found must be written"
    assert "Traceback" not in err


def test_public_and_malformed_targets_are_refused(lab: Path) -> None:
    proc = in_scanner("scan", "8.8.8.8")
    assert proc.returncode == 2 and "public" in proc.stderr and "--allow-public" in proc.stderr
    proc = in_scanner("scan", "198.18.0.0/8")
    assert proc.returncode == 2
    proc = in_scanner("scan", "198.18.0.300")
    assert proc.returncode == 2 and "not an IPv4 address" in proc.stderr
    proc = in_scanner("scan", "198.18.0.10", "--interface", "nosuch0")
    assert proc.returncode == 2 and "nosuch0" in proc.stderr


def test_without_root_it_says_what_it_still_does(lab: Path) -> None:
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is missing")
    inv = Path("/tmp") / f"camscan-noroot-{os.getpid()}.csv"
    proc = subprocess.run(["ip", "netns", "exec", "cslab-scan", "setpriv", "--reuid=65534", "--regid=65534",
                           "--clear-groups", sys.executable, "-m", "camscan", "scan", "198.18.0.8/29",
                           "--csv", str(inv), "--wait", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    try:
        assert proc.returncode == 0, proc.stderr
        assert "not running as root" in proc.stderr
        got = {r["ip"]: r for r in rows(inv)}
        assert got["198.18.0.10"]["manufacturer"] == "Hikvision"
        assert "arp" not in got["198.18.0.10"]["evidence"].split(";"), "no ARP without root"
    finally:
        inv.unlink(missing_ok=True)


# --- credentialed identification (issue 4) -----------------------------------------------------

SLOW = "198.18.0.31"  # the HiWatch camera's API answers after 12 s in this lab (CAMSCAN_LAB_SLOW, set below)
WRONG = "198.18.0.13"  # the thermal camera gets a wrong password


def _creds_file(path: Path, wrong: str = WRONG) -> Path:
    lines = []
    for p in load_profiles():
        if p.username:
            pw = "not-the-password" if p.ip == wrong else p.password
            lines.append(f'[[host]]\nip = "{p.ip}"\nusername = "{p.username}"\npassword = "{pw}"\n')
    path.write_text("\n".join(lines))
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def cred_scan(lab: Path):
    creds = _creds_file(lab / "creds.toml")
    inv, js, cap = lab / "cred.csv", lab / "cred.json", lab / "cred.pcap"
    proc = in_scanner("scan", "198.18.0.0/21", "--credentials", str(creds), "--csv", str(inv), "--json", str(js),
                      "--capture", str(cap))
    assert proc.returncode == 0, proc.stderr
    return creds, inv, js, cap, proc


def test_credentialed_scan_fills_the_inventory_and_the_cameras_behind_recorders(cred_scan) -> None:
    _, inv, _, _, _ = cred_scan
    got = {(r["ip"], r["via"], r["channel"]): r for r in rows(inv)}
    want = rows(ROOT / "pcaps" / "demo.expected.csv")
    cols = ("ip", "mac", "manufacturer", "brand", "device_type", "form", "model", "firmware", "serial", "name",
            "via", "channel")
    for w in want:
        if w["ip"] in (WRONG, SLOW):
            continue  # checked below
        g = got.get((w["ip"], w["via"], w["channel"]))
        assert g is not None, f"{w['ip']} via {w['via']!r} missing"
        assert {c: g[c] for c in cols} == {c: w[c] for c in cols}
    behind = [r for r in rows(inv) if r["via"]]
    assert len(behind) == sum(1 for w in want if w["via"]) and all(r["evidence"] == "nvr" for r in behind)
    assert any(r["form"] == "ptz" for r in behind) and any(r["brand"] == "LTS" for r in behind)


# --- analytics and every camera counted (issue 11) ---------------------------------------------

ANPR, FACE, DVR = "198.18.0.16", "198.18.0.17", "198.18.0.21"
RECORDERS = {"198.18.0.20": 8, "198.18.0.21": 10, "198.18.0.42": 8,  # channels discovery declares
             "198.18.0.75": 10}  # the Intelbras XVR: DHIP's 8 analogue + 2 IP inputs
INTELBRAS = "198.18.0.75"  # answers DHIP only: no API to ask for its channels, even with an account


def test_without_credentials_analytics_are_unknown_and_recorders_unasked(full_scan) -> None:
    inv, js, _, _ = full_scan
    got = {r["ip"]: r for r in rows(inv) if not r["via"]}
    assert got[ANPR]["manufacturer"] == "Hikvision" and got[ANPR]["analytics"] == "unknown"
    assert got[FACE]["analytics"] == "unknown"
    assert not [r for r in rows(inv) if r["via"]], "no recorder was asked for its cameras"
    profiled = {p.ip for p in load_profiles()}  # not the scale hosts' clones
    devices = [d for d in Inventory.from_dict(json.loads(js.read_text())).devices if d.ip in profiled]
    unasked = {d.ip: d.channel_capacity for d in devices if d.channels_unasked}
    assert unasked == RECORDERS
    counts = camera_counts(devices)
    assert (counts.recorders_unasked, counts.possible_unseen, counts.behind_recorders) == (4, 36, 0)
    dvr = next(d for d in devices if d.ip == DVR)
    assert any("up to 10 cameras may be connected" in n for n in dvr.notes)


def test_a_hikvision_camera_with_discovery_off_is_named_by_the_page_it_serves_without_login(full_scan) -> None:
    """The ANPR camera has SADP, WS-Discovery and UPnP switched off and the scan has no account:
    /SDK/activateStatus, which Hikvision firmware serves to anyone, names its maker as surely as
    SADP would (before it, only the App-webs/ banner did, with medium confidence)."""
    _, js, cap, _ = full_scan
    anpr = _device(json.loads(js.read_text()), ANPR)
    assert (anpr["manufacturer"], anpr["confidence"]) == ("Hikvision", "high")
    assert "hikweb" in anpr["evidence"] and "sadp" not in anpr["evidence"]
    assert anpr["provenance"]["manufacturer"] == "hikweb"
    assert not [n for n in anpr["notes"] if n.startswith("not activated")]  # the lab camera is activated
    # asked once per open HTTP port, with no credentials
    out = subprocess.run(["tcpdump", "-n", "-A", "-r", str(cap), f"dst host {ANPR} and tcp dst port 80"],
                         capture_output=True, text=True).stdout
    asked = [line for line in out.splitlines() if "HTTP: GET /SDK/activateStatus" in line]  # tcpdump summaries
    assert len(asked) == 1 and "Authorization:" not in out


def test_with_credentials_the_anpr_and_face_cameras_say_what_they_analyse(cred_scan) -> None:
    _, inv, js, _, _ = cred_scan
    got = {r["ip"]: r for r in rows(inv) if not r["via"]}
    assert (got[ANPR]["model"], got[ANPR]["analytics"]) == ("iDS-TCM403-GIR", "anpr (capable)")
    assert (got[FACE]["model"], got[FACE]["analytics"]) == ("iDS-2CD7146G0-IZS", "face;perimeter (capable)")
    assert got["198.18.0.40"]["analytics"] == "perimeter", "a Dahua camera's enabled tripwire"
    # the DVR's analogue cameras: rows behind it, on the inputs that have a video signal
    analogue = [r for r in rows(inv) if r["via"] == DVR]
    assert [(r["channel"], r["ip"], r["device_type"], r["analytics"]) for r in analogue] == [
        (str(n), "", "camera", "standard") for n in (1, 2, 4, 6, 7)]
    profiled = {p.ip for p in load_profiles()}  # not the scale hosts' clones
    devices = [d for d in Inventory.from_dict(json.loads(js.read_text())).devices
               if d.ip in profiled or d.via in profiled]
    counts = camera_counts(devices)
    assert [d.ip for d in counts.unasked] == [INTELBRAS] and counts.analogue == 5
    assert counts.behind_recorders == 4 + 3 + 5
    face = analytics_counts(devices)
    assert face.enabled.get("face") == 1 and face.capable["anpr"] == 1


def test_wrong_password_is_noted_and_tried_once(cred_scan) -> None:
    _, _inv, js, cap, _proc = cred_scan
    doc = json.loads(js.read_text())
    dev = next(d for d in doc["devices"] if d["ip"] == WRONG)
    assert dev["manufacturer"] == "Hikvision" and dev["model"], "what discovery found is kept"
    assert any("refused the account" in n for n in dev["notes"])
    assert any(WRONG in n and "refused" in n for n in doc["notes"])
    out = subprocess.run(["tcpdump", "-A", "-n", "-r", str(cap), f"dst host {WRONG} and tcp dst port 80"],
                         capture_output=True, text=True).stdout
    assert out.count("Authorization: Digest") == 1, "one attempt per account per device"


def test_slow_device_is_noted_and_the_scan_goes_on(cred_scan) -> None:
    _, _inv, js, _, _ = cred_scan
    dev = next(d for d in json.loads(js.read_text())["devices"] if d["ip"] == SLOW)
    assert any("no complete answer" in n for n in dev["notes"])
    assert dev["model"] == "HWI-T221H", "its SADP answer still identifies it"


def test_libraries_print_no_log_lines_of_their_own(cred_scan) -> None:
    """onvif-zeep-async sets the root logger to INFO when it is imported: every httpx request
    would otherwise be a line on the user's terminal."""
    *_, proc = cred_scan
    leaked = [line for line in proc.stderr.splitlines() if line.split(":", 1)[0] in ("INFO", "DEBUG", "WARNING")]
    assert not leaked, leaked[:3]


def test_no_password_in_capture_or_exports(cred_scan) -> None:
    _creds, inv, js, cap, proc = cred_scan
    secrets = {p.password for p in load_profiles() if p.password}
    blobs = [cap.read_bytes(), inv.read_bytes(), js.read_bytes(), proc.stdout.encode(), proc.stderr.encode()]
    for secret in secrets:
        for blob in blobs:
            assert secret.encode() not in blob


def test_replay_of_a_credentialed_capture_gives_the_same_inventory(cred_scan, tmp_path: Path) -> None:
    _, inv, _, cap, _ = cred_scan
    again = tmp_path / "again.csv"
    assert camscan("replay", str(cap), "--csv", str(again), "-q").returncode == 0
    same_inventory(inv, again)


def test_world_readable_credentials_are_refused(lab: Path) -> None:
    creds = _creds_file(lab / "open.toml")
    creds.chmod(0o644)
    proc = in_scanner("scan", "198.18.0.10", "--credentials", str(creds))
    assert proc.returncode == 2
    assert "readable by every user" in proc.stderr and "chmod 600" in proc.stderr
    assert "ARP sweep" not in proc.stderr, "refused before anything is sent"
