"""Estate-size labs: clones of the camera and recorder profiles at new addresses, MACs and
serials, served by one emulator process in the scale namespace (`camscan lab up --hosts N`).

A clone is the source profile with every occurrence of its IP, MAC (both `:` and `-` forms and
bare hex) and serial suffix rewritten, so every protocol's answer stays self-consistent.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from camscan.lab.profile import Profile

CAMERA_SHARE = 0.2


def _rewrite(value: Any, subs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in subs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_rewrite(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, subs) for k, v in value.items()}
    return value


def clone(p: Profile, index: int, ip: str, mac: str) -> Profile:
    subs = [(p.ip, ip), (p.mac, mac), (p.mac.replace(":", "-"), mac.replace(":", "-")),
            (p.mac.replace(":", ""), mac.replace(":", "")), (p.mac.upper(), mac.upper())]
    serial = str((p.expect or {}).get("serial", ""))
    if len(serial) >= 6:
        subs.append((serial, serial[:-6] + f"{index:06d}"))
    fields = {f.name: _rewrite(getattr(p, f.name), subs) for f in dataclasses.fields(p)
              if f.name not in ("id", "path", "ip", "mac", "subnet")}
    return dataclasses.replace(p, id=f"{p.id}-x{index}", ip=ip, mac=mac, subnet="lan", **fields)


def plan(profiles: list[Profile], ips: list[str], macs: list[str], share: float = CAMERA_SHARE) -> list[dict]:
    """Which scale hosts are clones of which profile: `share` of them, cycling through the
    camera and recorder profiles on the LAN; the rest are plain hosts answering only ARP."""
    # an IPv6 address is not rewritten for a clone, so a dual-stack device is not cloned
    sources = [p for p in profiles if p.role == "device" and p.subnet == "lan" and p.ipv6 is None
               and (p.sadp or p.dhip or p.onvif or p.isapi or p.cgi)]
    n = int(len(ips) * share)
    out = []
    for i in range(n):
        if not sources:
            break
        # spread the cameras over the block instead of packing them at its start
        slot = (i * len(ips)) // max(n, 1)
        out.append({"source": sources[i % len(sources)].id, "index": i, "ip": ips[slot], "mac": macs[slot]})
    return out


def save_clones(path: Path, entries: list[dict]) -> None:
    path.write_text(json.dumps(entries))


def load_clones(path: Path, by_id: dict[str, Profile]) -> list[Profile]:
    entries = json.loads(path.read_text())
    return [clone(by_id[e["source"]], e["index"], e["ip"], e["mac"]) for e in entries]
