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

One module per protocol, as camscan/protocols is split; this package only gathers them.
Used by tools/make_pcaps.py and by a live lab serving these bytes from network namespaces.
Nothing here opens a socket, reads a clock or draws a random number, and request bytes are
parsed with defusedxml only: the lab must stay deterministic and must not trust its input.
"""

from __future__ import annotations

from collections.abc import Callable

from camscan.lab.answers import bosch, dhip, hanwha, mdns, sadp, ssdp, wsd
from camscan.lab.answers.auth import digest_nonce
from camscan.lab.answers.bosch import bosch_reply
from camscan.lab.answers.common import HTTP_DATE, LAB_TIME
from camscan.lab.answers.dhcp import dhcp_frames, dhcp_message
from camscan.lab.answers.dhip import dhip_reply
from camscan.lab.answers.hanwha import hanwha_reply
from camscan.lab.answers.mdns import mdns_response
from camscan.lab.answers.ndp import ipv6_addresses, ndp_announcements
from camscan.lab.answers.rtsp import rtsp_response
from camscan.lab.answers.sadp import sadp_reply
from camscan.lab.answers.ssdp import ssdp_notify, ssdp_response, upnp_description
from camscan.lab.answers.tls import CLOSE_NOTIFY, certificate_der, client_hello, server_flight
from camscan.lab.answers.web import http_response
from camscan.lab.answers.wsd import wsd_hello, wsd_probe_match
from camscan.lab.profile import Profile

__all__ = [
    "CLOSE_NOTIFY",
    "HTTP_DATE",
    "LAB_TIME",
    "answer_probe",
    "bosch_reply",
    "certificate_der",
    "client_hello",
    "dhcp_frames",
    "dhcp_message",
    "dhip_reply",
    "digest_nonce",
    "hanwha_reply",
    "http_response",
    "ipv6_addresses",
    "mdns_response",
    "ndp_announcements",
    "rtsp_response",
    "sadp_reply",
    "server_flight",
    "ssdp_notify",
    "ssdp_response",
    "upnp_description",
    "wsd_hello",
    "wsd_probe_match",
]

# discovery protocol (its Evidence source, as protocols/registry.py names it) -> how a device
# answers one datagram of it: (bytes, "group" to multicast them | "sender" to unicast | "reply-port"
# to the sender's address on the protocol's fixed reply port), or None
_PROBE_ANSWERS: dict[str, Callable[[Profile, bytes], tuple[bytes, str] | None]] = {
    "sadp": sadp.answer_probe,
    "wsd": wsd.answer_probe,
    "ssdp": ssdp.answer_probe,
    "dhip": dhip.answer_probe,
    "mdns": mdns.answer_probe,
    "bosch": bosch.answer_probe,
    "hanwha": hanwha.answer_probe,
}


def answer_probe(source: str, p: Profile, probe: bytes) -> tuple[bytes, str] | None:
    """What device `p` sends back to one discovery datagram of protocol `source`, and whether to
    the group or to the sender; None when a real device would stay silent."""
    answer = _PROBE_ANSWERS.get(source)
    return answer(p, probe) if answer is not None else None
