"""What a request's operation allows its successful answers to look like.

Every request a generated function builds carries its operation (the ``operation`` extension: the spec's method and
path template), so the transport holds each 2xx answer to the statuses and JSON schemas the spec documents for it
without matching the URL against the spec's paths.
"""

from __future__ import annotations

import functools

import httpx

from openai_api._schema import Check, compile_schema
from openai_api._spec import resolve, spec

__all__ = ["OPERATION", "Route", "route_of"]


# Plain classes, not dataclasses: making the two dataclasses took 1 ms of a program's first call.
class Route:
    """One operation: its id, the 2xx statuses the spec documents, and the checks of their JSON bodies."""

    __slots__ = ("_checks", "_schemas", "operation_id", "statuses")

    def __init__(self, operation_id: str, statuses: frozenset[int], schemas: dict[int, dict[str, object]]) -> None:
        self.operation_id = operation_id
        self.statuses = statuses
        self._schemas = schemas
        self._checks: dict[tuple[int, bool], Check] = {}

    def check(self, status: int, strict: bool) -> Check | None:
        """The compiled check of a ``status`` answer's JSON body, or None when the spec gives it no JSON schema."""
        found = self._checks.get((status, strict))
        if found is None:
            schema = self._schemas.get(status)
            if schema is None:
                return None
            found = self._checks[(status, strict)] = compile_schema(schema, strict=strict)
        return found


OPERATION = "operation"
"""The request extension the generated functions set: the spec's method and path template (``GET /files/{file_id}``)."""


@functools.cache
def _table() -> dict[str, Route]:
    table: dict[str, Route] = {}
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                table[f"{method.upper()} {path}"] = _route(operation)
    return table


def route_of(request: httpx.Request) -> Route | None:
    """The operation ``request`` was built for (the one its ``operation`` extension names), or None for a request
    that no generated function built."""
    operation = request.extensions.get(OPERATION)
    return None if operation is None else _table().get(operation)


def _route(operation: dict[str, object]) -> Route:
    statuses: set[int] = set()
    schemas: dict[int, dict[str, object]] = {}
    responses = operation["responses"]
    assert isinstance(responses, dict)
    for key, response in responses.items():
        if not (key.isdigit() and key.startswith("2")):
            continue
        status = int(key)
        statuses.add(status)
        media = resolve(response).get("content", {}).get("application/json")
        if media is not None and "schema" in media:
            schemas[status] = media["schema"]
    return Route(str(operation["operationId"]), frozenset(statuses), schemas)
