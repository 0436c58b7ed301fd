# Written from ../_async/_streaming.py by `python -m generator` (generator/_unasync.py): edit that file.
"""The stream of one operation's server-sent events, as generated models (the reading is ``_events``)."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from openai_api._errors import APIConnectionError, StreamInterruptedError
from openai_api._events import Closing, Reader, raw_is_decoded
from openai_api_client import AuthenticatedClient

T = TypeVar("T")

__all__ = ["Stream"]


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    return response.iter_raw() if raw_is_decoded(response) else response.iter_bytes()


class Stream(Closing, Generic[T]):
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

    def _open(self) -> httpx.Response:
        if self._response is None:
            http = self._client.get_httpx_client()
            response = http.send(self._reader.build(http), stream=True)
            self._response = response
            try:
                if not self._reader.is_event_stream(response):
                    response.read()
                    self._reader.check(response)
            except BaseException:
                response.close()
                raise
        return self._response

    def __enter__(self) -> Stream[T]:
        self._open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        # One iterator, whoever asks: `next(stream)` and a loop after it share it, as in the official package.
        if self._items is None:
            self._items = self._read()
        return self._items  # type: ignore[no-any-return]

    def __next__(self) -> T:
        return next(iter(self))

    def _read(self) -> Iterator[T]:
        response = self._open()
        reader = self._reader
        try:
            for chunk in _chunks(response):
                yield from reader.chunk(chunk)
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
            response.close()

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
