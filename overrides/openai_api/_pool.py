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

from openai_api._deadline import mark_leftover

__all__ = ["adrop_orphans", "drop_if_leftover", "drop_orphans"]


def _remove_orphans(transport: object) -> Any:
    """The pool of ``transport`` if connections had to be removed from it (the caller then hands the freed slots to
    whoever waits), else None. Called with the pool's lock held, or in the async pool's only task running."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_requests"):
        return None
    held = {id(request.connection) for request in pool._requests if request.connection is not None}
    orphans = [
        connection
        for connection in pool._connections
        if getattr(connection, "_connection", True) is None
        and not getattr(connection, "_connect_failed", True)
        and id(connection) not in held
    ]
    for connection in orphans:
        pool._connections.remove(connection)
    return pool if orphans else None


def drop_orphans(transport: httpx.BaseTransport) -> None:
    lock = getattr(getattr(transport, "_pool", None), "_optional_thread_lock", None)
    if lock is None:
        return
    with lock:
        pool = _remove_orphans(transport)
        if pool is None:
            return
        closing = pool._assign_requests_to_connections()
    pool._close_connections(closing)


async def adrop_orphans(transport: httpx.AsyncBaseTransport) -> None:
    # The async pool's lock is a no-op: nothing between here and the await below lets another task run.
    pool = _remove_orphans(transport)
    if pool is not None:
        await pool._close_connections(pool._assign_requests_to_connections())


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
