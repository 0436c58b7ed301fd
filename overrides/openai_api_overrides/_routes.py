"""Which spec operation a request is, and what its successful answers must look like.

The transport sees only URLs; this maps one back to its operation (method and path template, below the client's
base path), so every 2xx answer can be held to the statuses and JSON schemas the spec documents for it.
"""

from __future__ import annotations

import functools
import re

from openai_api_overrides._schema import Check, compile_schema
from openai_api_overrides._spec import resolve, spec

__all__ = ["Route", "find_route"]


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


class _Table:
    __slots__ = ("exact", "templated")

    def __init__(self) -> None:
        self.exact: dict[tuple[str, str], Route] = {}
        self.templated: list[tuple[str, str, Route]] = []
        """(method, path template, route): each template becomes a pattern on the first lookup that needs it, so a
        program whose calls have no path parameters compiles none (eight patterns were 0.9 ms of a first call)."""


@functools.cache
def _table() -> _Table:
    table = _Table()
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            route = _route(operation)
            if "{" not in path:
                table.exact[(method.upper(), path)] = route
            else:
                table.templated.append((method.upper(), path, route))
    return table


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


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


@functools.lru_cache(maxsize=256)
def find_route(method: str, path: str) -> Route | None:
    """The operation for ``method`` and ``path`` (percent-encoded as sent, below the base path), or None."""
    table = _table()
    route = table.exact.get((method, path))
    if route is not None:
        return route
    for wanted, template, candidate in table.templated:
        if wanted == method and _pattern(template).match(path):
            return candidate
    return None
