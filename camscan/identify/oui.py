"""MAC address → IEEE registrant name, from the OUI table bundled with aiooui (IEEE MA-L,
2026-09: 86 Hikvision prefixes, where netaddr's 2024 copy has 67 and Wireshark's 2022 manuf 36).

What it is for: the lowest-ranked maker evidence (a MAC is only meaningful on the local
segment, and OEMs may keep the maker's OUI or register their own). The registrant name goes
to `Signatures.oui()`, which maps it to a manufacturer group; this module only knows the
registry.

What it must not do: look up a locally administered (randomised, virtual) or multicast MAC —
those bits mean the first three octets are not an IEEE assignment, so any "vendor" would be
made up; it returns None for them. It never raises on device-supplied garbage in
`registrant()`. The table is loaded once, synchronously; from inside a running event loop the
load runs in a worker thread with its own loop, so callers need not care which they are in.
"""

from __future__ import annotations

import asyncio
import re
import threading

import aiooui

_HEX12 = re.compile(r"^[0-9a-f]{12}$")
_SEPARATORS = re.compile(r"[\s:.\-]")
_LOAD_LOCK = threading.Lock()


def _octets(mac: str) -> str:
    """"58:50:ED:1F:E3:85", "58-50-ed-1f-e3-85", "5850.ed1f.e385", "5850ed1fe385" → "5850ed1fe385".
    ValueError for anything else."""
    if not isinstance(mac, str):
        raise ValueError(f"not a MAC address: {mac!r}")
    digits = _SEPARATORS.sub("", mac.strip()).lower()
    if not _HEX12.match(digits):
        raise ValueError(f"not a MAC address: {mac[:40]!r}")
    return digits


def is_locally_administered(mac: str) -> bool:
    """True when the U/L bit (second-least-significant bit of the first octet) is set: a
    randomised or virtual address (e.g. 02:42:… Docker, da:… phone private addresses).
    ValueError if `mac` is not a MAC address."""
    return bool(int(_octets(mac)[:2], 16) & 0x02)


def is_multicast(mac: str) -> bool:
    """True when the I/G bit (least-significant bit of the first octet) is set: a group
    address (01:00:5e:… IPv4 multicast, 33:33:… IPv6, ff:ff:ff:ff:ff:ff broadcast).
    ValueError if `mac` is not a MAC address."""
    return bool(int(_octets(mac)[:2], 16) & 0x01)


def registrant(mac: str) -> str | None:
    """The IEEE registrant of the MAC's OUI, as aiooui spells it, or None when the MAC is
    malformed, locally administered, multicast or not in the registry."""
    try:
        digits = _octets(mac)
    except ValueError:
        return None
    first = int(digits[:2], 16)
    if first & 0x03:
        return None
    _ensure_loaded()
    name = aiooui.get_vendor(digits)
    return name.strip() if name and name.strip() else None


def _ensure_loaded() -> None:
    if aiooui.is_loaded():
        return
    with _LOAD_LOCK:
        if aiooui.is_loaded():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(aiooui.async_load())
            return
        # inside a running loop: asyncio.run() would refuse, so load on a thread of our own
        failure: list[BaseException] = []

        def worker() -> None:
            try:
                asyncio.run(aiooui.async_load())
            except BaseException as exc:  # re-raised in the caller's thread below
                failure.append(exc)

        thread = threading.Thread(target=worker, name="camscan-oui-load", daemon=True)
        thread.start()
        thread.join()
        if failure:
            raise RuntimeError(f"could not load the aiooui OUI table: {failure[0]}") from failure[0]
