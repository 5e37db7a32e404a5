"""The lab devices issue 10 added (a Bosch and a Hanwha camera found by their makers' own
discovery, an HTTPS-only camera, a DHCP-only camera, a dual-stack camera announcing its IPv6
address and an Intelbras recorder with its own DHIP Vendor): everything they send is read by
camscan's own parser, field for field. The certificate a live lab device makes with openssl and
the scan's certificate fetch are tried on loopback; nothing else here opens a socket."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import shutil
import ssl
import struct
from pathlib import Path

import netaddr
import pytest

from camscan.lab import answers
from camscan.lab.answers.frames import checksum
from camscan.lab.certs import make_certificate, openssl_subject
from camscan.lab.profile import Profile, ProfileError, load_profiles
from camscan.model import Endpoint
from camscan.protocols import bosch, dhcp, dhip, hanwha, sadp, tls
from camscan.protocols.registry import BROADCAST, UDP_BROADCAST, UDP_DISCOVERY
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope, ScopeError
from camscan.scan.tlscert import certificate_evidence, fetch_certificates

PROFILES = load_profiles()
BY_ID = {p.id: p for p in PROFILES}


def src(p: Profile) -> Endpoint:
    return Endpoint(ip=p.ip, mac=p.mac)


def with_section(name: str) -> list[Profile]:
    found = [p for p in PROFILES if getattr(p, name) is not None]
    assert found, f"no lab profile has a [{name}] section"
    return found


# ------------------------------------------------------------------------------ Bosch, Hanwha

@pytest.mark.parametrize("p", with_section("bosch"), ids=lambda p: p.id)
def test_bosch_reply_is_read_by_the_bosch_parser(p: Profile) -> None:
    request = bosch.build_probe(0x5A5A0102)
    assert bosch.parse(request, src(p)) == []  # our own request says nothing
    reply, where = answers.answer_probe("bosch", p, request)
    assert where == "reply-port"
    (ev,) = bosch.parse(reply, src(p))
    assert (ev.vendor, ev.model, ev.name, ev.serial) == ("Bosch", p.bosch["friendly_name"], p.bosch["unit_name"],
                                                        p.bosch["serial"])
    assert (ev.model, ev.serial, ev.name) == (p.expect["model"], p.expect["serial"], p.expect["name"])
    (ev,) = bosch.parse(reply, Endpoint(ip=""))  # the address and MAC it reports of itself
    assert (ev.ip, ev.mac) == (p.ip, p.mac)
    assert answers.answer_probe("bosch", p, b"\x00" * 12) is None


def test_bosch_binary_reply_echoes_the_transaction_id() -> None:
    p = with_section("bosch")[0]
    old = dataclasses.replace(p, bosch={**p.bosch, "style": "binary"})
    reply, _ = answers.answer_probe("bosch", old, bosch.build_probe(0x01020304))
    assert len(reply) == bosch.BINARY_LEN and reply[4:8] == bytes.fromhex("01020304")
    (ev,) = bosch.parse(reply, Endpoint(ip=""))
    assert (ev.ip, ev.mac, ev.vendor) == (p.ip, p.mac, "Bosch")


@pytest.mark.parametrize("p", with_section("hanwha"), ids=lambda p: p.id)
def test_hanwha_reply_is_read_by_the_hanwha_parser(p: Profile) -> None:
    request = hanwha.build_probe()
    assert hanwha.parse(request, src(p)) == []
    reply, where = answers.answer_probe("hanwha", p, request)
    assert where == "reply-port" and len(reply) == hanwha.RECORD_LEN
    (ev,) = hanwha.parse(reply, Endpoint(ip=""))
    assert (ev.vendor, ev.model, ev.ip, ev.mac) == ("Hanwha", p.expect["model"], p.ip, p.mac)
    assert answers.answer_probe("hanwha", p, reply) is None  # a reply is not a request


def test_broadcast_discovery_is_registered_and_gated_to_the_link() -> None:
    assert {(b.source, b.port, b.reply_port) for b in UDP_BROADCAST} == {("bosch", 1757, 1758),
                                                                          ("hanwha", 7701, 7711)}
    assert not {b.source for b in UDP_BROADCAST} & {d.source for d in UDP_DISCOVERY}
    scope = Scope(netaddr.IPSet(["198.18.0.0/24"]))
    scope.check_broadcast(BROADCAST)
    assert not scope.allows(BROADCAST), "never a host's address (TCP probes, fetched URLs)"
    for other in ("198.18.1.255", "198.18.0.10", "239.255.255.250"):
        with pytest.raises(ScopeError):
            scope.check_broadcast(other)  # another network's directed broadcast is not the link's


# ------------------------------------------------------------------------------------- DHCP

def _ipv4_udp(frame: bytes) -> tuple[str, str, int, int, bytes]:
    assert frame[12:14] == b"\x08\x00"
    head = frame[14:34]
    assert checksum(head) == 0, "IPv4 header checksum"
    udp = frame[34:]
    src_ip, dst_ip = str(ipaddress.IPv4Address(head[12:16])), str(ipaddress.IPv4Address(head[16:20]))
    pseudo = head[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    assert checksum(pseudo + udp) == 0, "UDP checksum"
    sport, dport, length = struct.unpack("!HHH", udp[:6])
    return src_ip, dst_ip, sport, dport, udp[8:length]


@pytest.mark.parametrize("p", with_section("dhcp"), ids=lambda p: p.id)
def test_dhcp_rounds_are_read_by_the_dhcp_parser(p: Profile) -> None:
    discover, request = answers.dhcp_frames(p, 3)
    assert discover[:6] == b"\xff" * 6 and discover[6:12] == bytes.fromhex(p.mac.replace(":", ""))
    s_ip, d_ip, sport, dport, payload = _ipv4_udp(discover)
    assert (s_ip, d_ip, sport, dport) == ("0.0.0.0", "255.255.255.255", 68, 67)
    (ev,) = dhcp.parse(payload, Endpoint(ip=""))
    assert ev.ip == "" and ev.mac == p.mac and ev.banners["dhcp_message"] == "DISCOVER"
    assert ev.banners["dhcp_requested_ip"] == p.ip
    assert ev.banners["dhcp_vendor_class"] == p.dhcp["vendor_class"] and ev.name == p.dhcp["hostname"]
    assert ev.banners["dhcp_prl"] == ",".join(map(str, p.dhcp["prl"]))
    s_ip, _, _, _, payload = _ipv4_udp(request)
    assert s_ip == p.ip
    (ev,) = dhcp.parse(payload, Endpoint(ip=s_ip))
    assert (ev.ip, ev.mac, ev.banners["dhcp_message"]) == (p.ip, p.mac, "REQUEST")
    assert answers.dhcp_frames(p, 3) == [discover, request]  # deterministic
    assert answers.dhcp_frames(p, 4) != [discover, request]  # each round its own transaction id


# -------------------------------------------------------------------------------------- TLS

@pytest.mark.parametrize("p", with_section("tls"), ids=lambda p: p.id)
def test_tls_flight_and_certificate_are_read_by_the_tls_parser(p: Profile) -> None:
    (ev,) = tls.parse(answers.server_flight(p), src(p))
    subject, issuer = _banner(ev, "subject"), _banner(ev, "issuer")
    assert subject == issuer == p.tls["subject"]
    assert ev.banners.get("tls_version") == "TLS 1.2" and "self-signed" in ev.note
    assert tls.certificate_names(answers.certificate_der(p)) == (p.tls["subject"], p.tls["subject"])
    assert answers.server_flight(p) == answers.server_flight(p)
    # the scanner's ClientHello and a close are not a server's certificate
    assert tls.parse(answers.client_hello(b"x"), src(p)) == []


def _banner(ev, what: str) -> str:
    return next(v for k, v in ev.banners.items() if k.endswith(f"_{what}"))


def test_profile_subjects_are_refused_when_openssl_could_not_write_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BY_ID["axis-https"].path.read_text().replace("CN=axis-", "CN=a/b,CN=axis-"))
    with pytest.raises(ProfileError, match=r"\[tls\] subject"):
        load_profiles(tmp_path)
    assert openssl_subject("CN=x,O=Axis Communications AB") == "/O=Axis Communications AB/CN=x"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is missing")
    p = with_section("tls")[0]
    cert, key = make_certificate(p, tmp_path_factory.mktemp("certs"))
    return p, cert, key


def test_live_certificate_has_the_profiles_subject_and_the_fetch_reads_it(tls_server) -> None:
    p, cert, key = tls_server
    assert key.stat().st_mode & 0o077 == 0, "the key is private to the emulator"
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    assert tls.certificate_names(der) == (p.tls["subject"], p.tls["subject"])

    async def run() -> tuple[list[tuple[str, int, bytes]], bytes]:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        received = bytearray()

        async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            received.extend(await reader.read(4096))
            writer.close()

        server = await asyncio.start_server(session, "127.0.0.1", 0, ssl=ctx)
        port = server.sockets[0].getsockname()[1]
        got: list[tuple[str, int, bytes]] = []
        async with server:
            scope = Scope(netaddr.IPSet(["127.0.0.1/32"]))
            n = await fetch_certificates({"127.0.0.1": [port, 80]}, scope, RateLimiter(100),
                                         lambda ip, pt, d: got.append((ip, pt, d)), ports=(port,))
            assert n == 1
            with pytest.raises(ScopeError):
                await fetch_certificates({"127.0.0.2": [port]}, scope, RateLimiter(100), lambda *a: None,
                                         ports=(port,))
            await asyncio.sleep(0.05)
        return got, bytes(received)

    got, received = asyncio.run(run())
    assert [(ip, d) for ip, _, d in got] == [("127.0.0.1", der)]
    assert received == b"", "nothing is sent inside the connection"
    (ev,) = certificate_evidence(der, Endpoint(ip=p.ip, mac=p.mac))
    assert (ev.source, ev.ip, _banner(ev, "subject")) == ("tls", p.ip, p.tls["subject"])


# ------------------------------------------------------------------------------------- IPv6

@pytest.mark.parametrize("p", with_section("ipv6"), ids=lambda p: p.id)
def test_ipv6_camera_says_its_address_in_sadp_and_ndp(p: Profile) -> None:
    from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
    from scapy.layers.l2 import Ether

    reply = answers.sadp_reply(p)
    assert f"<IPv6Address>{p.ipv6['address']}</IPv6Address>".encode() in reply
    (ev,) = sadp.parse(reply, src(p))
    assert ev.model == p.expect["model"]
    frames = answers.ndp_announcements(p)
    targets = []
    for frame in frames:
        pkt = Ether(frame)
        na = pkt[ICMPv6ND_NA]
        sent_sum = na.cksum
        del na.cksum
        assert Ether(bytes(pkt))[ICMPv6ND_NA].cksum == sent_sum, "ICMPv6 checksum"
        assert pkt[IPv6].hlim == 255 and na.O == 1 and pkt[ICMPv6NDOptDstLLAddr].lladdr == p.mac
        assert pkt[Ether].dst == "33:33:00:00:00:01" and pkt[IPv6].dst == "ff02::1"
        targets.append(na.tgt)
    assert targets == answers.ipv6_addresses(p) and targets[1] == p.ipv6["address"]
    assert ipaddress.IPv6Address(targets[0]).is_link_local


# ------------------------------------------------------------------------------ OEM Dahua

def test_oem_recorder_states_its_own_vendor_in_dhip() -> None:
    oem = [p for p in with_section("dhip") if p.dhip["vendor"] not in ("Dahua", "General", "Private")]
    assert oem, "no OEM Dahua device in the lab"
    for p in oem:
        reply = answers.dhip_reply(p)
        info = json.loads(reply[32:].decode())["params"]["deviceInfo"]
        assert info["Vendor"] == info["Manufacturer"] == p.dhip["vendor"]
        (ev,) = dhip.parse(reply, src(p))
        assert (ev.model, ev.serial, ev.platform) == (p.expect["model"], p.expect["serial"], "Dahua")
        assert ev.vendor == p.dhip["vendor"]
        assert p.expect["manufacturer"] == "Dahua" and p.expect["brand"] == p.dhip["vendor"]
