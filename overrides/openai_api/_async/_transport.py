"""The transport under every call: each request goes through one :class:`~openai_api._exchange.Exchange`
until it ends (``_transport`` holds what the sync and async transports share)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from openai_api._async._network import cap_transport
from openai_api._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api._exchange import Exchange
from openai_api._logging import logger
from openai_api._pool import adrop_orphans
from openai_api._retry import RetryPolicy
from openai_api._transport import AsyncSleep, Body, Settings, asyncio_sleep, read_whole

__all__ = ["AsyncRetryTransport"]


class _DecodedStream(httpx.AsyncByteStream):
    """A streamed answer's body, decoded; transport errors while it arrives become the typed errors."""

    def __init__(self, stream: Any, body: Body) -> None:
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


async def _read(response: httpx.Response, exchange: Exchange, transport: httpx.AsyncBaseTransport) -> None:
    """Reads a whole body inside the retry loop, so a connection dropped mid-body is retried too."""
    if response.is_stream_consumed:
        return  # built with its content (a mock transport's answer): httpx has read and decoded it
    parts = []
    deadline = exchange.deadline
    async for part in response.aiter_raw():
        parts.append(part)
        if deadline.passed:
            # Between chunks too: a transport whose sockets this layer could not cap never times a drip out.
            raise deadline.error(exchange.request, exchange.retries)
    read_whole(response, b"".join(parts), exchange, transport)


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: every request goes through one :class:`Exchange` until it ends."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        *,
        deadline: float = DEFAULT_DEADLINE,
        strict: bool = False,
        sleep: AsyncSleep | None = None,
        owned: bool = True,
    ) -> None:
        cap_transport(inner)
        self.inner = inner
        self._owned = owned
        self.settings = Settings(policy, timeout, deadline, strict)
        self._sleep = sleep or asyncio_sleep

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
                            body = Body(response, exchange, self.inner)
                        except BaseException:
                            await response.aclose()
                            raise
                        response.stream = _DecodedStream(response.stream, body)
                        return exchange.success(response)
                    if 300 <= response.status_code < 400 and exchange.redirect(response) is not None:
                        await response.aclose()
                        continue
                    try:
                        await _read(response, exchange, self.inner)
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
