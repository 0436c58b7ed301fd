"""A request's operation travels with it: every generated function's request names its operation, and the
transport finds that operation's answers by it, never by matching the URL."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import httpx
import pytest

from openai_api._routes import OPERATION, route_of
from tests.helpers.spec import load_spec, operations

OPERATIONS = list(operations(load_spec()))


class _AnyBody:
    """Stands in for a request body: which operation a request is does not depend on what its body holds."""

    def to_dict(self) -> dict[str, Any]:
        return {}

    def to_multipart(self) -> list[Any]:
        return []


def _arguments(function: Any) -> dict[str, Any]:
    """Values for the required parameters of a generated ``request_kwargs`` (path parameters are strings)."""
    values: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is inspect.Parameter.empty:
            values[name] = _AnyBody() if name == "body" else "ft:abc-1"
    return values


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_every_generated_request_carries_its_operation(op: Any) -> None:
    module = importlib.import_module(op.module)
    kwargs = module.request_kwargs(**_arguments(module.request_kwargs))
    request = httpx.Client(base_url="http://127.0.0.1:9/v1").build_request(**kwargs)
    assert request.extensions[OPERATION] == f"{op.method.upper()} {op.path}"
    route = route_of(request)
    assert route is not None and route.operation_id == op.operation_id


def test_a_request_no_generated_function_built_has_no_operation() -> None:
    request = httpx.Request("GET", "http://127.0.0.1:9/v1/files")
    assert route_of(request) is None
    request.extensions[OPERATION] = "GET /nothing/the/spec/has"
    assert route_of(request) is None
