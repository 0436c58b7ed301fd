"""The httpx transports under every generated function: retries, timeouts that are never off, typed errors."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from openai_api_overrides._errors import APIConnectionError, APITimeoutError, status_error
from openai_api_overrides._logging import logger
from openai_api_overrides._retry import RetryPolicy, replay_problem, should_retry_status

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)


def ensure_timeout(request: httpx.Request, default: httpx.Timeout) -> None:
    """Puts ``default`` on a request whose timeouts are all off (the generated client's ``timeout=None``)."""
    timeout = request.extensions.get("timeout")
    if not timeout or all(value is None for value in timeout.values()):
        request.extensions["timeout"] = default.as_dict()


def random_multipart_boundary(request: httpx.Request) -> None:
    """Gives a multipart body a random boundary.

    The generated functions set ``Content-Type: multipart/form-data; boundary=+++``, and httpx then uses that fixed
    boundary: a file holding ``\r\n--+++`` would end its part early and corrupt the request.
    """
    stream = request.stream
    if not isinstance(stream, httpx._multipart.MultipartStream):
        return
    stream.boundary = os.urandom(16).hex().encode("ascii")
    stream.content_type = f"multipart/form-data; boundary={stream.boundary.decode('ascii')}"
    request.headers["Content-Type"] = stream.content_type
    length = stream.get_content_length()
    if length is not None and "Content-Length" in request.headers:
        request.headers["Content-Length"] = str(length)


def connection_error(exc: httpx.TransportError, request: httpx.Request, note: str = "") -> APIConnectionError:
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    kind = "timed out" if cls is APITimeoutError else "failed"
    message = f"{request.method} {request.url} {kind}: {type(exc).__name__}: {exc}"
    error = cls(f"{message}. {note}" if note else message, request=request)
    error.__cause__ = exc
    return error


def _is_error_response_body(content: bytes) -> bool:
    """Whether an error body is the spec's ``ErrorResponse``, which the generated functions parse themselves."""
    try:
        data = json.loads(content)
    except ValueError:
        return False
    error = data.get("error") if isinstance(data, dict) else None
    return isinstance(error, dict) and isinstance(error.get("message"), str) and isinstance(error.get("type"), str)


class _Attempts:
    """The retry decisions shared by the sync and async transports (only the waiting and the I/O differ)."""

    def __init__(self, request: httpx.Request, policy: RetryPolicy) -> None:
        self.request = request
        self.policy = policy
        self.retries = 0

    def after_error(self, exc: httpx.TransportError) -> float:
        """The wait before the next attempt; raises the typed error when there is none."""
        if self.retries >= self.policy.max_retries:
            note = f"Gave up after {self.retries} retries." if self.retries else ""
            raise connection_error(exc, self.request, note) from exc
        problem = replay_problem(self.request)
        if problem is not None:
            raise connection_error(exc, self.request, f"Not retried: {problem}.") from exc
        return self._next(None, f"{type(exc).__name__}")

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before the next attempt after an error status, or None when ``response`` is the answer."""
        if not should_retry_status(response):
            return None
        if self.retries >= self.policy.max_retries:
            return None
        if replay_problem(self.request) is not None:
            return None
        return self._next(response, str(response.status_code))

    def _next(self, response: httpx.Response | None, what: str) -> float:
        delay = self.policy.delay(self.retries, response)
        self.retries += 1
        logger.info(
            "%s %s: %s, retry %d of %d in %.2f s",
            self.request.method,
            self.request.url,
            what,
            self.retries,
            self.policy.max_retries,
            delay,
        )
        return delay

    def note(self) -> str:
        problem = replay_problem(self.request)
        if problem is not None and self.policy.max_retries:
            return f"Not retried: {problem}."
        return f"Gave up after {self.retries} retries." if self.retries else ""


def _log_response(request: httpx.Request, response: httpx.Response) -> None:
    logger.debug("%s %s -> %d", request.method, request.url, response.status_code)


class _SyncErrorStream(httpx.SyncByteStream):
    """Turns transport errors while the body streams in into the typed errors."""

    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except httpx.TransportError as exc:
            raise connection_error(exc, self._request, "The response body was cut short.") from exc

    def close(self) -> None:
        self._stream.close()


class _AsyncErrorStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx.TransportError as exc:
            raise connection_error(exc, self._request, "The response body was cut short.") from exc

    async def aclose(self) -> None:
        await self._stream.aclose()


def _read_error(response: httpx.Response) -> httpx.Response:
    """A copy of a read error response, for the generated code to parse as the spec's ErrorResponse."""
    # The body is decoded already: the copy must not claim an encoding or the encoded length.
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in ("content-encoding", "content-length")]
    return httpx.Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        extensions=response.extensions,
    )


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport with the retry policy, default timeouts and typed errors."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.timeout = timeout
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ensure_timeout(request, self.timeout)
        random_multipart_boundary(request)
        attempts: _Attempts | None = None
        while True:
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                attempts = attempts or _Attempts(request, self.policy)
                self._sleep(attempts.after_error(exc))
                continue
            _log_response(request, response)
            if response.status_code < 400:
                # The common path: no retry bookkeeping, and the body streams through the typed-error wrapper.
                response.stream = _SyncErrorStream(response.stream, request)
                return response
            attempts = attempts or _Attempts(request, self.policy)
            delay = attempts.after_response(response)
            if delay is None:
                break
            response.close()
            self._sleep(delay)
        response.request = request
        try:
            response.read()
        except httpx.TransportError as exc:
            raise connection_error(exc, request, "The error body was cut short.") from exc
        if not _is_error_response_body(response.content):
            raise status_error(response, attempts.note())
        return _read_error(response)

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RetryTransport`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.timeout = timeout
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ensure_timeout(request, self.timeout)
        random_multipart_boundary(request)
        attempts: _Attempts | None = None
        while True:
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError as exc:
                attempts = attempts or _Attempts(request, self.policy)
                await self._sleep(attempts.after_error(exc))
                continue
            _log_response(request, response)
            if response.status_code < 400:
                response.stream = _AsyncErrorStream(response.stream, request)
                return response
            attempts = attempts or _Attempts(request, self.policy)
            delay = attempts.after_response(response)
            if delay is None:
                break
            await response.aclose()
            await self._sleep(delay)
        response.request = request
        try:
            await response.aread()
        except httpx.TransportError as exc:
            raise connection_error(exc, request, "The error body was cut short.") from exc
        if not _is_error_response_body(response.content):
            raise status_error(response, attempts.note())
        return _read_error(response)

    async def aclose(self) -> None:
        await self.inner.aclose()
