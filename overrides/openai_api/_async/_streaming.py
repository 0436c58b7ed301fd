"""The stream of one operation's server-sent events, as generated models (the reading is ``_events``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from openai_api._errors import APIConnectionError, StreamInterruptedError
from openai_api._events import AsyncClosing, Reader, raw_is_decoded
from openai_api_client import AuthenticatedClient

T = TypeVar("T")

__all__ = ["AsyncStream"]


def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    return response.aiter_raw() if raw_is_decoded(response) else response.aiter_bytes()


class AsyncStream(AsyncClosing, Generic[T]):
    """An iterator of one stream's events as generated models (``for``, ``async for``); leaving the loop or the
    ``with`` block closes it."""

    def __init__(self, client: AuthenticatedClient, reader: Reader[T]) -> None:
        self._client = client
        self._reader = reader
        self._response: httpx.Response | None = None
        self._items: Any = None

    @property
    def response(self) -> httpx.Response | None:
        return self._response

    async def _open(self) -> httpx.Response:
        if self._response is None:
            http = self._client.get_async_httpx_client()
            response = await http.send(self._reader.build(http), stream=True)
            self._response = response
            try:
                if not self._reader.is_event_stream(response):
                    await response.aread()
                    self._reader.check(response)
            except BaseException:
                await response.aclose()
                raise
        return self._response

    async def __aenter__(self) -> AsyncStream[T]:
        await self._open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[T]:
        # One iterator, whoever asks: `next(stream)` and a loop after it share it, as in the official package.
        if self._items is None:
            self._items = self._read()
        return self._items  # type: ignore[no-any-return]

    async def __anext__(self) -> T:
        return await anext(aiter(self))

    async def _read(self) -> AsyncIterator[T]:
        response = await self._open()
        reader = self._reader
        try:
            async for chunk in _chunks(response):
                for item in reader.chunk(chunk):
                    yield item
                if reader.failed is not None:
                    raise reader.failed
                if reader.done:
                    break
            last = reader.end()
            if last is not None:
                yield last
        except StreamInterruptedError:
            raise
        except APIConnectionError as exc:
            raise reader.interrupted(exc) from exc
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()
