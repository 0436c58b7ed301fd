"""What the sync and async event streams (``_async/_streaming``, ``_sync/_streaming``) share: the request of any
operation the spec answers with ``text/event-stream``, and its events decoded as generated models.

The request is built by the generated module's own ``request_kwargs`` (URL, headers, body); only the reading differs:
the body is consumed event by event instead of being read whole and parsed as JSON.
"""

from __future__ import annotations

import functools
import inspect
import json
import typing
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar

import httpx

from openai_api._calls import NO_OPTIONS, with_options
from openai_api._errors import (
    APIConnectionError,
    RequestValidationError,
    StreamDecodeError,
    StreamError,
    StreamInterruptedError,
)
from openai_api._exchange import STREAMED
from openai_api._logging import logger
from openai_api._sse import ServerSentEvent, SSEDecoder
from openai_api_client.checks import COMPONENT_CHECKS
from openai_api_client.types import UNSET

T = TypeVar("T")

__all__ = ["AsyncClosing", "Closing", "Reader", "raw_is_decoded", "reader"]

_DONE = "[DONE]"


class AsyncClosing:
    """Gives an async stream ``close()`` beside httpx's ``aclose()``, as the official package's streams have it. Its
    sync twin (``Closing``, what unasync makes of the name) adds nothing: a sync stream's ``close`` is its own."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        await self.aclose()


class Closing:
    """:class:`AsyncClosing`'s sync twin."""


class _FromDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def _streaming_body(model: type[Any], body: _FromDict | Mapping[str, Any]) -> Any:
    """A copy of ``body`` with ``stream: true``; the caller's object is left as it was.

    A mapping is checked against the spec's request schema first (types and required fields; enums stay open),
    so a typo gives an error naming the field, not a bare ``KeyError`` from the generated model.
    """
    data = dict(body) if isinstance(body, Mapping) else body.to_dict()
    data["stream"] = True
    found = COMPONENT_CHECKS[model.__name__](data)
    if found is not None:
        raise RequestValidationError(found[0] or "body", found[1])
    try:
        return model.from_dict(data)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RequestValidationError("body", f"{type(exc).__name__}: {exc}") from exc


class Reader(Generic[T]):
    """What the sync and async streams share: building the request, checking the answer, decoding events."""

    def __init__(
        self,
        module: ModuleType,
        request_kwargs: dict[str, Any],
        parse: Callable[[dict[str, Any]], T],
        read_idle_timeout: float | None,
    ) -> None:
        self.module = module
        self.request_kwargs = request_kwargs
        self.parse = parse
        self.read_idle_timeout = read_idle_timeout
        self.decoder = SSEDecoder()
        self.done = False
        self.finished: dict[int, bool] = {}
        """Each choice seen, by index: whether it sent its ``finish_reason``. A stream whose every choice finished
        is a whole answer even if the server closed it cleanly without ``data: [DONE]``, as the official package
        takes it."""
        self.failed: StreamError | StreamDecodeError | None = None
        """The error of an event after the items a chunk returned: raised once they are handed on."""
        self.request: httpx.Request | None = None

    def build(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        kwargs = dict(self.request_kwargs)
        if self.read_idle_timeout is not None:
            # httpx's read timeout bounds each wait for bytes: between events, that is the idle timeout.
            kwargs["timeout"] = http.timeout if isinstance(http.timeout, httpx.Timeout) else httpx.Timeout(600.0)
            kwargs["timeout"] = httpx.Timeout(
                connect=kwargs["timeout"].connect,
                read=self.read_idle_timeout,
                write=kwargs["timeout"].write,
                pool=kwargs["timeout"].pool,
            )
        headers = dict(kwargs.pop("headers", {}) or {})
        headers["Accept"] = "text/event-stream"
        kwargs["extensions"] = {**kwargs.get("extensions", {}), STREAMED: True}
        self.request = http.build_request(headers=headers, **kwargs)
        return self.request

    def is_event_stream(self, response: httpx.Response) -> bool:
        return bool(response.headers.get("content-type", "").startswith("text/event-stream"))

    def check(self, response: httpx.Response) -> None:
        """Raises for an answer that is not an event stream (its body already read); error statuses raised in the
        transport already."""
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/event-stream"):
            raise StreamDecodeError(
                f"expected a text/event-stream answer, got {content_type or 'no content type'}: "
                f"{response.text[:200]!r}",
                request=self.request,
                data=response.text,
            )

    def chunk(self, chunk: bytes) -> list[T]:
        """The items the bytes of ``chunk`` complete. An event that breaks stops the stream, but the items before it
        still reach the caller, however the network cut the bytes into chunks: they are returned, and the error
        waits in :attr:`failed` for the caller to raise after handing them on."""
        items: list[T] = []
        parse = self.parse
        decoder = self.decoder
        try:
            for event in decoder.feed(chunk):
                if event.event == "message" and not self.done and event.data[:1] == "{":
                    # The usual event, a JSON object: parsed here, without the checks for [DONE] and error events
                    # that :meth:`event` makes; anything else, or a body that fails, goes through :meth:`event`.
                    try:
                        data = json.loads(event.data)
                        if "error" not in data:
                            items.append(parse(data))
                            continue
                    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
                        pass
                item = self.event(event)
                if item is not None:
                    items.append(item)
            if decoder.error is not None and not self.done:  # bytes after [DONE] do not spoil a whole answer
                raise self.not_utf8(decoder.error) from decoder.error
        except (StreamError, StreamDecodeError) as exc:
            if not items:
                raise
            self.failed = exc
        for item in items:
            self.note(item)
        return items

    def note(self, item: object) -> None:
        for choice in getattr(item, "choices", None) or ():
            reason = getattr(choice, "finish_reason", None)
            self.finished[getattr(choice, "index", 0)] = reason is not None and reason is not UNSET

    def not_utf8(self, exc: UnicodeDecodeError) -> StreamDecodeError:
        raw = exc.object[max(0, exc.start - 40) : exc.end + 40]
        return StreamDecodeError(
            f"a stream line is not UTF-8 ({exc.reason} at byte {exc.start} of the line): {raw!r}",
            request=self.request,
            data=raw.decode("utf-8", "replace"),
        )

    def event(self, event: ServerSentEvent) -> T | None:
        if self.done:
            return None
        if event.data == _DONE:
            self.done = True
            return None
        try:
            data = json.loads(event.data)
        except (ValueError, RecursionError):
            if event.event == "error":
                raise StreamError(f"the stream sent an error: {event.data[:500]}", request=self.request) from None
            raise StreamDecodeError(
                f"a stream event is not JSON: {event.data[:500]!r}", request=self.request, data=event.data
            ) from None
        if event.event == "error" or (isinstance(data, dict) and isinstance(data.get("error"), dict)):
            detail = data.get("error", data) if isinstance(data, dict) else {}
            detail = detail if isinstance(detail, dict) else {"message": str(detail)}
            raise StreamError(
                f"the stream sent an error: {detail.get('message', event.data[:500])}",
                request=self.request,
                type=detail.get("type"),
            )
        try:
            return self.parse(data)
        except (KeyError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            raise StreamDecodeError(
                f"a stream event does not match the spec ({type(exc).__name__}: {exc}): {event.data[:500]!r}",
                request=self.request,
                data=event.data,
            ) from exc

    def end(self) -> T | None:
        """The last item, from bytes left when the stream ended; raises if the stream ended before [DONE]."""
        item: T | None = None
        for event in self.decoder.flush():
            item = self.event(event) or item
        if item is not None:
            self.note(item)
        if self.decoder.error is not None and not self.done:
            raise self.not_utf8(self.decoder.error) from self.decoder.error
        if not self.done and self.finished and all(self.finished.values()):
            logger.debug("the stream ended cleanly without data: [DONE] after every choice finished: taken as whole")
            self.done = True
        if not self.done:
            raise StreamInterruptedError(
                "the stream ended before data: [DONE]: the answer is incomplete", request=self.request
            )
        return item

    def interrupted(self, exc: APIConnectionError) -> StreamInterruptedError:
        error = StreamInterruptedError(f"the stream broke before data: [DONE]: {exc.message}", request=self.request)
        error.__cause__ = exc
        return error


def raw_is_decoded(response: httpx.Response) -> bool:
    # This layer's transport decodes a streamed body itself and drops its Content-Encoding header: the raw bytes
    # are then the decoded ones, and httpx's decoding layer would only copy them through (1 µs per event). Another
    # client's (a generated AuthenticatedClient's) body may still be encoded, and a body read already (a test
    # transport's answer) is there only for iter_bytes.
    return not response.is_stream_consumed and "content-encoding" not in response.headers


@functools.cache
def _body_model(module: ModuleType) -> Any:
    """The body model a generated module's request builder takes (the one model of its ``body`` annotation)."""
    hint = typing.get_type_hints(module.request_kwargs)["body"]
    return next(t for t in (*typing.get_args(hint), hint) if hasattr(t, "from_dict"))


def reader(
    module: ModuleType,
    arguments: Mapping[str, Any],
    item: Any,
    read_idle_timeout: float | None = None,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> Reader[Any]:
    """The stream of any operation the spec answers with ``text/event-stream``: its stream switch is set (a
    ``stream`` parameter of the request builder, or the body's ``stream`` field) and each event parsed as
    ``item``, the model the spec names for its data."""
    arguments = dict(arguments)
    if "stream" in inspect.signature(module.request_kwargs).parameters:
        arguments["stream"] = True
    else:
        arguments["body"] = _streaming_body(_body_model(module), arguments["body"])
    return Reader(module, with_options(module.request_kwargs(**arguments), options), item.from_dict, read_idle_timeout)
