"""JVC (JVC KENWOOD) network cameras' JSON CGI: `/cgi-bin/hello.cgi` answers
`{"Requested": "GetCamFeature", "Result": "Success", "Data": {...}}` with the firmware
(`FirmwareVer`) and the mechanics (`HasMechaPanTilt`, pan/tilt ranges, zoom).

Only JVC's camera firmware (the "Live Streaming Camera" / Everio line, web server `Undefined`,
cookie `EverioServer`) speaks this protocol, so answers carry platform="JVC". A camera with
mechanical pan/tilt is PTZ; one with only digital pan/tilt is not. Read from the answer's
shape (the request path may be absent from a capture). Pure: bytes in, Evidence out; raises
only Malformed.
"""

from __future__ import annotations

import json
import re

from camscan.firmware import normalise_firmware
from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

PATH = "/cgi-bin/hello.cgi"
MAX_BODY = 65_536
_SHAPE = re.compile(rb'"Requested"\s*:\s*"GetCamFeature"')


def is_feature_answer(body: bytes) -> bool:
    """Whether a body is a GetCamFeature answer (so it goes here)."""
    return _SHAPE.search(bytes(body[:512])) is not None


def parse(body: bytes, server: Endpoint) -> list[Evidence]:
    """A GetCamFeature answer → [Evidence(camera, firmware, form)]; [] for a failed request."""
    if len(body) > MAX_BODY:
        raise Malformed(f"JVC: body of {len(body)} bytes is too large")
    try:
        doc = json.loads(bytes(body).decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        raise Malformed("JVC: GetCamFeature answer is not JSON") from None
    data = doc.get("Data") if isinstance(doc, dict) else None
    if not isinstance(data, dict) or doc.get("Result") != "Success":
        return []
    firmware = data.get("FirmwareVer")
    mecha = data.get("HasMechaPanTilt")
    return [Evidence(
        source="cgi",
        platform="JVC",
        ip=server.ip,
        mac=normalise_mac(server.mac),
        firmware=normalise_firmware(firmware) if isinstance(firmware, str) else "",
        device_type="camera",
        form="ptz" if mecha is True else ("static" if mecha is False else ""),
        authenticated=bool(data.get("IsAdmin")),
    )]
