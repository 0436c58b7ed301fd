"""A gateway's own paths for operations of the spec (its ``x-gateway-quirk``), tried first on that gateway.

The spec declares where a gateway serves an operation at a path of its own, and which of the operation's query
parameters that path does not take (``GATEWAY_PATHS``, generated). On a gateway client, a request for such an
operation that sets none of those goes to the gateway's path first, byte for byte; a 404 there sends the canonical
request, as the same call (its deadline and retries go on), and the client's copies remember which path answered.
Every caller gets this (the facade, ``call``, pages, raw responses), since it happens where the request is sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx

from openai_api._errors import NotFoundError
from openai_api._exchange import ONGOING
from openai_api._logging import logger
from openai_api._routes import OPERATION
from openai_api_client.checks import GATEWAY_PATHS

__all__ = ["HOSTS", "alternate", "trying"]

HOSTS = frozenset(path.host for path in GATEWAY_PATHS.values())
"""The hosts whose base URL makes a client a gateway client unless told otherwise."""


def alternate(request: httpx.Request, answered: dict[str, str]) -> httpx.Request | None:
    """``request`` at the gateway's own path, or None: no such path, a query parameter it does not take, or the
    canonical path answered when the gateway's did not (``answered``: the path that answers, by canonical operation).
    Query parameters the spec does not name for the operation (a client's ``default_query``, a call's
    ``extra_query``) go with it, as they would to the canonical path."""
    operation = request.extensions.get(OPERATION)
    if not isinstance(operation, str) or (gateway := GATEWAY_PATHS.get(operation)) is None:
        return None
    raw_path, _, query = request.url.raw_path.partition(b"?")
    canonical = gateway.canonical.encode()
    if (
        answered.get(operation, gateway.path) != gateway.path
        or not gateway.not_take.isdisjoint(request.url.params.keys())  # limit, after, ...: the canonical path's
        or not raw_path.endswith(canonical)
        or not isinstance(request.stream, httpx.ByteStream)  # a body the fallback could not send again
    ):
        return None
    raw_path = raw_path[: -len(canonical)] + gateway.path.encode() + (b"?" + query if query else b"")
    url = request.url.copy_with(raw_path=raw_path)
    extensions = {**request.extensions, OPERATION: gateway.operation, ONGOING: None}
    return httpx.Request(request.method, url, headers=request.headers, stream=request.stream, extensions=extensions)


@contextlib.contextmanager
def trying(request: httpx.Request, at_gateway: httpx.Request, answered: dict[str, str]) -> Iterator[None]:
    """Around sending ``at_gateway``, ``request``'s :func:`alternate`: a 404 there is swallowed, and ``request`` then
    carries on the same call (the caller sends it); either way ``answered`` learns which path answers."""
    operation = request.extensions[OPERATION]
    gateway = GATEWAY_PATHS[operation]
    try:
        yield
    except NotFoundError:
        request.extensions[ONGOING] = at_gateway.extensions[ONGOING]
        path = gateway.canonical
    else:
        path = gateway.path
    if answered.get(operation) != path:
        logger.info("gateway %s answers %s at %s", request.url.host, operation, path)
    answered[operation] = path
