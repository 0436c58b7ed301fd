# Written from ../_async/_network.py by `python -m generator` (generator/_unasync.py): edit that file.
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


class _Stream(Capped, httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, capped(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, capped(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        if self.leftover and info == "is_readable":
            return True
        return self._inner.get_extra_info(info)


class Backend(httpcore.NetworkBackend):
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
        return _Stream(self._inner.connect_tcp(host, port, capped(timeout), local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, capped(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def cap_transport(transport: httpx.BaseTransport) -> None:
    """Puts the deadline under an httpx transport's connection pool (httpx builds the pool's network backend
    itself and offers no option for it: httpx is pinned below 0.29 for this). Other transports are left alone."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, Backend):
        pool._network_backend = Backend(backend)  # type: ignore[union-attr]
