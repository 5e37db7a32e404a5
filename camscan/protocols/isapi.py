"""Hikvision ISAPI: the read-only paths camscan asks for, and parsers for what they return.

ISAPI is Hikvision's HTTP API (digest auth). Hikvision firmware and the firmware of its brands
and OEMs (HiLook, HiWatch, LTS, Annke...) answer it, so an ISAPI answer is Hikvision platform
evidence whatever badge the device wears. Documents come in the
`http://www.hikvision.com/ver20/XMLSchema` namespace, the newer `http://www.isapi.org/ver20/XMLSchema`
one, or an OEM's (`http://www.std-cgi.com/ver20/XMLSchema`); lookups ignore namespaces.

What it must not do: camscan only ever sends GETs to the paths below. Nothing here builds a
request that changes a device (no PUT/POST/DELETE, no `/SDK/webLanguage`, no PTZ moves).
Parsers never raise anything but Malformed, and return [] for a document that is not theirs.
Channel lists carry camera user names; they are never copied into Evidence.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from camscan.firmware import normalise_firmware
from camscan.identify import analytics
from camscan.identify.device_classes import classify
from camscan.model import Endpoint, Evidence
from camscan.protocols.addresses import ipv4
from camscan.safexml import find_all, local, parse_xml
from camscan.values import normalise_mac

DEVICE_INFO = "/ISAPI/System/deviceInfo"
INPUT_PROXY_CHANNELS = "/ISAPI/ContentMgmt/InputProxy/channels"
PTZ_CHANNELS = "/ISAPI/PTZCtrl/channels"
# what the device can analyse (SmartCap, EventCap, VideoCap... isSupport* elements)
CAPABILITIES = "/ISAPI/System/capabilities"
# a DVR's analogue inputs (a camera lists its own sensor here, without a signal description)
VIDEO_INPUTS = "/ISAPI/System/Video/inputs/channels"
# smart-event configurations of channel 1: their <enabled> says an analytic is switched on
SMART_CONFIGS = ("/ISAPI/Smart/FaceDetect/1", "/ISAPI/Smart/LineDetection/1", "/ISAPI/Smart/FieldDetection/1")
# The only ISAPI paths camscan requests; camscan/scan/enrich.py refuses any other.
READ_ONLY_PATHS = (DEVICE_INFO, INPUT_PROXY_CHANNELS, PTZ_CHANNELS, CAPABILITIES, VIDEO_INPUTS, *SMART_CONFIGS)


def valid_ipv4(raw: str) -> str:
    """The dotted quad if `raw` is one, else "" (kept as a name other modules import)."""
    return ipv4(raw)


def _child_text(el: Element, name: str) -> str:
    """Stripped text of the first direct child named `name` (namespace-agnostic)."""
    for child in el:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _child(el: Element, name: str) -> Element | None:
    for child in el:
        if local(child.tag) == name:
            return child
    return None


def parse_device_info(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/System/deviceInfo` → one Evidence (platform Hikvision). It is marked
    authenticated here; http.parse_exchange clears that unless the exchange carried
    credentials the device accepted (http.credentials_accepted), as any host can send this body."""
    root = parse_xml(body, "ISAPI deviceInfo")
    if local(root.tag) != "DeviceInfo":
        return []
    raw_type = _child_text(root, "deviceType")
    # what the deviceType word means is data: signatures/device_classes.toml [[isapi]]
    device_type, form = classify("isapi", raw_type)
    notes = []
    if raw_type and not device_type:
        notes.append(f"deviceType={raw_type[:40]} (not a known ISAPI type)")
    for extra in ("firmwareVersionInfo", "OEMCode", "platformName"):
        value = _child_text(root, extra)
        if value:
            notes.append(f"{extra}={value[:40]}")
    return [Evidence(
        source="isapi",
        ip=server.ip,
        mac=normalise_mac(server.mac) or normalise_mac(_child_text(root, "macAddress")),
        vendor=_child_text(root, "manufacturer"),
        platform="Hikvision",
        model=_child_text(root, "model"),
        firmware=normalise_firmware(_child_text(root, "firmwareVersion"), _child_text(root, "firmwareReleasedDate")),
        serial=_child_text(root, "serialNumber"),
        name=_child_text(root, "deviceName"),
        device_type=device_type,
        form=form,
        authenticated=True,
        note="; ".join(notes),
    )]


def parse_input_proxy_channels(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/ContentMgmt/InputProxy/channels` on a recorder → one Evidence per IP channel.

    The recorder reports each camera's address as it knows it: cameras on the recorder's own
    PoE ports sit on a private subnet behind it, so the address is kept as reported even if it
    is not reachable. Placeholder models (`IPC`) are kept; nothing is guessed. The platform is
    only said when the channel speaks Hikvision's own protocol (proxyProtocol HIKVISION); an
    ONVIF channel could be any maker's camera. The badge (vendor) is never guessed from it.
    """
    root = parse_xml(body, "ISAPI InputProxy channels")
    if local(root.tag) == "InputProxyChannel":
        channels = [root]
    elif local(root.tag) == "InputProxyChannelList":
        channels = [c for c in root if local(c.tag) == "InputProxyChannel"]
    else:
        return []
    # the recorder's own word that its channel list was read (an empty list: no IP cameras)
    out = [Evidence(source="isapi", ip=server.ip, mac=normalise_mac(server.mac), platform="Hikvision",
                    authenticated=True, channels_listed=True)]
    for ch in channels:
        raw_id = _child_text(ch, "id")
        channel = int(raw_id) if raw_id.isdigit() and len(raw_id) < 6 else None
        desc = _child(ch, "sourceInputPortDescriptor")
        desc = desc if desc is not None else ch
        protocol = _child_text(desc, "proxyProtocol")
        hikvision = protocol.upper() == "HIKVISION"
        ip = valid_ipv4(_child_text(desc, "ipAddress"))
        notes = [f"proxyProtocol={protocol[:20]}"] if protocol else []
        host = _child_text(desc, "hostName") or _child_text(desc, "domainName")
        if host and not ip:
            notes.append(f"host={host[:60]}")
        ev = Evidence(
            source="nvr",
            ip=ip,
            mac=normalise_mac(_child_text(desc, "macAddress")),
            # the proxy protocol names the platform the camera speaks, not the badge it wears
            # (an LTS camera on a Hikvision NVR speaks HIKVISION too)
            platform="Hikvision" if hikvision else "",
            model=_child_text(desc, "model"),
            firmware=normalise_firmware(_child_text(desc, "firmwareVersion")),
            serial=_child_text(desc, "serialNumber"),
            name=_child_text(ch, "name"),
            device_type="camera",
            via=server.ip,
            channel=channel,
            authenticated=True,
            note="; ".join(notes),
        )
        if channel is None and not (ev.ip or ev.model or ev.serial):
            continue
        out.append(ev)
    return out


def parse_ptz_channels(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/PTZCtrl/channels` → PTZ evidence.

    A camera lists its own PTZ channel (id 1): that makes the device PTZ. A recorder lists the
    PTZ-capable cameras on its channels; when the list names any channel other than 1 (by id
    or videoInputID) it is read as a recorder's list, one Evidence per channel, so the
    recorder itself is never called PTZ. Disabled channels are skipped; an empty list says nothing.
    """
    root = parse_xml(body, "ISAPI PTZ channels")
    if local(root.tag) not in ("PTZChannelList", "PTZChannel"):
        return []
    channels = [root] if local(root.tag) == "PTZChannel" else find_all(root, "PTZChannel")
    live = []
    for ch in channels:
        if _child_text(ch, "enabled").lower() == "false":
            continue
        raw = _child_text(ch, "videoInputID") or _child_text(ch, "id")
        live.append(int(raw) if raw.isdigit() and len(raw) < 6 else None)
    if not live:
        return []
    if all(n in (1, None) for n in live) and len(live) == 1:
        return [Evidence(source="isapi", ip=server.ip, mac=normalise_mac(server.mac), platform="Hikvision",
                         device_type="camera", form="ptz", authenticated=True)]
    return [Evidence(source="nvr", via=server.ip, channel=n, device_type="camera", form="ptz",
                     authenticated=True, note="listed by the recorder's PTZCtrl/channels")
            for n in live if n is not None]



def _is_true(el: Element) -> bool:
    return (el.text or "").strip().lower() == "true"


def parse_capabilities(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/System/capabilities` → one Evidence whose `analytics` holds every capability
    the document says true (the element names are in signatures/analytics.toml [isapi]); an
    empty mapping when it lists none (a standard camera). What it can do, never what is on."""
    root = parse_xml(body, "ISAPI capabilities")
    if local(root.tag) != "DeviceCap":
        return []
    vocab = analytics.load()
    found: dict[str, str] = {}
    said: list[str] = []
    for el in root.iter():
        cap = vocab.word("isapi", local(el.tag))
        if cap and _is_true(el):
            found[cap] = analytics.CAPABLE
            said.append(local(el.tag))
    names = sorted(set(said))
    note = f"analytics capabilities: {', '.join(names[:6])}" + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    note = note if said else ""
    return [Evidence(source="isapi", ip=server.ip, mac=normalise_mac(server.mac), platform="Hikvision",
                     authenticated=True, analytics=found, note=note)]


def parse_smart_config(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/Smart/<Event>/1` (FaceDetect, LineDetection, FieldDetection...) → the
    capability with "enabled" when the event's <enabled> is true, "capable" when it is false
    (the device has it, switched off). A document analytics.toml does not name says nothing."""
    root = parse_xml(body, "ISAPI smart event")
    cap = analytics.load().word("isapi_config", local(root.tag))
    if not cap:
        return []
    state = analytics.ENABLED if _child_text(root, "enabled").lower() == "true" else analytics.CAPABLE
    return [Evidence(source="isapi", ip=server.ip, mac=normalise_mac(server.mac), platform="Hikvision",
                     authenticated=True, analytics={cap: state})]


NO_VIDEO = "NO VIDEO"


def parse_video_inputs(body: bytes, server: Endpoint) -> list[Evidence]:
    """`GET /ISAPI/System/Video/inputs/channels` on a DVR → one Evidence per analogue input with
    a video signal (a camera connected), as a camera behind the recorder (`via`/`channel`).

    A DVR describes each input's signal (`resDesc`, "NO VIDEO" when nothing is connected); an IP
    camera lists its own sensor here without one, so a list without any `resDesc` is not a
    recorder's and gives nothing. An analogue camera has no analytics of its own (it sends a
    picture; any analysis is the recorder's, on the recorder's row), so it is `standard`.
    Disabled inputs are skipped. The recorder itself gets `channels_listed`.
    """
    root = parse_xml(body, "ISAPI video inputs")
    if local(root.tag) not in ("VideoInputChannelList", "VideoInputChannel"):
        return []
    channels = [root] if local(root.tag) == "VideoInputChannel" else find_all(root, "VideoInputChannel")
    described = [ch for ch in channels if _child(ch, "resDesc") is not None]
    if not described:
        return []
    live = [ch for ch in described if _child_text(ch, "resDesc").upper() != NO_VIDEO
            and _child_text(ch, "videoInputEnabled").lower() != "false"]
    note = f"analogue inputs: {len(described)}, {len(live)} with a video signal"
    out = [Evidence(source="isapi", ip=server.ip, mac=normalise_mac(server.mac), platform="Hikvision",
                    authenticated=True, channels_listed=True, note=note)]
    for ch in live:
        raw_id = _child_text(ch, "id")
        if not (raw_id.isdigit() and len(raw_id) < 6):
            continue
        out.append(Evidence(source="nvr", via=server.ip, channel=int(raw_id), device_type="camera",
                            name=_child_text(ch, "name"), authenticated=True, analytics={},
                            note=f"analogue camera on input {raw_id}: signal {_child_text(ch, 'resDesc')[:40]}"))
    return out
