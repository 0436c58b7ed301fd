"""What a request's operation allows its successful answers to look like.

Every request a generated function builds carries its operation (the ``operation`` extension: the spec's method and
path template), so the transport holds each 2xx answer to the statuses and JSON schemas the spec documents for it
without matching the URL against the spec's paths. The generator writes the table and its checks
(``openai_api_client.checks``).
"""

from __future__ import annotations

from typing import Any

import httpx

from openai_api._errors import RequestValidationError
from openai_api_client.checks import ROUTES, Route

__all__ = ["OPERATION", "Route", "refuse_unnormalized_path", "route_of"]

OPERATION = "operation"
"""The request extension the generated functions set: the spec's method and path template (``GET /files/{file_id}``)."""


def route_of(request: httpx.Request) -> Route | None:
    """The operation ``request`` was built for (the one its ``operation`` extension names), or None for a request
    that no generated function built."""
    operation = request.extensions.get(OPERATION)
    return None if operation is None else ROUTES.get(operation)


def refuse_unnormalized_path(url: httpx.URL | str, extensions: dict[str, Any] | None) -> None:
    """Refuses a path that URL normalisation would change: an empty, ``.`` or ``..`` segment (a path parameter
    that is ``""``, ``"."`` or ``".."``) would otherwise send the request to another endpoint (``files.delete(".")``
    to ``DELETE /files``). The generated functions percent-quote every other character of a value."""
    if not isinstance(url, str) or not ("/." in url or "//" in url or url.endswith("/")):
        return  # the fast path: nearly every call
    path = url.split("?", 1)[0]
    # The request's operation names the template, so the error names the parameter at fault.
    operation = str((extensions or {}).get(OPERATION, " "))
    template = operation.split(" ", 1)[1].split("/")
    for at, segment in enumerate(path.split("/")[1:], start=1):
        if segment in ("", ".", ".."):
            name = template[at] if at < len(template) and template[at].startswith("{") else "{path}"
            raise RequestValidationError(
                name.strip("{}"),
                f"{segment!r} cannot be sent as a path segment (the URL {path!r} would be normalised to another "
                "endpoint); nothing was sent",
            )
