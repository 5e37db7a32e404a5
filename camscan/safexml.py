"""Hardened XML reading for everything a device sends.

Device XML is untrusted: entity bombs, external entities and DTDs are refused (defusedxml),
documents larger than MAX_XML_BYTES are refused before parsing, and namespaces are ignored
when looking up fields because the same document comes with different namespaces (ISAPI's
hikvision.com and isapi.org schemas; SOAP bodies logged without their prefix declarations).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from camscan.model import Malformed

MAX_XML_BYTES = 1_000_000

_UNDECLARED_PREFIX = re.compile(rb"<(/?)([A-Za-z_][\w.-]*):")
_PREFIXED_ATTR = re.compile(rb"\s([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)=")


def parse_xml(data: bytes | str, what: str = "XML") -> Element:
    """Parse untrusted XML, or raise Malformed naming `what`.

    A body whose namespace prefixes were never declared (a SOAP Body cut out of its envelope,
    as devices' logs and some firmware send them) is retried with the prefixes stripped.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if len(data) > MAX_XML_BYTES:
        raise Malformed(f"{what}: document of {len(data)} bytes exceeds {MAX_XML_BYTES}")
    data = data.strip().lstrip(b"\xef\xbb\xbf")
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Malformed(f"{what}: refused ({type(exc).__name__})") from None
    except Exception as first:  # ParseError and friends
        if b"unbound prefix" in str(first).encode():
            stripped = _PREFIXED_ATTR.sub(rb" \2=", _UNDECLARED_PREFIX.sub(rb"<\1", data))
            stripped = re.sub(rb"\sxmlns(:[\w.-]+)?=\"[^\"]*\"", b"", stripped)
            try:
                return DET.fromstring(stripped, forbid_dtd=True, forbid_entities=True, forbid_external=True)
            except DefusedXmlException as exc:
                raise Malformed(f"{what}: refused ({type(exc).__name__})") from None
            except Exception:
                pass
        raise Malformed(f"{what}: not well-formed ({str(first)[:80]})") from None


def local(tag: str) -> str:
    """`{ns}name` or `prefix:name` → `name`."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def find(el: Element, *path: str) -> Element | None:
    """First descendant matching the local-name path (namespace-agnostic); each step searches
    all descendants of the previous match, so wrappers that differ between firmware do not matter."""
    cur: Element | None = el
    for name in path:
        if cur is None:
            return None
        nxt = None
        for child in cur.iter():
            if child is not cur and local(child.tag) == name:
                nxt = child
                break
        cur = nxt
    return cur


def text(el: Element | None, *path: str) -> str:
    """Stripped text of find(el, *path), or "" when absent."""
    if el is None:
        return ""
    node = find(el, *path) if path else el
    if node is None or node.text is None:
        return ""
    return node.text.strip()


def find_all(el: Element, name: str) -> list[Element]:
    """All descendants with the local name `name`."""
    return [c for c in el.iter() if local(c.tag) == name]
