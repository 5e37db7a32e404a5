"""Digest authentication as the lab's devices do it (RFC 7616, MD5, qop=auth) against the profile's
account. Nonces are derived from the profile, so the same request always gets the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from camscan.lab.profile import Profile

_AUTH_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


def digest_nonce(p: Profile, realm: str) -> str:
    """The nonce this device hands out (stable per device and realm, so captures are repeatable)."""
    return hashlib.md5(f"camscan-lab:{p.id}:{realm}:nonce".encode()).hexdigest()


def _opaque(p: Profile) -> str:
    return hashlib.md5(f"camscan-lab:{p.id}:opaque".encode()).hexdigest()[:16]


def digest_challenge(p: Profile, realm: str) -> str:
    return (f'Digest realm="{realm}", qop="auth", nonce="{digest_nonce(p, realm)}", '
            f'opaque="{_opaque(p)}", algorithm=MD5, stale=FALSE')


def _parse_auth(value: str) -> dict[str, str] | None:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _AUTH_PARAM.finditer(rest)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def digest_ok(p: Profile, realm: str, method: str, uri: str, authorization: str) -> bool:
    """RFC 7616 digest, MD5, qop=auth, checked against the profile's account."""
    if not authorization or not p.username:
        return False
    params = _parse_auth(authorization)
    if params is None:
        return False
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if any(not params.get(k) for k in needed):
        return False
    if params.get("algorithm", "MD5").upper() != "MD5" or params["qop"] != "auth":
        return False
    if (params["username"] != p.username or params["realm"] != realm
            or params["nonce"] != digest_nonce(p, realm) or params["uri"] != uri):
        return False
    ha1 = _md5(f"{p.username}:{realm}:{p.password}")
    ha2 = _md5(f"{method}:{uri}")
    expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
    return hmac.compare_digest(expected, params["response"].lower())
