"""Answers of bounded size, never decompressed: what the API clients read from a device.

A device chooses how big its answer is and how it is encoded; `Content-Encoding: gzip, gzip`
on 1.8 KB can inflate to gigabytes. camscan asks for `Accept-Encoding: identity`, refuses an
answer that comes encoded anyway (decompressing is where the bomb goes off), and stops reading
past MAX_ANSWER bytes. Both clients — httpx for ISAPI/CGI, aiohttp inside onvif-zeep-async —
read through here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from camscan.scan.isolation import printable

MAX_ANSWER = 2 * 1024 * 1024
IDENTITY = {"Accept-Encoding": "identity"}


class AnswerRefused(Exception):
    """The device's answer was encoded or too large; it was not read."""


def check_encoding(headers: Any) -> None:
    encoding = str(headers.get("Content-Encoding", "") or "").strip().lower()
    if encoding not in ("", "identity"):
        raise AnswerRefused(f"encoded answer refused (Content-Encoding {printable(encoding, 30)!r})")


def _grow(chunks: list[bytes], chunk: bytes, size: int) -> int:
    size += len(chunk)
    if size > MAX_ANSWER:
        raise AnswerRefused(f"answer larger than {MAX_ANSWER // (1024 * 1024)} MB refused")
    chunks.append(chunk)
    return size


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self.inner:
            size = _grow([], chunk, size)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class BoundedTransport(httpx.AsyncBaseTransport):
    """httpx transport whose every response — the digest challenge too, which httpx reads on
    its own — is refused when encoded and cut off past MAX_ANSWER bytes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        resp = await self.inner.handle_async_request(request)
        try:
            check_encoding(resp.headers)
        except AnswerRefused:
            await resp.aclose()
            raise
        resp.stream = _CappedStream(resp.stream)
        return resp

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReadAnswer:
    """An aiohttp response whose body was already read (bounded): `read()` gives it, every
    other attribute is the response's own."""

    def __init__(self, resp: Any, body: bytes) -> None:
        self._resp, self._body = resp, body

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resp, name)

    async def read(self) -> bytes:
        return self._body


async def read_aiohttp(resp: Any) -> ReadAnswer:
    """Read an aiohttp response (sent with auto_decompress off) within the bounds."""
    try:
        check_encoding(resp.headers)
        chunks: list[bytes] = []
        size = 0
        while chunk := await resp.content.read(65536):
            size = _grow(chunks, chunk, size)
    except AnswerRefused:
        resp.close()
        raise
    resp.release()
    return ReadAnswer(resp, b"".join(chunks))
