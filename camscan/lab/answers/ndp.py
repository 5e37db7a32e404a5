"""IPv6 neighbour discovery: the advertisements a device with an [ipv6] section sends for its
link-local and global addresses (as after duplicate address detection, and as answers to a
neighbour solicitation). A live lab device's kernel also answers solicitations itself."""

from __future__ import annotations

from camscan.lab.answers.common import link_local_ipv6
from camscan.lab.answers.frames import neighbour_advertisement
from camscan.lab.profile import Profile


def ipv6_addresses(p: Profile) -> list[str]:
    """Its link-local address (from the MAC) and its global address."""
    if p.ipv6 is None:
        return []
    return [link_local_ipv6(p.mac), p.ipv6["address"]]


def ndp_announcements(p: Profile) -> list[bytes]:
    """One unsolicited neighbour advertisement per address, from the link-local address to all-nodes."""
    local = link_local_ipv6(p.mac)
    return [neighbour_advertisement(p.mac, local, address) for address in ipv6_addresses(p)]
