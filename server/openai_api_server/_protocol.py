"""uvicorn's h11 protocol with a deadline on reading a request's headers, and a way for the app to drop the
connection before it answers (``scope["extensions"]["openai_api_server.abort"]``, for the ``drop_connection`` fault).


uvicorn bounds only the wait between requests (``timeout_keep_alive``); a client that sends its headers a byte at a
time would hold a connection open forever. Here each request's headers must be complete within ``header_timeout``
seconds of its first byte (or of the connection's opening), or the connection is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

ABORT = "openai_api_server.abort"


class HeaderTimeoutProtocol(H11Protocol):
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            # One protocol instance serves one connection: its transport is the one to drop.
            scope.setdefault("extensions", {})[ABORT] = self._abort
            await inner(scope, receive, send)

        self.app = app

    def _abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("closing a connection whose request headers took longer than %ss", self.header_timeout)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a request has begun but its headers are not all here yet
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between requests, uvicorn's keep-alive timeout governs; the deadline starts again with the next byte.
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})
