"""Other makers' discovery protocols: Bosch (1757/1758), Hanwha (7701/7711), Panasonic
(10670/10669), Sony (2380), Vivotek (10000) and Dahua's older search (5050).

Fixtures are built here field by field from what the real formats show (UniversalScanner's
self-test samples, read with `xxd` and checked against its parsers). The anonymised samples in
../shared/realworld are then read in place (skipped when absent), with what `xxd` shows of each
asserted; and every parser meets hostile bytes, which must give Malformed or [] and nothing else.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from parsing import one, outcome

from camscan.model import Endpoint, Evidence, Malformed
from camscan.protocols import bosch, dahua_v1, hanwha, panasonic, sony, vivotek

# ../shared/realworld seen from the main checkout; worktrees sit one level deeper
REAL = next((p / "shared" / "realworld" for p in Path(__file__).resolve().parents
             if (p / "shared" / "realworld").is_dir()), Path("/nonexistent/shared/realworld"))

NO_SRC = Endpoint(ip="")
SRC = Endpoint(ip="192.0.2.200", mac="02:00:5e:00:00:c8")


def real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real-world sample {name} not available ({REAL})")
    return path.read_bytes()




def padded(text: str, width: int) -> bytes:
    raw = text.encode()
    assert len(raw) < width
    return raw + bytes(width - len(raw))


# =======================================================================================
# builders: one reply per protocol, laid out as the real samples are
# =======================================================================================

def bosch_binary(mac: bytes = bytes.fromhex("00075faabbcc"), ip: bytes = bytes([192, 0, 2, 21])) -> bytes:
    return (struct.pack("!II", bosch.MAGIC, 0x6008AD0A) + mac + b"\x03\xff" + ip
            + bytes([255, 255, 255, 0]) + bytes([192, 0, 2, 1]) + bytes.fromhex("00030071"))


BOSCH_XML = (b'<?xml version="1.0" encoding="UTF-8"?><root xmlns="OEMExt00:device-1-0"><device>'
             b"<deviceType>OEMExt00:device:deviceID0</deviceType><friendlyName>FLEXIDOME IP 5000i</friendlyName>"
             b"<unitName>Car park east</unitName><deviceGUID>00112233445566778899aabbccddeeff</deviceGUID>"
             b"<serialNumber>044123456789012345</serialNumber><physAddress>00-07-5f-aa-bb-cc</physAddress>"
             b"<unitIPAddress>192.0.2.23</unitIPAddress><unitSubnetMask>255.255.255.0</unitSubnetMask>"
             b"<HTTPPort>80</HTTPPort><deviceTypeIDs>000000300000000000001311</deviceTypeIDs></device></root>")


def hanwha_reply(model: str = "XNO-6080R", mac: str = "00:09:18:aa:bb:cc", ip: str = "192.0.2.22") -> bytes:
    record = bytearray(hanwha.RECORD_LEN)
    record[0] = hanwha.TYPE_REPLY
    record[19:37] = padded(mac, 18)
    record[37:53] = padded(ip, 16)
    record[53:69] = padded("255.255.255.0", 16)
    record[69:85] = padded("192.0.2.1", 16)
    record[109:109 + len(model)] = model.encode()
    record[133:172] = padded(f"http://{ip}/index.htm", 39)
    return bytes(record)


def tlv2(tag: int, value: bytes) -> bytes:
    return struct.pack("!HH", tag, len(value)) + value


def panasonic_reply(*fields: tuple[int, bytes], mac: bytes = bytes.fromhex("080023aabbcc")) -> bytes:
    header = bytearray(panasonic.HEADER_LEN)
    header[0:2] = b"\x00\x01"
    header[4:6] = struct.pack("!H", panasonic.MSG_REPLY)
    header[6:12] = mac
    header[12:18] = bytes.fromhex("a029193eab91")  # the searching host
    header[18:22] = bytes([192, 0, 2, 100])
    body = b"".join(tlv2(tag, value) for tag, value in fields) + b"\xff\xff" + b"\x30\x17"
    packet = bytes(header) + body
    return packet[:2] + struct.pack("!H", len(packet) - panasonic.LENGTH_BASE) + packet[4:]


PANASONIC_CAMERA = panasonic_reply(
    (0x00, b"\x02"), (0x01, b"\x00"), (0x20, bytes([192, 0, 2, 24])), (0x21, bytes([255, 255, 255, 0])),
    (0x25, b"\x00\x50"),
    (0xA6, b"\x92"), (0xA7, padded("Loading bay", 16)), (0xA8, padded("WV-S2131L", 16)),
    (0xA9, padded("2.50", 16)), (0xD1, padded("BCA01234", 16)))


def sony_reply(*fields: str) -> bytes:
    return b"\x02" + b"".join(f.encode() + b"\xff" for f in fields) + b"\x03"


SONY_CAMERA = sony_reply("MAC:08-00-46-aa-bb-cc", "MODEL:SNC-VB600", "SERIAL:1234567", "INFO:allinfo",
                         "DHCP:OFF", "IPADR:192.0.2.25", "MASK:255.255.255.0", "WEBPORT:80", "SOFTVERSION:1.8.0")


def vivotek_reply(*fields: tuple[int, bytes]) -> bytes:
    return b"\x02" + vivotek.MAGIC + b"".join(bytes([t, len(v)]) + v for t, v in fields)


VIVOTEK_CAMERA = vivotek_reply(
    (0x01, b"Vivotek-IB8367-T-0002D1AABBCC"), (0x02, bytes.fromhex("0002d1aabbcc")), (0x03, bytes([192, 0, 2, 26])),
) + b"\x04\x1b" + vivotek_reply((0x06, b"\x50\x00"), (0x08, b"en"), (0x09, b"IB8367-T"))[5:]


def dahua1_reply(device_type: str = "IPC-HFW1230S", lines: str = "", mac: str = "3c:ef:8c:aa:bb:cc",
                 ip: bytes = bytes([192, 0, 2, 27])) -> bytes:
    record = bytearray(dahua_v1.RECORD_LEN)
    identity = mac.encode() + device_type.encode()
    record[0:2] = dahua_v1.REPLY_MAGIC
    record[2] = len(identity)
    record[4] = 0x58
    record[16] = 2
    record[40:56] = padded("IPC", 16)
    record[56:60] = ip
    record[60:64] = bytes([255, 255, 255, 0])
    record[94:96] = struct.pack("<H", 80)
    record[98:100] = struct.pack("<H", 37777)
    return bytes(record) + identity + lines.encode()


DAHUA1_LINES = ("Name:IPC-front-door\r\nDevice:IPC-HFW1230S\r\n"
                "IPv6Addr:2001:db8::27/64;gateway:2001:db8::1\r\nIPv6Addr:fe80::3eef:8cff:feaa:bbcc/64;gateway:fe80::\r\n"
                "\r\nSerialNo:4E012345678ABCD\r\n\r\n")


# =======================================================================================
# Bosch
# =======================================================================================

class TestBosch:
    def test_probe_layout_and_own_probe_is_not_a_device(self) -> None:
        probe = bosch.build_probe(0x0A0B0C0D)
        assert probe == bytes.fromhex("9939a427" "0a0b0c0d" "ff0006de")
        assert bosch.parse(probe, SRC) == []
        with pytest.raises(ValueError):
            bosch.build_probe(-1)

    def test_binary_reply(self) -> None:
        ev = one(bosch.parse(bosch_binary(), NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("bosch", "Bosch", "Bosch")
        assert (ev.ip, ev.mac, ev.model) == ("192.0.2.21", "00:07:5f:aa:bb:cc", "")

    def test_binary_reply_from_another_address_is_noted(self) -> None:
        ev = one(bosch.parse(bosch_binary(), SRC))
        assert (ev.ip, ev.mac, ev.note) == (SRC.ip, SRC.mac, "reports IPv4 address 192.0.2.21")

    def test_xml_reply(self) -> None:
        ev = one(bosch.parse(BOSCH_XML, NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.name, ev.serial) == (
            "192.0.2.23", "00:07:5f:aa:bb:cc", "FLEXIDOME IP 5000i", "Car park east", "044123456789012345")
        assert ev.banners == {"bosch_device_type_ids": "000000300000000000001311"}

    def test_xml_without_identity_and_other_documents_say_nothing(self) -> None:
        assert bosch.parse(b"<root><device><friendlyName>x</friendlyName></device></root>", SRC) == []
        assert bosch.parse(b"<html><body>hello</body></html>", SRC) == []
        assert bosch.parse(b"M-SEARCH * HTTP/1.1\r\n", SRC) == []

    @pytest.mark.parametrize("bad", [bosch_binary()[:31], bosch_binary() + b"\x00", b"<root><device>", b"   "])
    def test_broken_replies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: bosch.parse(b, SRC), bad), Malformed)

    def test_real_binary_sample(self) -> None:
        """xxd of Bosch.bin.selftest (32 bytes): magic 9939a427, transaction 6008ad0a, MAC
        00:11:22:33:44:55 at 8, 03 ff, IPv4 f0000700 = 240.0.7.0 at 16, mask ff000000, gateway 7f000001."""
        ev = one(bosch.parse(real("universalscanner-bosch-discovery-udp1757-response-anonymized.bin"), NO_SRC))
        assert (ev.ip, ev.mac, ev.vendor, ev.platform) == ("240.0.7.0", "00:11:22:33:44:55", "Bosch", "Bosch")

    def test_real_xml_sample(self) -> None:
        """Bosch.xml.selftest: friendlyName "Virtual (XML)", empty unitName, serialNumber 12345678:12345678,
        physAddress 00-11-22-33-44-55, unitIPAddress 240.0.7.1."""
        ev = one(bosch.parse(real("universalscanner-bosch-discovery-udp1757-response-anonymized.xml"), NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.name, ev.serial) == (
            "240.0.7.1", "00:11:22:33:44:55", "Virtual (XML)", "", "12345678:12345678")


# =======================================================================================
# Hanwha
# =======================================================================================

class TestHanwha:
    def test_probe_is_a_262_byte_type_1_record_and_not_a_device(self) -> None:
        probe = hanwha.build_probe()
        assert len(probe) == 262 and probe[0] == 1 and not any(probe[1:])
        assert hanwha.parse(probe, SRC) == []

    def test_reply(self) -> None:
        ev = one(hanwha.parse(hanwha_reply(), NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("hanwha", "Hanwha", "Hanwha")
        assert (ev.ip, ev.mac, ev.model) == ("192.0.2.22", "00:09:18:aa:bb:cc", "XNO-6080R")
        assert ev.banners == {"hanwha_url": "http://192.0.2.22/index.htm"}

    def test_long_model_is_read_to_its_nul(self) -> None:
        assert one(hanwha.parse(hanwha_reply(model="PNM-9085RQZ1-ABC"), SRC)).model == "PNM-9085RQZ1-ABC"

    @pytest.mark.parametrize("bad", [hanwha_reply()[:100], hanwha_reply(mac="not-a-mac"), b"\x0b" * 5000])
    def test_broken_replies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: hanwha.parse(b, SRC), bad), Malformed)

    def test_real_sample(self) -> None:
        """xxd of Hanwha.selftest (262 bytes): 0b at 0, "00:11:22:33:44:55" at 0x13, "240.0.9.0" at
        0x25, "Virtual" at 0x6d, "http://127.0.0.1/index.htm" at 0x85."""
        ev = one(hanwha.parse(real("universalscanner-hanwha-samsung-discovery-udp7701-response-anonymized.bin"),
                              NO_SRC))
        assert (ev.ip, ev.mac, ev.model) == ("240.0.9.0", "00:11:22:33:44:55", "Virtual")
        assert ev.banners["hanwha_url"] == "http://127.0.0.1/index.htm"


# =======================================================================================
# Panasonic
# =======================================================================================

class TestPanasonic:
    def test_probe_layout_and_own_probe_is_not_a_device(self) -> None:
        probe = panasonic.build_probe(bytes.fromhex("a029193eab91"), bytes([192, 0, 2, 100]))
        assert len(probe) == 94 and probe[:6] == bytes.fromhex("0001002a000d")
        assert probe[12:22] == bytes.fromhex("a029193eab91c0000264")
        assert probe.endswith(b"\xff\xff\x11\x70") and b"\xff\xf0\x00\x26\x00\x20" in probe
        assert panasonic.parse(probe, SRC) == []
        with pytest.raises(ValueError):
            panasonic.build_probe(b"\x00")

    def test_camera_reply(self) -> None:
        ev = one(panasonic.parse(PANASONIC_CAMERA, NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("panasonic", "Panasonic", "Panasonic")
        assert (ev.ip, ev.mac, ev.model, ev.name, ev.firmware, ev.serial) == (
            "192.0.2.24", "08:00:23:aa:bb:cc", "WV-S2131L", "Loading bay", "2.50", "BCA01234")
        assert ev.device_type == ""

    def test_recorder_reply_says_channels(self) -> None:
        reply = panasonic_reply((0x00, b"\x00"), (0x20, bytes([192, 0, 2, 30])), (0xA8, b"WJ-NX400\x00"),
                                (0xC0, b"\x00\x20"))
        ev = one(panasonic.parse(reply, NO_SRC))
        assert (ev.model, ev.device_type, ev.note) == ("WJ-NX400", "nvr", "channels: 32")

    @pytest.mark.parametrize("bad", [
        b"\x00\x01\x00\x00\x00",                                                     # too short
        PANASONIC_CAMERA[:40],                                                        # header only
        panasonic_reply((0xA8, b"WV"))[:-4] + b"\x00\xa9\x01\x00",                    # field past the end
        panasonic_reply((0x20, bytes([192, 0, 2, 9])), *[(0x99, b"")] * 200),        # too many fields
        panasonic_reply((0xA8, b"WV-S2131L"), mac=bytes(6)),                          # neither MAC nor address
    ])
    def test_broken_replies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: panasonic.parse(b, SRC), bad), Malformed)

    def test_real_sample(self) -> None:
        """xxd of Panasonic.selftest (425 bytes): 0001 0175 (373 bytes after offset 52) 000e, MAC
        00:11:22:33:44:55 at 6; fields from 0x30: 0x00 = 02, 0x01 = 00, 0x20 = f0000f00 (240.0.15.0), 0xa6 = 92,
        0xa7 and 0xa8 = "Virtual", 0xa9 = "1.46", no 0xd1, no 0xc0; ends ffff 3017."""
        data = real("universalscanner-panasonic-discovery-udp10669-response-anonymized.bin")
        assert struct.unpack_from("!H", data, 2)[0] == len(data) - panasonic.LENGTH_BASE
        assert panasonic.read_fields(data)[0x00] == b"\x02"  # the first field starts at 48, not 53
        ev = one(panasonic.parse(data, NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.name, ev.firmware, ev.serial) == (
            "240.0.15.0", "00:11:22:33:44:55", "Virtual", "Virtual", "1.46", "")


# =======================================================================================
# Sony
# =======================================================================================

class TestSony:
    def test_probe_and_own_probe_is_not_a_device(self) -> None:
        assert sony.build_probe() == b"\x02ENQ:allinfo\xff\x03"
        assert sony.parse(sony.build_probe(), SRC) == []

    def test_reply(self) -> None:
        ev = one(sony.parse(SONY_CAMERA, NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("sony", "Sony", "Sony")
        assert (ev.ip, ev.mac, ev.model, ev.serial, ev.firmware) == (
            "192.0.2.25", "08:00:46:aa:bb:cc", "SNC-VB600", "1234567", "1.8.0")

    def test_reply_without_identity_and_foreign_datagrams_say_nothing(self) -> None:
        assert sony.parse(sony_reply("DHCP:OFF", "WEBPORT:80"), SRC) == []
        assert sony.parse(b"NOTIFY * HTTP/1.1\r\n", SRC) == []

    @pytest.mark.parametrize("bad", [b"\x02MAC:08-00-46-aa-bb-cc\xff", b"\x02", b"\x02" + b"A" * 9000 + b"\x03"])
    def test_broken_frames_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: sony.parse(b, SRC), bad), Malformed)

    def test_real_sample(self) -> None:
        """xxd of Sony.selftest (214 bytes): 02 then MAC:aa-bb-cc-dd-ee-ff, MODEL:Virtual, SERIAL:123456789,
        INFO:allinfo, DHCP:OFF, IPADR:240.0.11.0, ... SOFTVERSION:3.0.0, each ended by ff, then 03."""
        ev = one(sony.parse(real("universalscanner-sony-discovery-udp2380-response-anonymized.bin"), NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.serial, ev.firmware) == (
            "240.0.11.0", "aa:bb:cc:dd:ee:ff", "Virtual", "123456789", "3.0.0")


# =======================================================================================
# Vivotek
# =======================================================================================

class TestVivotek:
    def test_probe_and_own_probe_is_not_a_device(self) -> None:
        assert vivotek.build_probe(7) == b"\x07\x4a\x5d\x8f\x1c"
        assert vivotek.parse(vivotek.build_probe(), SRC) == []
        with pytest.raises(ValueError):
            vivotek.build_probe(256)

    def test_reply_with_an_inline_field(self) -> None:
        ev = one(vivotek.parse(VIVOTEK_CAMERA, NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("vivotek", "Vivotek", "Vivotek")
        assert (ev.ip, ev.mac, ev.model, ev.name) == (
            "192.0.2.26", "00:02:d1:aa:bb:cc", "IB8367-T", "Vivotek-IB8367-T-0002D1AABBCC")

    def test_datagrams_without_the_magic_say_nothing(self) -> None:
        assert vivotek.parse(b"\x02\x00\x00\x00\x00\x01\x01A", SRC) == []

    @pytest.mark.parametrize("bad", [
        vivotek_reply((0x09, b"IB8367-T"))[:-2],                       # value past the end
        vivotek_reply((0x09, b"IB8367-T")) + b"\x00\x00",              # type 0
        vivotek_reply((0x09, b"IB8367-T")) + b"\x09",                  # field header cut
        vivotek_reply((0x09, b"IB8367-T")),                            # neither MAC nor address
        vivotek_reply((0x02, bytes.fromhex("0002d1aabbcc")), *[(0x07, b"")] * 100),  # too many fields
    ])
    def test_broken_replies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: vivotek.parse(b, SRC), bad), Malformed)

    def test_real_sample(self) -> None:
        """xxd of Vivotek.selftest (72 bytes): 02 4a5d8f1c, 01/17 "Virtual-Virtual-1", 02/6 001122334455,
        03/4 f0000a00 (240.0.10.0), 04 1b (inline), 06/2, 08/2 "en", 09/7 "Virtual", 10/4, 0a/1, 05/4."""
        ev = one(vivotek.parse(real("universalscanner-vivotek-discovery-udp10000-response-anonymized.bin"), NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.name) == ("240.0.10.0", "00:11:22:33:44:55", "Virtual", "Virtual-Virtual-1")


# =======================================================================================
# Dahua's older search (5050)
# =======================================================================================

class TestDahuaV1:
    def test_probe_and_own_probe_is_not_a_device(self) -> None:
        probe = dahua_v1.build_probe()
        assert len(probe) == 32 and probe[:4] == b"\xa3\x01\x00\x01" and probe[16] == 2
        assert dahua_v1.parse(probe, SRC) == []

    def test_reply_with_key_value_lines(self) -> None:
        ev = one(dahua_v1.parse(dahua1_reply(lines=DAHUA1_LINES), NO_SRC))
        assert (ev.source, ev.vendor, ev.platform) == ("dahua1", "", "")  # OEM firmware speaks it too
        assert (ev.ip, ev.mac, ev.model, ev.serial, ev.name) == (
            "192.0.2.27", "3c:ef:8c:aa:bb:cc", "IPC-HFW1230S", "4E012345678ABCD", "IPC-front-door")
        assert ev.banners == {"dahua_search_host": "IPC",
                              "ipv6_addresses": "2001:db8::27 fe80::3eef:8cff:feaa:bbcc"}

    def test_reply_without_lines_takes_the_type_after_the_mac(self) -> None:
        ev = one(dahua_v1.parse(dahua1_reply(device_type="DH-XVR5108HS"), SRC))
        assert (ev.ip, ev.mac, ev.model, ev.serial) == (SRC.ip, SRC.mac, "DH-XVR5108HS", "")
        assert ev.note == "reports IPv4 address 192.0.2.27"

    @pytest.mark.parametrize("bad", [
        dahua1_reply()[:130],                                          # shorter than record + MAC
        dahua1_reply(mac="zz:zz:zz:zz:zz:zz"),                         # MAC text not a MAC
        b"\xb3\x00\xff" + dahua1_reply()[3:],                          # identity length past the end
        b"\xb3\x00\x05" + dahua1_reply()[3:],                          # identity shorter than a MAC
        b"\xb3\x00" + bytes(9000),                                     # oversized
    ])
    def test_broken_replies_are_malformed(self, bad: bytes) -> None:
        assert isinstance(outcome(lambda b: dahua_v1.parse(b, SRC), bad), Malformed)

    def test_real_sample(self) -> None:
        """xxd of Dahua1.selftest (232 bytes): b3 00, 0x18 = 24 bytes of identity after the 120-byte
        record ("00:11:22:33:44:55" + "Virtual"), "Virtual" at 40, f0000300 (240.0.3.0) at 56, then
        Name:Dahua, Device:Virtual, IPv6Addr:fe80::1/64;gateway:fe80::, SerialNo:123456789 (CRLF lines)."""
        ev = one(dahua_v1.parse(real("universalscanner-dahua-v1-discovery-udp5050-response-anonymized.bin"),
                                NO_SRC))
        assert (ev.ip, ev.mac, ev.model, ev.serial, ev.name) == (
            "240.0.3.0", "00:11:22:33:44:55", "Virtual", "123456789", "Dahua")
        assert ev.banners["ipv6_addresses"] == "fe80::1"


# =======================================================================================
# hostile input common to every parser
# =======================================================================================

PARSERS: dict[str, tuple[Callable[[bytes, Endpoint], list[Evidence]], bytes]] = {
    "bosch-binary": (bosch.parse, bosch_binary()),
    "bosch-xml": (bosch.parse, BOSCH_XML),
    "hanwha": (hanwha.parse, hanwha_reply()),
    "panasonic": (panasonic.parse, PANASONIC_CAMERA),
    "sony": (sony.parse, SONY_CAMERA),
    "vivotek": (vivotek.parse, VIVOTEK_CAMERA),
    "dahua1": (dahua_v1.parse, dahua1_reply(lines=DAHUA1_LINES)),
}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<root><device><physAddress>&lol3;</physAddress></device></root>"""


@pytest.mark.parametrize("name", sorted(PARSERS))
class TestHostile:
    def test_empty_and_oversized(self, name: str) -> None:
        parser, _sample = PARSERS[name]
        assert isinstance(outcome(lambda b: parser(b, SRC), b""), Malformed)
        assert isinstance(outcome(lambda b: parser(b, SRC), b"\x0b\x00\x01" + bytes(1_100_000)), Malformed)

    def test_every_truncation(self, name: str) -> None:
        parser, sample = PARSERS[name]
        assert outcome(lambda b: parser(b, SRC), sample)  # the whole message is evidence
        for cut in range(len(sample)):
            outcome(lambda b: parser(b, SRC), sample[:cut])

    def test_byte_flips_and_random_bytes(self, name: str) -> None:
        parser, sample = PARSERS[name]
        rng = random.Random(1757)
        for _ in range(300):
            mutated = bytearray(sample)
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            outcome(lambda b: parser(b, SRC), bytes(mutated))
        for _ in range(300):
            outcome(lambda b: parser(b, SRC), sample[:rng.randrange(8)] + rng.randbytes(rng.randint(1, 600)))

    def test_entity_bomb(self, name: str) -> None:
        parser, _sample = PARSERS[name]
        result = outcome(lambda b: parser(b, SRC), BILLION_LAUGHS)
        assert isinstance(result, Malformed) or result == []
        if name.startswith("bosch"):
            assert isinstance(result, Malformed)
