#!/usr/bin/env python3
"""Generate the committed demo and test captures in pcaps/ from the lab's device profiles.

    python tools/make_pcaps.py [--out DIR]

Builds, with scapy, the traffic a scanner at 198.18.0.2 would capture while scanning the lab
estate (camscan/lab/profiles): an ARP sweep, SADP / WS-Discovery / SSDP / DHIP / mDNS
discovery and their replies, and full TCP conversations (handshake, requests, responses, FIN)
for each device's web page, its digest-protected ISAPI or CGI API (401 then the retry),
ONVIF SOAP with WS-Security, the UPnP description and RTSP OPTIONS/DESCRIBE. The bytes the
devices send come from camscan.lab.answers, so captures and a live lab agree.

Outputs (see pcaps/README.md): demo.pcap, demo.pcapng, stress-tcp.pcap, hostile.pcap, each
with NAME.expected.csv (the inventory a correct replay produces, INVENTORY.md column order)
and NAME.expected.json (the raw [expect] data per device and the sources in the capture).
The expected files are written from the profiles, never by running camscan.

Deterministic: a fixed seed and a fixed clock, so re-running gives byte-identical files.
It only writes files: it never opens a socket or sends a packet (no send/sendp/sr).

The work is in tools/pcapgen/, one module per protocol as camscan/protocols is split (arp, sadp,
wsd, ssdp, dhip, mdns, web, onvif, rtsp), with the capture writer (capture), the estates and the
scan's order of phases (estate), the hostile traffic (hostile) and the expected inventories
(expected); this file only runs them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

from camscan.lab.profile import load_profiles  # noqa: E402
from tools.pcapgen.capture import write_pcap, write_pcapng  # noqa: E402
from tools.pcapgen.estate import build_demo, build_stress  # noqa: E402
from tools.pcapgen.expected import write_expected  # noqa: E402
from tools.pcapgen.hostile import HOSTILE_GOOD, HOSTILE_SURVIVORS, build_hostile  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "pcaps", help="directory to write (default: pcaps/)")
    parser.add_argument("--profiles", type=Path, default=None, help="profile directory (default: the lab's)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    profiles = load_profiles(args.profiles)

    demo = build_demo(profiles)
    write_pcap(out / "demo.pcap", demo)
    write_pcapng(out / "demo.pcapng", demo)
    write_expected(out, "demo", "demo.pcap", profiles, demo)

    stress = build_stress(profiles)
    write_pcap(out / "stress-tcp.pcap", stress)
    write_expected(out, "stress-tcp", "stress-tcp.pcap", profiles, stress)

    hostile = build_hostile(profiles)
    write_pcap(out / "hostile.pcap", hostile)
    write_expected(out, "hostile", "hostile.pcap", [p for p in profiles if p.id in HOSTILE_GOOD], hostile,
                   HOSTILE_SURVIVORS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
