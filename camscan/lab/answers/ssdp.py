"""SSDP / UPnP: the answer to an M-SEARCH, the NOTIFY a device sends on start, and the UPnP device
description its web server serves at the LOCATION both name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from camscan.lab.answers.common import HTTP_DATE, esc
from camscan.lab.profile import Profile
from camscan.protocols.ssdp import GROUP, PORT


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
        f"NOTIFY * HTTP/1.1\r\nHOST: {GROUP}:{PORT}\r\nCACHE-CONTROL: max-age=1800\r\n"
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
    device = "\n".join(f"<{k}>{esc(v)}</{k}>" for k, v in fields if v)
    return (
        '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">\n'
        "<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n"
        f"<URLBase>{esc(f'{loc.scheme}://{loc.netloc}')}</URLBase>\n<device>\n{device}\n</device>\n</root>\n"
    ).encode()


def answer_probe(p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """(response, "sender") for an M-SEARCH, for the search target it asked; None for anything else."""
    text = probe.decode("utf-8", "replace")
    if not text.upper().startswith("M-SEARCH"):
        return None
    m = re.search(r"(?im)^ST:\s*(\S+)", text)
    return ssdp_response(p, m.group(1) if m else "upnp:rootdevice"), "sender"
