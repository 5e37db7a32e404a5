"""The exact bytes each emulated device sends, as pure functions of its Profile.

One function per thing a device says: its SADP ProbeMatch, WS-Discovery ProbeMatches and
Hello, SSDP response/NOTIFY and UPnP description, DHIP notifyDevInfo, mDNS answer, and the
replies of its HTTP server (web UI, Hikvision ISAPI, Dahua CGI, ONVIF SOAP, UPnP description)
and RTSP server. Formats follow the real samples in ../shared/realworld (SADP field order and
quirks such as "V5.6.2build 190701" and "flase"; ISAPI DeviceInfo in the hikvision.com or
isapi.org namespace; InputProxyChannelList as in real NVR dumps; Dahua key=value text and
the RemoteDevice table; SOAP 1.2 envelopes like real ONVIF replies; the 32-byte DHIP header).

Authentication is emulated as the devices do it: ISAPI and CGI need RFC 7616 digest (MD5,
qop=auth) with the profile's account, ONVIF needs a WS-Security UsernameToken PasswordDigest
except for GetSystemDateAndTime, RTSP DESCRIBE needs digest. Nonces are derived from the
profile, so the same request always gets the same bytes.

Used by tools/make_pcaps.py and by a live lab serving these bytes from network namespaces.
Nothing here opens a socket, reads a clock or draws a random number, and request bytes are
parsed with defusedxml only: the lab must stay deterministic and must not trust its input.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import struct
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import defusedxml.ElementTree as DET

from camscan.lab.profile import Profile

__all__ = [
    "HTTP_DATE",
    "LAB_TIME",
    "dhip_reply",
    "digest_nonce",
    "http_response",
    "mdns_response",
    "rtsp_response",
    "sadp_reply",
    "ssdp_notify",
    "ssdp_response",
    "upnp_description",
    "wsd_hello",
    "wsd_probe_match",
]

# The lab's clock: every Date header and ONVIF GetSystemDateAndTime says this.
LAB_TIME = (2025, 3, 1, 10, 0, 0)
HTTP_DATE = "Sat, 01 Mar 2025 10:00:00 GMT"

NS_HIKVISION = "http://www.hikvision.com/ver20/XMLSchema"
NS_ISAPI = "http://www.isapi.org/ver20/XMLSchema"
NS_ENV = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
WSD_TYPES = "dn:NetworkVideoTransmitter tds:Device"

_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 500: "Internal Server Error",
}

_ONVIF_PATHS = {
    "hikvision": {"device": "/onvif/device_service", "media": "/onvif/Media", "events": "/onvif/Events",
                  "imaging": "/onvif/Imaging", "ptz": "/onvif/PTZ", "analytics": "/onvif/Analytics",
                  "deviceio": "/onvif/DeviceIO"},
    "dahua": {"device": "/onvif/device_service", "media": "/onvif/media_service",
              "events": "/onvif/event_service", "imaging": "/onvif/imaging_service",
              "ptz": "/onvif/ptz_service", "analytics": "/onvif/analytics_service",
              "deviceio": "/onvif/deviceIO_service"},
}

_SOAP_NS = (
    'xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:soapenc="http://www.w3.org/2003/05/soap-encoding" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" '
    'xmlns:ter="http://www.onvif.org/ver10/error"'
)
_WSD_NS = (
    'xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:soapenc="http://www.w3.org/2003/05/soap-encoding" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    f'xmlns:wsadis="{NS_WSA}" xmlns:d="{NS_WSD}" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
)

MAX_REQUEST_BODY = 256 * 1024


# ---------------------------------------------------------------------------------------- helpers


def _x(value: Any) -> str:
    """Text escaped for an XML element."""
    return escape(str(value))


def _stable_uuid(p: Profile, *what: str) -> str:
    """A UUID that depends only on the profile and what it is for (no randomness)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "camscan-lab:" + ":".join((p.id, *what))))


def _dash_mac(mac: str) -> str:
    return mac.replace(":", "-")


def _link_local(mac: str) -> str:
    octets = bytearray(int(b, 16) for b in mac.split(":"))
    octets[0] ^= 0x02
    eui = bytes(octets[:3]) + b"\xff\xfe" + bytes(octets[3:])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\x00" * 6 + eui))


def _header(headers: Mapping[str, str], name: str) -> str:
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return ""


def _http(status: int, body: bytes = b"", content_type: str = "", server: str = "",
          extra: list[tuple[str, str]] | None = None, close: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}"]
    if server:
        lines.append(f"Server: {server}")
    lines.append(f"Date: {HTTP_DATE}")
    for key, value in extra or []:
        lines.append(f"{key}: {value}")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close" if close else "Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


# ------------------------------------------------------------------------------------------- SADP




def sadp_reply(p: Profile, probe_uuid: str | None = None) -> bytes:
    """Hikvision SADP ProbeMatch (UDP 37020), echoing the probe's Uuid when given.

    Field order, the missing space in "V5.6.2build 190701" and the "flase" typos are the real
    firmware's. style "short" is the trimmed field set EZVIZ units send.
    """
    s = p.sadp
    if s is None:
        raise ValueError(f"{p.id}: no [sadp] section")
    uid = probe_uuid or s.get("uuid") or _stable_uuid(p, "sadp")
    common = {
        "DeviceDescription": s["description"], "DeviceSN": s["serial"],
        "CommandPort": s.get("command_port", 8000), "MAC": _dash_mac(p.mac), "IPv4Address": p.ip,
        "IPv4SubnetMask": "255.255.255.0", "IPv4Gateway": p.gateway,
    }
    if s.get("style", "full") == "short":
        fields: list[tuple[str, Any]] = [("Types", "inquiry"), ("Uuid", uid), *common.items(),
                                         ("SoftwareVersion", s["software_version"])]
        body = "".join(f"<{k}>{_x(v)}</{k}>" for k, v in fields)
        return f'<?xml version="1.0" encoding="UTF-8" ?><ProbeMatch>{body}</ProbeMatch>'.encode()
    fields = [
        ("Uuid", uid), ("Types", "inquiry"), ("DeviceType", s.get("device_type_code", "0")),
        ("DeviceDescription", common["DeviceDescription"]), ("DeviceSN", common["DeviceSN"]),
        ("CommandPort", common["CommandPort"]), ("HttpPort", s.get("http_port", 80)),
        ("MAC", common["MAC"]), ("IPv4Address", p.ip), ("IPv4SubnetMask", "255.255.255.0"),
        ("IPv4Gateway", p.gateway), ("IPv6Address", "::"), ("IPv6Gateway", "::"),
        ("IPv6MaskLen", 64), ("DHCP", "false"),
        ("AnalogChannelNum", s.get("analog_channels", 0)),
        ("DigitalChannelNum", s.get("digital_channels", 1)),
        ("SoftwareVersion", s["software_version"]), ("DSPVersion", s.get("dsp_version", "")),
        ("BootTime", s.get("boot_time", "1970-01-01 00:00:00")),
    ]
    if s.get("oem_info"):
        fields.append(("OEMInfo", s["oem_info"]))
    fields += [
        ("Encrypt", "true"), ("ResetAbility", "false"), ("DiskNumber", s.get("disk_number", 0)),
        ("Activated", "true" if s.get("activated", True) else "false"),
        ("PasswordResetAbility", "true"), ("PasswordResetModeSecond", "true"),
        ("DetailOEMCode", s.get("oem_code", 1)), ("SupportSecurityQuestion", "true"),
        ("SupportHCPlatform", "true"), ("HCPlatformEnable", "flase"),
        ("IsModifyVerificationCode", "true"),
        ("Salt", hashlib.sha256(f"camscan-lab:{p.id}:salt".encode()).hexdigest()),
        ("DeviceLock", "flase"), ("SDKOverTLSPort", 8443), ("SDKServerStatus", "true"),
        ("SDKOverTLSServerStatus", "true"), ("SupportMailBox", "true"),
    ]
    body = "\n".join(f"<{k}>{_x(v)}</{k}>" for k, v in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ProbeMatch>\n{body}\n</ProbeMatch>\n'.encode()


# ---------------------------------------------------------------------------------- WS-Discovery




def _wsd_match_body(w: dict[str, Any]) -> str:
    return (
        f"<wsadis:EndpointReference><wsadis:Address>{_x(w['endpoint'])}</wsadis:Address>"
        f"</wsadis:EndpointReference><d:Types>{_x(w.get('types', WSD_TYPES))}</d:Types>"
        f"<d:Scopes>{_x(' '.join(w['scopes']))}</d:Scopes>"
        f"<d:XAddrs>{_x(w['xaddr'])}</d:XAddrs>"
        f"<d:MetadataVersion>{int(w.get('metadata_version', 1))}</d:MetadataVersion>"
    )


def _wsd_envelope(p: Profile, msg_id: str, to: str, action: str, number: int, body: str,
                  relates_to: str = "") -> bytes:
    """A WS-Discovery message from this device: the header every one of them carries, then `body`."""
    w = p.wsd or {}
    relates = f"<wsadis:RelatesTo>{_x(relates_to)}</wsadis:RelatesTo>" if relates_to else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {_WSD_NS}><env:Header>'
        f"<wsadis:MessageID>{msg_id}</wsadis:MessageID>{relates}"
        f"<wsadis:To>{to}</wsadis:To>"
        f"<wsadis:Action>{NS_WSD}/{action}</wsadis:Action>"
        f'<d:AppSequence InstanceId="{int(w.get("instance_id", 1740800000))}" MessageNumber="{number}"/>'
        f"</env:Header><env:Body>{body}</env:Body></env:Envelope>\n"
    ).encode()


def wsd_probe_match(p: Profile, relates_to: str) -> bytes:
    """WS-Discovery ProbeMatches answering the Probe whose MessageID is `relates_to` (UDP 3702)."""
    w = p.wsd
    if w is None:
        raise ValueError(f"{p.id}: no [wsd] section")
    msg_id = "urn:uuid:" + _stable_uuid(p, "probematch", relates_to)
    return _wsd_envelope(p, msg_id, "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
                         "ProbeMatches", 2,
                         f"<d:ProbeMatches><d:ProbeMatch>{_wsd_match_body(w)}</d:ProbeMatch></d:ProbeMatches>",
                         relates_to)


def wsd_hello(p: Profile) -> bytes:
    """The WS-Discovery Hello a device multicasts when it joins the network."""
    w = p.wsd
    if w is None:
        raise ValueError(f"{p.id}: no [wsd] section")
    msg_id = "urn:uuid:" + _stable_uuid(p, "hello")
    return _wsd_envelope(p, msg_id, "urn:schemas-xmlsoap-org:ws:2005:04:discovery", "Hello", 1,
                         f"<d:Hello>{_wsd_match_body(w)}</d:Hello>")


# ------------------------------------------------------------------------------------ SSDP / UPnP




def ssdp_response(p: Profile, st: str = "upnp:rootdevice") -> bytes:
    """The unicast answer to an M-SEARCH (UDP 1900)."""
    s = p.ssdp
    if s is None:
        raise ValueError(f"{p.id}: no [ssdp] section")
    usn = s["udn"] if st == s["udn"] else f"{s['udn']}::{st}"
    return (
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\n"
        f"DATE: {HTTP_DATE}\r\nEXT:\r\nLOCATION: {s['location']}\r\nSERVER: {s['server']}\r\n"
        f"ST: {st}\r\nUSN: {usn}\r\n\r\n"
    ).encode()


def ssdp_notify(p: Profile) -> bytes:
    """An ssdp:alive NOTIFY the device multicasts to 239.255.255.250:1900."""
    s = p.ssdp
    if s is None:
        raise ValueError(f"{p.id}: no [ssdp] section")
    return (
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
        f"LOCATION: {s['location']}\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
        f"SERVER: {s['server']}\r\nUSN: {s['udn']}::upnp:rootdevice\r\n\r\n"
    ).encode()


def upnp_description_path(p: Profile) -> str:
    """The path part of the SSDP LOCATION, which the HTTP server answers with the description."""
    if p.ssdp is None:
        return ""
    return urlsplit(p.ssdp["location"]).path or "/"


def upnp_description(p: Profile) -> bytes:
    """The UPnP device description XML served at the SSDP LOCATION."""
    s = p.ssdp
    if s is None:
        raise ValueError(f"{p.id}: no [ssdp] section")
    loc = urlsplit(s["location"])
    fields = [
        ("deviceType", s.get("device_type", "urn:schemas-upnp-org:device:Basic:1")),
        ("friendlyName", s["friendly_name"]), ("manufacturer", s["manufacturer"]),
        ("manufacturerURL", s.get("manufacturer_url", "")),
        ("modelDescription", s.get("model_description", "")), ("modelName", s["model_name"]),
        ("modelNumber", s.get("model_number", "")), ("modelURL", s.get("model_url", "")),
        ("serialNumber", s.get("serial", "")), ("UDN", s["udn"]),
        ("presentationURL", f"http://{p.ip}/"),
    ]
    device = "\n".join(f"<{k}>{_x(v)}</{k}>" for k, v in fields if v)
    return (
        '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">\n'
        "<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n"
        f"<URLBase>{_x(f'{loc.scheme}://{loc.netloc}')}</URLBase>\n<device>\n{device}\n</device>\n</root>\n"
    ).encode()


# ------------------------------------------------------------------------------------------- DHIP


def _dhip_frame(body: bytes, session_id: int = 0, request_id: int = 0) -> bytes:
    # 0x20 00 00 00 "DHIP", session id, request id, then the body length twice (offsets 16 and 24)
    return (b"\x20\x00\x00\x00DHIP" + struct.pack("<II", session_id, request_id)
            + struct.pack("<II", len(body), 0) + struct.pack("<II", len(body), 0) + body)




def dhip_reply(p: Profile, session_id: int = 0, request_id: int = 0) -> bytes:
    """Dahua DHIP client.notifyDevInfo (UDP 37810): 32-byte header, then JSON as real devices send it."""
    d = p.dhip
    if d is None:
        raise ValueError(f"{p.id}: no [dhip] section")
    info = {
        "AlarmInputChannels": d.get("alarm_inputs", 0), "AlarmOutputChannels": d.get("alarm_outputs", 0),
        "DeviceClass": d["device_class"], "DeviceID": "", "DeviceType": d["device_type"],
        "Find": d.get("find", "BC"), "FindVersion": d.get("find_version", 1),
        "HttpPort": d.get("http_port", 80),
        "IPv4Address": {"DefaultGateway": p.gateway, "DhcpEnable": False, "IPAddress": p.ip,
                        "SubnetMask": "255.255.255.0"},
        "IPv6Address": {"DefaultGateway": None, "DhcpEnable": False, "IPAddress": "/0",
                        "LinkLocalAddress": _link_local(p.mac) + "/64"},
        "Init": d.get("init", 0), "MachineName": d.get("machine_name", d["serial"]),
        "Manufacturer": d.get("manufacturer", d["vendor"]), "Port": d.get("port", 37777),
        "RemoteVideoInputChannels": d.get("remote_video_inputs", 0), "SerialNo": d["serial"],
        "UnLoginFuncMask": 1, "Vendor": d["vendor"], "Version": d["version"],
        "VideoInputChannels": d.get("video_inputs", 1), "VideoOutputChannels": d.get("video_outputs", 0),
    }
    doc = {"mac": p.mac, "method": "client.notifyDevInfo", "params": {"deviceInfo": info}}
    # Dahua's JSON writer escapes "/" as "\/" (see the real samples)
    body = json.dumps(doc, sort_keys=True, separators=(",", ":")).replace("/", "\\/").encode()
    return _dhip_frame(body, session_id, request_id)


# ------------------------------------------------------------------------------------------- mDNS


class _DnsWriter:
    """Just enough of an RFC 1035 encoder, with name compression, for one mDNS answer."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.names: dict[str, int] = {}

    def name(self, name: str) -> None:
        labels = name.rstrip(".").split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if suffix in self.names:
                self.buf += struct.pack(">H", 0xC000 | self.names[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.names[suffix] = len(self.buf)
            raw = labels[i].encode("utf-8")
            self.buf += bytes([len(raw)]) + raw
        self.buf += b"\x00"

    def record(self, name: str, rtype: int, rclass: int, ttl: int, rdata: bytes | None = None,
               rdata_name: str | None = None, srv: tuple[int, int, int] | None = None) -> None:
        self.name(name)
        self.buf += struct.pack(">HHI", rtype, rclass, ttl)
        length_at = len(self.buf)
        self.buf += b"\x00\x00"
        if srv is not None:
            self.buf += struct.pack(">HHH", *srv)
        if rdata is not None:
            self.buf += rdata
        if rdata_name is not None:
            self.name(rdata_name)
        struct.pack_into(">H", self.buf, length_at, len(self.buf) - length_at - 2)


def mdns_response(p: Profile) -> bytes:
    """The mDNS answer (to 224.0.0.251:5353) advertising the device's service: PTR, then SRV, TXT, A."""
    m = p.mdns
    if m is None:
        raise ValueError(f"{p.id}: no [mdns] section")
    service = m["service"].rstrip(".")
    instance = f"{m['instance']}.{service}"
    txt = b"".join(bytes([len(t.encode())]) + t.encode() for t in m["txt"])
    w = _DnsWriter()
    w.buf += struct.pack(">HHHHHH", 0, 0x8400, 0, 1, 0, 3)
    flush = 0x8001  # class IN with the cache-flush bit, for unique records
    w.record(service, 12, 1, 4500, rdata_name=instance)
    w.record(instance, 33, flush, 120, srv=(0, 0, int(m["port"])), rdata_name=m["hostname"])
    w.record(instance, 16, flush, 4500, rdata=txt)
    w.record(m["hostname"], 1, flush, 120, rdata=ipaddress.IPv4Address(p.ip).packed)
    return bytes(w.buf)


# ----------------------------------------------------------------------------------- digest auth

_AUTH_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


def digest_nonce(p: Profile, realm: str) -> str:
    """The nonce this device hands out (stable per device and realm, so captures are repeatable)."""
    return hashlib.md5(f"camscan-lab:{p.id}:{realm}:nonce".encode()).hexdigest()


def _opaque(p: Profile) -> str:
    return hashlib.md5(f"camscan-lab:{p.id}:opaque".encode()).hexdigest()[:16]


def _challenge(p: Profile, realm: str) -> str:
    return (f'Digest realm="{realm}", qop="auth", nonce="{digest_nonce(p, realm)}", '
            f'opaque="{_opaque(p)}", algorithm=MD5, stale=FALSE')


def _parse_auth(value: str) -> dict[str, str] | None:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _AUTH_PARAM.finditer(rest)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _digest_ok(p: Profile, realm: str, method: str, uri: str, authorization: str) -> bool:
    """RFC 7616 digest, MD5, qop=auth, checked against the profile's account."""
    if not authorization or not p.username:
        return False
    params = _parse_auth(authorization)
    if params is None:
        return False
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if any(not params.get(k) for k in needed):
        return False
    if params.get("algorithm", "MD5").upper() != "MD5" or params["qop"] != "auth":
        return False
    if (params["username"] != p.username or params["realm"] != realm
            or params["nonce"] != digest_nonce(p, realm) or params["uri"] != uri):
        return False
    ha1 = _md5(f"{p.username}:{realm}:{p.password}")
    ha2 = _md5(f"{method}:{uri}")
    expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
    return hmac.compare_digest(expected, params["response"].lower())


# ------------------------------------------------------------------------------------------- HTTP


def _server(p: Profile) -> str:
    return (p.http or {}).get("server", "")


def _web_page(p: Profile, close: bool) -> bytes:
    h = p.http or {}
    body = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{_x(h.get('title', ''))}</title>\n</head>\n<body>\n{h.get('page', '')}\n</body>\n</html>\n"
    ).encode()
    return _http(200, body, "text/html", _server(p), close=close)


def _unauthorized(p: Profile, realm: str, close: bool) -> bytes:
    body = (b"<!DOCTYPE html>\n<html><head><title>Document Error: Unauthorized</title></head>\n"
            b"<body><h2>Access Error: 401 -- Unauthorized</h2>\n<p>Authentication Error</p></body></html>\n")
    return _http(401, body, "text/html", _server(p), [("WWW-Authenticate", _challenge(p, realm))], close)


def _isapi_ns(p: Profile) -> tuple[str, str]:
    isapi = p.isapi or {}
    ns = NS_ISAPI if isapi.get("namespace") == "isapi" else NS_HIKVISION
    return ns, str(isapi.get("version", "2.0"))


def _isapi_status(p: Profile, status: int, target: str, code: int, text: str, sub: str, close: bool) -> bytes:
    ns, version = _isapi_ns(p)
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="{version}" xmlns="{ns}">\n'
            f"<requestURL>{_x(target)}</requestURL>\n<statusCode>{code}</statusCode>\n"
            f"<statusString>{_x(text)}</statusString>\n<subStatusCode>{_x(sub)}</subStatusCode>\n"
            "</ResponseStatus>\n").encode()
    return _http(status, body, "application/xml", _server(p), close=close)


def isapi_device_info(p: Profile) -> bytes:
    """The body of GET /ISAPI/System/deviceInfo."""
    ns, version = _isapi_ns(p)
    info = (p.isapi or {})["device_info"]
    fields = "\n".join(f"<{k}>{_x(v)}</{k}>" for k, v in info.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="{version}" xmlns="{ns}">\n'
            f"{fields}\n</DeviceInfo>\n").encode()


def _is_recorder(p: Profile) -> bool:
    return (p.isapi or {}).get("device_info", {}).get("deviceType") in ("NVR", "DVR", "HybirdNVR")


def isapi_input_proxy_channels(p: Profile) -> bytes:
    """The body of GET /ISAPI/ContentMgmt/InputProxy/channels on a recorder."""
    ns, version = _isapi_ns(p)
    channels = (p.isapi or {}).get("channels", [])
    size = (p.isapi or {}).get("input_proxy_size", len(channels))
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n'
             f'<InputProxyChannelList version="{version}" xmlns="{ns}" size="{size}">']
    for ch in channels:
        dev_index = ch.get("dev_index") or _stable_uuid(p, "channel", str(ch["id"]))
        parts.append(
            f'<InputProxyChannel version="{version}" xmlns="{ns}">\n<id>{int(ch["id"])}</id>\n'
            f"<name>{_x(ch['name'])}</name>\n<sourceInputPortDescriptor>\n"
            f"<proxyProtocol>{_x(ch.get('protocol', 'HIKVISION'))}</proxyProtocol>\n"
            "<addressingFormatType>ipaddress</addressingFormatType>\n"
            f"<ipAddress>{_x(ch['ip'])}</ipAddress>\n<managePortNo>{int(ch.get('port', 8000))}</managePortNo>\n"
            "<srcInputPort>1</srcInputPort>\n<userName>admin</userName>\n<connMode>plugplay</connMode>\n"
            f"<streamType>auto</streamType>\n<model>{_x(ch['model'])}</model>\n"
            f"<serialNumber>{_x(ch['serial'])}</serialNumber>\n"
            f"<firmwareVersion>{_x(ch['firmware'])}</firmwareVersion>\n<deviceID></deviceID>\n"
            "</sourceInputPortDescriptor>\n<certificateValidationEnabled>false</certificateValidationEnabled>\n"
            "<defaultAdminPortEnabled>true</defaultAdminPortEnabled>\n<enableAnr>false</enableAnr>\n"
            f"<enableTiming>true</enableTiming>\n<devIndex>{dev_index}</devIndex>\n</InputProxyChannel>"
        )
    parts.append("</InputProxyChannelList>\n")
    return "\n".join(parts).encode()


def _ptz_channel(ns: str, version: str, cid: int, axes: list[str]) -> str:
    flag = {a: "true" if a in axes else "false" for a in ("pan", "tilt", "zoom")}
    return (
        f'<PTZChannel version="{version}" xmlns="{ns}">\n<id>{cid}</id>\n<enabled>true</enabled>\n'
        f"<videoInputID>{cid}</videoInputID>\n<panMaxSpeed>100</panMaxSpeed>\n<tiltMaxSpeed>100</tiltMaxSpeed>\n"
        "<presetSpeed>4</presetSpeed>\n<autoPatrolSpeed>4</autoPatrolSpeed>\n"
        "<keyBoardControlSpeed>4</keyBoardControlSpeed>\n<controlProtocol>hikvision</controlProtocol>\n"
        "<controlAddress>\n<enabled>true</enabled>\n<Address>0</Address>\n</controlAddress>\n"
        "<defaultPresetID>1</defaultPresetID>\n"
        f"<panSupport>{flag['pan']}</panSupport>\n<tiltSupport>{flag['tilt']}</tiltSupport>\n"
        f"<zoomSupport>{flag['zoom']}</zoomSupport>\n</PTZChannel>"
    )


def isapi_ptz_channels(p: Profile) -> bytes | None:
    """The body of GET /ISAPI/PTZCtrl/channels, or None where the device has no PTZ channel."""
    ns, version = _isapi_ns(p)
    isapi = p.isapi or {}
    if _is_recorder(p):
        items = [_ptz_channel(ns, version, int(ch["id"]), ["pan", "tilt", "zoom"])
                 for ch in isapi.get("channels", []) if ch.get("ptz")]
    elif isapi.get("ptz_axes"):
        items = [_ptz_channel(ns, version, 1, list(isapi["ptz_axes"]))]
    else:
        return None
    body = "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<PTZChannelList version="{version}" xmlns="{ns}">',
                      *items, "</PTZChannelList>\n"])
    return body.encode()


def _isapi(p: Profile, path: str, target: str, close: bool) -> bytes:
    if path == "/ISAPI/System/deviceInfo":
        return _http(200, isapi_device_info(p), "application/xml", _server(p), close=close)
    if path == "/ISAPI/ContentMgmt/InputProxy/channels":
        if not _is_recorder(p):
            return _isapi_status(p, 403, target, 4, "Invalid Operation", "notSupport", close)
        return _http(200, isapi_input_proxy_channels(p), "application/xml", _server(p), close=close)
    if path == "/ISAPI/PTZCtrl/channels":
        body = isapi_ptz_channels(p)
        if body is None:
            return _isapi_status(p, 403, target, 4, "Invalid Operation", "notSupport", close)
        return _http(200, body, "application/xml", _server(p), close=close)
    return _isapi_status(p, 404, target, 4, "Invalid Operation", "notSupport", close)


def _kv(lines: list[tuple[str, Any]]) -> bytes:
    return "".join(f"{k}={v}\r\n" for k, v in lines).encode("utf-8")


def cgi_remote_devices(p: Profile) -> bytes:
    """The body of configManager.cgi?action=getConfig&name=RemoteDevice (a Dahua recorder's cameras)."""
    rows: list[tuple[str, Any]] = []
    for rd in (p.cgi or {}).get("remote_devices", []):
        prefix = f"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_{int(rd['slot'])}."
        fields = {
            "Address": rd["address"], "DeviceType": rd.get("device_type", ""),
            "Enable": "true" if rd["enable"] else "false", "HttpPort": rd.get("http_port", 80),
            "Mac": rd.get("mac", ""), "Name": rd.get("name", ""),
            "Password": "******" if rd["enable"] else "", "Port": rd.get("port", 37777),
            "ProtocolType": rd.get("protocol", "Private"), "RtspPort": rd.get("rtsp_port", 554),
            "SerialNo": rd.get("serial", ""), "UserName": rd.get("username", ""),
            "Vendor": rd.get("vendor", ""), "Version": rd.get("version", ""),
            "VideoInputs[0].MainStreamUrl": "", "VideoInputs[0].Name": rd.get("name", ""),
        }
        rows += [(prefix + k, v) for k, v in fields.items()]
    rows.sort(key=lambda kv: kv[0])  # the device lists keys in string order (INFO_0, INFO_1, INFO_10...)
    return _kv(rows)


def _cgi(p: Profile, path: str, query: str, close: bool) -> bytes:
    c = p.cgi or {}
    args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    action = args.get("action", "")
    body: bytes | None = None
    if path == "/cgi-bin/magicBox.cgi":
        info = c["system_info"]
        answers = {
            "getSystemInfo": lambda: _kv(list(info.items())),
            "getDeviceType": lambda: _kv([("type", c.get("device_type", info["deviceType"]))]),
            "getSoftwareVersion": lambda: _kv([("version", c["software_version"])]),
            "getVendor": lambda: _kv([("vendor", c["vendor"])]),
            "getSerialNo": lambda: _kv([("sn", info["serialNumber"])]),
            "getMachineName": lambda: _kv([("name", c["machine_name"])]),
            "getHardwareVersion": lambda: _kv([("version", c.get("hardware_version", "1.00"))]),
        }
        if action in answers:
            body = answers[action]()
    elif path == "/cgi-bin/configManager.cgi":
        if action == "getConfig" and args.get("name") == "RemoteDevice" and c.get("remote_devices"):
            body = cgi_remote_devices(p)
    else:
        return _http(404, b"", "text/plain", _server(p), close=close)
    if body is None:
        return _http(400, b"Error\r\nBad Request!\r\n", "text/plain;charset=utf-8", _server(p), close=close)
    return _http(200, body, "text/plain;charset=utf-8", _server(p), close=close)


# ------------------------------------------------------------------------------------------ ONVIF


def _soap(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {_SOAP_NS}><env:Header/>'
            f"<env:Body>{body}</env:Body></env:Envelope>\n").encode()


def _soap_fault(code: str, subcode: str, reason: str) -> bytes:
    return _soap(f"<env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode><env:Value>{subcode}"
                 f"</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">{_x(reason)}"
                 "</env:Text></env:Reason></env:Fault>")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el.iter():
        if c is not el and _local(c.tag) == name:
            return c
    return None


def _wsse_ok(p: Profile, envelope: Element) -> bool:
    """WS-Security UsernameToken with PasswordDigest = Base64(SHA1(nonce + created + password))."""
    token = _child(_child(envelope, "Header"), "UsernameToken")
    if token is None or not p.username:
        return False
    user, pw, nonce, created = (_child(token, n) for n in ("Username", "Password", "Nonce", "Created"))
    if user is None or pw is None or nonce is None or created is None:
        return False
    if (user.text or "").strip() != p.username or not pw.get("Type", "").endswith("#PasswordDigest"):
        return False
    # lab devices' clocks stand at LAB_TIME (years off real time, as on many neglected cameras):
    # a client must take the device's time from GetSystemDateAndTime, as real devices require
    try:
        when = datetime.strptime((created.text or "").strip()[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    if abs((when - datetime(*LAB_TIME)).total_seconds()) > 600:
        return False
    try:
        raw_nonce = base64.b64decode((nonce.text or "").strip(), validate=True)
    except ValueError:
        return False
    digest = hashlib.sha1(raw_nonce + (created.text or "").strip().encode() + p.password.encode()).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), (pw.text or "").strip())


def _onvif_datetime() -> str:
    y, mo, d, h, mi, s = LAB_TIME
    when = (f"<tt:Time><tt:Hour>{h}</tt:Hour><tt:Minute>{mi}</tt:Minute><tt:Second>{s}</tt:Second></tt:Time>"
            f"<tt:Date><tt:Year>{y}</tt:Year><tt:Month>{mo}</tt:Month><tt:Day>{d}</tt:Day></tt:Date>")
    return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
            "<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>GMT0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime>{when}</tt:UTCDateTime><tt:LocalDateTime>{when}</tt:LocalDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>")


def _onvif_paths(p: Profile) -> dict[str, str]:
    return _ONVIF_PATHS.get((p.onvif or {}).get("paths", "hikvision"), _ONVIF_PATHS["hikvision"])


def _onvif_capabilities(p: Profile) -> str:
    o = p.onvif or {}
    base = f"http://{p.ip}"
    paths = _onvif_paths(p)
    ptz = f"<tt:PTZ><tt:XAddr>{base}{paths['ptz']}</tt:XAddr></tt:PTZ>" if o.get("ptz") else ""
    return (
        "<tds:GetCapabilitiesResponse><tds:Capabilities>"
        f"<tt:Analytics><tt:XAddr>{base}{paths['analytics']}</tt:XAddr><tt:RuleSupport>true</tt:RuleSupport>"
        "<tt:AnalyticsModuleSupport>true</tt:AnalyticsModuleSupport></tt:Analytics>"
        f"<tt:Device><tt:XAddr>{base}{paths['device']}</tt:XAddr><tt:Network><tt:IPFilter>true</tt:IPFilter>"
        "<tt:ZeroConfiguration>true</tt:ZeroConfiguration><tt:IPVersion6>true</tt:IPVersion6>"
        "<tt:DynDNS>true</tt:DynDNS></tt:Network><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>"
        "<tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>"
        "<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>true</tt:SystemLogging>"
        "<tt:FirmwareUpgrade>true</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>16</tt:Major>"
        "<tt:Minor>12</tt:Minor></tt:SupportedVersions><tt:SupportedVersions><tt:Major>2</tt:Major>"
        "<tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>"
        "<tt:Security><tt:TLS1.1>true</tt:TLS1.1><tt:TLS1.2>true</tt:TLS1.2>"
        "<tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration><tt:AccessPolicyConfig>false</tt:AccessPolicyConfig>"
        "<tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>"
        "<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>"
        f"<tt:Events><tt:XAddr>{base}{paths['events']}</tt:XAddr>"
        "<tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport>"
        "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
        "<tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport>"
        f"</tt:Events><tt:Imaging><tt:XAddr>{base}{paths['imaging']}</tt:XAddr></tt:Imaging>"
        f"<tt:Media><tt:XAddr>{base}{paths['media']}</tt:XAddr><tt:StreamingCapabilities>"
        "<tt:RTPMulticast>true</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
        "</tt:StreamingCapabilities></tt:Media>"
        f"{ptz}"
        f"<tt:Extension><tt:DeviceIO><tt:XAddr>{base}{paths['deviceio']}</tt:XAddr>"
        f"<tt:VideoSources>{int(o.get('video_sources', 1))}</tt:VideoSources><tt:VideoOutputs>0</tt:VideoOutputs>"
        "<tt:AudioSources>1</tt:AudioSources><tt:AudioOutputs>1</tt:AudioOutputs>"
        "<tt:RelayOutputs>1</tt:RelayOutputs></tt:DeviceIO></tt:Extension>"
        "</tds:Capabilities></tds:GetCapabilitiesResponse>"
    )


def _onvif_device_information(p: Profile) -> str:
    o = p.onvif or {}
    return ("<tds:GetDeviceInformationResponse>"
            f"<tds:Manufacturer>{_x(o['manufacturer'])}</tds:Manufacturer><tds:Model>{_x(o['model'])}</tds:Model>"
            f"<tds:FirmwareVersion>{_x(o['firmware'])}</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{_x(o['serial'])}</tds:SerialNumber>"
            f"<tds:HardwareId>{_x(o['hardware_id'])}</tds:HardwareId></tds:GetDeviceInformationResponse>")


def _range(name: str, lo: str, hi: str) -> str:
    return f"<tt:{name}><tt:Min>{lo}</tt:Min><tt:Max>{hi}</tt:Max></tt:{name}>"


def _space(element: str, uri: str, two_axes: bool, lo: str = "-1.000000", hi: str = "1.000000") -> str:
    y = _range("YRange", lo, hi) if two_axes else ""
    return f"<tt:{element}><tt:URI>{uri}</tt:URI>{_range('XRange', lo, hi)}{y}</tt:{element}>"


def _onvif_ptz_nodes(p: Profile) -> str:
    axes = (p.onvif or {}).get("ptz_axes", ["pan", "tilt", "zoom"])
    pt = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/"
    zm = "http://www.onvif.org/ver10/tptz/ZoomSpaces/"
    spaces = ""
    if "pan" in axes or "tilt" in axes:
        spaces += (_space("AbsolutePanTiltPositionSpace", pt + "PositionGenericSpace", True)
                   + _space("RelativePanTiltTranslationSpace", pt + "TranslationGenericSpace", True)
                   + _space("ContinuousPanTiltVelocitySpace", pt + "VelocityGenericSpace", True))
    if "zoom" in axes:
        spaces += (_space("AbsoluteZoomPositionSpace", zm + "PositionGenericSpace", False, "0.000000")
                   + _space("RelativeZoomTranslationSpace", zm + "TranslationGenericSpace", False)
                   + _space("ContinuousZoomVelocitySpace", zm + "VelocityGenericSpace", False))
    if "pan" in axes or "tilt" in axes:
        spaces += _space("PanTiltSpeedSpace", pt + "GenericSpeedSpace", False, "0.000000")
    if "zoom" in axes:
        spaces += _space("ZoomSpeedSpace", zm + "ZoomGenericSpeedSpace", False, "0.000000")
    presets = 300 if "pan" in axes else 0
    return ('<tptz:GetNodesResponse><tptz:PTZNode FixedHomePosition="false" GeoMove="false" '
            'token="PTZNODETOKEN"><tt:Name>PTZNODE</tt:Name>'
            f"<tt:SupportedPTZSpaces>{spaces}</tt:SupportedPTZSpaces>"
            f"<tt:MaximumNumberOfPresets>{presets}</tt:MaximumNumberOfPresets>"
            f"<tt:HomeSupported>{'true' if presets else 'false'}</tt:HomeSupported>"
            "</tptz:PTZNode></tptz:GetNodesResponse>")


def _onvif_ptz_configurations() -> str:
    return ('<tptz:GetConfigurationsResponse><tptz:PTZConfiguration token="PTZToken"><tt:Name>PTZ</tt:Name>'
            "<tt:UseCount>3</tt:UseCount><tt:NodeToken>PTZNODETOKEN</tt:NodeToken>"
            "<tt:DefaultPTZTimeout>PT300S</tt:DefaultPTZTimeout></tptz:PTZConfiguration>"
            "</tptz:GetConfigurationsResponse>")


def _onvif_video_sources(p: Profile) -> str:
    n = int((p.onvif or {}).get("video_sources", 1))
    items = "".join(f'<trt:VideoSources token="VideoSource_{i}"><tt:Framerate>25.000000</tt:Framerate>'
                    "<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>"
                    "</trt:VideoSources>" for i in range(1, n + 1))
    return f"<trt:GetVideoSourcesResponse>{items}</trt:GetVideoSourcesResponse>"


def _onvif(p: Profile, path: str, headers: Mapping[str, str], body: bytes, close: bool) -> bytes:
    server = _server(p)
    soap_type = "application/soap+xml; charset=utf-8"
    paths = _onvif_paths(p)
    service = next(name for name, value in paths.items() if value == path)
    if len(body) > MAX_REQUEST_BODY:
        return _http(400, _soap_fault("env:Sender", "ter:WellFormed", "Request too large"), soap_type, server,
                     close=close)
    try:
        envelope = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception:
        return _http(400, _soap_fault("env:Sender", "ter:WellFormed", "Not well-formed"), soap_type, server,
                     close=close)
    request = _child(envelope, "Body")
    action_el = next((c for c in request), None) if request is not None else None
    action = _local(action_el.tag) if action_el is not None else ""
    if service == "device" and action == "GetSystemDateAndTime":
        return _http(200, _soap(_onvif_datetime()), soap_type, server, close=close)
    if not _wsse_ok(p, envelope):
        return _http(400, _soap_fault("env:Sender", "ter:NotAuthorized", "Sender not Authorized"),
                     soap_type, server, close=close)
    handlers = {
        ("device", "GetDeviceInformation"): lambda: _onvif_device_information(p),
        ("device", "GetCapabilities"): lambda: _onvif_capabilities(p),
        ("device", "GetHostname"): lambda: (
            "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"<tt:Name>{_x((p.onvif or {}).get('hostname', ''))}</tt:Name></tds:HostnameInformation>"
            "</tds:GetHostnameResponse>"),
        ("media", "GetVideoSources"): lambda: _onvif_video_sources(p),
        ("ptz", "GetNodes"): lambda: _onvif_ptz_nodes(p),
        ("ptz", "GetConfigurations"): _onvif_ptz_configurations,
    }
    handler = handlers.get((service, action))
    if handler is None:
        return _http(500, _soap_fault("env:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"),
                     soap_type, server, close=close)
    return _http(200, _soap(handler()), soap_type, server, close=close)


def http_response(p: Profile, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> bytes:
    """The device's HTTP server: the whole response (status line, headers, body) to one request.

    Routes: `/` web UI page (Server header, <title>); the UPnP description at the SSDP
    LOCATION path; `/ISAPI/...` and `/cgi-bin/...` behind digest auth; ONVIF SOAP POSTs to the
    service paths its GetCapabilities names. Anything else is 404; methods other than GET and
    POST are 405, and POST is only for SOAP.
    """
    method = method.upper()
    close = _header(headers, "Connection").lower() == "close"
    server = _server(p)
    path, _, query = target.partition("?")
    if method not in ("GET", "POST"):
        return _http(405, b"", "text/plain", server, [("Allow", "GET, POST")], close)
    onvif_paths = {v for k, v in _onvif_paths(p).items() if k != "ptz" or (p.onvif or {}).get("ptz")}
    if method == "POST":
        if p.onvif is not None and path in onvif_paths:
            return _onvif(p, path, headers, body, close)
        return _http(405 if path == "/" or path.startswith(("/ISAPI/", "/cgi-bin/")) else 404,
                     b"", "text/plain", server, close=close)
    if p.ssdp is not None and path == upnp_description_path(p):
        return _http(200, upnp_description(p), 'text/xml; charset="utf-8"', server, close=close)
    if path == "/" and p.http is not None:
        return _web_page(p, close)
    realm = (p.http or {}).get("realm", "")
    protected = (p.http or {}).get("digest", True)
    if (path.startswith("/ISAPI/") and p.isapi is not None) or (path.startswith("/cgi-bin/") and p.cgi is not None):
        if protected and not _digest_ok(p, realm, method, target, _header(headers, "Authorization")):
            return _unauthorized(p, realm, close)
        if path.startswith("/ISAPI/"):
            return _isapi(p, path, target, close)
        return _cgi(p, path, query, close)
    return _http(404, b"", "text/plain", server, close=close)


# ------------------------------------------------------------------------------------------- RTSP


def rtsp_response(p: Profile, request: bytes) -> bytes:
    """The device's RTSP server answer to one request: OPTIONS 200, DESCRIBE 401 unless digest-authorised."""
    r = p.rtsp
    if r is None:
        raise ValueError(f"{p.id}: no [rtsp] section")
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    parts = head[0].split(" ") if head else []
    headers: dict[str, str] = {}
    for line in head[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip()] = value.strip()
    cseq = _header(headers, "CSeq")
    cseq = cseq if cseq.isdigit() else "0"

    def answer(status: int, reason: str, extra: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
        lines = [f"RTSP/1.0 {status} {reason}", f"CSeq: {cseq}"]
        if r.get("server"):
            lines.append(f"Server: {r['server']}")
        lines.append(f"Date: {HTTP_DATE}")
        lines += [f"{k}: {v}" for k, v in extra or []]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    if len(parts) != 3 or not parts[2].startswith("RTSP/1."):
        return answer(400, "Bad Request")
    method, url = parts[0].upper(), parts[1]
    if method == "OPTIONS":
        return answer(200, "OK", [("Public", "OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, "
                                             "GET_PARAMETER")])
    if method in ("DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"):
        if not _digest_ok(p, r["realm"], method, url, _header(headers, "Authorization")):
            return answer(401, "Unauthorized", [("WWW-Authenticate", _challenge(p, r["realm"]))])
        if method != "DESCRIBE":
            return answer(455, "Method Not Valid in This State")
        sdp = (f"v=0\r\no=- 1740823200 1 IN IP4 {p.ip}\r\ns=Media Presentation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
               "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n").encode()
        return answer(200, "OK", [("Content-Base", url), ("Content-Type", "application/sdp")], sdp)
    return answer(405, "Method Not Allowed")
