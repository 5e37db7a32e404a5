"""A rogue host on the link, replayed: unsolicited ISAPI answers from another MAC, two MACs for
one IP, nested gzip, a fragment flood, a one-byte-segment flood and spoofed SADP devices. Each
capture is crafted in tmp (tools/pcapgen/floods.py); the tests assert what the user gets: the
rows, the notes and the `skipped` counts, and that the caps hold."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from camscan import collect
from camscan.collect import Collector
from camscan.identify.grouping import SWEEP_MIN_TARGETS
from camscan.protocols import http, httpmsg
from camscan.replay import Origin, replay_file
from camscan.replay import tcpstreams as ts
from camscan.replay.decode import MAX_FRAGMENTS
from camscan.scan.result import build_inventory
from tools.pcapgen import floods as fl

ROOT = Path(__file__).resolve().parents[1]
SCANNER = Origin(fl.SCANNER_IP, fl.SCANNER_MAC)


def replay_json(tmp_path: Path, frames: list[bytes]) -> tuple[dict, str]:
    """`camscan replay` of `frames`: (the JSON inventory, what it printed)."""
    pcap, out = tmp_path / "c.pcap", tmp_path / "inv.json"
    fl.write_pcap(pcap, frames)
    proc = subprocess.run([sys.executable, "-m", "camscan", "replay", str(pcap), "--json", str(out), "--no-history"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), proc.stdout


def collected(tmp_path: Path, frames: list[bytes], origin: Origin | None = None) -> Collector:
    pcap = tmp_path / "c.pcap"
    fl.write_pcap(pcap, frames)
    collector = Collector()
    replay_file(str(pcap), collector, origin)
    return collector


def spoofed_answer(port: int = 40001, mac: str = fl.ROGUE_MAC) -> list[bytes]:
    """ISAPI deviceInfo naming a forged model, "from" the device's IP and port 80 to the scanner,
    without any handshake, from the rogue's MAC."""
    body = fl.http_response(fl.device_info(model="FORGED-1", serial="FORGED-SERIAL"))
    return [fl.eth(mac, fl.SCANNER_MAC) + fl.ipv4(fl.DEVICE_IP, fl.SCANNER_IP, 6, fl.tcp(
        80, port, 777, 1, fl.PSH | fl.ACK, body)),
        fl.eth(mac, fl.SCANNER_MAC) + fl.ipv4(fl.DEVICE_IP, fl.SCANNER_IP, 6, fl.tcp(
            80, port, 777 + len(body), 1, fl.FIN | fl.ACK))]


def genuine_exchange() -> list[bytes]:
    return [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC), *fl.isapi_exchange(fl.http_response(fl.device_info()))]


def test_unsolicited_isapi_from_another_mac_never_becomes_the_devices_row(tmp_path: Path) -> None:
    live = collected(tmp_path, genuine_exchange() + spoofed_answer(), SCANNER)
    models = {e.model for e in live.evidence if e.source == "isapi"}
    assert models == {"DS-2CD2386G2-IU"}
    assert live.counters.counts[ts.NOT_OPENED_BY_SCANNER] == 1  # the forged answer; its bare FIN carries nothing
    assert [e.authenticated for e in live.evidence if e.source == "isapi"] == [True]


def test_segments_injected_into_the_scanners_connection_from_another_mac_are_dropped(tmp_path: Path) -> None:
    c = fl.Conversation()
    frames = [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC), *c.handshake(),
              c.to_server(fl.PSH | fl.ACK, fl.isapi_request())]
    forged = fl.http_response(fl.device_info(model="FORGED-1"))
    frames.append(c.to_client(fl.PSH | fl.ACK, forged, mac=fl.ROGUE_MAC))  # right ports and seq, wrong MAC
    live = collected(tmp_path, frames + c.close(), SCANNER)
    assert not [e for e in live.evidence if e.model == "FORGED-1"]
    assert live.counters.counts[ts.FROM_ANOTHER_MAC] == 1


def test_in_someone_elses_capture_a_stream_without_handshake_is_not_authenticated(tmp_path: Path) -> None:
    replayed = collected(tmp_path, spoofed_answer())
    forged = [e for e in replayed.evidence if e.source == "isapi"]
    assert [e.model for e in forged] == ["FORGED-1"]  # read: it is someone else's capture...
    assert not forged[0].authenticated  # ...but it proves nothing about who answered


@pytest.mark.parametrize(("authorization", "status", "authenticated"), [
    (True, 200, True), (False, 200, False)])
def test_authenticated_only_where_credentials_were_sent_and_accepted(authorization: bool, status: int,
                                                                     authenticated: bool) -> None:
    response = fl.http_response(fl.device_info()).replace(b"200 OK", f"{status} OK".encode())
    (request, answer), = httpmsg.pair(fl.isapi_request(authorization), response)
    isapi = [e for e in http.parse_exchange(request, answer, fl_endpoint()) if e.source == "isapi"]
    assert [e.authenticated for e in isapi] == [authenticated]
    (_, alone), = httpmsg.pair(b"", response)  # a capture holding the answer only
    assert not any(e.authenticated for e in http.parse_exchange(None, alone, fl_endpoint()))


def fl_endpoint():
    from camscan.model import Endpoint

    return Endpoint(fl.DEVICE_IP, fl.DEVICE_MAC, 80)


def test_two_macs_answering_for_one_ip_are_reported_and_kept_apart(tmp_path: Path) -> None:
    frames = [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC), fl.arp_reply(fl.DEVICE_IP, fl.ROGUE_MAC)]
    for mac, model in ((fl.DEVICE_MAC, "DS-2CD2386G2-IU"), (fl.ROGUE_MAC, "DS-FORGED")):
        frames.append(fl.eth(mac, "01:00:5e:7f:ff:fa") + fl.ipv4(fl.DEVICE_IP, "239.255.255.250", 17, fl.udp(
            fl.SADP_PORT, fl.SADP_PORT, fl.sadp_match(fl.DEVICE_IP, mac, model, f"SN-{model}")), ttl=1))
    doc, printed = replay_json(tmp_path, frames)
    rows = [d for d in doc["devices"] if d["ip"] == fl.DEVICE_IP]
    assert {(r["mac"], r["model"]) for r in rows} == {(fl.DEVICE_MAC, "DS-2CD2386G2-IU"),
                                                      (fl.ROGUE_MAC, "DS-FORGED")}
    note = f"2 MACs answer for {fl.DEVICE_IP} ({fl.DEVICE_MAC}, {fl.ROGUE_MAC})"
    assert all(any(n.startswith(note) for n in r["notes"]) for r in rows)
    assert any(n.startswith(note) for n in doc["notes"])
    assert note in printed  # the terminal summary


def test_nested_gzip_is_refused_and_a_gzip_bomb_is_cut(tmp_path: Path) -> None:
    bomb = fl.gzip_bomb(64 << 20, layers=2)
    assert len(bomb) < 20_000
    collector = collected(tmp_path, [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC), *fl.isapi_exchange(
        fl.http_response(bomb, "Content-Encoding: gzip, gzip\r\n"))], SCANNER)
    assert collector.counters.counts["HTTP bodies: " + httpmsg.NESTED_ENCODING] == 1
    tracemalloc.start()
    body, problem = httpmsg.decode_body("gzip", fl.gzip_bomb(256 << 20, layers=1))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problem == httpmsg.DECOMPRESSED_OVER_LIMIT and len(body) == httpmsg.MAX_BODY
    assert peak < 4 * httpmsg.MAX_BODY


def test_a_gzipped_isapi_answer_is_still_read(tmp_path: Path) -> None:
    body = gzip.compress(fl.device_info())
    collector = collected(tmp_path, [fl.arp_reply(fl.DEVICE_IP, fl.DEVICE_MAC), *fl.isapi_exchange(
        fl.http_response(body, "Content-Encoding: gzip\r\n"))], SCANNER)
    assert [e.model for e in collector.evidence if e.source == "isapi"] == ["DS-2CD2386G2-IU"]


def test_fragment_flood_is_refused_per_datagram_and_counted(tmp_path: Path) -> None:
    collector = collected(tmp_path, list(fl.fragment_flood(3, size=8_000)))
    key = f"fragmented datagrams in over {MAX_FRAGMENTS} pieces (dropped)"
    assert collector.counters.counts[key] == 3
    # an ordinary fragmented SADP reply, out of order, still arrives whole
    whole = fl.udp(fl.SADP_PORT, fl.SADP_PORT, fl.sadp_match(fl.DEVICE_IP, fl.DEVICE_MAC).ljust(3000))
    pieces = [fl.eth(fl.DEVICE_MAC, fl.SCANNER_MAC) + fl.ipv4(fl.DEVICE_IP, fl.SCANNER_IP, 17, whole[o:o + 1480], 9,
                                                              (0x2000 if o + 1480 < len(whole) else 0) | o // 8)
              for o in range(0, len(whole), 1480)]
    ok = collected(tmp_path, pieces[::-1])
    assert [e.source for e in ok.evidence] == ["sadp"]


def test_one_byte_segments_are_capped_per_stream_and_counted(tmp_path: Path) -> None:
    got: list[bytes] = []
    counters = collect.Counters()
    streams = ts.Reassembler({80}, lambda *a: got.append(a[4]), counters)
    from camscan.replay.decode import Segment

    streams.add(fl.SCANNER_IP, fl.SCANNER_MAC, fl.DEVICE_IP, Segment(40001, 80, 1, ts.SYN, b""))
    streams.add(fl.DEVICE_IP, fl.DEVICE_MAC, fl.SCANNER_IP, Segment(80, 40001, 100, ts.SYN | ts.ACK, b""))
    for i in range(ts.MAX_DIRECTION_SEGMENTS + 5000):
        streams.add(fl.DEVICE_IP, fl.DEVICE_MAC, fl.SCANNER_IP, Segment(80, 40001, 101 + i, ts.ACK, b"X"))
    streams.close()
    assert got == [b"X" * ts.MAX_DIRECTION_SEGMENTS]
    assert counters.counts == {ts.TOO_MANY_SEGMENTS: 1}


def test_spoofed_sadp_devices_stop_at_the_cap_and_are_counted(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(collect, "MAX_DEVICES", 50)
    collector = collected(tmp_path, list(fl.spoofed_sadp(80)))
    assert len({e.ip for e in collector.evidence}) == 50
    assert collector.counters.counts[collect.DEVICES_OVER_LIMIT] == 30
    inv = build_inventory(collector.evidence, ["c.pcap"], dict(collector.counters.counts), [])
    assert inv.skipped[collect.DEVICES_OVER_LIMIT] == 30


def test_one_device_saying_ever_new_things_is_capped(tmp_path: Path) -> None:
    ip, mac = "198.18.0.9", "02:5a:00:00:00:09"
    frames = [fl.eth(mac, "01:00:5e:7f:ff:fa") + fl.ipv4(ip, "239.255.255.250", 17, fl.udp(
        fl.SADP_PORT, fl.SADP_PORT, fl.sadp_match(ip, mac, serial=f"SERIAL{n:06d}")), ttl=1)
        for n in range(collect.MAX_EVIDENCE_PER_DEVICE + 10)]
    collector = collected(tmp_path, frames)
    assert len(collector.evidence) == collect.MAX_EVIDENCE_PER_DEVICE
    assert collector.counters.counts[collect.EVIDENCE_OVER_LIMIT] == 10


def test_a_device_repeating_itself_keeps_its_quota_and_its_last_time(tmp_path: Path) -> None:
    """An SSDP NOTIFY every 30 s for an hour, a recorder ARPing for its cameras: the same fact
    again is not new evidence. The device's later answers still count, nothing is reported
    dropped, and the time it was last seen moves on."""
    frame = next(fl.spoofed_sadp(1))
    repeats = collect.MAX_EVIDENCE_PER_DEVICE + 10
    pcap = tmp_path / "c.pcap"
    fl.write_pcap(pcap, [frame] * repeats)
    collector = Collector()
    replay_file(str(pcap), collector, None)
    assert len(collector.evidence) == 2  # first seen, and last seen
    assert collect.EVIDENCE_OVER_LIMIT not in collector.counters.counts
    first, last = collector.evidence
    assert last.seen > first.seen


def test_a_sweeping_host_is_no_dropped_evidence(tmp_path: Path) -> None:
    """The scanner's ARP sweep of a /22 in its own capture: 1,024 requests from one host."""
    requests = [fl.arp_request(fl.SCANNER_IP, fl.SCANNER_MAC, f"198.18.{n >> 8}.{n & 0xFF}") for n in range(1024)]
    collector = collected(tmp_path, requests)
    assert collect.EVIDENCE_OVER_LIMIT not in collector.counters.counts
    asked = [e for e in collector.evidence if e.arp_op == "request"]
    # the first SWEEP_MIN_TARGETS questions, then "asks about more" as first and last seen
    assert len(asked) == SWEEP_MIN_TARGETS + 2
    assert asked[-1].seen - asked[0].seen > 1.0  # the sweep's last request, 1 ms apart in the capture


def test_the_live_capture_keeps_tcp_from_targets_only_when_it_is_to_the_scanner(tmp_path: Path) -> None:
    from camscan.replay.pcapfile import ReadResult, read_frames
    from camscan.scan.capture import scan_filter

    def tcp_frame(dst: str) -> bytes:
        segment = fl.tcp(80, 40001, 1, 1, fl.ACK, b"x")
        return fl.eth(fl.ROGUE_MAC, fl.SCANNER_MAC) + fl.ipv4(fl.DEVICE_IP, dst, 6, segment)

    frames = [tcp_frame("198.18.0.99"), tcp_frame(fl.SCANNER_IP), next(fl.spoofed_sadp(1)),
              fl.Conversation().to_server(fl.SYN)]
    pcap = tmp_path / "c.pcap"
    fl.write_pcap(pcap, frames)
    bpf = scan_filter(fl.SCANNER_IP, fl.SCANNER_MAC, ["198.18.0.0/24"])
    kept = [f.data for f in read_frames(str(pcap), ReadResult(), bpf)]
    assert kept == frames[1:]


@pytest.mark.parametrize(("session", "authenticated"), [('"session":"be7d9a"', True), ('"session":null', False)])
def test_a_dahua_rpc2_answer_is_authenticated_only_inside_a_login_session(session: str, authenticated: bool) -> None:
    body = json.dumps({"id": 3, "result": True, "params": {"version": {"Version": "2.800.0000016.0.R"}}}).encode()
    asked = ('{"method":"magicBox.getSoftwareVersion","id":3,' + session + "}").encode()
    request = b"POST /RPC2 HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(asked) + asked
    [(req, resp)] = httpmsg.pair(request, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    answers = [e for e in http.parse_exchange(req, resp, fl_endpoint()) if e.source == "cgi"]
    assert [e.authenticated for e in answers] == [authenticated]
