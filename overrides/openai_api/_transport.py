"""What the httpx transports under every call share (``_async/_transport``, its sync twin ``_sync/_transport``):
timeouts that are never off, a random multipart boundary, the :class:`~openai_api._exchange.Exchange` each request
goes through, and a body's decoding."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable

import httpx

from openai_api._decoding import BodyDecoder, DecodeProblem
from openai_api._errors import APIConnectionError
from openai_api._exchange import ONGOING, Exchange, connection_error
from openai_api._pool import drop_if_leftover
from openai_api._retry import RetryPolicy

__all__ = ["AsyncSleep", "Body", "Settings", "Sleep", "asyncio_sleep", "read_whole", "time_sleep"]

Sleep = Callable[[float], object]
AsyncSleep = Callable[[float], Awaitable[object]]
time_sleep = time.sleep


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


class Settings:
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


class Body:
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


def read_whole(response: httpx.Response, raw: bytes, exchange: Exchange, transport: object) -> None:
    """Puts a whole body, read inside the retry loop, on its response, without its content-encoding."""
    drop_if_leftover(transport, response)
    response._content = _decoded(response, raw, exchange)


async def asyncio_sleep(seconds: float) -> None:
    # Imported here: asyncio is a tenth of what `import httpx` costs (in instructions), and a program that only
    # makes sync calls never needs it; an async one has imported it already.
    import asyncio

    await asyncio.sleep(seconds)
