# Written from ../_async/_transport.py by `python -m generator` (generator/_unasync.py): edit that file.
"""The transport under every call: each request goes through one :class:`~openai_api._exchange.Exchange`
until it ends (``_transport`` holds what the sync and async transports share)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from openai_api._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api._exchange import Exchange
from openai_api._logging import logger
from openai_api._pool import drop_orphans
from openai_api._retry import RetryPolicy
from openai_api._sync._network import cap_transport
from openai_api._transport import Body, Settings, Sleep, read_whole, time_sleep

__all__ = ["RetryTransport"]


class _DecodedStream(httpx.SyncByteStream):
    """A streamed answer's body, decoded; transport errors while it arrives become the typed errors."""

    def __init__(self, stream: Any, body: Body) -> None:
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
    read_whole(response, b"".join(parts), exchange, transport)


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
        sleep: Sleep | None = None,
        owned: bool = True,
    ) -> None:
        cap_transport(inner)
        self.inner = inner
        self._owned = owned
        self.settings = Settings(policy, timeout, deadline, strict)
        self._sleep = sleep or time_sleep

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
                            body = Body(response, exchange, self.inner)
                        except BaseException:
                            response.close()
                            raise
                        response.stream = _DecodedStream(response.stream, body)
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
