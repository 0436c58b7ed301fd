"""The layer's sync half, written from its async half: ``overrides/openai_api/_async/*.py`` to ``_sync/``.

The retry loop, the deadline's network streams and the event stream are each written once, for async; unasync (the
tool httpcore makes its sync half with) removes ``async`` and ``await`` and renames by :data:`_SYNC_NAMES`, then ruff
sorts the imports and formats, with the project's own settings, so the output passes the checks the hand-written
code does. A name that differs between httpx's sync and async APIs, or between this layer's, is listed here.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

import unasync  # type: ignore[import-untyped]

from generator._pipeline import REPO_ROOT, CheckResult, _compare

ASYNC_DIR = REPO_ROOT / "overrides" / "openai_api" / "_async"
SYNC_DIR = ASYNC_DIR.parent / "_sync"

_SYNC_NAMES = {
    "_async": "_sync",
    # httpx and httpcore
    "AsyncBaseTransport": "BaseTransport",
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
    "AsyncRetryTransport": "RetryTransport",
    "AsyncSleep": "Sleep",
    "AsyncStream": "Stream",
    "AsyncStreamedAPIResponse": "StreamedAPIResponse",
    "AsyncRequester": "Requester",
    "AsyncPage": "Page",
    "AsyncPaginator": "first_page",  # a sync list answers its first page at once
    "adrop_orphans": "drop_orphans",
    "asleep": "sleep",
    "get_async_httpx_client": "get_httpx_client",
    # the generated code: the generated functions, and what the generated resources call on the requester
    "asyncio_detailed": "sync_detailed",
    "acall": "call",
    "adownload": "download",
    "apage": "page",
    "astream": "stream",
    "aupload": "upload",
}

_HEADER = (
    "# Written by `python -m generator` from ../_async/{name} (generator/_unasync.py): edit that file, not this one.\n"
)


def _ruff(*args: str, cwd: Path) -> None:
    command = [sys.executable, "-m", "ruff", *args, "--quiet", "--no-cache", "."]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ruff {args[0]} failed on the sync half: {proc.stdout}{proc.stderr}")


def _write(async_dir: Path, out_dir: Path) -> None:
    rule = unasync.Rule(fromdir=str(async_dir), todir=str(out_dir), additional_replacements=_SYNC_NAMES)
    sources = sorted(async_dir.glob("*.py"))
    try:
        unasync.unasync_files([str(source) for source in sources], [rule])
    except tokenize.TokenError as exc:
        raise RuntimeError(f"the async half cannot be read as Python: {exc.args[0]} at line {exc.args[1][0]}") from exc
    for source in sources:
        target = out_dir / source.name
        target.write_text(_HEADER.format(name=source.name) + target.read_text(encoding="utf-8"), encoding="utf-8")
    settings = ["--config", str(REPO_ROOT / "pyproject.toml")]
    # The imports and `__all__` sort anew under their sync names; a loop that yields each item becomes `yield from`.
    _ruff("check", "--fix", "--unsafe-fixes", "--select", "I,RUF022,UP028", *settings, cwd=out_dir)
    _ruff("format", *settings, cwd=out_dir)


def generate(async_dir: Path = ASYNC_DIR, sync_dir: Path = SYNC_DIR) -> None:
    """Writes ``sync_dir`` anew from ``async_dir``; a file that changes is rewritten, one whose source went goes."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_sync"
        fresh.mkdir()
        _write(async_dir, fresh)
        sync_dir.mkdir(exist_ok=True)
        for stale in sync_dir.glob("*.py"):
            if not (fresh / stale.name).exists():
                stale.unlink()
        for made in fresh.glob("*.py"):
            target = sync_dir / made.name
            if not target.exists() or target.read_bytes() != made.read_bytes():
                target.write_bytes(made.read_bytes())


def check(async_dir: Path = ASYNC_DIR, sync_dir: Path = SYNC_DIR) -> CheckResult:
    """What differs between ``sync_dir`` and what ``async_dir`` makes."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_sync"
        fresh.mkdir()
        _write(async_dir, fresh)
        return _compare(fresh, sync_dir)
