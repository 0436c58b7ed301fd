"""The network streams under the connection pool, where the call's :class:`~openai_api._deadline.Deadline` caps every
connect, read and write by what is left of it (``_deadline``), and where a connection with leftover bytes is marked
(``_pool``)."""

from __future__ import annotations

import ssl
import typing
from typing import Any

import httpcore
import httpx

from openai_api._deadline import Capped, capped

__all__ = ["cap_transport"]


class _Stream(Capped, httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, capped(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, capped(timeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        if self.leftover and info == "is_readable":
            return True
        return self._inner.get_extra_info(info)


class Backend(httpcore.AsyncNetworkBackend):
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
        return _Stream(await self._inner.connect_tcp(host, port, capped(timeout), local_address, socket_options))

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, capped(timeout), socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def cap_transport(transport: httpx.AsyncBaseTransport) -> None:
    """Puts the deadline under an httpx transport's connection pool (httpx builds the pool's network backend
    itself and offers no option for it: httpx is pinned below 0.29 for this). Other transports are left alone."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.AsyncNetworkBackend) and not isinstance(backend, Backend):
        pool._network_backend = Backend(backend)  # type: ignore[union-attr]
