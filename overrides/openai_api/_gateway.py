"""A gateway's own paths for operations of the spec (its ``x-gateway-quirk``), tried first on that gateway.

Document 000 prints the gateway's file list path as ``/v1/files%2520_``; the spec declares it beside ``GET /files``
with the query parameters it takes (only ``purpose``). On a gateway client, a request for such an operation whose
query uses only those goes to the gateway's path first, byte for byte; a 404 there sends the canonical request once,
and the client's copies remember which path answered. Every caller gets this (the facade, ``call``, pages, raw
responses), since it happens where the request is sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx

from openai_api._errors import NotFoundError
from openai_api._logging import logger
from openai_api._routes import OPERATION
from openai_api_client.checks import GATEWAY_PATHS

__all__ = ["HOSTS", "alternate", "trying"]

HOSTS = frozenset(path.host for path in GATEWAY_PATHS.values())
"""The hosts whose base URL makes a client a gateway client unless told otherwise."""


def alternate(request: httpx.Request, answered: dict[str, str]) -> httpx.Request | None:
    """``request`` at the gateway's own path, or None: no such path, a query it does not take, or the canonical
    path answered when the gateway's did not (``answered``: the path that answers, by canonical operation)."""
    operation = request.extensions.get(OPERATION)
    if not isinstance(operation, str) or (gateway := GATEWAY_PATHS.get(operation)) is None:
        return None
    raw_path, _, query = request.url.raw_path.partition(b"?")
    canonical = operation.split(" ", 1)[1].encode()
    if (
        answered.get(operation, gateway.path) != gateway.path
        or not gateway.query.issuperset(request.url.params.keys())  # limit, after, ...: the canonical path's
        or not raw_path.endswith(canonical)
        or not isinstance(request.stream, httpx.ByteStream)  # a body the fallback could not send again
    ):
        return None
    raw_path = raw_path[: -len(canonical)] + gateway.path.encode() + (b"?" + query if query else b"")
    url = request.url.copy_with(raw_path=raw_path)
    extensions = {**request.extensions, OPERATION: gateway.operation}
    return httpx.Request(request.method, url, headers=request.headers, stream=request.stream, extensions=extensions)


@contextlib.contextmanager
def trying(request: httpx.Request, answered: dict[str, str]) -> Iterator[None]:
    """Around sending ``request``'s :func:`alternate`: a 404 there is swallowed (the caller then sends ``request``
    itself), and either way ``answered`` learns which path answers."""
    operation = request.extensions[OPERATION]
    try:
        yield
    except NotFoundError:
        path = operation.split(" ", 1)[1]
    else:
        path = GATEWAY_PATHS[operation].path
    if answered.get(operation) != path:
        logger.info("gateway %s answers %s at %s", request.url.host, operation, path)
    answered[operation] = path
