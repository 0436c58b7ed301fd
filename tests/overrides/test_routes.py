"""A request's operation travels with it: every generated function's request names its operation, and the
transport finds that operation's answers by it (in the generated ``openai_api_client.checks``), never by matching the
URL."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import httpx
import pytest

from openai_api._routes import OPERATION, route_of
from openai_api_client.checks import COMPONENT_CHECKS, STRICT_COMPONENT_CHECKS
from tests.helpers.spec import deref, load_spec, operations

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


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_a_route_documents_the_2xx_statuses_and_checks_each_json_answer_in_both_modes(op: Any) -> None:
    request = httpx.Request(
        op.method.upper(), "http://127.0.0.1:9/v1", extensions={OPERATION: f"{op.method.upper()} {op.path}"}
    )
    route = route_of(request)
    assert route is not None
    successes = {
        int(key): deref(load_spec(), answer)
        for key, answer in op.op["responses"].items()
        if key.isdigit() and key.startswith("2")
    }
    assert route.statuses == frozenset(successes)
    for status, answer in successes.items():
        has_json = "schema" in answer.get("content", {}).get("application/json", {})
        for strict in (False, True):
            assert (route.check(status, strict) is not None) == has_json, (status, strict)
    assert route.check(599, False) is None


def test_a_route_checks_an_answer_with_its_schema_s_generated_check_in_the_mode_asked() -> None:
    route = route_of(httpx.Request("GET", "http://127.0.0.1:9/v1/models", extensions={OPERATION: "GET /models"}))
    assert route is not None and route.operation_id == "listModels"
    assert route.check(200, False) is COMPONENT_CHECKS["ListModelsResponse"]
    assert route.check(200, True) is STRICT_COMPONENT_CHECKS["ListModelsResponse"]
    lenient = COMPONENT_CHECKS["ListModelsResponse"]
    assert lenient({"object": "list", "data": []}) is None
    model = {"id": 3, "object": "model", "owned_by": "openai"}
    assert lenient({"object": "list", "data": [model]}) == ("data[0].id", "expected string, got 3")
