"""Every public name is exported once, from the package, as httpx's test of the same name checks."""

from __future__ import annotations

import inspect

import openai_api_overrides as oa


def test_all_public_names_are_exported() -> None:
    public = {name for name, value in vars(oa).items() if not name.startswith("_") and not inspect.ismodule(value)} - {
        "annotations"
    }
    assert public == set(oa.__all__)


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
