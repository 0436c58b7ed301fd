"""The regeneration pipeline: reproducible to the byte, and its check can fail."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from generator import GENERATED_DIR, REPO_ROOT, SPEC_PATH, check
from generator._pipeline import HEADER, TS_HEADER
from tests.helpers.spec import deref, load_spec, operations

OPERATIONS = list(operations(load_spec()))


def test_generated_matches_the_spec() -> None:
    result = check(log=lambda _: None)
    assert result.clean, result.summary()


def test_check_fails_when_one_description_changes(tmp_path: Path) -> None:
    spec_copy = tmp_path / "openapi.yaml"
    text = SPEC_PATH.read_text(encoding="utf-8")
    changed = text.replace("description: Delete a file.", "description: Delete a file, for good.", 1)
    assert changed != text
    spec_copy.write_text(changed, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--check", "--spec", str(spec_copy)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "differs: openai_api_client/api/files/delete_file.py" in proc.stderr
    assert "differs: openai_api_client/openapi.json" in proc.stderr
    assert "differs: openapi.json" in proc.stderr
    assert "differs: typescript/openapi.d.ts" in proc.stderr


def _tree(root: Path) -> dict[str, bytes]:
    files = (p for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@pytest.mark.slow
def test_generation_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "4242"):
        dest = tmp_path / f"seed-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "generator", "--dest", str(dest)],
            cwd=REPO_ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        trees.append(_tree(dest))
    assert trees[0] == trees[1]
    assert trees[0] == _tree(GENERATED_DIR)


def test_every_generated_python_file_has_the_header() -> None:
    files = sorted(GENERATED_DIR.rglob("*.py"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").startswith(HEADER), path
    types = GENERATED_DIR / "typescript" / "openapi.d.ts"
    assert types.read_text(encoding="utf-8").startswith(TS_HEADER)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_every_operation_imports_as_a_generated_module(op: object) -> None:
    module = importlib.import_module(op.module)  # type: ignore[attr-defined]
    for name in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, name)), f"{op.module}.{name}"  # type: ignore[attr-defined]


def test_every_generated_module_is_an_operation_of_the_spec() -> None:
    api = GENERATED_DIR / "openai_api_client" / "api"
    modules = {
        "openai_api_client."
        + p.relative_to(GENERATED_DIR / "openai_api_client").with_suffix("").as_posix().replace("/", ".")
        for p in api.rglob("*.py")
        if p.name != "__init__.py"
    }
    assert modules == {op.module for op in OPERATIONS}


@pytest.mark.slow
def test_the_wheel_holds_both_packages_with_py_typed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("openai_api_client-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "openai_api_client/__init__.py",
        "openai_api_client/py.typed",
        "openai_api_client/openapi.json",
        "openai_api_client/typed_dicts.py",
        "openai_api_client/api/files/create_file.py",
        "openai_api/__init__.py",
        "openai_api/py.typed",
        "openai_api_server/__init__.py",
        "openai_api_server/pytest_plugin.py",
        "openai_api_server/py.typed",
    ):
        assert required in names, required
    metadata = next(n for n in names if n.endswith("METADATA"))
    requires = [
        line
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist") and "extra ==" not in line
    ]
    assert sorted(r.split(":", 1)[1].split(">")[0].split("<")[0].split("=")[0].strip() for r in requires) == [
        "attrs",
        "httpx",
    ]


def _models() -> list[type]:
    """Every generated attrs model (the package also exports the literal enums' aliases)."""
    import attrs

    from openai_api_client import models

    return [model for name in models.__all__ if attrs.has(model := getattr(models, name))]


def test_every_model_is_checked_below() -> None:
    assert len(_models()) >= 50  # an empty parametrization would skip the test below, not fail it


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_from_dict_passes_every_field_to_its_own_parameter(model: type) -> None:
    # The template passes the fields positionally: their order must be the order the class declares them in.
    import ast
    import inspect

    import attrs

    source = textwrap.dedent(inspect.getsource(model.from_dict))  # type: ignore[attr-defined]
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cls"
    ]
    assert len(calls) == 1 and not calls[0].keywords
    # A name, or (an answer's optional field, ANSWERS) `None if isinstance(name, Unset) else name`.
    passed = [ast.unparse(arg.orelse if isinstance(arg, ast.IfExp) else arg) for arg in calls[0].args]
    assert passed == [field.name for field in attrs.fields(model) if field.init]


def _json_body_operations() -> list[tuple[str, str, dict[str, object]]]:
    """(operationId, module, the spec's example body) of every operation that takes a JSON body."""
    spec = load_spec()
    found = []
    for op in OPERATIONS:
        body = op.op.get("requestBody")
        media = deref(spec, body)["content"].get("application/json") if body else None
        if media is not None:
            example = media["example"] if "example" in media else next(iter(media["examples"].values()))["value"]
            found.append((op.operation_id, op.module, example))
    return found


JSON_BODIES = _json_body_operations()


def test_json_body_operations_are_found() -> None:
    assert len(JSON_BODIES) >= 6


@pytest.mark.parametrize(("operation", "module_name", "example"), JSON_BODIES, ids=[op for op, _, _ in JSON_BODIES])
def test_a_json_body_is_sent_as_json_with_one_content_type(
    operation: str, module_name: str, example: dict[str, object]
) -> None:
    # The endpoint template leaves the header to httpx's `json=` (JSON CONTENT TYPE in the template): the request must
    # still say what it carries, once.
    import typing

    import httpx

    module = importlib.import_module(module_name)
    body_type = typing.get_type_hints(module.request_kwargs)["body"]
    kwargs = module.request_kwargs(body=body_type.from_dict(example))
    assert "content-type" not in {name.lower() for name in kwargs.get("headers", {})}
    request = httpx.Client(base_url="http://127.0.0.1/v1").build_request(**kwargs)
    assert request.headers.get_list("content-type") == ["application/json"]
    assert json.loads(request.content) == body_type.from_dict(example).to_dict()


def _sample(schema: dict[str, Any], full: bool) -> Any:
    """A value of ``schema``: its required fields only, or every field (``full``)."""
    schema = deref(load_spec(), schema)
    if "const" in schema:
        return schema["const"]
    if schema.get("format") == "binary":
        return b"x"
    if "enum" in schema:
        return schema["enum"][0]
    for choice in ("anyOf", "oneOf"):
        if choice in schema:
            options = [option for option in schema[choice] if deref(load_spec(), option).get("type") != "null"]
            return _sample(options[0], full)
    kind = schema.get("type", "object")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        names = list(properties) if full else schema.get("required", [])
        return {name: _sample(properties[name], full) for name in names}
    if kind == "array":
        return [_sample(schema["items"], full)] if full else []
    if kind == "string":
        return "x"
    return {"integer": 1, "number": 1.5, "boolean": True}[kind]


def _component_models() -> list[tuple[str, type]]:
    from openai_api_client import models

    schemas = load_spec()["components"]["schemas"]
    generated = _models()
    return [(name, model) for name in schemas if (model := getattr(models, name, None)) in generated]


COMPONENT_MODELS = _component_models()


def test_component_models_are_found() -> None:
    assert len(COMPONENT_MODELS) >= 50


@pytest.mark.parametrize("full", [False, True], ids=["required fields", "every field"])
@pytest.mark.parametrize(("name", "model"), COMPONENT_MODELS, ids=[name for name, _ in COMPONENT_MODELS])
def test_from_dict_keeps_unknown_keys_apart_and_leaves_its_input_alone(name: str, model: Any, full: bool) -> None:
    # from_dict reads the fields and counts the keys to see whether any other is there (the template's third
    # change): with every optional field present, none may be taken for an unknown one, nor any unknown one lost.
    import copy

    value = _sample(load_spec()["components"]["schemas"][name], full)
    before = copy.deepcopy(value)
    assert model.from_dict(value).additional_properties == {}
    assert value == before
    unknown = {**value, "brand_new": 1}
    assert model.from_dict(unknown).additional_properties == {"brand_new": 1}
    assert unknown == {**before, "brand_new": 1}


@pytest.mark.slow
def test_a_union_member_that_rejects_a_value_leaves_it_to_the_next(tmp_path: Path) -> None:
    # A constant before a model ("auto", or an object): the constant's check rejects an object, and the model must
    # then get it (TRY in the union template; upstream ended the parse with the constant's ValueError).
    spec = json.loads(json.dumps(load_spec()))
    spec["components"]["schemas"]["UnionProbe"] = {
        "type": "object",
        "required": ["value"],
        "properties": {"value": {"anyOf": [{"const": "auto"}, {"$ref": "#/components/schemas/Error"}]}},
    }
    spec_copy = tmp_path / "openapi.yaml"
    spec_copy.write_text(json.dumps(spec), encoding="utf-8")
    dest = tmp_path / "generated"
    subprocess.run(
        [sys.executable, "-m", "generator", "--spec", str(spec_copy), "--dest", str(dest)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    probe = textwrap.dedent(
        """
        from openai_api_client.models import Error, UnionProbe
        assert UnionProbe.from_dict({"value": "auto"}).value == "auto"
        assert UnionProbe.from_dict({"value": {"message": "m", "type": "t"}}).value == Error("m", "t")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(dest)}
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
