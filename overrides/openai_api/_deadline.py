"""The call's deadline, as one object that every bound on the call asks.

httpx's timeouts bound each wait on the socket, so a server that drips its status line a byte a second never trips
one. The exchange makes one :class:`Deadline` per call from the client's setting, and it alone knows when the call
ends: what is left, each timeout capped by that, whether it has passed, and the typed error that says so. For each
attempt the transport makes it the current one here, and the network streams below the connection pool cap every
connect, read and write by what is left of it: a wait that runs out is a timeout that the exchange reports as the
deadline's. A streamed answer's body is read after the attempt, so it is not capped (its read timeout, the idle
timeout, bounds it: the deadline bounds a stream until its headers arrive).

Sync and async calls share this one mechanism. anyio's cancel scopes (``fail_after``) would bound async attempts
alone, at about 75 k instructions an attempt on asyncio (the transport and a call's plumbing are 28 k), and the
async streams would stay wrapped: they also mark a leftover connection (``_pool``).
"""

from __future__ import annotations

import contextvars
import ssl
import typing
from time import monotonic as _monotonic
from typing import Any

import httpcore
import httpx

from openai_api._errors import APITimeoutError

__all__ = ["Deadline", "cap_async_transport", "cap_transport", "mark_leftover", "retries_text"]

_EARLY = 0.05
"""Seconds: a socket wait capped by the deadline that ends this near it was the deadline firing, and an attempt
with less left is not worth starting."""

_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("openai_api_deadline", default=None)


def retries_text(count: int) -> str:
    return "1 retry" if count == 1 else f"{count} retries"


class Deadline:
    """When one call must end (``ends``, a ``time.monotonic()`` value), ``seconds`` after it started.

    Entered as a context manager for an attempt, it caps every socket wait under it. A class, not
    ``contextlib.contextmanager``: that builds a generator and a wrapper per attempt (1.5 µs a call).
    """

    __slots__ = ("_token", "ends", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = _monotonic() + seconds

    def left(self) -> float:
        return self.ends - _monotonic()

    @property
    def passed(self) -> bool:
        """Whether it has passed, or is closer than ``_EARLY``."""
        return self.ends - _monotonic() <= _EARLY

    def cap(self, timeout: float | None) -> float | None:
        """``timeout`` (None: no bound), or what is left when that is shorter."""
        # Comparisons, not max() and min(): this runs on every read and write of every call.
        left = self.ends - _monotonic()
        if left <= 0.0:
            return 0.0
        return left if timeout is None or left < timeout else timeout

    def cap_all(self, timeouts: dict[str, float | None]) -> dict[str, float | None]:
        """``timeouts`` itself when each is within what is left (nearly always), else a capped copy."""
        left = self.ends - _monotonic()
        for value in timeouts.values():
            if value is None or value > left:
                return {name: self.cap(value) for name, value in timeouts.items()}
        return timeouts

    def error(self, request: httpx.Request, retried: int) -> APITimeoutError:
        """Raised when the call is found past its deadline: before an attempt, between chunks of a body."""
        note = f" after {retries_text(retried)}" if retried else ""
        return APITimeoutError(
            f"{request.method} {request.url} timed out (deadline): the call took longer than its "
            f"deadline of {self.seconds:g} s{note}",
            request=request,
            bound="deadline",
        )

    def __enter__(self) -> Deadline:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)


def _capped(timeout: float | None) -> float | None:
    deadline = _CURRENT.get()
    return timeout if deadline is None else deadline.cap(timeout)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self.leftover = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        if self.leftover and info == "is_readable":
            return True
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, _capped(timeout), local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _capped(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self.leftover = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _capped(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _capped(timeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, _capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        if self.leftover and info == "is_readable":
            return True
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, _capped(timeout), local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.connect_unix_socket(path, _capped(timeout), socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def mark_leftover(stream: object) -> None:
    """Makes an idle connection's stream look readable to httpcore, its sign that the server closed it (see
    ``_pool``); a stream this layer did not wrap is left alone."""
    if isinstance(stream, _Stream | _AsyncStream):
        stream.leftover = True


def cap_transport(transport: httpx.BaseTransport) -> None:
    """Puts the deadline under an httpx transport's connection pool (httpx builds the pool's network backend
    itself and offers no option for it: httpx is pinned below 0.29 for this). Other transports are left alone."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
        pool._network_backend = _Backend(backend)  # type: ignore[union-attr]


def cap_async_transport(transport: httpx.AsyncBaseTransport) -> None:
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.AsyncNetworkBackend) and not isinstance(backend, _AsyncBackend):
        pool._network_backend = _AsyncBackend(backend)  # type: ignore[union-attr]
