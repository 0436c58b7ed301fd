"""Every public name is exported once, from the package, as httpx's test of the same name checks."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import openai_api as oa


def test_all_public_names_are_exported() -> None:
    # The package loads its modules lazily: each module's public names must be the ones the package lists for it.
    for module_name, names in oa._PUBLIC.items():
        module = importlib.import_module(f"openai_api.{module_name}")
        assert set(module.__all__) == set(names), module_name
    public = {name for name in dir(oa) if not name.startswith("_") and not inspect.ismodule(getattr(oa, name))}
    assert public - {"annotations"} == set(oa.__all__)


def test_names_load_on_first_use() -> None:
    code = (
        "import sys, openai_api as oa; oa.OpenAI; oa.call; "
        "print(sorted(m for m in sys.modules if m.startswith(('openai_api._', 'openai_api_client.models.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "openai_api._streaming" not in out and "openai_api._uploads" not in out, out
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
            assert module.startswith("openai_api."), (name, module)


def test_every_error_is_an_openai_error() -> None:
    errors = [getattr(oa, name) for name in oa.__all__ if name.endswith("Error")]
    assert errors and all(issubclass(error, oa.OpenAIError) for error in errors)


# What the surface was before the facade became the one way (issue: 67 names, three ways to do one job).
REMOVED = [
    *("upload_file", "create_image_edit", "create_image_variation", "create_transcription", "create_translation"),
    *("stream_chat_completion", "stream_completion", "stream_fine_tune_events"),
    *("download_file", "download_file_bytes", "list_files", "iter_files"),
    *("aupload_file", "acreate_image_edit", "acreate_image_variation", "acreate_transcription", "acreate_translation"),
    *("astream_chat_completion", "astream_completion", "astream_fine_tune_events"),
    *("adownload_file", "adownload_file_bytes", "alist_files", "aiter_files"),
    *("create_client", "create_async_client", "OpenAIClient", "FileInput", "ProgressCallback", "logger"),
    *("DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_TIMEOUT", "GATEWAY_HOST"),
]
# Besides the errors: the facade, the retry policy, the stream types, and the typed calls of generated functions.
NOT_ERRORS = {"OpenAI", "AsyncOpenAI", "RetryPolicy", "Stream", "AsyncStream", "accumulate_chat"}
NOT_ERRORS |= {"call", "acall", "raise_for_status"}


@pytest.mark.parametrize("name", REMOVED)
def test_the_names_that_doubled_the_facade_are_gone(name: str) -> None:
    assert name not in oa.__all__
    with pytest.raises(AttributeError):
        getattr(oa, name)


def test_the_public_surface_is_the_facade_the_errors_and_their_types() -> None:
    errors = {name for name in oa.__all__ if name.endswith("Error")}
    assert set(oa.__all__) - errors == NOT_ERRORS
    assert len(oa.__all__) <= 36, "about 30 public names: a new one is a decision, not a side effect"
