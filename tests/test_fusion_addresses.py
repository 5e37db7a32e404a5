"""Fusion's address rules, evidence in and rows out: the address a device used last, one
device on several addresses against a router's MAC on several hosts, IPv6-only devices, and
who counts as the scanner in a live scan and in a replay."""

from __future__ import annotations

from typing import Any

from camscan.identify.fusion import fuse
from camscan.identify.signatures import load
from camscan.model import Evidence

SIGS = load()
CAM = "44:19:b6:3c:5e:21"
ROUTER = "4c:5e:0c:11:22:33"


def ev(source: str, **fields: Any) -> Evidence:
    return Evidence(source=source, **fields)


def rows(evidence: list[Evidence], **kw: Any) -> list[tuple[str, str, list[str]]]:
    return [(d.ip, d.mac, [a.ip for a in d.addresses]) for d in fuse(evidence, SIGS, **kw)]


def test_the_row_is_at_the_address_used_last_whatever_the_sources_rank() -> None:
    """A SADP reply (ranked high) from the old address, then only ARP from the new one."""
    evidence = [ev("sadp", ip="192.168.1.64", mac=CAM, serial="S1", seen=10.0),
                ev("arp", ip="192.168.1.64", mac=CAM, arp_op="reply", seen=11.0),
                ev("arp", ip="10.0.0.64", mac=CAM, arp_op="reply", seen=50.0)]
    [dev] = fuse(evidence, SIGS)
    assert (dev.ip, dev.provenance["ip"]) == ("10.0.0.64", "arp")
    assert [(a.ip, a.first_seen, a.last_seen) for a in dev.addresses] == [
        ("192.168.1.64", "1970-01-01T00:00:10.000+00:00", "1970-01-01T00:00:11.000+00:00"),
        ("10.0.0.64", "1970-01-01T00:00:50.000+00:00", "1970-01-01T00:00:50.000+00:00")]


def test_without_times_the_strongest_source_gives_the_address() -> None:
    evidence = [ev("arp", ip="10.0.0.64", mac=CAM, arp_op="reply"), ev("arp", ip="192.168.1.64", mac=CAM),
                ev("sadp", ip="192.168.1.64", mac=CAM)]
    [(ip, mac, addresses)] = rows(evidence)
    assert (ip, mac, sorted(addresses)) == ("192.168.1.64", CAM, ["10.0.0.64", "192.168.1.64"])


def test_a_dhcp_client_that_moved_keeps_its_mac_on_both_addresses() -> None:
    """Its factory address bound by nothing (an mDNS answer), then a DHCP lease: one device."""
    evidence = [ev("mdns", ip="192.168.0.20", mac=CAM, name="cam", seen=1.0),
                ev("dhcp", ip="", mac=CAM, name="DCS-935L", seen=2.0),
                ev("dhcp", ip="10.10.10.37", mac=CAM, seen=3.0),
                ev("ssdp", ip="10.10.10.37", mac=CAM, seen=4.0)]
    assert rows(evidence) == [("10.10.10.37", CAM, ["192.168.0.20", "10.10.10.37"])]


def test_same_serial_on_two_addresses_is_one_row_different_serials_are_two() -> None:
    same = [ev("dhip", ip="192.168.1.108", mac=CAM, serial="4H01D66PAJ2FA64", seen=1.0),
            ev("dhip", ip="169.254.1.108", mac=CAM, serial="4h01d66paj2fa64", seen=2.0)]
    assert rows(same) == [("169.254.1.108", CAM, ["192.168.1.108", "169.254.1.108"])]
    router = [ev("arp", ip="198.18.0.1", mac=ROUTER, arp_op="reply"),
              ev("dhip", ip="198.18.4.20", mac=ROUTER, serial="A"),
              ev("dhip", ip="198.18.4.21", mac=ROUTER, serial="B")]
    assert rows(router) == [("198.18.0.1", ROUTER, ["198.18.0.1"]), ("198.18.4.20", "", ["198.18.4.20"]),
                            ("198.18.4.21", "", ["198.18.4.21"])]


def test_an_ipv6_only_device_is_a_row_and_ipv6_joins_by_mac() -> None:
    evidence = [ev("ndp", ipv6="fe80::4619:b6ff:fe3c:5e21", mac=CAM, seen=1.0),
                ev("mdns", ipv6="2001:db8::5", mac=CAM, name="cam", seen=2.0),
                ev("ndp", ipv6="fe80::1", mac=ROUTER), ev("arp", ip="198.18.0.1", mac=ROUTER, arp_op="reply")]
    got = {d.mac: d for d in fuse(evidence, SIGS)}
    assert (got[CAM].ip, got[CAM].ipv6, got[CAM].name) == ("2001:db8::5", ["fe80::4619:b6ff:fe3c:5e21",
                                                                          "2001:db8::5"], "cam")
    assert (got[ROUTER].ip, got[ROUTER].ipv6) == ("198.18.0.1", ["fe80::1"])


def test_only_the_scanners_own_address_is_dropped_in_a_live_scan() -> None:
    asking = [ev("arp", ip="198.18.0.2", mac="00:1b:21:3a:4f:02", arp_op="request", arp_target="198.18.0.10"),
              ev("arp", ip="198.18.0.77", mac=CAM, arp_op="request", arp_target="198.18.0.1")]
    assert [d.ip for d in fuse(asking, SIGS, scanner_ips={"198.18.0.2"})] == ["198.18.0.77"]
    assert [d.ip for d in fuse(asking, SIGS)] == ["198.18.0.2", "198.18.0.77"], "a replay drops neither"


def test_addresses_and_ipv6_round_trip_through_the_json_and_are_checked() -> None:
    import pytest

    from camscan.model import AddressSeen, Device
    from camscan.serialise import SerialiseError

    dev = Device(ip="10.10.10.37", ipv6=["fe80::1"], addresses=[
        AddressSeen("192.168.0.20", "2016-04-15T15:08:38.670+00:00", "2016-04-15T15:08:40.721+00:00"),
        AddressSeen("10.10.10.37", "2016-04-15T15:08:42.000+00:00", "2016-04-15T15:10:36.000+00:00")])
    doc = dev.to_dict()
    assert doc["addresses"][0] == {"ip": "192.168.0.20", "first_seen": "2016-04-15T15:08:38.670+00:00",
                                   "last_seen": "2016-04-15T15:08:40.721+00:00"}
    assert Device.from_dict(doc) == dev
    assert Device.from_dict({"ip": "10.0.0.1"}).addresses == []
    with pytest.raises(SerialiseError, match="addresses must be a list of addresses"):
        Device.from_dict({"addresses": [{"ip": 5}]})
