"""hostile.pcap: three good devices beside eleven hosts sending what a parser must survive."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from scapy.layers.inet import IP, TCP, UDP
from scapy.packet import Raw

from camscan.lab import answers
from camscan.lab.profile import SCANNER_IP, Profile
from camscan.protocols import dhip, http, mdns, rtsp, sadp, ssdp, wsdiscovery
from tools.pcapgen.capture import SCANNER_MAC, SEED, Capture, Peer, Tcp, l2, udp_from_peer
from tools.pcapgen.estate import make_peers, scan
from tools.pcapgen.web import raw_http

HOSTILE_GOOD = ("hik-bullet", "dahua-fixed", "axis")  # the devices hostile.pcap keeps beside the noise
HOSTILE_MAC = "02:42:c6:12:00:%02x"


def _lol_dtd() -> str:
    ents = ['<!ENTITY lol "lol">']
    ents += [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return "<!DOCTYPE lolz [\n " + "\n ".join(ents) + "\n]>\n"


def hostile_profile(n: int) -> Profile:
    ip = f"198.18.0.{200 + n}"
    return Profile(id=f"hostile-{n}", path=Path(f"hostile-{n}"), ip=ip, mac=HOSTILE_MAC % (200 + n),
                   subnet="lan", expect={})


@dataclass
class _Scene:
    """Where the hostile traffic goes: the capture, the noisy hosts, the scanner's discovery
    source ports (so unicast replies reach it) and the good devices."""

    cap: Capture
    hosts: list[Peer]
    wsd_port: int
    ssdp_port: int
    dhip_port: int
    good: dict[str, Peer]


def _garbage(rng: random.Random, n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


def _broken_frames(scene: _Scene) -> None:
    """Frames that lie about their lengths."""
    cap, hp = scene.cap, scene.hosts
    # 1. truncated frames: caplen shorter than the headers they start
    whole = bytes(udp_from_peer(cap, hp[0], sadp.GROUP, sadp.PORT, sadp.PORT,
                                answers.sadp_reply(scene.good["hik-bullet"].profile)))
    for cut in (10, 20, 30, 38):
        cap.add(whole[:cut], wirelen=len(whole))
    syn_ack = bytes(l2(hp[0].mac, SCANNER_MAC, None) / IP(src=hp[0].ip, dst=SCANNER_IP)
                    / TCP(sport=http.PORT, dport=40999, flags="SA"))
    cap.add(syn_ack[:44], wirelen=len(syn_ack))

    # 2. bad IP header lengths: IHL below 5, IHL past the frame, total length past the frame
    for ihl, tot in ((3, None), (15, None), (5, 1500), (5, 12)):
        pkt = (l2(hp[1].mac, SCANNER_MAC, None) / IP(src=hp[1].ip, dst=SCANNER_IP, ihl=ihl, len=tot)
               / UDP(sport=sadp.PORT, dport=sadp.PORT) / Raw(b"<ProbeMatch><DeviceType>DS-2CD0000</DeviceType>"))
        cap.add(pkt)


def _broken_discovery(scene: _Scene) -> None:
    """Discovery datagrams that are noise or broken XML."""
    cap, hp = scene.cap, scene.hosts
    # 3. garbage on every discovery port, plus empty datagrams
    for sport, dst, dport in ((sadp.PORT, sadp.GROUP, sadp.PORT), (wsdiscovery.PORT, SCANNER_IP, scene.wsd_port),
                              (dhip.PORT, SCANNER_IP, scene.dhip_port), (ssdp.PORT, SCANNER_IP, scene.ssdp_port),
                              (mdns.PORT, mdns.GROUP, mdns.PORT)):
        cap.add(udp_from_peer(cap, hp[2], dst, sport, dport, _garbage(cap.rng, 300)))
        cap.add(udp_from_peer(cap, hp[2], dst, sport, dport, b""))

    # 4. SADP replies with broken XML: cut off mid-tag, and tags that never close
    for broken in (b'<?xml version="1.0" encoding="UTF-8"?>\n<ProbeMatch>\n<Uuid>7C1A3B52</Uuid>\n'
                   b"<Types>inquiry</Types>\n<DeviceDescription>DS-2CD0000-I</DeviceDescription>\n<DeviceSN>DS-2",
                   b"<ProbeMatch><DeviceDescription>DS-2CD0000-I<DeviceSN></DeviceDescription>"
                   b"<MAC>02-42-c6-12-00-cb</MAC><IPv4Address>198.18.0.203</ProbeMatch>"):
        cap.add(udp_from_peer(cap, hp[3], sadp.GROUP, sadp.PORT, sadp.PORT, broken, ttl=1))


def _entity_bombs(scene: _Scene) -> None:
    """Billion-laughs XML where the parsers read XML."""
    cap, hp = scene.cap, scene.hosts
    # 5. billion laughs in a WS-Discovery ProbeMatch
    bomb_wsd = ('<?xml version="1.0" encoding="UTF-8"?>\n' + _lol_dtd()
                + '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
                  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
                  'xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing"><env:Body>'
                  "<d:ProbeMatches><d:ProbeMatch><wsadis:EndpointReference><wsadis:Address>urn:uuid:"
                  "00000000-0000-0000-0000-000000000204</wsadis:Address></wsadis:EndpointReference>"
                  "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
                  "<d:Scopes>onvif://www.onvif.org/name/&lol9; onvif://www.onvif.org/hardware/&lol9;</d:Scopes>"
                  "<d:XAddrs>http://198.18.0.204/onvif/device_service</d:XAddrs>"
                  "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>").encode()
    cap.add(udp_from_peer(cap, hp[4], SCANNER_IP, wsdiscovery.PORT, scene.wsd_port, bomb_wsd))

    # 6. billion laughs in a UPnP description (its SSDP answer carries no facts of its own)
    loc = f"http://{hp[5].ip}:{http.PORT}/rootDesc.xml"
    cap.add(udp_from_peer(cap, hp[5], SCANNER_IP, ssdp.PORT, scene.ssdp_port,
                          f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {loc}\r\n"
                          f"ST: upnp:rootdevice\r\nUSN: uuid:00000000-0000-0000-0000-000000000205::upnp:rootdevice"
                          "\r\n\r\n".encode()))
    bomb_desc = ('<?xml version="1.0"?>\n' + _lol_dtd()
                 + '<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName>'
                   "<manufacturer>&lol9;</manufacturer><modelName>&lol9;</modelName></device></root>\n").encode()
    raw_http(cap, hp[5], "/rootDesc.xml", b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
             + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(bomb_desc) + bomb_desc)


def _oversized_http(scene: _Scene) -> None:
    """An HTTP body past what camscan keeps."""
    cap, hp = scene.cap, scene.hosts
    # 7. a 3 MB HTTP response body
    big = b"<html><body>" + b"A" * (3 * 1024 * 1024) + b"</body></html>"
    raw_http(cap, hp[6], "/", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
             + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(big) + big, gro=True)


def _dns_loops(scene: _Scene) -> None:
    """mDNS answers whose names never end."""
    cap, hp = scene.cap, scene.hosts
    # 8. DNS compression loops in mDNS answers: a name pointing at itself, and two pointing at each other
    loop_self = (b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + b"\xc0\x0c"
                 + b"\x00\x0c\x00\x01\x00\x00\x11\x94\x00\x02\xc0\x0c")
    loop_pair = (b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + b"\x03abc\xc0\x12" + b"\x03def\xc0\x0c"
                 + b"\x00\x0c\x00\x01\x00\x00\x11\x94\x00\x02\xc0\x0c")
    for payload in (loop_self, loop_pair):
        cap.add(udp_from_peer(cap, hp[7], mdns.GROUP, mdns.PORT, mdns.PORT, payload, ttl=255))


def _broken_dhip(scene: _Scene) -> None:
    """DHIP that is not what its header says, and a good device's mangled copy."""
    cap, hp = scene.cap, scene.hosts
    # 9. malformed DHIP: broken JSON, a length field far past the datagram, JSON that is not an object
    head = b"\x20\x00\x00\x00DHIP" + b"\x00" * 8
    bad_json = b'{ "mac" : "02:42:c6:12:00:d0", "method" : "client.notifyDevInfo", "params" : { "deviceInfo" : ' \
               b'{ "DeviceType" : "IPC-HFW0000", "Version" : "1.0000, } } }'
    for body, claimed in ((bad_json, len(bad_json)), (b'{"method":"client.notifyDevInfo"}', 0x7FFFFFF0),
                          (b"[1,2,3]", 7), (b"", 0)):
        frame = head + claimed.to_bytes(4, "little") + b"\x00" * 4 + claimed.to_bytes(4, "little") + b"\x00" * 4
        cap.add(udp_from_peer(cap, hp[8], SCANNER_IP, dhip.PORT, scene.dhip_port, frame + body))
    # ...and a good device that also sends a mangled copy of its own reply: its row must survive
    dahua = scene.good["dahua-fixed"]
    mangled = answers.dhip_reply(dahua.profile)
    cap.add(udp_from_peer(cap, dahua, SCANNER_IP, dhip.PORT, scene.dhip_port, mangled[: len(mangled) - 40]))


def _endless_messages(scene: _Scene) -> None:
    """TCP answers that never finish."""
    cap, hp = scene.cap, scene.hosts
    # 10. an HTTP response announcing a body far larger than anything sent
    raw_http(cap, hp[9], "/", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
             b"Content-Length: 99999999999999999999\r\n\r\n<html><head><title>never ends")

    # 11. an RTSP server answering with noise and a header that never ends
    tcp = Tcp(cap, hp[10], rtsp.PORT)
    tcp.open()
    tcp.client_sends(f"OPTIONS rtsp://{hp[10].ip}:{rtsp.PORT}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
    tcp.server_sends(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: " + b"X" * 70000)
    tcp.close()


# In this order: each part draws from the capture's random generator and clock.
_PARTS = (_broken_frames, _broken_discovery, _entity_bombs, _oversized_http, _dns_loops, _broken_dhip,
          _endless_messages)


def hostile_traffic(cap: Capture, wsd_port: int, ssdp_port: int, dhip_port: int, good: dict[str, Peer]) -> None:
    hosts = [Peer(hostile_profile(n), HOSTILE_MAC % (200 + n), 64) for n in range(11)]
    scene = _Scene(cap, hosts, wsd_port, ssdp_port, dhip_port, good)
    for part in _PARTS:
        part(scene)


def build_hostile(profiles: list[Profile]) -> Capture:
    cap = Capture(random.Random(SEED + 2))
    peers, _router = make_peers([p for p in profiles if p.id in HOSTILE_GOOD or p.role == "router"], stress=False)
    good = {peer.profile.id: peer for peer in peers}
    ask = [peer.ip for peer in peers] + [f"198.18.0.{200 + n}" for n in range(11)]  # the noisy hosts stay silent
    wsd_port, ssdp_port, dhip_port = scan(cap, peers, None, ask)
    cap.at(40)
    hostile_traffic(cap, wsd_port, ssdp_port, dhip_port, good)
    return cap


# Noisy hosts of hostile.pcap that still said something readable, so the inventory lists them:
# a host is a device on the network even when what it sent was mostly junk (their junk is
# counted under "skipped"). .205 answered SSDP (its description was an entity bomb), .206 and
# .209 answered HTTP (a 3 MB body, an impossible Content-Length), .208's broken DHIP JSON
# still yields its MAC and model. Hosts whose every message was unreadable get no row.
HOSTILE_SURVIVORS = (
    {"ip": "198.18.0.205", "mac": "02:42:c6:12:00:cd", "device_type": "unknown", "evidence": "ssdp;http",
     "analytics": "unknown"},
    {"ip": "198.18.0.206", "mac": "02:42:c6:12:00:ce", "device_type": "unknown", "evidence": "http",
     "analytics": "unknown"},
    {"ip": "198.18.0.208", "mac": "02:42:c6:12:00:d0", "manufacturer": "Dahua", "device_type": "camera",
     "form": "static", "model": "IPC-HFW0000", "evidence": "dhip", "confidence": "high", "analytics": "unknown"},
    {"ip": "198.18.0.209", "mac": "02:42:c6:12:00:d1", "device_type": "unknown", "evidence": "http",
     "analytics": "unknown"},
)
