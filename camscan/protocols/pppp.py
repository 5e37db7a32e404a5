"""CS2 Network "PPPP" peer-to-peer (UDP 32100 to the P2P servers, 32108 on the LAN): the
device ID (DID) a camera announces when it logs in to its P2P servers or tells the LAN it is
there.

What it is for: cheap Wi-Fi cameras (Yi, many white-label brands) serve nothing on the LAN and
carry a Wi-Fi module maker's OUI; what names them is the DID they send in clear, e.g.
`TNPUSAF-430014-KGTGK`: a prefix that belongs to the vendor's P2P account, a number and a
check code. Only the device side of the protocol sends the login (MSG_DEV_LGN*, 0x10-0x16)
and the LAN notification (MSG_LAN_NOTIFY, 0x31); the app sends searches, P2P requests and
punches (which carry the DID too, but name the *peer*), so only those device messages are read.

Every PPPP message starts 0xF1, a type byte and a 16-bit length; a DID is an 8-byte prefix
(NUL-padded letters), a 32-bit number and an 8-byte check code. Format from the public PPPP
write-ups (palant.info's "PPPP" series, pppp-dissector) and two real captures. The banner
`p2p_did` goes to the signatures (banners/p2p.toml), which say which prefixes name whom.
Pure: bytes in, Evidence out, no sockets.
"""

from __future__ import annotations

import re
import struct

from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

SERVER_PORT = 32100
LAN_PORT = 32108
PORTS = (SERVER_PORT, LAN_PORT)
MAX_PAYLOAD = 2048
MAGIC = 0xF1
# messages only the device sends: logins to the P2P server and the LAN notification
DEVICE_MESSAGES = frozenset({0x10, 0x12, 0x14, 0x16, 0x31})
_DID = struct.Struct("!8sI8s")
_PREFIX = re.compile(r"^[A-Z]{2,7}$")
_CHECK = re.compile(r"^[A-Z]{4,8}$")


def read_did(body: bytes) -> str:
    """`PREFIX-NNNNNN-CHECK` from the start of a message body, or "" when it does not hold one."""
    if len(body) < _DID.size:
        return ""
    raw_prefix, number, raw_check = _DID.unpack_from(body)
    prefix = raw_prefix.rstrip(b"\0").decode("ascii", "replace")
    check = raw_check.rstrip(b"\0").decode("ascii", "replace")
    if not (_PREFIX.match(prefix) and _CHECK.match(check)) or number > 99_999_999:
        return ""
    return f"{prefix}-{number:06d}-{check}"


def parse(payload: bytes, src: Endpoint) -> list[Evidence]:
    """A PPPP datagram → [Evidence] with the DID for a device login or LAN notification;
    [] for every other message and for datagrams that are not PPPP. Malformed for a message
    whose length runs past the datagram."""
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise Malformed(f"PPPP: payload of {len(data)} bytes is too large")
    if len(data) < 4 or data[0] != MAGIC:
        return []
    mtype, length = data[1], struct.unpack_from("!H", data, 2)[0]
    if mtype not in DEVICE_MESSAGES:
        return []
    if 4 + length > len(data):
        raise Malformed("PPPP: message longer than its datagram")
    did = read_did(data[4:4 + length])
    if not did:
        return []
    return [Evidence(
        source="pppp",
        ip=src.ip,
        mac=normalise_mac(src.mac),
        banners={"p2p_did": did},
        note=f"P2P device ID {did}",
    )]
