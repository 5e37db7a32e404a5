"""Evidence → one Device per physical device, each field from the most trustworthy source.

Three parts, each its own module:

- grouping.py: which evidence is about the same device (MAC first, then IP; a camera a
  recorder reports is keyed by recorder and channel and joins a directly seen device only when
  the serial numbers agree), with MACs put right first (ARP's binding wins, a router's MAC
  shared by off-link hosts is inherited by none, a device that moved keeps its MAC and is one
  row). A host seen only asking ARP questions is dropped only when it is the scanner: its own
  address in a live scan; in a replay, a host that swept ARP over many addresses.
- resolve.py: one group → one row, in steps (identity, fields, maker and brand, kind, form).
- policy.py: the numbers those steps weigh with, read from signatures/fusion.toml: the ranking
  (authenticated ISAPI/ONVIF/CGI > a recorder's channel list > SADP/DHIP > WS-Discovery >
  SSDP/mDNS > HTTP/RTSP banners > OUI), the strengths of maker claims and the weights of
  device-type and static/PTZ claims.

Every field records which source (and signature) set it. tests/test_fusion.py is the
specification: evidence in, rows out.
"""

from __future__ import annotations

from collections.abc import Collection

from camscan.identify import advisories
from camscan.identify import policy as fusion_policy
from camscan.identify.grouping import addressed, group, is_scanner, sanitise_macs, sweepers
from camscan.identify.resolve import resolve
from camscan.identify.signatures import Signatures
from camscan.model import Device, Evidence
from camscan.values import ip_sort_key

# Sources that describe a host only as the far end of a device's connection: a certificate a
# server presented. Alone, from an address with no MAC of its own, they are a server elsewhere
# (a camera's cloud), not a device on the network.
REMOTE_ONLY_SOURCES = frozenset({"tls"})


def remote_certificate_only(items: list[Evidence]) -> bool:
    """True for a host known only by the certificate it served and with no MAC of its own."""
    return all(e.source in REMOTE_ONLY_SOURCES and not e.mac for e in items)


def fuse(evidence: list[Evidence], sigs: Signatures, policy: fusion_policy.FusionPolicy | None = None,
         scanner_ips: Collection[str] | None = None) -> list[Device]:
    """Group and resolve evidence into inventory rows, sorted as INVENTORY.md says. `policy`
    defaults to the fusion.toml beside the signatures camscan uses. `scanner_ips` are the
    scanner's own addresses (a live scan knows them); None when they are not known (a replay):
    then only a host that swept ARP over many addresses counts as the scanner. MACs in
    `evidence` are corrected in place (see grouping.sanitise_macs)."""
    if policy is None:
        policy = fusion_policy.load()
    evidence = addressed(evidence)
    if scanner_ips is None:
        scanner_ips = sweepers(evidence)
    sanitise_macs(evidence)
    devices = [resolve(items, sigs, policy) for items in group(evidence)
               if not is_scanner(items, scanner_ips) and not remote_certificate_only(items)]
    devices.sort(key=lambda d: (ip_sort_key(d.ip), ip_sort_key(d.via), d.channel or 0, d.mac))
    advisories.annotate(devices)
    return devices
