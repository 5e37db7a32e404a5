"""What the protocol parser tests ask of every parser: exactly one piece of evidence where one is
due, and for hostile input either evidence or a short Malformed, quickly, never another error."""

from __future__ import annotations

import time
from collections.abc import Callable

from camscan.model import Evidence, Malformed


def one(result: list[Evidence]) -> Evidence:
    assert len(result) == 1, result
    return result[0]


def outcome(parser: Callable[[bytes], list[Evidence]], payload: bytes) -> list[Evidence] | Malformed:
    """The parser's result or its Malformed; any other exception fails the test."""
    start = time.monotonic()
    try:
        result = parser(payload)
    except Malformed as exc:
        assert len(str(exc)) < 200
        return exc
    finally:
        assert time.monotonic() - start < 2, "parser too slow"
    assert isinstance(result, list) and all(isinstance(e, Evidence) for e in result)
    return result
