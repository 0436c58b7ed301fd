"""Every public name is exported once, from the package, as httpx's test of the same name checks."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import openai_api_overrides as oa


def test_all_public_names_are_exported() -> None:
    # The package loads its modules lazily: each module's public names must be the ones the package lists for it.
    for module_name, names in oa._PUBLIC.items():
        module = importlib.import_module(f"openai_api_overrides.{module_name}")
        assert set(module.__all__) == set(names), module_name
    public = {name for name in dir(oa) if not name.startswith("_") and not inspect.ismodule(getattr(oa, name))}
    assert public - {"annotations"} == set(oa.__all__)


def test_names_load_on_first_use() -> None:
    code = (
        "import sys, openai_api_overrides as oa; oa.create_client; oa.call; "
        "print(sorted(m for m in sys.modules if m.startswith(('openai_api_overrides._', 'openai_api_client.models.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "openai_api_overrides._streaming" not in out and "openai_api_overrides._uploads" not in out, out
    assert "openai_api_client.models.create_chat_completion_chunk" not in out, out


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        oa.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_no_name_is_declared_twice() -> None:
    assert len(oa.__all__) == len(set(oa.__all__))


def test_every_exported_name_lives_in_the_package() -> None:
    for name in oa.__all__:
        value = getattr(oa, name)
        module = getattr(value, "__module__", None)
        if module is not None and (inspect.isclass(value) or inspect.isfunction(value)):
            assert module.startswith("openai_api_overrides."), (name, module)


def test_every_error_is_an_openai_error() -> None:
    errors = [getattr(oa, name) for name in oa.__all__ if name.endswith("Error")]
    assert errors and all(issubclass(error, oa.OpenAIError) for error in errors)
