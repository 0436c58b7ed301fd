"""The layer's sync half, written from its async half: what unasync makes of the async code, and the check that
finds a sync file that is not what its async source makes."""

from __future__ import annotations

import builtins
import tokenize
from pathlib import Path

import httpcore
import httpx
import pytest

from generator import _unasync
from openai_api import _events, _pages, _pool, _responses, _transport
from openai_api._async import _http as async_http
from openai_api._async import _requester as async_requester
from openai_api._async import _streaming as async_streaming
from openai_api._async import _transport as async_transport
from openai_api._client import OpenAIClient, _SharedState
from openai_api._sync import _http as sync_http
from openai_api._sync import _requester as sync_requester
from openai_api._sync import _streaming as sync_streaming
from openai_api._sync import _transport as sync_transport
from openai_api_client.api.files import list_files

_ASYNC_SOURCE = '''\
"""A transport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from openai_api._async._network import cap_transport
from openai_api._pool import adrop_orphans


class Loop(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        cap_transport(self)
        response = await self.inner.handle_async_request(request)
        await adrop_orphans(self.inner)
        await response.aread()
        await response.aclose()
        return response


async def lines(response: httpx.Response) -> AsyncIterator[bytes]:
    async for part in response.aiter_raw():
        for line in part.splitlines():
            yield line
'''

_SYNC_OUTPUT = '''\
"""A transport."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from openai_api._pool import drop_orphans
from openai_api._sync._network import cap_transport


class Loop(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        cap_transport(self)
        response = self.inner.handle_request(request)
        drop_orphans(self.inner)
        response.read()
        response.close()
        return response


def lines(response: httpx.Response) -> Iterator[bytes]:
    for part in response.iter_raw():
        yield from part.splitlines()
'''


def _async_dir(tmp_path: Path, source: str = _ASYNC_SOURCE) -> Path:
    async_dir = tmp_path / "_async"
    async_dir.mkdir()
    (async_dir / "_loop.py").write_text(source, encoding="utf-8")
    return async_dir


def test_the_sync_twin_drops_async_renames_names_sorts_imports_and_yields_from(tmp_path: Path) -> None:
    sync_dir = tmp_path / "_sync"
    _unasync.generate(_async_dir(tmp_path), sync_dir)
    written = (sync_dir / "_loop.py").read_text(encoding="utf-8")
    header, body = written.split("\n", 1)
    assert header.startswith("# Written from ../_async/_loop.py by `python -m generator`")
    assert body == _SYNC_OUTPUT


def test_a_hand_edit_or_a_missing_twin_is_found_and_regenerating_mends_it(tmp_path: Path) -> None:
    async_dir, sync_dir = _async_dir(tmp_path), tmp_path / "_sync"
    _unasync.generate(async_dir, sync_dir)
    assert _unasync.check(async_dir, sync_dir).clean
    twin = sync_dir / "_loop.py"
    twin.write_text(twin.read_text(encoding="utf-8").replace("drop_orphans(self.inner)", "pass"), encoding="utf-8")
    (sync_dir / "_stale.py").write_text("x = 1\n", encoding="utf-8")
    (sync_dir / "NOTES.txt").write_text("by hand\n", encoding="utf-8")
    found = _unasync.check(async_dir, sync_dir)
    assert found.changed == ["_loop.py"] and found.extra == ["NOTES.txt", "_stale.py"]
    mended = _unasync.generate(async_dir, sync_dir)
    assert mended.changed == ["_loop.py"] and mended.extra == ["NOTES.txt", "_stale.py"]
    assert _unasync.check(async_dir, sync_dir).clean and sorted(p.name for p in sync_dir.iterdir()) == ["_loop.py"]


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("pool = httpcore.AsyncConnectionPool()\n", "AsyncConnectionPool"),  # unasync alone: SyncConnectionPool
        ("lines = response.aiter_lines()\n", "aiter_lines"),  # would stay async in the sync half
        ("class AsyncThing:\n    pass\n", "AsyncThing"),
    ],
)
def test_a_name_with_a_sync_twin_the_table_does_not_list_stops_generation(
    tmp_path: Path, line: str, named: str
) -> None:
    with pytest.raises(RuntimeError, match=f"does not list: _loop.py: {named}$"):
        _unasync.generate(_async_dir(tmp_path, _ASYNC_SOURCE + line), tmp_path / "_sync")
    assert not (tmp_path / "_sync").exists()


def test_a_sync_line_that_ruff_would_refuse_in_ci_fails_generation_instead(tmp_path: Path) -> None:
    too_long = "x = " + repr("a" * 120) + "  # noqa-less\n"
    with pytest.raises(RuntimeError, match="E501"):
        _unasync.generate(_async_dir(tmp_path, _ASYNC_SOURCE + too_long), tmp_path / "_sync")


@pytest.mark.parametrize(
    ("broken", "said"),
    [("x = (1 +)\n", "ruff check failed"), ("x = (1 +\n", "cannot be read as Python: EOF in multi-line statement")],
    ids=["invalid syntax", "unclosed bracket"],
)
def test_async_code_that_is_not_python_fails_generation_saying_why(tmp_path: Path, broken: str, said: str) -> None:
    with pytest.raises(RuntimeError, match=said):
        _unasync.generate(_async_dir(tmp_path, _ASYNC_SOURCE + broken), tmp_path / "_sync")
    assert not (tmp_path / "_sync").exists() or not list((tmp_path / "_sync").iterdir())


_LAYER = (_transport, _events, _pages, _pool, _responses, OpenAIClient, _SharedState(), list_files)


def _names_in(*homes: object) -> set[str]:
    return {name for home in homes for name in dir(home)}


_ASYNC_NAMES = _names_in(
    builtins, httpx, httpcore, httpx.AsyncBaseTransport, httpx.Response, httpx.AsyncClient, httpcore.AsyncNetworkStream
) | _names_in(async_http, async_transport, async_streaming, async_requester, async_requester.AsyncRequester, *_LAYER)
_SYNC_NAMES = _names_in(
    builtins, httpx, httpcore, httpx.BaseTransport, httpx.Response, httpx.Client, httpcore.NetworkStream
) | _names_in(sync_http, sync_transport, sync_streaming, sync_requester, sync_requester.Requester, *_LAYER)


@pytest.mark.parametrize(("async_name", "sync_name"), sorted(_unasync._SYNC_NAMES.items()))
def test_each_renamed_name_is_used_and_exists_under_both_names(async_name: str, sync_name: str) -> None:
    """An upgrade of httpx or httpcore that renames one side, or a rename left after its code went, fails here."""
    used = {token.string for path in _unasync.ASYNC_DIR.glob("*.py") for token in _tokens(path)}
    assert async_name in used, f"{async_name} is renamed but no async source uses it"
    if async_name == "_async":
        return  # the package itself
    assert async_name in _ASYNC_NAMES and sync_name in _SYNC_NAMES


def _tokens(path: Path) -> list[tokenize.TokenInfo]:
    with path.open("rb") as source:
        return list(tokenize.tokenize(source.readline))
