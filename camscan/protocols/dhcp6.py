"""DHCPv6 (RFC 8415, UDP 546 client, 547 server): read what a device says about itself when it
asks for IPv6 configuration — its MAC (the frame's, else the link-layer address in its DUID),
its name (client FQDN, option 39) and its vendor class (option 16) — into Evidence.

Only the client's own messages are read (SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE,
DECLINE, INFORMATION-REQUEST); a server's answers and relayed messages give []. The address it
sent from is added by the collector (Evidence.ipv6). Pure: bytes in, Evidence out, passive only
(camscan never sends DHCPv6). It must not decide the maker: the vendor class goes to
banners["dhcp_vendor_class"], as DHCPv4's option 60 does.

Hostile input: options are walked with their lengths checked against the packet, at most
MAX_OPTIONS of them; names and texts are capped.
"""

from __future__ import annotations

from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

CLIENT_PORT = 546
SERVER_PORT = 547
PORTS = (CLIENT_PORT, SERVER_PORT)
MAX_PAYLOAD = 65_535
MAX_OPTIONS = 64

MESSAGE_TYPES = {1: "SOLICIT", 3: "REQUEST", 4: "CONFIRM", 5: "RENEW", 6: "REBIND", 8: "RELEASE",
                 9: "DECLINE", 11: "INFORMATION-REQUEST"}  # the client's own messages
OPT_CLIENT_ID, OPT_ORO, OPT_VENDOR_CLASS, OPT_FQDN = 1, 6, 16, 39
_DUID_LLT, _DUID_LL, _HW_ETHERNET = 1, 3, 1
_MAX_TEXT = 255


def _options(data: bytes) -> dict[int, bytes]:
    """Option code → value (first of each code kept)."""
    out: dict[int, bytes] = {}
    pos = 0
    for _ in range(MAX_OPTIONS):
        if pos >= len(data):
            break
        if pos + 4 > len(data):
            raise Malformed("DHCPv6: option header cut short")
        code, length = (data[pos] << 8) | data[pos + 1], (data[pos + 2] << 8) | data[pos + 3]
        if pos + 4 + length > len(data):
            raise Malformed(f"DHCPv6: option {code} runs past the end of the packet")
        out.setdefault(code, data[pos + 4:pos + 4 + length])
        pos += 4 + length
    return out


def _text(raw: bytes) -> str:
    value = raw.decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:_MAX_TEXT]


def _duid_mac(duid: bytes) -> str:
    """The Ethernet address inside a DUID-LLT or DUID-LL, else ""."""
    if len(duid) < 4 or (duid[2] << 8) | duid[3] != _HW_ETHERNET:
        return ""
    kind = (duid[0] << 8) | duid[1]
    start = 8 if kind == _DUID_LLT else 4 if kind == _DUID_LL else 0
    return normalise_mac(duid[start:start + 6]) if start and len(duid) >= start + 6 else ""


def _fqdn(raw: bytes) -> str:
    """Option 39's name: a flags byte, then the name in DNS wire format."""
    labels, pos, name = [], 0, raw[1:]
    while pos < len(name) and name[pos] and len(labels) < 64:
        length = name[pos]
        if length > 63 or pos + 1 + length > len(name):
            return ""
        labels.append(_text(name[pos + 1:pos + 1 + length]))
        pos += 1 + length
    return ".".join(labels)[:_MAX_TEXT]


def _vendor_class(raw: bytes) -> str:
    """Option 16: an enterprise number, then length-prefixed strings; the strings joined."""
    parts, pos = [], 4
    while pos + 2 <= len(raw) and len(parts) < 16:
        length = (raw[pos] << 8) | raw[pos + 1]
        parts.append(_text(raw[pos + 2:pos + 2 + length]))
        pos += 2 + length
    return " ".join(p for p in parts if p)[:_MAX_TEXT]


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A DHCPv6 message → [Evidence] about the client that sent it; [] for server and relay
    messages and for a client with no usable MAC. Malformed when cut short or oversized."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"DHCPv6: payload of {len(data)} bytes is too large")
    if len(data) < 4:
        raise Malformed(f"DHCPv6: truncated header ({len(data)} bytes)")
    kind = MESSAGE_TYPES.get(data[0])
    if kind is None:
        return []
    options = _options(data[4:])
    mac = normalise_mac(src.mac) or _duid_mac(options.get(OPT_CLIENT_ID, b""))
    if not mac:
        return []
    banners = {"dhcp_message": f"DHCPv6 {kind}"}
    fqdn = _fqdn(options.get(OPT_FQDN, b""))
    if fqdn:
        banners["dhcp_fqdn"] = fqdn
    vendor_class = _vendor_class(options.get(OPT_VENDOR_CLASS, b""))
    if vendor_class:
        banners["dhcp_vendor_class"] = vendor_class
    oro = options.get(OPT_ORO, b"")
    if oro:
        banners["dhcp_prl"] = ",".join(str((oro[i] << 8) | oro[i + 1]) for i in range(0, len(oro) - 1, 2))
    return [Evidence(source="dhcp", mac=mac, name=fqdn.split(".", 1)[0], banners=banners,
                     note=f"DHCPv6 {kind}")]
