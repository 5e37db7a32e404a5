"""A rogue device for tests/test_rogue_scan.py: one process per network namespace, answering
WS-Discovery, SSDP and HTTP (web page, ISAPI, ONVIF SOAP) as a camera would, except where its
role says to attack the scanner. Every request it receives is logged as a JSON line, with the
WS-Security `Created` time of any token, so the test can check what reached it.

Also the canary (`--role canary`): a listener on an address outside the scan that must never be
contacted — any TCP connection or DNS query to it is logged.

Standard library only: it runs as `python tests/rogue_device.py CONFIG.json` in its namespace.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import re
import socket
import ssl
import struct
import sys
import zlib
from datetime import UTC, datetime

SOAP = ('xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" '
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
        'xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"')
WSD_NS = ('xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
          'xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
          'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
          'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"')
DTD = '<!DOCTYPE env:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped twice (a few KB): the body of `Content-Encoding: gzip, gzip`."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    once = b"".join(inner.compress(block) for _ in range(size >> 20)) + inner.flush()
    return gzip.compress(once, 9)


def damage(data: bytes, rng: random.Random) -> bytes:
    """`data` damaged one random way: cut short, bytes flipped, junk or markup inserted, a
    slice repeated, or a header's value replaced."""
    if not data:
        return data
    at = rng.randrange(len(data))
    kind = rng.randrange(6)
    if kind == 0:
        return data[:at]
    if kind == 1:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == 2:
        junk = rng.choice([b"\x00", b"<", b"&", b"]]>", b"\r\n\r\n", b"\xff\xfe", b"<!DOCTYPE x>", b"%s%n",
                           "\u202e\u200b".encode(), bytes(rng.randrange(256) for _ in range(16))])
        return data[:at] + junk + data[at:]
    if kind == 3:
        end = min(len(data), at + rng.randint(1, 200))
        return data[:end] + data[at:end] * rng.randint(1, 20) + data[end:]
    if kind == 4:
        return re.sub(rb"(Content-Length|LOCATION|Location|Content-Type): [^\r]*",
                      lambda m: m.group(1) + b": " + rng.choice([b"-1", b"99999999999", b"", b"http://[::1", b"x"]),
                      data, count=1)
    return re.sub(rb">[^<]{1,64}<", lambda m: b">" + bytes(rng.randrange(32, 127) for _ in range(300)) + b"<",
                  data, count=rng.randint(1, 5))


class Device:
    def __init__(self, cfg: dict) -> None:
        self.cfg, self.ip, self.role = cfg, cfg["ip"], cfg["role"]
        self.rng = random.Random(cfg.get("seed", 0))
        self.bomb = gzip_bomb(512 << 20) if self.role == "gzip-bomb" else b""
        self.log = open(cfg["log"], "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    def note(self, **what: object) -> None:
        self.log.write(json.dumps(what) + "\n")

    # --- HTTP -------------------------------------------------------------------------------

    def http(self, status: int, body: bytes = b"", extra: tuple[tuple[str, str], ...] = (),
             ctype: str = "application/soap+xml; charset=utf-8") -> bytes:
        lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Other'}"]
        if self.cfg.get("server"):
            lines.append(f"Server: {self.cfg['server']}")
        lines += [f"{k}: {v}" for k, v in extra]
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}", "Connection: close"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def soap(self, body: str) -> bytes:
        dtd = DTD if self.role == "onvif-dtd" else ""
        text = f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}<env:Envelope {SOAP}><env:Header/>'
        if dtd:
            body = body.replace("</tds:Manufacturer>", "&b;</tds:Manufacturer>")
        return self.http(200, (text + f"<env:Body>{body}</env:Body></env:Envelope>\n").encode())

    def time_body(self) -> str:
        now = datetime.now(UTC)
        if self.role == "clock-2031":
            now = now.replace(year=2031)
        when = (f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
                f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date>")
        utc = "" if self.role == "onvif-notime" else f"<tt:UTCDateTime>{when}</tt:UTCDateTime>"
        return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
                f"<tt:DaylightSavings>false</tt:DaylightSavings>{utc}</tds:SystemDateAndTime>"
                "</tds:GetSystemDateAndTimeResponse>")

    def xaddr(self, path: str) -> str:
        host = self.cfg["canary"] if self.role == "onvif-xaddr-elsewhere" else self.ip
        return f"http://{host}{path}"

    def onvif(self, action: str) -> bytes:
        if action == "GetSystemDateAndTime":
            return self.soap(self.time_body())
        if action == "GetDeviceInformation":
            return self.soap("<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>"
                             f"<tds:Model>{self.cfg.get('model', 'DS-2CD2043G2-I')}</tds:Model>"
                             "<tds:FirmwareVersion>V5.7.3 build 220112</tds:FirmwareVersion>"
                             f"<tds:SerialNumber>SN{self.ip.replace('.', '')}</tds:SerialNumber>"
                             "<tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>")
        if action == "GetServices":
            services = "".join(f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self.xaddr(p)}"
                               "</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor>"
                               "</tds:Version></tds:Service>"
                               for ns, p in (("http://www.onvif.org/ver10/device/wsdl", "/onvif/device_service"),
                                             ("http://www.onvif.org/ver10/media/wsdl", "/onvif/Media"),
                                             ("http://www.onvif.org/ver20/ptz/wsdl", "/onvif/PTZ")))
            return self.soap(f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>")
        if action == "GetCapabilities":
            return self.soap("<tds:GetCapabilitiesResponse><tds:Capabilities>"
                             f"<tt:Device><tt:XAddr>{self.xaddr('/onvif/device_service')}</tt:XAddr></tt:Device>"
                             f"<tt:Media><tt:XAddr>{self.xaddr('/onvif/Media')}</tt:XAddr></tt:Media>"
                             f"<tt:PTZ><tt:XAddr>{self.xaddr('/onvif/PTZ')}</tt:XAddr></tt:PTZ>"
                             "</tds:Capabilities></tds:GetCapabilitiesResponse>")
        if action == "GetNodes":
            return self.soap('<tptz:GetNodesResponse><tptz:PTZNode token="n"><tt:Name>n</tt:Name>'
                             "<tt:SupportedPTZSpaces/><tt:MaximumNumberOfPresets>0</tt:MaximumNumberOfPresets>"
                             "<tt:HomeSupported>false</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>")
        if action == "GetVideoSources":
            return self.soap('<trt:GetVideoSourcesResponse><trt:VideoSources token="v"><tt:Framerate>25'
                             "</tt:Framerate><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height>"
                             "</tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>")
        return self.http(500, b"")

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        if self.bomb and (path.startswith("/onvif/") or "authorization" in headers):
            return self.http(200, self.bomb, (("Content-Encoding", "gzip, gzip"),), "application/xml")
        if method == "POST" and path.startswith("/onvif/"):
            redirect = {"onvif-redirect-self": f"http://{self.ip}{path}",
                        "onvif-redirect-canary": f"http://{self.cfg.get('canary')}{path}",
                        "onvif-redirect-name": f"http://rogue-redirect.example{path}"}.get(self.role)
            if redirect:
                return self.http(307, b"", (("Location", redirect),), "text/plain")
            m = re.search(rb"<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)", body)
            return self.onvif(m.group(1).decode() if m else "")
        if path == "/ISAPI/System/deviceInfo" and self.cfg.get("isapi"):
            if "authorization" not in headers:
                return self.http(401, b"", (("WWW-Authenticate", 'Digest realm="cam", nonce="abc123", qop="auth"'),),
                                 "text/plain")
            return self.http(200, (f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="2.0" '
                                   'xmlns="http://www.hikvision.com/ver20/XMLSchema"><deviceName>good</deviceName>'
                                   f"<model>{self.cfg['isapi']}</model><serialNumber>G1</serialNumber>"
                                   "<firmwareVersion>V5.7.3</firmwareVersion><deviceType>IPCamera</deviceType>"
                                   "</DeviceInfo>").encode(), ctype="application/xml")
        if path == "/":
            return self.http(200, b"<html><title>cam</title></html>", ctype="text/html")
        if path == "/description.xml":
            return self.http(200, ('<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
                                   "<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>"
                                   "<friendlyName>cam</friendlyName><manufacturer>Hikvision</manufacturer>"
                                   f"<modelName>{self.cfg.get('isapi', 'DS-2CD2043G2-I')}</modelName>"
                                   "<serialNumber>S1</serialNumber><UDN>uuid:1</UDN></device></root>").encode(),
                             ctype="text/xml")
        return self.http(404, b"", ctype="text/plain")

    async def serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            method, path = [*lines[0].split(" "), "", ""][:2]
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:]) if k}
            size = int(headers.get("content-length", "0") or 0)
            body = await asyncio.wait_for(reader.readexactly(min(size, 1 << 20)), 5) if size else b""
            created = re.findall(rb"Created[^>]*>([^<]+)<", body)
            self.note(kind="http", method=method, path=path, auth="authorization" in headers,
                      tls=writer.get_extra_info("ssl_object") is not None,
                      created=[c.decode() for c in created], peer=writer.get_extra_info("peername")[0])
            answer = self.answer(method, path, headers, body)
            writer.write(damage(answer, self.rng) if self.role == "mutant" else answer)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            pass
        finally:
            writer.close()

    # --- discovery --------------------------------------------------------------------------

    def ssdp_locations(self) -> list[str]:
        if self.role == "ssdp-badport":
            return [f"http://{self.ip}:99999/desc.xml"]
        if self.role == "mutant":
            return [f"http://{self.ip}/description.xml"]
        if self.role == "ssdp-elsewhere":
            return ([f"http://{self.cfg['canary']}/desc.xml", f"http://{self.cfg['good']}/stolen.xml",
                     "http://rogue-location.example/desc.xml"]
                    + [f"http://{self.ip}/d{i}.xml" for i in range(20)])
        return []

    def wsd_match(self, relates: str) -> bytes:
        scopes = "onvif://www.onvif.org/name/HIKVISION onvif://www.onvif.org/hardware/DS-2CD2043G2-I"
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {WSD_NS}><env:Header>'
                f"<wsadis:MessageID>urn:uuid:{abs(hash(self.ip)):032x}</wsadis:MessageID>"
                f"<wsadis:RelatesTo>{relates}</wsadis:RelatesTo>"
                "<wsadis:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsadis:Action>"
                "</env:Header><env:Body><d:ProbeMatches><d:ProbeMatch><wsadis:EndpointReference><wsadis:Address>"
                f"urn:uuid:{abs(hash(self.ip)):032x}</wsadis:Address></wsadis:EndpointReference>"
                f"<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>{scopes}</d:Scopes>"
                f"<d:XAddrs>http://{self.ip}/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
                "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>\n").encode()

    def send(self, sock: socket.socket, data: bytes, addr: tuple) -> None:
        sock.sendto(damage(data, self.rng) if self.role == "mutant" else data, addr)

    def udp_socket(self, group: str, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(self.ip)))
        s.setblocking(False)
        return s

    async def serve_udp(self, sock: socket.socket, kind: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data, addr = await loop.sock_recvfrom(sock, 65536)
            text = data.decode("utf-8", "replace")
            if kind == "ssdp" and text.upper().startswith("M-SEARCH"):
                for loc in self.ssdp_locations():
                    self.send(sock, (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {loc}\r\n"
                                 "SERVER: Linux UPnP/1.0 rogue/1\r\nST: upnp:rootdevice\r\n"
                                 f"USN: uuid:{abs(hash(loc)):032x}::upnp:rootdevice\r\n\r\n").encode(), addr)
            elif kind == "wsd" and "Probe" in text and "ProbeMatch" not in text and self.cfg.get("wsd", True):
                m = re.search(r"MessageID[^>]*>([^<]{1,100})<", text)
                self.send(sock, self.wsd_match(m.group(1) if m else "urn:uuid:0"), addr)


class Canary:
    """An address the scan must never reach: logs every TCP connection and DNS query."""

    def __init__(self, cfg: dict) -> None:
        self.log = open(cfg["log"], "a", buffering=1)  # noqa: SIM115

    async def tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await asyncio.wait_for(reader.read(4096), 2)
        self.log.write(json.dumps({"kind": "tcp", "peer": writer.get_extra_info("peername")[0],
                                   "data": data[:200].decode("latin-1")}) + "\n")
        writer.close()

    async def dns(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data, addr = await loop.sock_recvfrom(sock, 4096)
            self.log.write(json.dumps({"kind": "dns", "peer": addr[0], "data": data.hex()}) + "\n")


async def main(cfg: dict) -> None:
    servers = []
    if cfg["role"] == "canary":
        canary = Canary(cfg)
        for port in (80, 443, 8080):
            servers.append(await asyncio.start_server(canary.tcp, cfg["ip"], port))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((cfg["ip"], 53))
        s.setblocking(False)
        tasks = [asyncio.create_task(canary.dns(s))]
    else:
        dev = Device(cfg)
        servers.append(await asyncio.start_server(dev.serve_http, cfg["ip"], 80))
        if cfg.get("tls"):  # [certificate, key]: the same server over HTTPS on 443
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*cfg["tls"])
            servers.append(await asyncio.start_server(dev.serve_http, cfg["ip"], 443, ssl=ctx))
        tasks = [asyncio.create_task(dev.serve_udp(dev.udp_socket("239.255.255.250", 1900), "ssdp")),
                 asyncio.create_task(dev.serve_udp(dev.udp_socket("239.255.255.250", 3702), "wsd"))]
    print("ready", flush=True)
    await asyncio.gather(*tasks) if tasks else await asyncio.Event().wait()


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        asyncio.run(main(json.load(fh)))
