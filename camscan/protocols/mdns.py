"""Multicast DNS / DNS-SD (UDP 5353, group 224.0.0.251): build PTR queries for camera-ish
service types and read responses into Evidence (service instance name, service type, TXT
model/MAC keys, A records).

The DNS reader is written here, in pure Python, because device responses are untrusted:
compression pointers may loop or point outside the packet, counts may promise more
records than the packet holds, and at most MAX_RECORDS records are read. zeroconf (a live
listener) is not used for parsing so that replays and tests go through exactly this code.

Pure: bytes in, Evidence out. It must not open sockets and must not decide the maker (an
instance name such as `AXIS M1065-LW - ACCC8E123456` is passed on for the signatures).
Names are kept as label tuples, never dotted strings, because instance labels may contain
dots (`AXIS M5014 - ACCC8E3C0419 H.264`).

Real-world quirks handled: goodbye records (TTL 0) still name the device; TXT records whose
owner is not the instance (the Axis sample owns them by `_tcp.local`) apply to the whole
packet; an instance label ending in a bracketed MAC (`Name [74:da:38:80:7a:08]`, Edimax);
D-Link's `mac=`/`model_number=` TXT keys; Edimax's bare TXT string `IC-3115W Network Camera`
(the device naming its model and kind); firmware keys (`firmware=`, `fw=`...) but not D-Link's
ambiguous `version=`; `_services._dns-sd._udp` and reverse-lookup PTRs, which name no device.
"""

from __future__ import annotations

import ipaddress
import re
import struct
from dataclasses import dataclass, field

from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

PORT = 5353
GROUP = "224.0.0.251"
MAX_PAYLOAD = 1_000_000
MAX_RECORDS = 100
DEFAULT_SERVICES = (
    "_axis-video._tcp.local",
    "_http._tcp.local",
    "_rtsp._tcp.local",
    "_onvif._tcp.local",
    "_hap._tcp.local",
)

T_A, T_PTR, T_TXT, T_AAAA, T_SRV = 1, 12, 16, 28, 33
_HEADER = struct.Struct("!HHHHHH")
_MAX_NAME = 255
_MAX_JUMPS = 64

_MAC_KEYS = ("macaddress", "mac", "hwaddr", "mac_address")
_AXIS_INSTANCE = re.compile(r"^AXIS\s+([A-Z0-9][\w-]{1,40})\s+-\s+[0-9A-Fa-f]{12}$")
_MODEL_KEYS = ("model", "md", "model_number", "modelnumber", "modelname", "model_name")
_BRACKET_MAC = re.compile(r"\s*\[([0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5})\]\s*$")
# firmware keys only: D-Link's `version=` is not one (a DCS-935L sends version=0106 with
# firmware 1.06, a DCH-G020 hub version=0124 with firmware 1.22 and HNAP version 0124)
_FIRMWARE_KEYS = ("firmware", "firmware_version", "fw", "fwver", "fw_ver", "fwversion", "sw_version", "swversion")
# a bare TXT string in which the device names itself, as Edimax's "IC-3115W Network Camera"
_SELF_DESCRIPTION = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{1,40})\s+(?:[A-Za-z]+\s+){0,2}Camera$")

Labels = tuple[str, ...]


def _encode_name(name: str) -> bytes:
    labels = name.strip().rstrip(".").split(".")
    if not labels or any(not label for label in labels):
        raise ValueError("empty DNS label")
    out = b""
    for label in labels:
        raw = label.encode("utf-8")
        if len(raw) > 63:
            raise ValueError("DNS label longer than 63 bytes")
        out += bytes([len(raw)]) + raw
    if len(out) + 1 > _MAX_NAME:
        raise ValueError("DNS name longer than 255 bytes")
    return out + b"\x00"


def build_query(services: list[str]) -> bytes:
    """One mDNS query message (id 0, standard query) with a PTR question per service type,
    e.g. `_axis-video._tcp.local`; `.local` is appended when missing."""
    if not services:
        raise ValueError("no service types to query")
    if len(services) > 50:
        raise ValueError("too many service types for one query")
    questions = b""
    for service in services:
        name = service.strip().rstrip(".")
        if not name.lower().endswith(".local"):
            name += ".local"
        questions += _encode_name(name) + struct.pack("!HH", T_PTR, 1)
    return _HEADER.pack(0, 0, len(services), 0, 0, 0) + questions


# ---- the DNS message reader ----

def read_name(data: bytes, offset: int) -> tuple[Labels, int]:
    """The labels of the DNS name at `offset` and the offset just past it; the bounded reader
    unicast DNS (dns.py) shares. Malformed as _read_name."""
    return _read_name(data, offset)


def _read_name(data: bytes, offset: int) -> tuple[Labels, int]:
    """Labels of the name at `offset` and the offset just past it (after the first pointer,
    if compressed). Raises Malformed on pointer loops (more than _MAX_JUMPS pointers),
    out-of-range pointers and names longer than 255 bytes."""
    labels: list[str] = []
    pos, end, jumps, total = offset, -1, 0, 0
    while True:
        if pos >= len(data):
            raise Malformed("mDNS: name runs past the end of the packet")
        length = data[pos]
        kind = length & 0xC0
        if kind == 0xC0:
            if pos + 1 >= len(data):
                raise Malformed("mDNS: truncated compression pointer")
            target = ((length & 0x3F) << 8) | data[pos + 1]
            if end < 0:
                end = pos + 2
            jumps += 1
            if target >= len(data) or jumps > _MAX_JUMPS:
                raise Malformed("mDNS: compression pointer out of range or looping")
            pos = target
            continue
        if kind:
            raise Malformed("mDNS: unsupported label type")
        if length == 0:
            return tuple(labels), (end if end >= 0 else pos + 1)
        if pos + 1 + length > len(data):
            raise Malformed("mDNS: label runs past the end of the packet")
        total += length + 1
        if total > _MAX_NAME:
            raise Malformed("mDNS: name longer than 255 bytes")
        labels.append(data[pos + 1:pos + 1 + length].decode("utf-8", "replace"))
        pos += 1 + length


@dataclass(slots=True)
class _Record:
    owner: Labels
    rtype: int
    ttl: int
    target: Labels = ()
    port: int = 0
    txt: list[bytes] = field(default_factory=list)
    address: str = ""


def _read_records(data: bytes) -> list[_Record] | None:
    """All resource records of a response (at most MAX_RECORDS), None for a query."""
    if len(data) < _HEADER.size:
        raise Malformed(f"mDNS: truncated header ({len(data)} bytes)")
    _id, flags, qd, an, ns, ar = _HEADER.unpack_from(data)
    if not flags & 0x8000 or (flags >> 11) & 0xF:
        return None  # a query (or not a standard query/response)
    if _HEADER.size + qd * 5 + (an + ns + ar) * 11 > len(data):
        raise Malformed("mDNS: record counts larger than the packet")
    pos = _HEADER.size
    for _ in range(qd):
        _labels, pos = _read_name(data, pos)
        pos += 4
        if pos > len(data):
            raise Malformed("mDNS: truncated question")
    records: list[_Record] = []
    for _ in range(min(an + ns + ar, MAX_RECORDS)):
        owner, pos = _read_name(data, pos)
        if pos + 10 > len(data):
            raise Malformed("mDNS: truncated record header")
        rtype, _rclass, ttl, rdlen = struct.unpack_from("!HHIH", data, pos)
        pos += 10
        if pos + rdlen > len(data):
            raise Malformed("mDNS: record data runs past the end of the packet")
        rdata, start = data[pos:pos + rdlen], pos
        pos += rdlen
        rec = _Record(owner=owner, rtype=rtype, ttl=ttl)
        if rtype == T_PTR:
            rec.target, _ = _read_name(data, start)
        elif rtype == T_SRV:
            if rdlen < 7:
                raise Malformed("mDNS: short SRV record")
            rec.port = struct.unpack_from("!H", rdata, 4)[0]
            rec.target, _ = _read_name(data, start + 6)
        elif rtype == T_TXT:
            i = 0
            while i < len(rdata) and len(rec.txt) < 128:
                n = rdata[i]
                rec.txt.append(rdata[i + 1:i + 1 + n])
                i += 1 + n
        elif rtype == T_A and rdlen == 4:
            rec.address = str(ipaddress.IPv4Address(rdata))
        elif rtype == T_AAAA and rdlen == 16:
            rec.address = str(ipaddress.IPv6Address(rdata))
        records.append(rec)
    return records


# ---- from records to Evidence ----

def _key(labels: Labels) -> Labels:
    return tuple(label.lower() for label in labels)


def _instance(labels: Labels) -> tuple[str, str] | None:
    """`<Instance>.<_service>.<_tcp|_udp>.<domain>` → (instance label, "_service._tcp")."""
    if (len(labels) >= 4 and labels[1].startswith("_") and labels[2].lower() in ("_tcp", "_udp")
            and not labels[0].startswith("_")):
        return labels[0], f"{labels[1]}.{labels[2]}".lower()
    return None


def _txt_dict(strings: list[bytes]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in strings:
        key, sep, value = raw.decode("utf-8", "replace").partition("=")
        key = key.strip().lower()
        if key and key not in out:
            out[key] = value.strip() if sep else ""
    return out


def _txt_mac(txt: dict[str, str]) -> str:
    return next((normalise_mac(txt[k]) for k in _MAC_KEYS if normalise_mac(txt.get(k, ""))), "")


def _self_described_model(strings: list[bytes]) -> str:
    """The model from a bare `<model> Network Camera` TXT string (the model has a digit)."""
    for raw in strings:
        m = _SELF_DESCRIPTION.match(raw.decode("utf-8", "replace").strip())
        if m and any(c.isdigit() for c in m.group(1)):
            return m.group(1)
    return ""


def _txt_banner(strings: list[bytes]) -> str:
    return " ".join(s.decode("utf-8", "replace") for s in strings if s)[:300]


def _instances(records: list[_Record]) -> dict[Labels, tuple[str, str]]:
    """Service instances named by PTR targets and by SRV/TXT owners, in packet order."""
    found: dict[Labels, tuple[str, str]] = {}
    for rec in records:
        names = [rec.target] if rec.rtype == T_PTR else []
        if rec.rtype in (T_SRV, T_TXT):
            names.append(rec.owner)
        for labels in names:
            inst = _instance(labels)
            if inst and _key(labels) not in found:
                found[_key(labels)] = inst
    return found


def _instance_evidence(label: str, service: str, strings: list[bytes], ip: str, mac: str) -> Evidence:
    """One service instance; `mac` is the sender's when known, else the packet's TXT MAC."""
    txt = _txt_dict(strings)
    name = label.strip()
    bracket = _BRACKET_MAC.search(name)
    label_mac = normalise_mac(bracket.group(1)) if bracket else ""
    if bracket:
        name = name[:bracket.start()].strip()
    model = next((txt[k] for k in _MODEL_KEYS if txt.get(k)), "")
    axis = _AXIS_INSTANCE.match(name)
    if axis and not model:
        model = axis.group(1)  # Axis names its instance "AXIS <model> - <serial = MAC>"
    described = _self_described_model(strings)
    banners = {"mdns_service": service}
    if name:
        banners["mdns_instance"] = name[:200]
    if strings:
        banners["mdns_txt"] = _txt_banner(strings)
    return Evidence(
        source="mdns",
        ip=ip,
        mac=mac or label_mac,
        name=name[:200],
        model=(model or described)[:100],
        firmware=next((txt[k] for k in _FIRMWARE_KEYS if txt.get(k)), "")[:60],
        device_type="camera" if described else "",
        banners=banners,
    )


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """An mDNS message → one Evidence per DNS-SD service instance it names (or, when it names
    none, one for the host its A records announce); [] for queries. Malformed for truncated,
    oversized or hostile packets (compression loops, out-of-range pointers, inflated counts)."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"mDNS: payload of {len(data)} bytes is too large")
    if not data:
        raise Malformed("mDNS: empty payload")
    records = _read_records(data)
    if records is None:
        return []

    addresses: dict[Labels, str] = {}
    for rec in records:
        if rec.rtype == T_A and rec.address:
            addresses.setdefault(_key(rec.owner), rec.address)
    first_a = next((r.address for r in records if r.rtype == T_A and r.address), "")
    found = _instances(records)
    txt_by_owner: dict[Labels, list[bytes]] = {}
    loose_txt: list[bytes] = []
    srv_host: dict[Labels, Labels] = {}
    for rec in records:
        if rec.rtype == T_TXT:
            if _key(rec.owner) in found:
                txt_by_owner.setdefault(_key(rec.owner), []).extend(rec.txt)
            else:
                loose_txt.extend(rec.txt)
        elif rec.rtype == T_SRV:
            srv_host.setdefault(_key(rec.owner), _key(rec.target))
    # a MAC in any TXT record is the sender's (all records of one message come from one host)
    packet_mac = _txt_mac(_txt_dict(loose_txt))
    for strings in txt_by_owner.values():
        packet_mac = packet_mac or _txt_mac(_txt_dict(strings))
    src_mac = normalise_mac(src.mac)

    evidence = []
    for key, (label, service) in found.items():
        strings = txt_by_owner.get(key) or loose_txt
        ip = src.ip or addresses.get(srv_host.get(key, ()), "") or first_a
        mac = src_mac or _txt_mac(_txt_dict(strings)) or packet_mac
        evidence.append(_instance_evidence(label, service, strings, ip, mac))
    if evidence:
        return evidence

    # no service instance: a host announcing its name and address
    host = next((r for r in records if r.rtype == T_A and r.address), None)
    if host is None:
        return []
    host_name = ".".join(label for label in host.owner if label.lower() != "local")
    if host_name.startswith("_"):
        host_name = ""
    return [Evidence(
        source="mdns",
        ip=src.ip or host.address,
        mac=src_mac or packet_mac,
        name=host_name[:200],
        banners={"mdns_host": host_name[:200]} if host_name else {},
    )]
