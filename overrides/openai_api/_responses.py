"""The HTTP answer of a call, as the official package shows it: ``with_raw_response``, ``with_streaming_response``
and binary answers (``client.files.content(id)``).

Errors have raised before any of these exist: they hold 2xx answers only.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar, cast

import httpx

from openai_api._downloads import target

T = TypeVar("T")

__all__ = [
    "APIResponse",
    "AsyncStreamedAPIResponse",
    "BinaryResponse",
    "StreamedAPIResponse",
    "astreamed_binary",
    "streamed_binary",
]


class _HTTPAnswer:
    def __init__(self, response: httpx.Response, parse: Callable[[], Any]) -> None:
        self.http_response = response
        self._parse = parse

    @property
    def http_request(self) -> httpx.Request:
        return self.http_response.request

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_request.method

    @property
    def request_id(self) -> str | None:
        return cast("str | None", self.headers.get("x-request-id"))

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url}>"


class APIResponse(_HTTPAnswer, Generic[T]):
    """A call's answer (``with_raw_response``): status, headers, request id; ``parse()`` gives the result."""

    _parse: Callable[[], T]

    def parse(self) -> T:
        return self._parse()

    @property
    def content(self) -> bytes:
        return self.http_response.read()

    @property
    def text(self) -> str:
        self.http_response.read()
        return self.http_response.text

    def json(self) -> Any:
        self.http_response.read()
        return self.http_response.json()

    def read(self) -> bytes:
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.http_response.iter_lines()

    def close(self) -> None:
        self.http_response.close()


class StreamedAPIResponse(APIResponse[T]):
    """An answer whose body is read as asked (``with_streaming_response``): ``text()`` is a method here, as in the
    official package's streamed answers."""

    def text(self) -> str:  # type: ignore[override]
        self.http_response.read()
        return self.http_response.text

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.http_response.iter_text(chunk_size)

    def stream_to_file(self, file: str | os.PathLike[str], *, chunk_size: int | None = None) -> None:
        with target(file) as out:
            for chunk in self.http_response.iter_bytes(chunk_size):
                out.write(chunk)


class AsyncStreamedAPIResponse(_HTTPAnswer, Generic[T]):
    """The async twin of :class:`StreamedAPIResponse`."""

    async def parse(self) -> T:
        parsed = self._parse()
        return await parsed if hasattr(parsed, "__await__") else parsed  # type: ignore[no-any-return]

    async def read(self) -> bytes:
        return await self.http_response.aread()

    async def text(self) -> str:
        await self.http_response.aread()
        return self.http_response.text

    async def json(self) -> Any:
        await self.http_response.aread()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.http_response.aiter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        return self.http_response.aiter_text(chunk_size)

    def iter_lines(self) -> AsyncIterator[str]:
        return self.http_response.aiter_lines()

    async def stream_to_file(self, file: str | os.PathLike[str], *, chunk_size: int | None = None) -> None:
        with target(file) as out:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                out.write(chunk)

    async def close(self) -> None:
        await self.http_response.aclose()


class BinaryResponse:
    """A binary answer read whole (``client.files.content(id)``), as the official package's binary content."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def content(self) -> bytes:
        return self.response.content

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def encoding(self) -> str | None:
        return self.response.encoding

    def read(self) -> bytes:
        return self.response.content

    def json(self) -> Any:
        return self.response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.response.iter_lines()

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        """Writes the content to ``file``; a write that fails leaves no partial file and the old one unchanged."""
        with target(file) as out:
            out.write(self.response.content)

    def close(self) -> None:
        self.response.close()

    async def aread(self) -> bytes:
        return self.response.content

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        for chunk in self.response.iter_bytes(chunk_size):
            yield chunk

    async def aclose(self) -> None:
        await self.response.aclose()

    def __repr__(self) -> str:
        return f"<BinaryResponse {len(self.content)} bytes>"


def streamed_binary(response: httpx.Response) -> BinaryResponse:
    """What ``parse()`` of a streamed download gives: its body still unread, for ``iter_bytes`` to stream it."""
    return BinaryResponse(response)


async def astreamed_binary(response: httpx.Response) -> BinaryResponse:
    """The async one reads the body first: a :class:`BinaryResponse`'s ``content`` and ``text`` are sync."""
    await response.aread()
    return BinaryResponse(response)
