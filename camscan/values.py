"""The small values every layer reads the same way: MAC addresses and IPv4 addresses as sort keys.

One home so a parser, the asset register, the diff and the HTML report can never disagree on
what "the same MAC" or "the inventory's row order" means. Firmware strings have their own value
type in camscan.firmware (`Firmware`), the other half of this layer.

MACs are normalised here rather than with netaddr's `EUI` parser on purpose: netaddr accepts
strings camscan must refuse (`0:1:2:3:4:5`, short octets) and refuses ones devices really send
(`58 50 ed 1f e3 85`), and at twice the cost per packet. IP addresses use the standard library,
as the parsers do; netaddr serves the sets and ranges (scan/targets.py, report/sites.py).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

_HEX12 = re.compile(r"[0-9a-f]{12}")
_SEPARATORS = re.compile(r"[\s:.\-]")
_NOT_HEX = re.compile(r"[^0-9a-fA-F]")


def normalise_mac(value: str | bytes) -> str:
    """`58-50-ED-1F-E3-85`, `5850.ed1f.e385`, `5850ed1fe385` or 6 raw bytes →
    `58:50:ed:1f:e3:85`; "" for anything that is not a usable unicast station address
    (malformed, all-zero, broadcast, or a multicast/group address)."""
    if isinstance(value, bytes | bytearray):
        if len(value) != 6:
            return ""
        digits = bytes(value).hex()
    else:
        text = (value or "").strip().lower()
        if len(text) > 40:
            return ""
        digits = _SEPARATORS.sub("", text)
        if not _HEX12.fullmatch(digits):
            return ""
    if digits in ("000000000000", "ffffffffffff"):
        return ""
    if int(digits[1], 16) & 1:  # I/G bit: a group address never sends on its own behalf
        return ""
    return _colons(digits)


def register_mac(value: str) -> str:
    """A MAC as a person typed it into an asset register, in the inventory's form: every
    non-hex character dropped (registers hold `MAC 58-50-ED...`, `5850:ED1F:E385`...), "" unless
    exactly twelve hex digits remain. No unicast check: the register says what it says."""
    digits = _NOT_HEX.sub("", value or "")
    return _colons(digits).lower() if len(digits) == 12 else ""


def _colons(digits: str) -> str:
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def ip_number(ip: str) -> int | None:
    """The IPv4 address as an integer (what sorts addresses numerically), None when `ip` is
    not one (empty, IPv6, a name, garbage)."""
    try:
        return int(ipaddress.IPv4Address(ip))
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def ip_sort_key(ip: str) -> tuple[int, int]:
    """The inventory's address order (INVENTORY.md): IPv4 addresses numerically, then every
    empty or unreadable address after them."""
    number = ip_number(ip) if ip else None
    return (1, 0) if number is None else (0, number)
