"""The httpx transports under every call: timeouts that are never off, a random multipart boundary, and the
:class:`~openai_api._exchange.Exchange` loop that decides how each exchange ends."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from openai_api._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api._deadline import cap_async_transport, cap_transport
from openai_api._decoding import BodyDecoder, DecodeProblem
from openai_api._errors import APIConnectionError
from openai_api._exchange import ONGOING, Exchange, connection_error
from openai_api._logging import logger
from openai_api._pool import adrop_orphans, drop_if_leftover, drop_orphans
from openai_api._retry import RetryPolicy

__all__ = ["AsyncRetryTransport", "RetryTransport"]


def _random_multipart_boundary(request: httpx.Request, stream: httpx._multipart.MultipartStream) -> None:
    """Gives a multipart body a random boundary.

    The generated functions set ``Content-Type: multipart/form-data; boundary=+++``, and httpx then uses that fixed
    boundary: a file holding ``\r\n--+++`` would end its part early and corrupt the request.
    """
    stream.boundary = os.urandom(16).hex().encode("ascii")
    stream.content_type = f"multipart/form-data; boundary={stream.boundary.decode('ascii')}"
    request.headers["Content-Type"] = stream.content_type
    length = stream.get_content_length()
    if length is None:
        # An unsized part (a pipe): httpx then sends the body chunked.
        request.headers.pop("Content-Length", None)
        request.headers["Transfer-Encoding"] = "chunked"
    elif "Content-Length" in request.headers:
        request.headers["Content-Length"] = str(length)


class _Settings:
    """What both transports are built with."""

    def __init__(self, policy: RetryPolicy, timeout: httpx.Timeout, deadline: float, strict: bool) -> None:
        self.policy = policy
        self.timeouts = timeout.as_dict()
        self.deadline = deadline
        self.strict = strict

    def exchange(self, request: httpx.Request) -> Exchange:
        timeouts = request.extensions.get("timeout")
        if not timeouts or set(timeouts.values()) == {None}:
            # The generated client's ``timeout=None`` switches every timeout off: this layer never does.
            timeouts = self.timeouts
        if isinstance(request.stream, httpx._multipart.MultipartStream):
            _random_multipart_boundary(request, request.stream)
        exchange = request.extensions.get(ONGOING)
        if isinstance(exchange, Exchange):
            exchange.request = request  # the same call sent again: its deadline and retries go on
            return exchange
        exchange = Exchange(request, self.policy, self.deadline, self.strict, timeouts)
        if ONGOING in request.extensions:  # its sender may carry the call on with another request
            request.extensions[ONGOING] = exchange
        return exchange


class _Body:
    """What both streamed bodies share: decoding the content-encoding here, where a lie becomes a typed error, and
    checking that as many bytes came as ``Content-Length`` promised."""

    def __init__(self, response: httpx.Response, exchange: Exchange, transport: object) -> None:
        self._response = response
        self._exchange = exchange
        self._request = exchange.request
        self._transport = transport
        try:
            self._decoder = BodyDecoder.of(response, exchange.request)
        except DecodeProblem as exc:
            raise exchange.undecodable(response, exc) from exc
        length = response.headers.get("content-length", "")
        self._expected = int(length) if length.isdigit() else None
        self._received = 0
        # What this body yields is decoded: httpx must not decode it again, and the length left on an encoded body
        # would be the wrong one.
        if response.headers.pop("content-encoding", None) is not None:
            response.headers.pop("content-length", None)

    def decode(self, raw: bytes) -> bytes:
        self._received += len(raw)
        if self._decoder is None:
            return raw
        try:
            return self._decoder.decode(raw)
        except DecodeProblem as exc:
            raise self._exchange.undecodable(self._response, exc) from exc

    def finish(self) -> bytes:
        if self._expected is not None and self._received < self._expected:
            raise APIConnectionError(
                f"{self._request.method} {self._request.url} failed: the body stopped at {self._received} of "
                f"{self._expected} bytes",
                request=self._request,
            )
        drop_if_leftover(self._transport, self._response)
        if self._decoder is None:
            return b""
        try:
            return self._decoder.flush()
        except DecodeProblem as exc:
            raise self._exchange.undecodable(self._response, exc) from exc

    def broken(self, exc: httpx.TransportError) -> APIConnectionError:
        return connection_error(exc, self._request, "The response body was cut short.")


class _SyncBody(httpx.SyncByteStream):
    """A streamed answer's body, decoded; transport errors while it arrives become the typed errors."""

    def __init__(self, stream: Any, body: _Body) -> None:
        self._stream = stream
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        try:
            for raw in self._stream:
                if decoded := self._body.decode(raw):
                    yield decoded
        except httpx.TransportError as exc:
            raise self._body.broken(exc) from exc
        if tail := self._body.finish():
            yield tail

    def close(self) -> None:
        self._stream.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, stream: Any, body: _Body) -> None:
        self._stream = stream
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for raw in self._stream:
                if decoded := self._body.decode(raw):
                    yield decoded
        except httpx.TransportError as exc:
            raise self._body.broken(exc) from exc
        if tail := self._body.finish():
            yield tail

    async def aclose(self) -> None:
        await self._stream.aclose()


def _decoded(response: httpx.Response, raw: bytes, exchange: Exchange) -> bytes:
    """The body without its content-encoding. A lie, a cut or an encoding never offered is a typed error for a 2xx;
    for an error status the raw bytes stand as its text, so it still ends (or is retried) as its status says."""
    try:
        decoder = BodyDecoder.of(response, exchange.request)
        return raw if decoder is None else decoder.decode(raw) + decoder.flush()
    except DecodeProblem as exc:
        if 200 <= response.status_code < 300:
            raise exchange.undecodable(response, exc) from exc
        return raw


def _read(response: httpx.Response, exchange: Exchange, transport: httpx.BaseTransport) -> None:
    """Reads a whole body inside the retry loop, so a connection dropped mid-body is retried too."""
    if response.is_stream_consumed:
        return  # built with its content (a mock transport's answer): httpx has read and decoded it
    parts = []
    deadline = exchange.deadline
    for part in response.iter_raw():
        parts.append(part)
        if deadline.passed:
            # Between chunks too: a transport whose sockets this layer could not cap never times a drip out.
            raise deadline.error(exchange.request, exchange.retries)
    drop_if_leftover(transport, response)
    response._content = _decoded(response, b"".join(parts), exchange)


async def _aread(response: httpx.Response, exchange: Exchange, transport: httpx.AsyncBaseTransport) -> None:
    if response.is_stream_consumed:
        return
    parts = []
    deadline = exchange.deadline
    async for part in response.aiter_raw():
        parts.append(part)
        if deadline.passed:
            raise deadline.error(exchange.request, exchange.retries)
    drop_if_leftover(transport, response)
    response._content = _decoded(response, b"".join(parts), exchange)


async def _asyncio_sleep(seconds: float) -> None:
    # Imported here: asyncio is a tenth of what `import httpx` costs (in instructions), and a program that only
    # makes sync calls never needs it; an async one has imported it already.
    import asyncio

    await asyncio.sleep(seconds)


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport: every request goes through one :class:`Exchange` until it ends."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        *,
        deadline: float = DEFAULT_DEADLINE,
        strict: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        owned: bool = True,
    ) -> None:
        cap_transport(inner)
        self.inner = inner
        self._owned = owned
        self.settings = _Settings(policy, timeout, deadline, strict)
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self.settings.exchange(request)
        while True:
            attempt = exchange.start_attempt()
            with exchange.deadline:
                try:
                    response = self.inner.handle_request(attempt)
                except Exception as exc:
                    drop_orphans(self.inner)
                    delay = exchange.after_send_error(exc)
                else:
                    logger.debug("%s %s -> %d", attempt.method, attempt.url, response.status_code)
                    if 200 <= response.status_code < 300 and exchange.streamed:
                        try:
                            body = _Body(response, exchange, self.inner)
                        except BaseException:
                            response.close()
                            raise
                        response.stream = _SyncBody(response.stream, body)
                        return exchange.success(response)
                    if 300 <= response.status_code < 400 and exchange.redirect(response) is not None:
                        response.close()
                        continue
                    try:
                        _read(response, exchange, self.inner)
                    except Exception as exc:
                        delay = exchange.after_send_error(exc)
                    else:
                        if 200 <= response.status_code < 300:
                            return exchange.success(response)
                        delay = exchange.after_status(response)
                    finally:
                        response.close()
            self._sleep(delay)

    def close(self) -> None:
        if self._owned:
            self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RetryTransport`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        *,
        deadline: float = DEFAULT_DEADLINE,
        strict: bool = False,
        sleep: Callable[[float], Any] | None = None,
        owned: bool = True,
    ) -> None:
        cap_async_transport(inner)
        self.inner = inner
        self._owned = owned
        self.settings = _Settings(policy, timeout, deadline, strict)
        self._sleep = sleep or _asyncio_sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self.settings.exchange(request)
        while True:
            attempt = exchange.start_attempt()
            with exchange.deadline:
                try:
                    response = await self.inner.handle_async_request(attempt)
                except Exception as exc:
                    await adrop_orphans(self.inner)
                    delay = exchange.after_send_error(exc)
                else:
                    logger.debug("%s %s -> %d", attempt.method, attempt.url, response.status_code)
                    if 200 <= response.status_code < 300 and exchange.streamed:
                        try:
                            body = _Body(response, exchange, self.inner)
                        except BaseException:
                            await response.aclose()
                            raise
                        response.stream = _AsyncBody(response.stream, body)
                        return exchange.success(response)
                    if 300 <= response.status_code < 400 and exchange.redirect(response) is not None:
                        await response.aclose()
                        continue
                    try:
                        await _aread(response, exchange, self.inner)
                    except Exception as exc:
                        delay = exchange.after_send_error(exc)
                    else:
                        if 200 <= response.status_code < 300:
                            return exchange.success(response)
                        delay = exchange.after_status(response)
                    finally:
                        await response.aclose()
            await self._sleep(delay)

    async def aclose(self) -> None:
        if self._owned:
            await self.inner.aclose()
