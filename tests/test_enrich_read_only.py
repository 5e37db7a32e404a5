"""Credentialed identification only ever GETs the read-only paths the protocol modules list
(isapi.READ_ONLY_PATHS, dahua_cgi.ACTIONS): anything else is refused before it is sent. Checked
on the guard itself and on a real run of `enrich` against a device answering on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import netaddr
import pytest

from camscan.protocols import dahua_cgi, isapi
from camscan.scan.credentials import Account, Credentials
from camscan.scan.enrich import READ_ONLY_PATHS, NotReadOnly, Target, enrich, require_read_only
from camscan.scan.pacing import RateLimiter
from camscan.scan.targets import Scope

# what a recorder answers, enough to make camscan ask for its channel lists too
ANSWERS = {
    isapi.DEVICE_INFO: b"<DeviceInfo><deviceType>NVR</deviceType><model>DS-7608NXI-I2</model></DeviceInfo>",
    dahua_cgi.ACTIONS["getSystemInfo"]: b"deviceType=NVR5208-8P-4KS2\r\nserialNumber=X\r\n",
}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/ISAPI/System/reboot"),
    ("PUT", isapi.DEVICE_INFO),
    ("POST", dahua_cgi.ACTIONS["getSystemInfo"]),
    ("GET", "/SDK/webLanguage"),
    ("GET", "/cgi-bin/configManager.cgi?action=setConfig&name=RemoteDevice"),
])
def test_anything_but_a_listed_get_is_refused(method, path):
    with pytest.raises(NotReadOnly, match="not one of the read-only requests"):
        require_read_only(method, path)


def test_every_listed_path_is_allowed():
    for path in (*isapi.READ_ONLY_PATHS, *dahua_cgi.ACTIONS.values()):
        require_read_only("GET", path)


@pytest.fixture
def device() -> Iterator[tuple[int, list[tuple[str, str]]]]:
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append((self.command, self.path))
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = ANSWERS.get(self.path, b"")
            self.send_response(200 if self.command == "GET" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer  # http.server dispatches on these names

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("platform", "expect"), [
    # a recorder: its channel lists and capabilities, not the cameras' smart-event configurations
    ("Hikvision", set(isapi.READ_ONLY_PATHS) - set(isapi.SMART_CONFIGS)),
    ("Dahua", {dahua_cgi.ACTIONS[a] for a in ("getSystemInfo", "getSoftwareVersion", "getVendor", "getMachineName",
                                              "RemoteDevice", "VideoAnalyseCaps", "VideoAnalyseRule")}),
])
def test_a_credentialed_run_asks_only_read_only_paths(device, platform, expect):
    port, seen = device
    # named for the device: a [default] account would go only to a corroborated maker (offer.py)
    creds = Credentials(None, [], {"127.0.0.1": Account("viewer", "secret", "test")})
    target = Target("127.0.0.1", port=port, platform=platform, recorder=True)
    [outcome] = asyncio.run(enrich([target], creds, Scope(netaddr.IPSet(["127.0.0.1/32"])), RateLimiter(1000), None))
    assert outcome.read
    api = [(m, p) for m, p in seen if not p.startswith("/onvif/")]  # ONVIF goes through onvif-zeep
    assert {p for _, p in api} == expect
    assert all(m == "GET" and p in READ_ONLY_PATHS for m, p in api)
