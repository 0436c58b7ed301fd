"""The hostile-server matrix, files: uploads from pipes and over the size limit, servers that answer or hang up
mid-upload, downloads that break, pages that never end, and the CLI over all of it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

import openai_api as oa
from openai_api import _spec
from openai_api._client import OpenAIClient
from tests.helpers.clients import acontent, adownload, afacade, download, facade
from tests.helpers.hostile_server import (
    KEY,
    Action,
    HostileServer,
    Request,
    aclient,
    aexpect,
    chunked,
    client,
    close_during_upload,
    expect,
    file_object,
    redirect,
    reply,
    reset,
    reset_mid_body,
    short_body,
    status_during_upload,
    upload_ok,
)
from tests.helpers.scripted_server import parse_multipart

HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
GZIP_LIE = [("content-encoding", "gzip")]
OCTETS = "application/octet-stream"
BLOCK = bytes(range(256)) * 256  # 64 KiB


def file_part(request: Request) -> bytes:
    return parse_multipart(request.body, request.headers.get("content-type", ""))["file"][1]


def payload(size: int) -> bytes:
    return (BLOCK * (size // len(BLOCK) + 1))[:size]


@contextlib.contextmanager
def pipe_of(size: int) -> Iterator[IO[bytes]]:
    """The read end of a pipe a thread writes ``size`` bytes into: a stream with no size and no way back."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb")

    def write() -> None:
        # The reader may be closed early (an upload stopped at the limit): the writer then gets EPIPE and stops.
        with contextlib.suppress(OSError), os.fdopen(write_fd, "wb") as out:
            data = payload(size)
            for at in range(0, size, len(BLOCK)):
                out.write(data[at : at + len(BLOCK)])

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield reader
    finally:
        reader.close()
        writer.join(timeout=5)
        assert not writer.is_alive()


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """The spec's upload limit (512 MB) lowered to 200 KB where the code reads it, so a pipe can pass it cheaply."""
    limit = 200_000
    schema = _spec.spec()["components"]["schemas"]["CreateFileRequest"]["properties"]["file"]
    assert schema["x-max-bytes"] == 512 * 1024 * 1024
    monkeypatch.setitem(schema, "x-max-bytes", limit)
    return limit


# --- 9. uploads ----------------------------------------------------------------------------------------------------


def test_upload_from_a_pipe_is_sent_chunked() -> None:
    with HostileServer(upload_ok()) as server, pipe_of(300_000) as pipe:
        uploaded = facade(client(server)).files.create(file=pipe, purpose="assistants")
        assert (server.attempts, server.created) == (1, 1)
        request = server.requests[0]
    assert uploaded.id == "file-1"
    assert request.headers.get("transfer-encoding") == "chunked"
    assert hashlib.sha256(file_part(request)).digest() == hashlib.sha256(payload(300_000)).digest()


async def test_upload_from_a_pipe_is_sent_chunked_async() -> None:
    with HostileServer(upload_ok()) as server, pipe_of(300_000) as pipe:
        await afacade(aclient(server)).files.create(file=pipe, purpose="assistants")
        assert (server.attempts, server.created) == (1, 1)
        assert file_part(server.requests[0]) == payload(300_000)


def test_pipe_over_the_limit_is_stopped_while_streaming(small_limit: int) -> None:
    with HostileServer(upload_ok()) as server, pipe_of(small_limit * 3) as pipe:
        exc = expect(oa.InvalidFileError, lambda: facade(client(server)).files.create(file=pipe, purpose="assistants"))
        assert server.created == 0
        assert server.attempts <= 1
    assert str(small_limit) in str(exc)


async def test_pipe_over_the_limit_is_stopped_while_streaming_async(small_limit: int) -> None:
    with HostileServer(upload_ok()) as server, pipe_of(small_limit * 3) as pipe:
        await aexpect(
            oa.InvalidFileError, lambda: afacade(aclient(server)).files.create(file=pipe, purpose="assistants")
        )
        assert server.created == 0
        assert server.attempts <= 1


def test_pipe_at_the_limit_is_sent(small_limit: int) -> None:
    with HostileServer(upload_ok()) as server, pipe_of(small_limit) as pipe:
        facade(client(server)).files.create(file=pipe, purpose="assistants")
        assert server.created == 1


@pytest.mark.parametrize("kind", ["bytes", "path", "file-object"])
def test_sized_upload_over_the_limit_is_refused_before_sending(kind: str, small_limit: int, tmp_path: Path) -> None:
    data = payload(small_limit + 1)
    source: Any = data
    if kind != "bytes":
        path = tmp_path / "big.bin"
        path.write_bytes(data)
        source = path if kind == "path" else path.open("rb")
    with HostileServer(upload_ok()) as server:
        expect(oa.InvalidFileError, lambda: facade(client(server)).files.create(file=source, purpose="assistants"))
        assert server.attempts == 0
    if kind == "file-object":
        source.close()


BIG = payload(4 * 1024 * 1024)  # more than the socket buffers hold, so the server's early answer lands mid-send

UploadSource = Callable[[], Any]
UPLOAD_CASES: dict[str, tuple[list[Action], str, type[oa.OpenAIError], int, bool]] = {
    # actions, source ("bytes" or "pipe"), error, attempts, whether the message must say it was not retried
    "413-mid-upload": (
        [status_during_upload(413, 65536, {"error": {"message": "too large"}})],
        "bytes",
        oa.APIStatusError,
        1,
        False,
    ),
    "413-mid-upload-pipe": (
        [status_during_upload(413, 65536, {"error": {"message": "too large"}})],
        "pipe",
        oa.APIStatusError,
        1,
        False,
    ),
    "early-close": ([close_during_upload(65536)], "bytes", oa.APIConnectionError, 3, False),
    "early-fin": ([close_during_upload(65536, rst=False)], "bytes", oa.APIConnectionError, 3, False),
    "early-close-pipe": ([close_during_upload(65536)], "pipe", oa.APIConnectionError, 1, True),
    "reset-after-body": ([reset()], "bytes", oa.APIConnectionError, 3, False),
    "503-pipe": ([reply(503, HTML, content_type="text/html")], "pipe", oa.InternalServerError, 1, True),
    "503-bytes": ([reply(503, HTML, content_type="text/html")], "bytes", oa.InternalServerError, 3, False),
    "redirect-307": ([redirect(307, "/v1/files?again=1")], "bytes", oa.APIRedirectError, 1, False),
    "200-wrong-shape": ([reply(200, {"id": "file-1"})], "bytes", oa.ResponseValidationError, 1, False),
    "200-html": ([reply(200, HTML, content_type="text/html")], "bytes", oa.ResponseValidationError, 1, False),
}


@pytest.mark.parametrize("case", UPLOAD_CASES)
def test_upload_against_a_hostile_server(case: str) -> None:
    actions, source, kind, attempts, says_not_retried = UPLOAD_CASES[case]
    with HostileServer(*actions) as server, pipe_of(len(BIG) if source == "pipe" else 0) as pipe:
        body: Any = pipe if source == "pipe" else BIG
        exc = expect(kind, lambda: facade(client(server)).files.create(file=body, purpose="assistants"), within=10)
        assert server.attempts == attempts
        assert server.created == 0
    if kind is oa.APIStatusError:
        assert exc.status_code == 413
    if says_not_retried:
        assert "not retried" in str(exc).lower(), f"the message must say why it was not retried: {exc}"


@pytest.mark.parametrize("case", UPLOAD_CASES)
async def test_upload_against_a_hostile_server_async(case: str) -> None:
    actions, source, kind, attempts, says_not_retried = UPLOAD_CASES[case]
    with HostileServer(*actions) as server, pipe_of(len(BIG) if source == "pipe" else 0) as pipe:
        body: Any = pipe if source == "pipe" else BIG
        exc = await aexpect(
            kind, lambda: afacade(aclient(server)).files.create(file=body, purpose="assistants"), within=10
        )
        assert server.attempts == attempts
        assert server.created == 0
    if says_not_retried:
        assert "not retried" in str(exc).lower()


@pytest.mark.parametrize("first", ["early-close", "503", "reset"])
def test_sized_upload_is_sent_again_whole_after_a_failure(first: str, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(BIG)
    failures = {"early-close": close_during_upload(65536), "503": reply(503, b""), "reset": reset()}
    with HostileServer(failures[first], upload_ok()) as server:
        facade(client(server)).files.create(file=path, purpose="assistants")
        assert (server.attempts, server.created) == (2, 1)
        assert file_part(server.requests[1]) == BIG


class _Shifting(io.BytesIO):
    """A file whose content grows or shrinks after its size was taken, as a log being written to does."""

    def __init__(self, data: bytes, change: int) -> None:
        super().__init__(data)
        self._change = change
        self._changed = False

    def read(self, size: int | None = -1) -> bytes:
        if not self._changed and self.tell() > 0:
            self._changed = True
            here = self.tell()
            if self._change > 0:
                self.seek(0, io.SEEK_END)
                self.write(b"+" * self._change)
            else:
                self.truncate(len(self.getvalue()) + self._change)
            self.seek(here)
        return super().read(size)


@pytest.mark.parametrize("change", [100_000, -100_000])
def test_upload_whose_length_changes_while_sending(change: int) -> None:
    with HostileServer(upload_ok()) as server:
        source = _Shifting(payload(400_000), change)
        expect(
            oa.OpenAIError, lambda: facade(client(server)).files.create(file=source, purpose="assistants"), exact=False
        )
        assert server.created == 0


# --- 2, 6, 8. downloads ----------------------------------------------------------------------------------------

CONTENT = payload(300_000)
DOWNLOADS: dict[str, tuple[list[Action], type[oa.OpenAIError], int, int]] = {
    # actions, error, attempts of a streamed download (to a path), attempts of a whole one (bytes)
    "truncated": ([short_body(200, CONTENT, 5000, OCTETS)], oa.APIConnectionError, 1, 3),
    "reset-mid-body": ([reset_mid_body(200, CONTENT, 100_000, OCTETS)], oa.APIConnectionError, 1, 3),
    "reset-before-head": ([reset()], oa.APIConnectionError, 3, 3),
    "404-html": ([reply(404, HTML, content_type="text/html")], oa.NotFoundError, 1, 1),
    "500-json": ([reply(500, {"error": {"message": "oops", "type": "server_error"}})], oa.InternalServerError, 3, 3),
    "gzip-lie": ([reply(200, CONTENT, GZIP_LIE, content_type=OCTETS)], oa.ResponseValidationError, 1, 1),
    "redirect-loop": ([redirect(302, "/v1/files/file-1/content")], oa.APIRedirectError, 6, 6),
    "chunked-cut": ([chunked([CONTENT[:50_000]], content_type=OCTETS, end="reset")], oa.APIConnectionError, 1, 3),
}

Download = Callable[[OpenAIClient, Path], object]
SYNC_DOWNLOADS: dict[str, Download] = {
    "files.with_streaming_response.content": lambda c, p: download(c, "file-1", p),
    "files.content": lambda c, _: facade(c).files.content("file-1").content,
}
ASYNC_DOWNLOADS: dict[str, Callable[[OpenAIClient, Path], Awaitable[object]]] = {
    "async files.with_streaming_response.content": lambda c, p: adownload(c, "file-1", p),
    "async files.content": lambda c, _: acontent(c, "file-1"),
}


@pytest.mark.parametrize("case", DOWNLOADS)
@pytest.mark.parametrize("entry", SYNC_DOWNLOADS)
def test_broken_download_leaves_nothing(entry: str, case: str, tmp_path: Path) -> None:
    actions, kind, streamed_attempts, whole_attempts = DOWNLOADS[case]
    with HostileServer(*actions) as server:
        expect(kind, lambda: SYNC_DOWNLOADS[entry](client(server), tmp_path / "out.bin"))
        assert server.attempts == (
            streamed_attempts if entry == "files.with_streaming_response.content" else whole_attempts
        )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("case", DOWNLOADS)
@pytest.mark.parametrize("entry", ASYNC_DOWNLOADS)
async def test_broken_download_leaves_nothing_async(entry: str, case: str, tmp_path: Path) -> None:
    actions, kind, streamed_attempts, whole_attempts = DOWNLOADS[case]
    with HostileServer(*actions) as server:
        await aexpect(kind, lambda: ASYNC_DOWNLOADS[entry](aclient(server), tmp_path / "out.bin"))
        assert server.attempts == (
            streamed_attempts if entry == "async files.with_streaming_response.content" else whole_attempts
        )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("case", ["truncated", "404-html", "gzip-lie"])
def test_broken_download_keeps_the_file_already_there(case: str, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"the old content")
    with HostileServer(*DOWNLOADS[case][0]) as server:
        expect(DOWNLOADS[case][1], lambda: download(client(server), "file-1", target))
    assert target.read_bytes() == b"the old content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_download_redirect_to_another_origin_is_not_followed(status: int, tmp_path: Path) -> None:
    with HostileServer(reply(200, CONTENT, content_type=OCTETS)) as other:
        with HostileServer(redirect(status, f"{other.url}/content")) as server:
            expect(oa.APIRedirectError, lambda: download(client(server), "file-1", tmp_path / "out.bin"))
            assert server.attempts == 1
        assert other.attempts == 0
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("status", [302, 307])
def test_download_redirect_on_the_same_origin_is_followed(status: int, tmp_path: Path) -> None:
    actions = [redirect(status, "/v1/files/file-1/content?signed=1"), reply(200, CONTENT, content_type=OCTETS)]
    with HostileServer(*actions) as server:
        download(client(server), "file-1", tmp_path / "out.bin")
        assert server.attempts == 2
        assert server.requests[1].authorization == f"Bearer {KEY}"
    assert (tmp_path / "out.bin").read_bytes() == CONTENT
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


# --- 5. pages that never end ------------------------------------------------------------------------------------


def page(*ids: str, has_more: bool = True) -> Action:
    return reply(200, {"object": "list", "data": [file_object(i) for i in ids], "has_more": has_more})


ENDLESS: dict[str, list[Action]] = {
    "same-page-forever": [page("file-1", "file-2")],
    "cursor-repeated": [page("file-1", "file-2"), page("file-3", "file-2")],
    "cycle-back-to-the-first-page": [page("file-1", "file-2"), page("file-3", "file-4"), page("file-1", "file-2")],
}


@pytest.mark.parametrize("case", ENDLESS)
def test_endless_pages_raise(case: str) -> None:
    with HostileServer(*ENDLESS[case]) as server:
        expect(oa.PaginationError, lambda: list(facade(client(server)).files.list(limit=2)))
        assert 2 <= server.attempts < 10
        assert "after=file-2" in server.requests[1].target


@pytest.mark.parametrize("case", ENDLESS)
async def test_endless_pages_raise_async(case: str) -> None:
    async def run() -> object:
        return [f async for f in afacade(aclient(server)).files.list(limit=2)]

    with HostileServer(*ENDLESS[case]) as server:
        await aexpect(oa.PaginationError, run)
        assert 2 <= server.attempts < 10


def test_pages_that_end_are_all_read() -> None:
    with HostileServer(page("file-1", "file-2"), page("file-3", has_more=False)) as server:
        ids = [f.id for f in facade(client(server)).files.list(limit=2)]
        assert server.attempts == 2
    assert ids == ["file-1", "file-2", "file-3"]


# --- 11. the CLI -----------------------------------------------------------------------------------------------


def run_cli(
    server: HostileServer, *args: str, cwd: Path, console: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": server.url + "/v1", **(env or {})}
    script = [str(Path(sys.executable).with_name("openai-api"))]
    command = script if console else [sys.executable, "-m", "openai_api_cli"]
    return subprocess.run(
        [*command, "--max-retries", "1", *args], capture_output=True, text=True, timeout=30, cwd=cwd, env=base
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], one_line: bool = True) -> None:
    assert KEY not in result.stdout and KEY not in result.stderr, "the CLI printed the key"
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr[-500:]}"
    if one_line:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("openai-api: error:"), result.stderr[-1000:]


def _echo(request: Request) -> bytes:
    return json.dumps({"error": {"message": f"Incorrect API key provided: {request.authorization}"}}).encode()


STREAM_ERROR = f'event: error\ndata: {{"message": "key {KEY} revoked"}}\n\n'.encode()
CLI_CASES: dict[str, tuple[list[Action], list[str]]] = {
    "502-html": ([reply(502, HTML, content_type="text/html")], ["models", "list"]),
    "401-echoes-key": ([reply(401, _echo)], ["files", "get", "file-1"]),
    "200-wrong-shape": ([reply(200, {"object": "list"})], ["models", "list"]),
    "stream-error-echoes-key": ([chunked([STREAM_ERROR])], ["chat", "hi"]),
    "stream-without-done": ([chunked([b'data: {"id": "x"'], end="close")], ["chat", "hi"]),
    "endless-pages": ([page("file-1", "file-2")], ["files", "list", "--all", "--limit", "2"]),
    "download-bad-gzip": (
        [reply(200, CONTENT, GZIP_LIE, content_type=OCTETS)],
        ["files", "download", "file-1", "-o", "out.bin"],
    ),
    "download-truncated": ([short_body(200, CONTENT, 1000, OCTETS)], ["files", "download", "file-1", "-o", "out.bin"]),
    "download-reset": ([reset_mid_body(200, CONTENT, 1000, OCTETS)], ["files", "download", "file-1", "-o", "o.bin"]),
    "download-missing-dir": (
        [reply(200, CONTENT, content_type=OCTETS)],
        ["files", "download", "file-1", "-o", "missing/x"],
    ),
    "download-over-a-directory": (
        [reply(200, CONTENT, content_type=OCTETS)],
        ["files", "download", "file-1", "-o", ".", "--force"],
    ),
    "server-filename-dotdot": (
        [reply(200, file_object(filename="..")), reply(200, CONTENT, content_type=OCTETS)],
        ["files", "download", "file-1"],
    ),
    "server-filename-nul": (
        [reply(200, file_object(filename="a\u0000b")), reply(200, CONTENT, content_type=OCTETS)],
        ["files", "download", "file-1"],
    ),
    "upload-413": (
        [status_during_upload(413, 1000, {"error": {"message": "too large"}})],
        ["files", "upload", "{input}", "--purpose", "assistants"],
    ),
}


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_fails_cleanly(case: str, tmp_path: Path) -> None:
    actions, args = CLI_CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    source = tmp_path / "input.bin"
    source.write_bytes(payload(100_000))
    with HostileServer(*actions) as server:
        result = run_cli(server, *(a.replace("{input}", str(source)) for a in args), cwd=work)
        assert server.attempts < 10
    assert_clean_failure(result)
    assert not list(work.iterdir()), "a failed command left files behind"


def test_cli_download_into_a_file_in_place_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_bytes(b"")
    with HostileServer(reply(200, CONTENT, content_type=OCTETS)) as server:
        result = run_cli(server, "files", "download", "file-1", "-o", "blocker/x", cwd=tmp_path)
    assert_clean_failure(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into a read-only folder")
def test_cli_download_into_an_unwritable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with HostileServer(reply(200, CONTENT, content_type=OCTETS)) as server:
            result = run_cli(server, "files", "download", "file-1", "-o", "locked/x", cwd=tmp_path)
        assert_clean_failure(result)
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("how", [("-v",), ("--json",)], ids=["verbose", "json"])
def test_cli_never_prints_the_key_even_when_verbose(how: tuple[str, ...], tmp_path: Path) -> None:
    actions = [reply(503, _echo), redirect(302, "/v1/models?k=1"), reply(401, _echo)]
    with HostileServer(*actions) as server:
        result = run_cli(server, *how, "models", "list", cwd=tmp_path)
        assert server.attempts == 3
    assert_clean_failure(result, one_line=how != ("-v",))
    if how == ("-v",):
        assert "DEBUG" in result.stderr or "INFO" in result.stderr, "verbose printed no log: the check proves nothing"


def test_cli_openai_log_debug_never_prints_the_key(tmp_path: Path) -> None:
    with HostileServer(reply(500, _echo), reply(401, _echo)) as server:
        result = run_cli(server, "files", "get", "file-1", cwd=tmp_path, env={"OPENAI_LOG": "debug"})
    assert_clean_failure(result, one_line=False)
    assert "openai_api" in result.stderr or "httpx" in result.stderr, "OPENAI_LOG=debug logged nothing"


def test_console_script_fails_cleanly(tmp_path: Path) -> None:
    with HostileServer(reply(404, HTML, content_type="text/html")) as server:
        result = run_cli(server, "files", "get", "file-1", cwd=tmp_path, console=True)
    assert_clean_failure(result)
    assert "NotFoundError" in result.stderr


def test_cli_download_of_a_server_filename_with_a_path_stays_in_the_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    actions = [reply(200, file_object(filename="../../escape.txt")), reply(200, CONTENT, content_type=OCTETS)]
    with HostileServer(*actions) as server:
        result = run_cli(server, "files", "download", "file-1", cwd=work)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert (work / "escape.txt").read_bytes() == CONTENT
