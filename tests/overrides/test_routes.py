"""Mapping a sent request back to its spec operation: every operation, and nothing else."""

from __future__ import annotations

import re

import pytest

from openai_api_overrides import _routes
from openai_api_overrides._routes import find_route
from tests.helpers.spec import load_spec, operations

OPERATIONS = list(operations(load_spec()))


def _sent_path(template: str) -> str:
    """The path as a client sends it, each parameter filled (percent-encoded, as sent)."""
    return re.sub(r"\{[^}]+\}", "ft%3Aabc-1", template)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_every_operation_is_found_from_its_sent_path(op: object) -> None:
    method, path = op.method.upper(), _sent_path(op.path)  # type: ignore[attr-defined]
    route = find_route(method, path)
    assert route is not None and route.operation_id == op.operation_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/files/a/b"), ("GET", "/files/"), ("PUT", "/files"), ("GET", "/nothing"), ("GET", "/files/a/contents")],
)
def test_a_path_the_spec_does_not_have_is_no_operation(method: str, path: str) -> None:
    assert find_route(method, path) is None


def test_a_path_without_parameters_compiles_no_pattern() -> None:
    find_route.cache_clear()
    _routes._pattern.cache_clear()
    assert find_route("GET", "/files") is not None
    assert _routes._pattern.cache_info().currsize == 0
    assert find_route("GET", "/files/file-1") is not None
    assert _routes._pattern.cache_info().currsize > 0
