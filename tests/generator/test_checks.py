"""The checks step: ``checks.py`` holds a straight-line check of each schema in two modes, and each operation's
route, written from the spec; here rendered from small specs and run, by the values they take and refuse."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from generator._checks import render
from tests.generator.test_golden_records import PACKAGE

Problem = tuple[str, str]

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


def _module(source: str) -> dict[str, Any]:
    """The names a generated ``checks.py`` defines, run from its text."""
    namespace: dict[str, Any] = {"__name__": "checks_under_test"}
    exec(compile(source, "<checks.py>", "exec"), namespace)
    return namespace


def _checks(spec: dict[str, Any]) -> dict[str, Any]:
    return _module(render(spec))


def _check(schema: dict[str, Any], *, strict: bool = True, **others: dict[str, Any]) -> Any:
    """The check of ``schema``, written as the component ``Checked`` beside the components ``others``."""
    module = _checks({"paths": {}, "components": {"schemas": {"Checked": schema, **others}}})
    return module["STRICT_COMPONENT_CHECKS" if strict else "COMPONENT_CHECKS"]["Checked"]


def mismatch(schema: dict[str, Any], value: Any) -> Problem | None:
    """What the strict check of ``schema`` finds in ``value``, the path of the value itself named ``(body)``, as
    the client names it in an answer."""
    found: Problem | None = _check(schema)(value)
    return None if found is None else (found[0] or "(body)", found[1])


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
def test_mismatch_names_the_first_broken_field(value: Any, expected: Problem | None) -> None:
    assert mismatch(PAGE, value) == expected


def test_strict_checks_enums_and_bounds_loose_does_not() -> None:
    value = {"data": [{"id": "f", "bytes": -1, "status": "deleted"}]}
    assert _check(PAGE, strict=False)(value) is None
    assert _check(PAGE, strict=True)(value) == ("data[0].bytes", "-1 is less than 0")


def test_a_nested_failure_is_named_below_its_parent_s_path() -> None:
    schema = {"type": "object", "properties": {"files": {"type": "array", "items": FILE}}}
    good = {"id": "f", "bytes": 1}
    assert mismatch(schema, {"files": [good, good, {"id": "f"}]}) == ("files[2].bytes", "required field is missing")


def test_the_generated_package_checks_each_spec_component_by_name() -> None:
    from openai_api_client.checks import COMPONENT_CHECKS, STRICT_COMPONENT_CHECKS

    assert COMPONENT_CHECKS["OpenAIFile"]({"id": "file-1"}) is not None
    assert STRICT_COMPONENT_CHECKS["OpenAIFile"]({"id": "file-1"}) is not None


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
    choice = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}
    assert mismatch(choice, {"kind": "c"}) == ("kind", "'c' is not one of ['a', 'b']")
    assert _check(choice, strict=False)({"kind": "c"}) is None


def test_a_type_list_accepts_each_type() -> None:
    schema = {"type": ["integer", "null"]}
    assert mismatch(schema, None) is None and mismatch(schema, 3) is None
    assert mismatch(schema, 3.5) == ("(body)", "expected integer or null, got 3.5")
    assert mismatch(schema, False) == ("(body)", "expected integer or null, got false")


def test_subclasses_of_the_json_types_pass_as_those_types() -> None:
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
    assert _check(schema, strict=False)({"p": "b"}) is None


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


def test_a_schema_that_refers_to_itself_checks_every_level() -> None:
    node = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Checked"}},
        },
    }
    leaf = {"name": "leaf"}
    assert mismatch(node, {"name": "root", "children": [leaf, {"name": "a", "children": [leaf]}]}) is None
    deep = {"name": "root", "children": [leaf, {"name": "a", "children": [leaf, {"children": []}]}]}
    assert mismatch(node, deep) == ("children[1].children[1].name", "required field is missing")


def test_a_reference_with_siblings_is_checked_as_its_target() -> None:
    name = {"type": "string", "maxLength": 3}
    schema = {
        "type": "object",
        "properties": {
            "inline": {"$ref": "#/components/schemas/Name", "description": "A simple target, checked inline."},
            "called": {"$ref": "#/components/schemas/Pair", "description": "A target with a function of its own."},
        },
    }
    pair = {"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/components/schemas/Name"}}}
    check = _check(schema, Name=name, Pair=pair)
    assert check({"inline": "abc", "called": {"a": "x"}}) is None
    assert check({"inline": "abcd"}) == ("inline", "has 4 characters, more than 3")
    assert check({"called": {"a": 3}}) == ("called.a", "expected string, got 3")
    assert check({"called": {}}) == ("called.a", "required field is missing")


def _operation_spec() -> dict[str, Any]:
    answer = {"application/json": {"schema": {"$ref": "#/components/schemas/File"}}}
    return {
        "paths": {
            "/files/{file_id}": {
                "parameters": [{"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {
                    "operationId": "retrieveFile",
                    "responses": {
                        "200": {"description": "The file.", "content": answer},
                        "202": {"description": "Still coming.", "content": {"text/plain": {"schema": {}}}},
                        "204": {"$ref": "#/components/responses/Nothing"},
                        "default": {"description": "An error.", "content": answer},
                    },
                },
                "delete": {
                    "operationId": "deleteFile",
                    "responses": {
                        "200": {
                            "description": "An answer of its own, not a component.",
                            "content": {"application/json": {"schema": {"type": "object", "required": ["deleted"]}}},
                        }
                    },
                },
            }
        },
        "components": {
            "schemas": {"File": FILE},
            "responses": {"Nothing": {"description": "No body."}},
        },
    }


def test_each_operation_s_route_has_its_id_its_2xx_statuses_and_their_json_checks() -> None:
    routes = _checks(_operation_spec())["ROUTES"]
    assert sorted(routes) == ["DELETE /files/{file_id}", "GET /files/{file_id}"]
    route = routes["GET /files/{file_id}"]
    assert (route.operation_id, route.statuses) == ("retrieveFile", frozenset({200, 202, 204}))
    assert route.check(202, False) is None and route.check(204, True) is None and route.check(500, True) is None
    broken = {"id": "f", "bytes": -1}
    assert route.check(200, False)(broken) is None
    assert route.check(200, True)(broken) == ("bytes", "-1 is less than 0")
    deleted = routes["DELETE /files/{file_id}"].check(200, False)
    assert deleted({"deleted": True}) is None and deleted({}) == ("deleted", "required field is missing")


def test_each_gateway_path_stands_for_its_canonical_operation_and_the_query_it_does_not_take() -> None:
    spec = _operation_spec()
    purpose = {"name": "purpose", "in": "query", "schema": {"type": "string"}}
    spec["components"]["parameters"] = {"Purpose": purpose}
    answer = {"200": {"description": "The files."}}
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    listed = {"operationId": "listFiles", "parameters": [limit, {"$ref": "#/components/parameters/Purpose"}]}
    spec["paths"]["/files"] = {"get": {**listed, "responses": answer}}
    spec["paths"]["/files%2520_"] = {
        "x-gateway-quirk": {"gateway": "gw.example", "canonical-path": "/files"},
        "parameters": [{"name": "x-trace", "in": "header", "schema": {"type": "string"}}],
        "get": {
            "operationId": "listFilesGateway",
            "parameters": [{"$ref": "#/components/parameters/Purpose"}],
            "responses": answer,
        },
    }
    module = _checks(spec)
    assert module["GATEWAY_PATHS"] == {
        "GET /files": module["GatewayPath"]("gw.example", "/files%2520_", "GET /files%2520_", "/files", {"limit"})
    }
    assert _checks(_operation_spec())["GATEWAY_PATHS"] == {}


def test_the_module_is_the_same_text_whatever_the_order_sets_iterate_in() -> None:
    """Sets of required names are written in the spec's order, so the bytes do not depend on string hashing."""
    text = render(_operation_spec())
    assert 'frozenset(("id", "bytes"))' in text.replace("'", '"')
    assert render(_operation_spec()) == text


def test_the_golden_record_holds_the_checks_of_its_spec() -> None:
    """The pipeline writes ``checks.py`` beside the other artefacts (the golden record holds it, byte for byte)."""
    module = _module((PACKAGE / "checks.py").read_text(encoding="utf-8"))
    route = module["ROUTES"]["GET /files"]
    assert route.operation_id == "listFiles" and route.statuses == frozenset({200})
    page = {"object": "list", "data": [{"id": "f", "object": "file", "bytes": 1, "purpose": "fine-tune"}, {}]}
    assert route.check(200, False)(page) == ("data[1].id", "required field is missing")
    assert module["COMPONENT_CHECKS"]["ChatMessage"]({"role": "user", "content": "hi"}) is None
    assert module["STRICT_COMPONENT_CHECKS"]["ChatMessage"]({"role": "robot", "content": "hi"}) == (
        "role",
        "'robot' is not one of ['system', 'user', 'assistant']",
    )
