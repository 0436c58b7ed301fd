"""Issue 13, item 8: every public sync function or method has an async twin with the same parameters."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import openai_api as oa

# Pure functions: no I/O, nothing to await.
PURE = {"raise_for_status", "accumulate_chat"}
TWIN_NAMES: dict[str, str] = {}


def _sync_functions() -> list[str]:
    names = []
    for name in oa.__all__:
        value = getattr(oa, name)
        if not inspect.isfunction(value) or name in PURE or name in TWIN_NAMES.values():
            continue
        if name.startswith("a") and name[1:] in oa.__all__:
            continue  # an async twin itself
        names.append(name)
    return names


def _shape(function: Any) -> list[tuple[str, Any, Any]]:
    """Names, kinds and defaults: what a caller writes (types differ only by sync and async httpx classes)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_the_twin_finder_sees_the_one_function_left() -> None:
    # The facade is the one way to call: no module function doubles one of its methods any more; ``call`` types a
    # generated function's result.
    assert _sync_functions() == ["call"]


@pytest.mark.parametrize("name", _sync_functions())
def test_every_module_function_has_an_async_twin(name: str) -> None:
    twin = TWIN_NAMES.get(name, f"a{name}")
    assert twin in oa.__all__, f"{name} has no async twin {twin}"
    assert _shape(getattr(oa, twin)) == _shape(getattr(oa, name))
    sync_value, async_value = getattr(oa, name), getattr(oa, twin)
    assert not inspect.iscoroutinefunction(sync_value)
    returns_stream = "Stream" in str(inspect.signature(sync_value).return_annotation)
    yields = inspect.isasyncgenfunction(async_value)
    assert inspect.iscoroutinefunction(async_value) or returns_stream or yields


def _methods(sync_root: object, async_root: object, path: str = "client") -> Iterator[tuple[str, Any, Any]]:
    for name in sorted(vars(sync_root)):
        if name.startswith("_") or name == "http":
            continue
        child = getattr(sync_root, name)
        yield from _methods(child, getattr(async_root, name), f"{path}.{name}")
    for name, _ in inspect.getmembers(type(sync_root), inspect.isfunction):
        if not name.startswith("_"):
            yield f"{path}.{name}", getattr(sync_root, name), getattr(async_root, name, None)


FACADE = list(
    _methods(
        oa.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1"),
        oa.AsyncOpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1"),
    )
)


def test_the_walk_reaches_nested_resources() -> None:
    paths = {path for path, _, _ in FACADE}
    assert {"client.audio.transcriptions.create", "client.chat.completions.stream", "client.files.list"} <= paths
    assert "client.with_options" in paths


@pytest.mark.parametrize(("path", "sync_method", "async_method"), FACADE, ids=[f[0] for f in FACADE])
def test_every_facade_method_has_an_async_twin(path: str, sync_method: Any, async_method: Any) -> None:
    assert async_method is not None, f"{path} has no async twin"
    sync_sig, async_sig = inspect.signature(sync_method), inspect.signature(async_method)
    assert list(sync_sig.parameters.values()) == list(async_sig.parameters.values()), path
