"""The device's HTTP server: routes one request to the web page, the UPnP description, ISAPI, CGI
or ONVIF, with digest authentication in front of the APIs.
"""

from __future__ import annotations

from collections.abc import Mapping

from camscan.lab.answers.auth import digest_challenge, digest_ok
from camscan.lab.answers.cgi import cgi_route
from camscan.lab.answers.common import esc, header_value, http_message, server_header
from camscan.lab.answers.isapi import activate_status, isapi_route
from camscan.lab.answers.onvif import onvif_paths, onvif_route
from camscan.lab.answers.ssdp import upnp_description, upnp_description_path
from camscan.lab.profile import Profile
from camscan.protocols import hikweb


def _web_page(p: Profile, close: bool) -> bytes:
    h = p.http or {}
    body = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{esc(h.get('title', ''))}</title>\n</head>\n<body>\n{h.get('page', '')}\n</body>\n</html>\n"
    ).encode()
    return http_message(200, body, "text/html", server_header(p), close=close)


def _unauthorized(p: Profile, realm: str, close: bool) -> bytes:
    body = (b"<!DOCTYPE html>\n<html><head><title>Document Error: Unauthorized</title></head>\n"
            b"<body><h2>Access Error: 401 -- Unauthorized</h2>\n<p>Authentication Error</p></body></html>\n")
    challenge = [("WWW-Authenticate", digest_challenge(p, realm))]
    return http_message(401, body, "text/html", server_header(p), challenge, close)


def http_response(p: Profile, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> bytes:
    """The device's HTTP server: the whole response (status line, headers, body) to one request.

    Routes: `/` web UI page (Server header, <title>); the UPnP description at the SSDP
    LOCATION path; a Hikvision device's `/SDK/activateStatus` without login; `/ISAPI/...` and
    `/cgi-bin/...` behind digest auth; ONVIF SOAP POSTs to the
    service paths its GetCapabilities names. Anything else is 404; methods other than GET and
    POST are 405, and POST is only for SOAP.
    """
    method = method.upper()
    close = header_value(headers, "Connection").lower() == "close"
    server = server_header(p)
    path, _, query = target.partition("?")
    if method not in ("GET", "POST"):
        return http_message(405, b"", "text/plain", server, [("Allow", "GET, POST")], close)
    soap_paths = {v for k, v in onvif_paths(p).items() if k != "ptz" or (p.onvif or {}).get("ptz")}
    if method == "POST":
        if p.onvif is not None and path in soap_paths:
            return onvif_route(p, path, headers, body, close)
        return http_message(405 if path == "/" or path.startswith(("/ISAPI/", "/cgi-bin/")) else 404,
                            b"", "text/plain", server, close=close)
    if p.ssdp is not None and path == upnp_description_path(p):
        return http_message(200, upnp_description(p), 'text/xml; charset="utf-8"', server, close=close)
    if path == "/" and p.http is not None:
        return _web_page(p, close)
    if path == hikweb.ACTIVATE_STATUS and p.isapi is not None:  # Hikvision serves it without login
        return activate_status(p, close)
    realm = (p.http or {}).get("realm", "")
    protected = (p.http or {}).get("digest", True)
    if (path.startswith("/ISAPI/") and p.isapi is not None) or (path.startswith("/cgi-bin/") and p.cgi is not None):
        if protected and not digest_ok(p, realm, method, target, header_value(headers, "Authorization")):
            return _unauthorized(p, realm, close)
        if path.startswith("/ISAPI/"):
            return isapi_route(p, path, target, close)
        return cgi_route(p, path, query, close)
    return http_message(404, b"", "text/plain", server, close=close)
