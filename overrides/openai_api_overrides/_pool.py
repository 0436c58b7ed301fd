"""Keeping httpcore's connection pool within its bounds after what an attempt may leave behind in it.

Two things httpcore 1.0 leaves in its pool, both reached here through its private attributes (httpx and httpcore
are pinned for this, as for the deadline's network backend):

- A request that gives up waiting for a connection (its pool timeout, or the call's deadline) can be handed a new
  connection by another thread in the moment before it leaves the queue. That connection never connects, never
  fails and is never idle, so it holds one of ``max_connections`` for ever; a few such calls and every later call
  waits out its pool timeout. :func:`drop_orphans` removes connections that are still to connect and that no
  request in the queue holds.
- Bytes a server sends after a complete response stay in h11's buffer and would be read as the next request's
  answer. :func:`drop_if_leftover` marks such a connection as readable while idle, which is how httpcore itself
  tells a connection the server has closed: the pool then closes it instead of reusing it.
"""

from __future__ import annotations

from typing import Any

import httpx

from openai_api_overrides._deadline import mark_leftover

__all__ = ["adrop_orphans", "drop_if_leftover", "drop_orphans"]


def _orphans(pool: Any) -> list[Any]:
    held = {id(request.connection) for request in pool._requests if request.connection is not None}
    return [
        connection
        for connection in pool._connections
        if getattr(connection, "_connection", True) is None
        and not getattr(connection, "_connect_failed", True)
        and id(connection) not in held
    ]


def drop_orphans(transport: httpx.BaseTransport) -> None:
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_requests"):
        return
    with pool._optional_thread_lock:
        orphans = _orphans(pool)
        if not orphans:
            return
        for connection in orphans:
            pool._connections.remove(connection)
        # A freed slot goes to whoever waits for one now, not when the next request comes.
        closing = pool._assign_requests_to_connections()
    pool._close_connections(closing)


async def adrop_orphans(transport: httpx.AsyncBaseTransport) -> None:
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_requests"):
        return
    # The async pool's lock is a no-op: nothing between here and the await below lets another task run.
    orphans = _orphans(pool)
    if not orphans:
        return
    for connection in orphans:
        pool._connections.remove(connection)
    closing = pool._assign_requests_to_connections()
    await pool._close_connections(closing)


def drop_if_leftover(transport: object, response: httpx.Response) -> None:
    """After the whole body of ``response`` has been read: its connection is never reused if more bytes came."""
    stream = response.extensions.get("network_stream")
    pool = getattr(transport, "_pool", None)
    if stream is None or pool is None:
        return
    for connection in list(getattr(pool, "_connections", ())):
        http11 = getattr(connection, "_connection", None)
        if getattr(http11, "_network_stream", None) is stream:
            state = getattr(http11, "_h11_state", None)
            if state is not None and state.trailing_data[0]:
                mark_leftover(stream)
            return
