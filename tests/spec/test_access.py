"""The spec-access module (``openai_api._spec``): the one reader of the spec for the client, the server, the
generator and the tests. Loading, ``$ref``s, operations and names, each pinned here once."""

from __future__ import annotations

from pathlib import Path

import pytest

from openai_api import _spec
from tests.helpers.spec import SPEC_PATH, load_spec


def test_the_bundled_spec_is_the_yaml_spec_as_json() -> None:
    assert _spec.spec() == load_spec(SPEC_PATH)
    assert _spec.spec() is _spec.spec(), "read once"


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("createChatCompletion", "create_chat_completion"),
        ("listFiles", "list_files"),
        ("fine-tunes", "fine_tunes"),
        ("timestamp_granularities[]", "timestamp_granularities"),
        ("OpenAI-Organization", "open_ai_organization"),
        ("v1Files2", "v1_files2"),
        ("_private_", "private"),
    ],
)
def test_snake_case_names(name: str, snake: str) -> None:
    assert _spec.snake(name) == snake


def test_every_generated_module_is_named_by_snake() -> None:
    """The names the generator, the server's handlers and the tests make are the generated package's own."""
    root = Path(__file__).resolve().parents[2] / "generated" / "openai_api_client" / "api"
    modules = {f"{path.parent.name}.{path.stem}" for path in root.glob("*/*.py") if path.stem != "__init__"}
    named = {f"{_spec.snake(op['tags'][0])}.{_spec.snake(op['operationId'])}" for *_, op in _spec.operations()}
    assert named == modules


def test_pointer_and_resolve() -> None:
    doc = {
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"}}},
        "paths": {"/files/{id}": {"get": {"tags": ["x", "y"]}}},
        "a%b": 1,
    }
    assert _spec.pointer(doc, "#/components/schemas/B") == {"type": "string"}
    assert _spec.pointer(doc, "#/paths/~1files~1{id}/get/tags/1") == "y"
    assert _spec.pointer(doc, "#/a%25b") == 1  # a fragment is percent-decoded
    assert _spec.pointer(doc, "#") is doc
    assert _spec.resolve({"$ref": "#/components/schemas/A"}, doc) == {"type": "string"}
    assert _spec.resolve([1], doc) == [1] and _spec.resolve({"type": "x"}, doc) == {"type": "x"}
    with pytest.raises(KeyError):
        _spec.resolve({"$ref": "#/components/schemas/C"}, doc)
    with pytest.raises(KeyError):
        _spec.pointer(doc, "#/paths/~1files~1{id}/get/tags/2")


def test_a_cycle_of_references_ends() -> None:
    doc = {
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}
    }
    assert _spec.resolve({"$ref": "#/components/schemas/A"}, doc) in (
        {"$ref": "#/components/schemas/A"},
        {"$ref": "#/components/schemas/B"},
    )


def test_merged_keeps_a_references_siblings() -> None:
    doc = {"components": {"schemas": {"F": {"format": "binary", "description": "a file"}}}}
    merged = _spec.merged({"$ref": "#/components/schemas/F", "description": "the image"}, doc)
    assert merged == {"format": "binary", "description": "the image"}


def test_operations_in_document_and_method_order() -> None:
    doc = {"paths": {"/b": {"post": {"operationId": "p"}, "get": {"operationId": "g"}, "parameters": []}, "/a": 3}}
    assert [(m, p, op["operationId"]) for m, p, _, op in _spec.operations(doc)] == [
        ("get", "/b", "g"),
        ("post", "/b", "p"),
    ]
    assert list(_spec.operations({"paths": []})) == []


def test_load_file_says_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text('{"paths": {}}', encoding="utf-8")
    assert _spec.load_file(tmp_path / "ok.json") == {"paths": {}}
    (tmp_path / "list.yaml").write_text("- 1\n", encoding="utf-8")
    with pytest.raises(_spec.SpecFileError, match="an object of 'paths'"):
        _spec.load_file(tmp_path / "list.yaml")
    with pytest.raises(_spec.SpecFileError, match="cannot read it as a spec"):
        _spec.load_file(tmp_path / "missing.json")
