"""Hikvision's unauthenticated web pages: what a Hikvision device says over HTTP without a login.

Hikvision firmware (and its brands' and OEMs': HiLook, HiWatch, LTS, Annke...) answers a few
pages to anyone, before and after activation, because its web UI and SADP tools need them
before anyone has logged in:

- `GET /SDK/activateStatus` → `<ActivateStatus>` in an ISAPI namespace with one
  `<Activated>true|false</Activated>` (newer firmware adds `<supportVersion>`, the activation
  protocol version). Public clients read it without credentials: an activation tool reads
  `activated`/`supportVersion` from it ("answers without a password, before and after
  activation"), a camera discovery script checks the root `ActivateStatus` and its `Activated`
  child on ports 80/8000, and an ISAPI client binds `ActivateStatus`/`Activated` (code search,
  2026). An un-activated device has no administrator password yet: whoever reaches it first
  sets one, which an auditor wants to know.
- `GET /ISAPI/Security/extern/capabilities` → the device's extra security capabilities
  (`XML_externSecurityCap` in Hikvision's ISAPI developer guide, which has clients read it to
  choose a password-reset method). Public scanners fetch it without credentials and look for
  "Hikvision" in it (the namespace); one published test saw a device refuse it (403) to
  everyone. Its element names are not established, so only its ISAPI namespace is read: the
  answer is Hikvision firmware's. camscan does not ask it (one request per port is enough);
  a capture holding it is read.

Both are the firmware's own protocol, so an answer is Hikvision *platform* evidence (the badge
on the box may say otherwise), as SADP and ISAPI are; neither carries a model or firmware.
Scanners also tell Hikvision by its index page's redirect to `/doc/page/login.asp?_<time>`:
that is a banner (`http_redirect`, read by http.py and matched by signatures/), not this module.

What it must not do: parse anything but the documents above (an answer in another namespace or
with another root says nothing, []), raise anything but Malformed, or send a request.
camscan only ever GETs these paths, without credentials.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from camscan.model import Endpoint, Evidence
from camscan.safexml import local, parse_xml
from camscan.values import normalise_mac

ACTIVATE_STATUS = "/SDK/activateStatus"
EXTERN_CAPABILITIES = "/ISAPI/Security/extern/capabilities"
# What a scan asks every open HTTP port, after `/`: one request, no credentials.
PROBE_PATHS = (ACTIVATE_STATUS,)

SOURCE = "hikweb"
PLATFORM = "Hikvision"
NOT_ACTIVATED = "not activated (activateStatus: Activated=false)"

# the namespaces Hikvision firmware writes ISAPI documents in, any schema version
# (hikvision.com, isapi.org, and the OEM std-cgi.com; http.py routes on the same set)
_ISAPI_NS = re.compile(r"^\{https?://www\.(?:hikvision\.com|isapi\.org|std-cgi\.com)/ver\d+/XMLSchema/?\}")
_TRUE, _FALSE = "true", "false"


def _in_isapi_namespace(tag: str) -> bool:
    return bool(_ISAPI_NS.match(tag))


def _child_text(root: Element, name: str) -> str:
    for child in root:
        if local(child.tag) == name:
            return (child.text or "").strip()[:64]
    return ""


def parse_activate_status(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /SDK/activateStatus` → one Evidence (platform Hikvision), noting a device that is
    not activated; [] for a document that is not an ActivateStatus in an ISAPI namespace or
    whose Activated is neither true nor false."""
    root = parse_xml(body, "Hikvision activateStatus")
    if local(root.tag) != "ActivateStatus" or not _in_isapi_namespace(root.tag):
        return []
    activated = _child_text(root, "Activated").lower()
    if activated not in (_TRUE, _FALSE):
        return []
    return [Evidence(source=SOURCE, ip=server.ip, mac=normalise_mac(server.mac), platform=PLATFORM,
                     note=NOT_ACTIVATED if activated == _FALSE else "")]


def parse_extern_capabilities(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/Security/extern/capabilities` → one Evidence (platform Hikvision) when the
    document is in an ISAPI namespace; [] otherwise (a device that is not Hikvision answering
    the path with its own page)."""
    root = parse_xml(body, "Hikvision extern security capabilities")
    if not _in_isapi_namespace(root.tag):
        return []
    return [Evidence(source=SOURCE, ip=server.ip, mac=normalise_mac(server.mac), platform=PLATFORM)]

