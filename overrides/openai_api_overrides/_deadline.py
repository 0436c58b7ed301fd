"""The deadline of the call in progress, applied to every socket operation under it.

httpx's timeouts bound each wait on the socket, so a server that drips its status line a byte a second never trips
one. The transport sets the call's end here for the duration of each attempt, and the network streams below the
connection pool cap every connect, read and write by what is left of it: a wait that runs out is a timeout that the
exchange reports as the deadline's. A streamed answer's body is read after the attempt, so it is not capped (its
read timeout, the idle timeout, bounds it).
"""

from __future__ import annotations

import contextvars
import ssl
import typing
from time import monotonic as _monotonic
from typing import Any

import httpcore
import httpx

__all__ = ["AttemptDeadline", "cap_async_transport", "cap_transport", "mark_leftover"]

_ENDS: contextvars.ContextVar[float | None] = contextvars.ContextVar("openai_api_call_ends", default=None)


class AttemptDeadline:
    """Socket waits inside the block end by ``ends`` (a ``time.monotonic()`` value).

    A class, not ``contextlib.contextmanager``: that builds a generator and a wrapper per attempt (1.5 µs a call).
    """

    __slots__ = ("_ends", "_token")

    def __init__(self, ends: float) -> None:
        self._ends = ends

    def __enter__(self) -> None:
        self._token = _ENDS.set(self._ends)

    def __exit__(self, *exc: object) -> None:
        _ENDS.reset(self._token)


def _capped(timeout: float | None) -> float | None:
    # Comparisons, not max() and min(): this runs on every read and write of every call.
    ends = _ENDS.get()
    if ends is None:
        return timeout
    left = ends - _monotonic()
    if left <= 0.0:
        return 0.0
    return left if timeout is None or left < timeout else timeout


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
