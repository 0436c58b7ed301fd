"""What a request's operation allows its successful answers to look like.

Every request a generated function builds carries its operation (the ``operation`` extension: the spec's method and
path template), so the transport holds each 2xx answer to the statuses and JSON schemas the spec documents for it
without matching the URL against the spec's paths. The generator writes the table and its checks
(``openai_api_client.checks``).
"""

from __future__ import annotations

import httpx

from openai_api_client.checks import ROUTES, Route

__all__ = ["OPERATION", "Route", "route_of"]

OPERATION = "operation"
"""The request extension the generated functions set: the spec's method and path template (``GET /files/{file_id}``)."""


def route_of(request: httpx.Request) -> Route | None:
    """The operation ``request`` was built for (the one its ``operation`` extension names), or None for a request
    that no generated function built."""
    operation = request.extensions.get(OPERATION)
    return None if operation is None else ROUTES.get(operation)
