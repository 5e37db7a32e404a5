"""ONVIF SOAP: the device, media and PTZ services' answers, behind WS-Security UsernameToken
PasswordDigest except for GetSystemDateAndTime, with the Faults real devices send. Requests are
parsed with defusedxml only: the lab must not trust its input.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET

from camscan.lab.answers.common import LAB_TIME, esc, http_message, server_header
from camscan.lab.profile import Profile

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

MAX_REQUEST_BODY = 256 * 1024


def _soap(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {_SOAP_NS}><env:Header/>'
            f"<env:Body>{body}</env:Body></env:Envelope>\n").encode()


def _soap_fault(code: str, subcode: str, reason: str) -> bytes:
    return _soap(f"<env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode><env:Value>{subcode}"
                 f"</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">{esc(reason)}"
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


def onvif_paths(p: Profile) -> dict[str, str]:
    return _ONVIF_PATHS.get((p.onvif or {}).get("paths", "hikvision"), _ONVIF_PATHS["hikvision"])


def _onvif_capabilities(p: Profile) -> str:
    o = p.onvif or {}
    base = f"http://{p.ip}"
    paths = onvif_paths(p)
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
            f"<tds:Manufacturer>{esc(o['manufacturer'])}</tds:Manufacturer><tds:Model>{esc(o['model'])}</tds:Model>"
            f"<tds:FirmwareVersion>{esc(o['firmware'])}</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{esc(o['serial'])}</tds:SerialNumber>"
            f"<tds:HardwareId>{esc(o['hardware_id'])}</tds:HardwareId></tds:GetDeviceInformationResponse>")


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


def onvif_route(p: Profile, path: str, headers: Mapping[str, str], body: bytes, close: bool) -> bytes:
    server = server_header(p)
    soap_type = "application/soap+xml; charset=utf-8"
    paths = onvif_paths(p)
    service = next(name for name, value in paths.items() if value == path)
    if len(body) > MAX_REQUEST_BODY:
        return http_message(400, _soap_fault("env:Sender", "ter:WellFormed", "Request too large"), soap_type, server,
                            close=close)
    try:
        envelope = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception:
        return http_message(400, _soap_fault("env:Sender", "ter:WellFormed", "Not well-formed"), soap_type, server,
                            close=close)
    request = _child(envelope, "Body")
    action_el = next((c for c in request), None) if request is not None else None
    action = _local(action_el.tag) if action_el is not None else ""
    if service == "device" and action == "GetSystemDateAndTime":
        return http_message(200, _soap(_onvif_datetime()), soap_type, server, close=close)
    if not _wsse_ok(p, envelope):
        return http_message(400, _soap_fault("env:Sender", "ter:NotAuthorized", "Sender not Authorized"),
                            soap_type, server, close=close)
    handlers = {
        ("device", "GetDeviceInformation"): lambda: _onvif_device_information(p),
        ("device", "GetCapabilities"): lambda: _onvif_capabilities(p),
        ("device", "GetHostname"): lambda: (
            "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"<tt:Name>{esc((p.onvif or {}).get('hostname', ''))}</tt:Name></tds:HostnameInformation>"
            "</tds:GetHostnameResponse>"),
        ("media", "GetVideoSources"): lambda: _onvif_video_sources(p),
        ("ptz", "GetNodes"): lambda: _onvif_ptz_nodes(p),
        ("ptz", "GetConfigurations"): _onvif_ptz_configurations,
    }
    handler = handlers.get((service, action))
    if handler is None:
        fault = _soap_fault("env:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented")
        return http_message(500, fault, soap_type, server, close=close)
    return http_message(200, _soap(handler()), soap_type, server, close=close)
