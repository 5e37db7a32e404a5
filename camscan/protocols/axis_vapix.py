"""Axis VAPIX parameters (`/axis-cgi/param.cgi?action=list&group=Brand` and `...=Properties`):
`root.Brand.ProdNbr=M1065-LW`, `root.Brand.ProdType=Network Camera`,
`root.Properties.Firmware.Version=9.10.1` — key=value lines, read from a capture or a live
answer.

Only Axis firmware (and its OEM builds) serves these groups, so answers carry platform="Axis";
`root.Brand.Brand` is the badge. ProdType names the kind ("Network Camera", "PTZ Dome Network
Camera", "Network Video Encoder"); the PTZ group is not read for the form: fixed Axis cameras
report digital PTZ and PTZEnabled=true too (real M1065-LW, Q1798 samples), so the form comes
from the model numbering. Pure: bytes in, Evidence out; raises only Malformed.
"""

from __future__ import annotations

import re

from camscan.firmware import normalise_firmware
from camscan.model import Endpoint, Evidence, Malformed
from camscan.values import normalise_mac

PATH = "/axis-cgi/param.cgi"
MAX_BODY = 1_000_000
MAX_LINES = 5000
_SHAPE = re.compile(rb"^\s*root\.(Brand|Properties)\.", re.M)
_ENCODER = re.compile(r"\b(Video Encoder|Video Server)\b", re.I)
_CAMERA = re.compile(r"\bCamera\b", re.I)


def is_param_list(body: bytes) -> bool:
    """Whether a body is a VAPIX parameter list of the Brand or Properties group."""
    return _SHAPE.search(bytes(body[:4096])) is not None


def _values(body: bytes) -> dict[str, str]:
    if len(body) > MAX_BODY:
        raise Malformed(f"Axis VAPIX: body of {len(body)} bytes is too large")
    out: dict[str, str] = {}
    for line in bytes(body).decode("utf-8", "replace").splitlines()[:MAX_LINES]:
        key, sep, value = line.strip().partition("=")
        if sep and key.startswith("root.") and key not in out:
            out[key] = " ".join("".join(c if c.isprintable() else " " for c in value).split())[:200]
    return out


def parse(body: bytes, server: Endpoint) -> list[Evidence]:
    """A param.cgi list answer → [Evidence] with brand, model, kind and firmware; [] when it
    holds none of them."""
    values = _values(body)
    product_type = values.get("root.Brand.ProdType", "")
    model = values.get("root.Brand.ProdNbr", "")
    firmware = values.get("root.Properties.Firmware.Version", "")
    if not (model or firmware or product_type):
        return []
    device_type = "encoder" if _ENCODER.search(product_type) else ("camera" if _CAMERA.search(product_type) else "")
    return [Evidence(
        source="cgi",
        platform="Axis",
        ip=server.ip,
        mac=normalise_mac(server.mac),
        vendor=values.get("root.Brand.Brand", ""),
        model=model[:100],
        firmware=normalise_firmware(firmware),
        name=values.get("root.Brand.ProdFullName", ""),
        device_type=device_type,
        form="ptz" if device_type == "camera" and re.search(r"\bPTZ\b", product_type) else "",
    )]
