"""The layer's sync half, written from its async half: ``overrides/openai_api/_async/*.py`` to ``_sync/``.

The httpx client, the retry loop, the deadline's network streams, the event stream and the facade's requester are
each written once, for async; unasync (the tool httpcore makes its sync half with) removes ``async`` and ``await``
and renames by :data:`_SYNC_NAMES`, then ruff sorts the imports and formats, with the project's own settings, and
lints the result as CI will. A name that differs between httpx's or httpcore's sync and async APIs, or between this
layer's, is listed here; a name unasync would rename by its own rule (``Async...``), or an httpx ``a...`` method,
that the table does not list stops the generation, so no misspelt twin is ever written.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path

from generator._pipeline import REPO_ROOT, CheckResult, _compare

ASYNC_DIR = REPO_ROOT / "overrides" / "openai_api" / "_async"
SYNC_DIR = ASYNC_DIR.parent / "_sync"

_SYNC_NAMES = {
    "_async": "_sync",
    # httpx and httpcore
    "AsyncBaseTransport": "BaseTransport",
    "AsyncClient": "Client",
    "AsyncHTTPTransport": "HTTPTransport",
    "AsyncByteStream": "SyncByteStream",
    "AsyncNetworkBackend": "NetworkBackend",
    "AsyncNetworkStream": "NetworkStream",
    "handle_async_request": "handle_request",
    "aclose": "close",
    "aread": "read",
    "aiter_bytes": "iter_bytes",
    "aiter_raw": "iter_raw",
    "anext": "next",
    "aiter": "iter",
    # this layer
    "AsyncClosing": "Closing",
    "AsyncPage": "Page",
    "AsyncRequester": "Requester",
    "AsyncRetryTransport": "RetryTransport",
    "AsyncSleep": "Sleep",
    "AsyncStream": "Stream",
    "AsyncStreamedAPIResponse": "StreamedAPIResponse",
    "adrop_orphans": "drop_orphans",
    "build_async_client": "build_client",
    "_user_async_client": "_user_client",
    "_async_transport": "_transport",
    "async_transport": "transport",
    "apaginate": "paginate",
    "asyncio_sleep": "time_sleep",
    "astreamed_binary": "streamed_binary",
    "get_async_httpx_client": "get_httpx_client",
    # the generated code: the generated functions, and what the generated resources call on the requester
    "asyncio_detailed": "sync_detailed",
    "acall": "call",
    "adownload": "download",
    "apage": "page",
    "astream": "stream",
    "aupload": "upload",
}

# What unasync renames by itself, without the table: its own list, and any name that starts with Async and a capital.
_UNASYNC_OWN = {"AsyncIterator", "AsyncIterable", "AsyncGenerator", "StopAsyncIteration", "asynccontextmanager"}

_HEADER = "# Written from ../_async/{name} by `python -m generator` (generator/_unasync.py): edit that file.\n"


def _unlisted(source: Path) -> list[str]:
    """The names of ``source`` that would be renamed, or would need to be, and that the table does not list."""
    import httpcore
    import httpx

    pairs = [
        (httpx.AsyncClient, httpx.Client),
        (httpx.Response, httpx.Response),
        (httpx.AsyncBaseTransport, httpx.BaseTransport),
        (httpx.AsyncByteStream, httpx.SyncByteStream),
        (httpcore.AsyncNetworkStream, httpcore.NetworkStream),
        (httpcore.AsyncNetworkBackend, httpcore.NetworkBackend),
    ]
    with source.open("rb") as text:
        names = {token.string for token in tokenize.tokenize(text.readline) if token.type == tokenize.NAME}
    found = []
    for name in sorted(names - _SYNC_NAMES.keys() - _UNASYNC_OWN):
        renamed_by_unasync = name.startswith("Async") and name[5:6].isupper()
        httpx_async_method = name.startswith("a") and any(
            hasattr(a, name) and hasattr(s, name[1:]) and (a is s or not hasattr(s, name)) for a, s in pairs
        )
        if renamed_by_unasync or httpx_async_method:
            found.append(f"{source.name}: {name}")
    return found


def _ruff(*args: str, cwd: Path) -> None:
    command = [sys.executable, "-m", "ruff", *args, "--quiet", "--no-cache", "."]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ruff {args[0]} failed on the sync half: {proc.stdout}{proc.stderr}")


def _write(async_dir: Path, out_dir: Path) -> None:
    import unasync  # type: ignore[import-untyped]  # imports setuptools (80 ms): only when the sync half is made

    sources = sorted(async_dir.glob("*.py"))
    nested = sorted(p.relative_to(async_dir).as_posix() for p in async_dir.glob("*/**/*.py"))
    if nested:
        raise RuntimeError(f"the async half is one folder of modules; move these up: {', '.join(nested)}")
    try:
        unlisted = [name for source in sources for name in _unlisted(source)]
        rule = unasync.Rule(fromdir=str(async_dir), todir=str(out_dir), additional_replacements=_SYNC_NAMES)
        unasync.unasync_files([str(source) for source in sources], [rule])
    except tokenize.TokenError as exc:
        raise RuntimeError(f"the async half cannot be read as Python: {exc.args[0]} at line {exc.args[1][0]}") from exc
    if unlisted:
        raise RuntimeError(
            "names with a sync twin that generator/_unasync.py's _SYNC_NAMES does not list: " + ", ".join(unlisted)
        )
    for source in sources:
        target = out_dir / source.name
        target.write_text(_HEADER.format(name=source.name) + target.read_text(encoding="utf-8"), encoding="utf-8")
    settings = ["--config", str(REPO_ROOT / "pyproject.toml")]
    # The imports and `__all__` sort anew under their sync names; a loop that yields each item becomes `yield from`.
    _ruff("check", "--fix", "--unsafe-fixes", "--select", "I,RUF022,UP028", *settings, cwd=out_dir)
    _ruff("format", *settings, cwd=out_dir)
    _ruff("check", *settings, cwd=out_dir)  # what CI's lint would say of the output, said now


@contextlib.contextmanager
def _fresh(async_dir: Path) -> Iterator[Path]:
    """What ``async_dir`` makes, in a temporary folder gone after the block."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_sync"
        fresh.mkdir()
        _write(async_dir, fresh)
        yield fresh


def generate(async_dir: Path = ASYNC_DIR, sync_dir: Path = SYNC_DIR) -> CheckResult:
    """Writes ``sync_dir`` anew from ``async_dir``: a file that changes is rewritten, one that should not be there goes.
    Returns what it changed."""
    with _fresh(async_dir) as fresh:
        sync_dir.mkdir(exist_ok=True)
        changes = _compare(fresh, sync_dir)
        for name in changes.extra:
            (sync_dir / name).unlink()
        for name in changes.missing + changes.changed:
            shutil.copyfile(fresh / name, sync_dir / name)
        return changes


def check(async_dir: Path = ASYNC_DIR, sync_dir: Path = SYNC_DIR) -> CheckResult:
    """What differs between ``sync_dir`` and what ``async_dir`` makes."""
    with _fresh(async_dir) as fresh:
        return _compare(fresh, sync_dir)
