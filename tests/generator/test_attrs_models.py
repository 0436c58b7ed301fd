"""The generated models, ``File``, ``Response`` and the clients are attrs classes, as openapi-python-client makes them:
what a caller does with attrs (fields, evolve, asdict) and with copies and pickles works on each."""

from __future__ import annotations

import copy
import inspect
import json
import pickle
from http import HTTPStatus
from io import BytesIO
from typing import Any

import attrs
import pytest

from openai_api_client import AuthenticatedClient, Client, models
from openai_api_client.types import File, Response
from tests.generator.test_generator import COMPONENT_MODELS, _sample
from tests.helpers.spec import load_spec

SCHEMAS = load_spec()["components"]["schemas"]

# Every component schema that the models package exports as a class (the others are literal enums' aliases and
# unions, which are not classes), found without attrs, so that a model that is not an attrs class is still listed.
MODELS = [(name, model) for name in SCHEMAS if isinstance(model := getattr(models, name, None), type)]
IDS = [name for name, _ in MODELS]


def test_every_component_model_is_listed() -> None:
    assert len(MODELS) >= 50  # an empty parametrization would skip the tests below, not fail them
    assert [name for name, _ in MODELS] == [name for name, _ in COMPONENT_MODELS]


def _pair(name: str, model: Any) -> tuple[Any, Any]:
    """Two equal instances of ``model`` built apart, from a value with every field set and one unknown key (an unset
    field is the ``UNSET`` object, which a deep copy or a pickle would make anew)."""
    value = {**_sample(SCHEMAS[name], full=True), "brand_new": [1]}
    one, other = model.from_dict(value), model.from_dict(copy.deepcopy(value))
    for field in attrs.fields(model):
        if isinstance(getattr(one, field.name), File):  # a file is equal to itself only (its payload is a stream)
            setattr(other, field.name, getattr(one, field.name))
    return one, other


def _holds_a_file(instance: Any) -> bool:
    return any(isinstance(getattr(instance, field.name), File) for field in attrs.fields(type(instance)))


def _as_dict(value: Any) -> Any:
    """What ``attrs.asdict`` gives, worked out by hand: attrs instances become dicts of their fields, recursively."""
    if attrs.has(type(value)):
        return {field.name: _as_dict(getattr(value, field.name)) for field in attrs.fields(type(value))}
    if isinstance(value, list):
        return [_as_dict(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_dict(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_a_model_is_an_attrs_class_whose_fields_are_its_constructor(name: str, model: Any) -> None:
    assert attrs.has(model)
    fields = attrs.fields(model)
    assert [field.name for field in fields if field.init] == list(inspect.signature(model).parameters)
    assert [field.alias for field in fields if field.init] == [field.name for field in fields if field.init]
    # The unknown keys are a field too, out of __init__.
    (extra,) = [field for field in fields if not field.init]
    assert extra.name == "additional_properties"


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_a_model_compares_by_its_fields(name: str, model: Any) -> None:
    one, other = _pair(name, model)
    assert one == other and not one != other  # noqa: SIM202  (the negation attrs writes beside __eq__)
    other["brand_new"] = [2]
    assert one != other
    with pytest.raises(TypeError, match="unhashable"):
        hash(one)


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_evolve_changes_one_field_and_leaves_the_original(name: str, model: Any) -> None:
    one, _ = _pair(name, model)
    before = copy.copy(one)
    init = [field.name for field in attrs.fields(model) if field.init]
    if not init:  # a model of unknown keys only
        assert attrs.evolve(one) == model() and attrs.evolve(one) is not one
        return
    changed_name, *others = init
    marker = object()
    changed = attrs.evolve(one, **{changed_name: marker})
    assert type(changed) is model and getattr(changed, changed_name) is marker
    assert all(getattr(changed, other) is getattr(one, other) for other in others)
    assert changed != one and one == before and getattr(one, changed_name) is not marker
    # evolve passes the __init__ fields: the unknown keys, out of __init__, start empty in the copy (as upstream).
    assert one.additional_properties == {"brand_new": [1]} and changed.additional_properties == {}


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_asdict_gives_every_field(name: str, model: Any) -> None:
    one, _ = _pair(name, model)
    assert attrs.asdict(one, recurse=False) == {field.name: getattr(one, field.name) for field in attrs.fields(model)}
    assert attrs.asdict(one) == _as_dict(one)
    assert attrs.asdict(one)["additional_properties"] == {"brand_new": [1]}


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_copies_pickles_and_dicts_give_an_equal_model(name: str, model: Any) -> None:
    one, _ = _pair(name, model)
    assert copy.copy(one) == one and copy.copy(one) is not one
    if _holds_a_file(one):  # a deep copy or a pickle of a stream is another stream, equal to itself only
        return
    assert copy.deepcopy(one) == one
    assert pickle.loads(pickle.dumps(one)) == one
    assert model.from_dict(one.to_dict()) == one


@pytest.mark.parametrize(("name", "model"), MODELS, ids=IDS)
def test_a_copy_or_pickle_of_a_model_with_fields_left_out_is_equal_and_still_serializes(name: str, model: Any) -> None:
    """Fields left out are ``UNSET`` (a request model) or ``None`` (an answer's): either survives a copy."""
    one = model.from_dict(_sample(SCHEMAS[name], full=False))
    if _holds_a_file(one):
        return
    for twin in (copy.deepcopy(one), pickle.loads(pickle.dumps(one))):
        assert twin == one and json.dumps(twin.to_dict()) == json.dumps(one.to_dict())


def test_the_file_models_are_found() -> None:
    # The models that hold a stream, copied only above: the uploads' request bodies.
    with_files = [name for name, model in MODELS if _holds_a_file(_pair(name, model)[0])]
    assert with_files and all(name.startswith("Create") and name.endswith("Request") for name in with_files)
    assert len(with_files) < len(MODELS) // 4


def test_file_and_response_are_attrs_classes() -> None:
    assert all(attrs.has(kind) for kind in (File, Response))  # not attrs.has(File): its type guard would narrow File
    assert [field.name for field in attrs.fields(File)] == ["payload", "file_name", "mime_type"]
    assert [field.name for field in attrs.fields(Response)] == ["status_code", "content", "headers", "parsed"]
    payload = BytesIO(b"x")
    upload = File(payload, "a.jsonl", "application/jsonl")
    assert upload == File(payload=payload, file_name="a.jsonl", mime_type="application/jsonl")
    assert attrs.evolve(upload, file_name="b.jsonl").to_tuple() == ("b.jsonl", payload, "application/jsonl")
    assert File(payload) != File(BytesIO(b"x"))
    response: Response[int] = Response(HTTPStatus.OK, b"{}", {"a": "b"}, 1)
    assert response == Response(status_code=HTTPStatus.OK, content=b"{}", headers={"a": "b"}, parsed=1)
    fields = {"status_code": HTTPStatus.OK, "content": b"{}", "headers": {"a": "b"}, "parsed": 1}
    assert attrs.asdict(response) == fields
    assert pickle.loads(pickle.dumps(response)) == response
    assert repr(response) == "Response(status_code=<HTTPStatus.OK: 200>, content=b'{}', headers={'a': 'b'}, parsed=1)"


def test_the_generated_clients_are_attrs_classes() -> None:
    assert all(attrs.has(kind) for kind in (Client, AuthenticatedClient))
    client = AuthenticatedClient("http://127.0.0.1:9", "sk-secret", headers={"a": "1"})
    changed = attrs.evolve(client, headers={"b": "2"})
    assert type(changed) is AuthenticatedClient and changed.token == "sk-secret"
    assert changed.get_httpx_client().headers["b"] == "2" and "a" not in changed.get_httpx_client().headers
    assert client.with_headers({"c": "3"}).get_httpx_client().headers["c"] == "3"
