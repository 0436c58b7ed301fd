"""The compiled schema checks, from values alone."""

from __future__ import annotations

from typing import Any

import pytest

from openai_api_overrides._schema import compile_schema, mismatch

FILE = {
    "type": "object",
    "required": ["id", "bytes"],
    "properties": {
        "id": {"type": "string"},
        "bytes": {"type": "integer", "minimum": 0},
        "purpose": {"anyOf": [{"type": "string", "enum": ["fine-tune"]}, {"type": "string"}]},
        "status": {"type": "string", "enum": ["uploaded", "processed"]},
    },
}
PAGE = {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": FILE}}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"data": []}, None),
        ({"data": [{"id": "f", "bytes": 1}]}, None),
        ({}, ("data", "required field is missing")),
        ({"data": "x"}, ("data", 'expected array, got "x"')),
        ({"data": [{"id": "f", "bytes": 1}, {"bytes": 1}]}, ("data[1].id", "required field is missing")),
        ({"data": [{"id": 5, "bytes": 1}]}, ("data[0].id", "expected string, got 5")),
        ({"data": [{"id": "f", "bytes": True}]}, ("data[0].bytes", "expected integer, got true")),
        ({"data": [{"id": "f", "bytes": 1, "purpose": "new-purpose"}]}, None),
        ([], ("(body)", "expected object, got []")),
    ],
)
def test_mismatch_names_the_first_broken_field(value: Any, expected: tuple[str, str] | None) -> None:
    assert mismatch(PAGE, value) == expected


def test_strict_checks_enums_and_bounds_loose_does_not() -> None:
    value = {"data": [{"id": "f", "bytes": -1, "status": "deleted"}]}
    assert compile_schema(PAGE, strict=False)(value) is None
    assert compile_schema(PAGE, strict=True)(value) == ("data[0].bytes", "-1 is less than 0")


def test_a_path_prefix_is_joined_on_failure_only() -> None:
    assert mismatch(FILE, {"id": "f"}, "files[2]") == ("files[2].bytes", "required field is missing")


def test_spec_references_compile_once_and_check() -> None:
    check = compile_schema({"$ref": "#/components/schemas/OpenAIFile"}, strict=False)
    assert check({"id": "file-1"}) is not None
