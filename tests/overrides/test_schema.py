"""The compiled schema checks, from values alone."""

from __future__ import annotations

from typing import Any

import pytest

from openai_api._schema import compile_schema, mismatch

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


def test_any_of_gives_the_first_option_s_problem_when_every_option_fails() -> None:
    schema = {
        "type": "object",
        "properties": {"p": {"anyOf": [{"type": "object", "required": ["a"]}, {"type": "string"}]}},
    }
    assert mismatch(schema, {"p": {}}) == ("p.a", "required field is missing")
    assert mismatch(schema, {"p": "text"}) is None
    assert mismatch(schema, {"p": 3}) == ("p", "expected object, got 3")


def test_field_names_are_data_not_code() -> None:
    schema = {"type": "object", "required": ["it's"], "properties": {"it's": {"type": "string"}, "a\nb": {}}}
    assert mismatch(schema, {"it's": 1}) == ("it's", "expected string, got 1")
    assert mismatch(schema, {}) == ("it's", "required field is missing")
    assert mismatch(schema, {"it's": "x", "a\nb": object()}) is None


def test_bounds_and_enums_of_nested_items_name_the_item() -> None:
    schema = {"type": "array", "items": {"type": "array", "items": {"type": "string", "maxLength": 2}}}
    assert mismatch(schema, [["ab"], ["abc"]]) == ("[1][0]", "has 3 characters, more than 2")
    enum = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}
    assert mismatch(enum, {"kind": "c"}) == ("kind", "'c' is not one of ['a', 'b']")
    assert compile_schema(enum, strict=False)({"kind": "c"}) is None


def test_a_type_list_accepts_each_type() -> None:
    schema = {"type": ["integer", "null"]}
    assert mismatch(schema, None) is None and mismatch(schema, 3) is None
    assert mismatch(schema, 3.5) == ("(body)", "expected integer or null, got 3.5")
    assert mismatch(schema, False) == ("(body)", "expected integer or null, got false")


def test_subclasses_of_the_json_types_pass_as_those_types() -> None:
    import enum

    class Role(enum.StrEnum):
        USER = "user"

    class Count(enum.IntEnum):
        ONE = 1

    schema = {"type": "object", "properties": {"role": {"type": "string"}, "n": {"type": "integer"}}}
    assert mismatch(schema, {"role": Role.USER, "n": Count.ONE}) is None
    assert mismatch(schema, {"role": "user", "n": True}) == ("n", "expected integer, got true")


def test_a_choice_of_simple_schemas_gives_the_first_option_s_reason() -> None:
    schema = {
        "type": "object",
        "required": ["p"],
        "properties": {"p": {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "integer"}]}},
    }
    assert mismatch(schema, {"p": "a"}) is None and mismatch(schema, {"p": 3}) is None
    assert mismatch(schema, {"p": "b"}) == ("p", "'b' is not one of ['a']")
    assert mismatch(schema, {"p": None}) == ("p", "expected string, got null")
    assert compile_schema(schema, strict=False)({"p": "b"}) is None


def test_the_first_missing_field_in_the_spec_s_order_is_named() -> None:
    schema = {"type": "object", "required": ["a", "b", "c"], "properties": {"b": {"type": "string"}}}
    assert mismatch(schema, {"a": 1}) == ("b", "required field is missing")
    assert mismatch(schema, {"c": 1}) == ("a", "required field is missing")


def test_the_broken_item_is_named_by_its_own_position() -> None:
    good = {"id": "f", "bytes": 1}
    assert mismatch(PAGE, {"data": [good, dict(good), good, {"id": "f"}]}) == (
        "data[3].bytes",
        "required field is missing",
    )
