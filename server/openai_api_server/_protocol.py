"""uvicorn's h11 protocol with deadlines on reading a request (its headers, then its body), and a way for the app to
drop the connection before it answers (``scope["extensions"]["openai_api_server.abort"]``, for the
``drop_connection`` fault).

uvicorn bounds only the wait between requests (``timeout_keep_alive``); a client that sends its headers, or its
body, a byte at a time would hold a connection (and the app waiting for the body) open forever. Here:

- each request's headers must be complete within ``header_timeout`` seconds of its first byte (or of the
  connection's opening), or the connection is closed;
- its body must arrive within ``body_timeout`` seconds. Past that, an app still waiting for the body gets
  :class:`BodyTimeout` from ``receive`` (the server answers 408 and closes the connection), and a connection whose
  answer has already gone (a 401 before the body was read, say) is closed. The deadline is on the client: what
  counts is the time the app spent waiting in ``receive`` for more of the body, not the time it spent on what had
  arrived (a large upload parsed and written to disk on a slow machine); once the answer has gone, every second
  from the end of the headers counts, since the server then drops what arrives as fast as it comes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

ABORT = "openai_api_server.abort"
_GRACE = 1.0  # seconds an app told that the body is late has to answer, before the connection is closed anyway
_RECHECK = 0.25  # at least this long between two looks at a deadline that the app's own work put off


class BodyTimeout(Exception):
    """The request's body did not arrive within the body deadline (raised by ``receive``, to the app)."""


class DeadlineProtocol(H11Protocol):
    header_timeout = 10.0
    body_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None
        self._body_of: object | None = None  # the request (uvicorn's cycle) whose body is being timed
        self._body_since = 0.0  # when its headers were complete (loop time)
        self._body_waited = 0.0  # seconds the app has spent waiting in receive for more of that body
        self._waiting_since: float | None = None  # when the app began its current wait, if it is waiting
        self._late: object | None = None  # the request whose body missed its deadline
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            # One protocol instance serves one connection: its transport is the one to drop.
            scope.setdefault("extensions", {})[ABORT] = self._abort
            # Requests on a connection are served one at a time (uvicorn pauses pipelined ones): this is the app's.
            cycle = self.cycle

            async def receive_in_time() -> Any:
                timed = self._body_of is cycle
                if timed:
                    self._waiting_since = self.loop.time()
                try:
                    message = await receive()
                finally:
                    if timed and self._body_of is cycle and self._waiting_since is not None:
                        self._body_waited += self.loop.time() - self._waiting_since
                    self._waiting_since = None
                if self._late is cycle and message["type"] == "http.request" and message.get("more_body", False):
                    raise BodyTimeout(f"The request body took longer than {self.body_timeout:g} s to arrive.")
                return message

            await inner(scope, receive_in_time, send)

        self.app = app

    def _abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    # --- headers ---------------------------------------------------------------------------------------

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

    # --- body ------------------------------------------------------------------------------------------

    def _watch_body(self) -> None:
        """Times the body of the request being received, from its headers to its last byte."""
        if self.conn.their_state is not h11.SEND_BODY:
            self._disarm_body()
            return
        if self._body_of is self.cycle:
            return  # already timed
        self._disarm_body()
        self._body_of = self.cycle
        self._body_since = self.loop.time()
        self._body_waited = 0.0
        self._waiting_since = None
        self._body_deadline = self.loop.call_later(self.body_timeout, self._body_check)

    def _disarm_body(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None
        self._body_of = None

    def _body_check(self) -> None:
        self._body_deadline = None
        cycle = self.cycle
        if self.conn.their_state is not h11.SEND_BODY or cycle is not self._body_of or self.transport.is_closing():
            return
        now = self.loop.time()
        if cycle.response_started:
            waited = now - self._body_since
        else:
            waited = self._body_waited + (now - self._waiting_since if self._waiting_since is not None else 0.0)
        if waited < self.body_timeout:  # the app was busy part of the time: that is not the client's delay
            self._body_deadline = self.loop.call_later(max(self.body_timeout - waited, _RECHECK), self._body_check)
            return
        self.logger.info("the request body took longer than %ss: closing its connection", self.body_timeout)
        if cycle.response_started:
            self.transport.close()
            return
        self._late = cycle
        cycle.message_event.set()  # wakes the app's receive, which raises BodyTimeout: the app answers 408
        self._body_deadline = self.loop.call_later(_GRACE, self._close_late)

    def _close_late(self) -> None:
        self._body_deadline = None
        if self._late is self.cycle and not self.transport.is_closing():
            self.transport.close()  # the app did not answer in time (or is still answering): the connection ends

    # --- uvicorn's hooks -------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a request has begun but its headers are not all here yet
        else:
            self._disarm()
        self._watch_body()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between requests, uvicorn's keep-alive timeout governs; the deadline starts again with the next byte.
        self._disarm()
        # An answer sent before the body was all read: the rest of it must still come in time (it is read and
        # dropped); and a pipelined request uvicorn has just taken up has its own body to time.
        self._watch_body()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._disarm_body()
        super().connection_lost(exc)


def protocol_with_timeouts(header_timeout: float, body_timeout: float) -> type[DeadlineProtocol]:
    attributes = {"header_timeout": header_timeout, "body_timeout": body_timeout}
    return type("DeadlineProtocol", (DeadlineProtocol,), attributes)
