"""The generated classes without attrs (templates types.py, client.py, model.py): they behave as the attrs ones did."""

from __future__ import annotations

import copy
import inspect
import pickle
import subprocess
import sys
import textwrap
from http import HTTPStatus
from io import BytesIO
from typing import Any

import httpx
import pytest

from openai_api_client import AuthenticatedClient, Client
from openai_api_client.types import File, Response
from tests.generator.test_generator import COMPONENT_MODELS, _sample
from tests.helpers.spec import load_spec


def _pair(name: str, model: Any) -> tuple[Any, Any]:
    """Two equal instances of ``model`` built apart, from a value with every field and one unknown key."""
    value = {**_sample(load_spec()["components"]["schemas"][name], full=True), "brand_new": [1]}
    one, other = model.from_dict(value), model.from_dict(copy.deepcopy(value))
    for field in inspect.signature(model).parameters:
        if isinstance(getattr(one, field), File):  # a file is equal to itself only (its payload is a stream)
            setattr(other, field, getattr(one, field))
    return one, other


@pytest.mark.parametrize(("name", "model"), COMPONENT_MODELS, ids=[name for name, _ in COMPONENT_MODELS])
def test_a_model_compares_shows_and_copies_by_its_fields(name: str, model: Any) -> None:
    one, other = _pair(name, model)
    params = list(inspect.signature(model).parameters)
    assert one == other
    assert not one != other  # noqa: SIM202  (the negation Python derives from __eq__)
    assert model.__match_args__ == tuple(params)
    assert (
        repr(one)
        == f"{name}("
        + ", ".join(f"{field}={getattr(one, field)!r}" for field in [*params, "additional_properties"])
        + ")"
    )
    assert copy.copy(one) == one
    if not any(isinstance(getattr(one, field), File) for field in params):  # a copied stream is another stream
        assert copy.deepcopy(one) == one and pickle.loads(pickle.dumps(one)) == one
        assert model.from_dict(one.to_dict()) == one
    other["brand_new"] = [2]
    assert one != other
    if params:
        changed = copy.copy(one)
        setattr(changed, params[0], object())
        assert changed != one
    assert one.__eq__(object()) is NotImplemented


@pytest.mark.parametrize(("name", "model"), COMPONENT_MODELS, ids=[name for name, _ in COMPONENT_MODELS])
def test_a_model_is_unhashable_and_takes_no_attribute_it_does_not_declare(name: str, model: Any) -> None:
    one, _ = _pair(name, model)
    with pytest.raises(TypeError, match="unhashable"):
        hash(one)
    with pytest.raises(AttributeError):
        one.not_a_field = 1
    assert not hasattr(one, "__dict__")


def test_a_subclass_instance_is_not_equal_to_its_base_instance() -> None:
    from openai_api_client.models import Error

    class Mine(Error):
        __slots__ = ()

    assert Error("m", "t") != Mine("m", "t") and Mine("m", "t") == Mine("m", "t")
    assert repr(Mine("m", "t")).startswith("Mine(message='m', type_='t', ")


def test_file_and_response_keep_their_constructors_equality_and_repr() -> None:
    payload = BytesIO(b"x")
    assert File(payload, "a.jsonl", "application/jsonl") == File(payload=payload, file_name="a.jsonl",
                                                                  mime_type="application/jsonl")  # fmt: skip
    assert File(payload).to_tuple() == (None, payload, None)
    assert File(payload) != File(BytesIO(b"x"))
    response: Response[int] = Response(HTTPStatus.OK, b"{}", {"a": "b"}, 1)
    assert response == Response(status_code=HTTPStatus.OK, content=b"{}", headers={"a": "b"}, parsed=1)
    assert repr(response) == "Response(status_code=<HTTPStatus.OK: 200>, content=b'{}', headers={'a': 'b'}, parsed=1)"


def test_the_clients_take_the_arguments_they_took_as_attrs_classes() -> None:
    timeout = httpx.Timeout(3.0)
    client = AuthenticatedClient("http://127.0.0.1:9", "sk-secret", "Token", "X-Key", timeout=timeout,
                                 headers={"a": "1"}, raise_on_unexpected_status=True)  # fmt: skip
    assert (client.token, client.prefix, client.auth_header_name, client.raise_on_unexpected_status) == (
        "sk-secret",
        "Token",
        "X-Key",
        True,
    )
    built = client.get_httpx_client()
    assert built.headers["X-Key"] == "Token sk-secret" and built.headers["a"] == "1" and built.timeout == timeout
    assert "sk-secret" not in repr(client)
    plain = Client(base_url="http://127.0.0.1:9", cookies={"c": "1"}, follow_redirects=True)
    assert plain.get_httpx_client().cookies["c"] == "1" and plain.get_httpx_client().follow_redirects


@pytest.mark.parametrize("kind", [Client, AuthenticatedClient])
def test_a_builder_copies_the_client_and_leaves_the_original_as_it_was(kind: Any) -> None:
    args = ("http://127.0.0.1:9", "sk-secret") if kind is AuthenticatedClient else ("http://127.0.0.1:9",)
    client = kind(*args, headers={"a": "1"})
    first = client.get_httpx_client()
    changed = client.with_headers({"b": "2"}).with_cookies({"c": "3"}).with_timeout(httpx.Timeout(1.0))
    assert type(changed) is kind and changed is not client
    assert changed.get_httpx_client() is not first
    assert changed.get_httpx_client().headers["a"] == "1" and changed.get_httpx_client().headers["b"] == "2"
    assert changed.get_httpx_client().cookies["c"] == "3" and changed.get_httpx_client().timeout == httpx.Timeout(1.0)
    assert client.get_httpx_client() is first and client._headers == {"a": "1"} | (
        {"Authorization": "Bearer sk-secret"} if kind is AuthenticatedClient else {}
    )
    assert client != changed and client == client


def test_the_client_imports_and_works_without_attrs() -> None:
    # The installed client depends on httpx alone: with attrs made unimportable, every module of the generated
    # package and of this layer imports, and a client, a model and the facade are made.
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        sys.modules["attr"] = sys.modules["attrs"] = None  # an import of either now raises ImportError
        import openai_api_client, openai_api_overrides as oa
        for package in (openai_api_client, oa):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if info.name != "openai_api_overrides.__main__":
                    importlib.import_module(info.name)
        from openai_api_client.models import Error
        assert Error.from_dict({"message": "m", "type": "t"}) == Error("m", "t")
        oa.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1").with_options(max_retries=1)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
