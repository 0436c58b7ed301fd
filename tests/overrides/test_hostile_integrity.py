"""The hostile-server matrix, integrity: downloads that decode once, path values that cannot reach another
endpoint, a pool that keeps its bounds under threads, tasks and timeouts, no secret in any message, and every
error a user can meet inside the library's hierarchy."""

from __future__ import annotations

import asyncio
import errno
import functools
import gzip
import io
import json
import os
import shutil
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_client.api.models import list_models
from tests.helpers.clients import adownload, afacade, download, facade
from tests.helpers.hostile_server import (
    CHAT,
    KEY,
    Action,
    Conn,
    HostileServer,
    Request,
    aclient,
    aexpect,
    assert_key_hidden,
    chunked,
    client,
    expect,
    file_object,
    reply,
    silent,
)
from tests.helpers.spec import load_spec, operations

OCTETS = "application/octet-stream"
CONTENT = bytes(range(256)) * 400 + b"the end"  # 102,407 bytes: several reads, compressible


def _raw_deflate(data: bytes) -> bytes:
    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


ENCODED = {
    "gzip": gzip.compress(CONTENT),
    "deflate": zlib.compress(CONTENT),  # the zlib wrapper, as RFC 9110 means
    "deflate-raw": _raw_deflate(CONTENT),  # what many servers send as deflate
    "gzip-two-members": gzip.compress(CONTENT[:50_000]) + gzip.compress(CONTENT[50_000:]),
}


def _encoding(case: str) -> str:
    return case.split("-", 1)[0]


def _pieces(data: bytes, size: int = 1000) -> list[bytes]:
    return [data[at : at + size] for at in range(0, len(data), size)]


def _answer(case: str, body: bytes, framing: str) -> Action:
    headers = [("content-encoding", _encoding(case))]
    if framing == "one-chunk":
        return reply(200, body, headers, content_type=OCTETS)
    return chunked(_pieces(body), content_type=OCTETS, headers=headers)


Fetch = Callable[[OpenAIClient, Path], bytes]
AFetch = Callable[[OpenAIClient, Path], Awaitable[bytes]]


def _to_path(c: OpenAIClient, target: Path) -> bytes:
    download(c, "file-1", target)
    return target.read_bytes()


async def _ato_path(c: OpenAIClient, target: Path) -> bytes:
    await adownload(c, "file-1", target)
    return target.read_bytes()


def _facade_content(c: OpenAIClient, _: Path) -> bytes:
    return oa.OpenAI(client=c).files.content("file-1").content


async def _afacade_content(c: OpenAIClient, _: Path) -> bytes:
    return (await oa.AsyncOpenAI(client=c).files.content("file-1")).content


SYNC_FETCHES: dict[str, Fetch] = {
    "files.with_streaming_response.content": _to_path,
    "files.content": _facade_content,
}
ASYNC_FETCHES: dict[str, AFetch] = {
    "async files.with_streaming_response.content": _ato_path,
    "files.content": _afacade_content,
}


# --- 1. compressed downloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["one-chunk", "many-chunks"])
@pytest.mark.parametrize("case", ENCODED)
@pytest.mark.parametrize("entry", SYNC_FETCHES)
def test_a_compressed_download_is_the_files_exact_bytes(entry: str, case: str, framing: str, tmp_path: Path) -> None:
    """Decoded once, whatever the encoding and however the body is framed: a decoded-twice body was 0 bytes."""
    with HostileServer(_answer(case, ENCODED[case], framing)) as server:
        assert SYNC_FETCHES[entry](client(server), tmp_path / "out.bin") == CONTENT


@pytest.mark.parametrize("framing", ["one-chunk", "many-chunks"])
@pytest.mark.parametrize("case", ENCODED)
@pytest.mark.parametrize("entry", ASYNC_FETCHES)
async def test_a_compressed_download_is_the_files_exact_bytes_async(
    entry: str, case: str, framing: str, tmp_path: Path
) -> None:
    with HostileServer(_answer(case, ENCODED[case], framing)) as server:
        assert await ASYNC_FETCHES[entry](aclient(server), tmp_path / "out.bin") == CONTENT


BROKEN = {
    # Cut in half, with a Content-Length (or chunks) that match the cut: only the compressed stream knows.
    "gzip-cut": ("gzip", ENCODED["gzip"][: len(ENCODED["gzip"]) // 2]),
    "deflate-cut": ("deflate", ENCODED["deflate"][: len(ENCODED["deflate"]) // 2]),
    "gzip-garbage-after": ("gzip", ENCODED["gzip"] + b"not gzip at all"),
    "gzip-lie": ("gzip", CONTENT),
    # An encoding the client never offered (httpx offers gzip and deflate here): it would be saved undecoded.
    "br-unoffered": ("br", b"\x1b\x00\x00\x00 pretend brotli"),
    "compress-unoffered": ("compress", b"\x1f\x9d pretend LZW"),
}


def _broken(case: str, framing: str) -> Action:
    encoding, body = BROKEN[case]
    headers = [("content-encoding", encoding)]
    if framing == "one-chunk":
        return reply(200, body, headers, content_type=OCTETS)
    return chunked(_pieces(body), content_type=OCTETS, headers=headers)


@pytest.mark.parametrize("framing", ["one-chunk", "many-chunks"])
@pytest.mark.parametrize("case", BROKEN)
@pytest.mark.parametrize("entry", SYNC_FETCHES)
def test_a_download_that_cannot_be_decoded_is_a_typed_error_and_leaves_no_file(
    entry: str, case: str, framing: str, tmp_path: Path
) -> None:
    with HostileServer(_broken(case, framing)) as server:
        error = expect(oa.ResponseValidationError, lambda: SYNC_FETCHES[entry](client(server), tmp_path / "out.bin"))
        assert error.field == "(body)" and "cannot be decoded" in error.reason
        assert server.attempts == 1, "a body that cannot be decoded is not asked for again"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("framing", ["one-chunk", "many-chunks"])
@pytest.mark.parametrize("case", BROKEN)
@pytest.mark.parametrize("entry", ASYNC_FETCHES)
async def test_a_download_that_cannot_be_decoded_is_a_typed_error_and_leaves_no_file_async(
    entry: str, case: str, framing: str, tmp_path: Path
) -> None:
    with HostileServer(_broken(case, framing)) as server:
        await aexpect(oa.ResponseValidationError, lambda: ASYNC_FETCHES[entry](aclient(server), tmp_path / "out.bin"))
    assert not list(tmp_path.iterdir())


def test_an_error_status_with_a_broken_encoding_still_ends_as_its_status(tmp_path: Path) -> None:
    body = json.dumps({"error": {"message": "no such file", "type": "invalid_request_error"}}).encode()
    with HostileServer(reply(404, body[:20], [("content-encoding", "gzip")], content_type="application/json")) as s:
        expect(oa.NotFoundError, lambda: download(client(s), "file-1", tmp_path / "out.bin"))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("case", ["gzip", "deflate-raw"])
def test_the_cli_saves_a_compressed_download_whole(case: str, tmp_path: Path) -> None:
    from tests.overrides.test_hostile_files import run_cli

    with HostileServer(_answer(case, ENCODED[case], "many-chunks")) as server:
        result = run_cli(server, "files", "download", "file-1", "-o", "out.bin", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.bin").read_bytes() == CONTENT


def test_the_cli_reports_a_cut_compressed_download_and_leaves_no_file(tmp_path: Path) -> None:
    from tests.overrides.test_hostile_files import assert_clean_failure, run_cli

    with HostileServer(_broken("gzip-cut", "one-chunk")) as server:
        result = run_cli(server, "files", "download", "file-1", "-o", "out.bin", cwd=tmp_path)
    assert_clean_failure(result)
    assert not list(tmp_path.iterdir())


# --- 2. path values -----------------------------------------------------------------------------------------------

PATH_OPERATIONS = [op for op in operations() if "{" in op.path]
REFUSED = ["", ".", ".."]
PASSED = ["%2e", "/", "..%2f", ".a", "a."]


def _path_call(op: Any, value: str) -> Callable[[OpenAIClient], object]:
    import importlib

    module = importlib.import_module(op.module)
    names = [p["name"] for p in op.parameters(load_spec()) if p.get("in") == "path"]
    return lambda c: oa.call(module.sync_detailed, client=c, **dict.fromkeys(names, value))


def _path_acall(op: Any, value: str) -> Callable[[OpenAIClient], Awaitable[object]]:
    import importlib

    module = importlib.import_module(op.module)
    names = [p["name"] for p in op.parameters(load_spec()) if p.get("in") == "path"]
    return lambda c: oa.acall(module.asyncio_detailed, client=c, **dict.fromkeys(names, value))


def test_every_path_operation_is_in_the_matrix() -> None:
    assert len(PATH_OPERATIONS) >= 8, [op.operation_id for op in PATH_OPERATIONS]


@pytest.mark.parametrize("value", REFUSED)
@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.operation_id)
def test_a_path_value_normalisation_would_change_is_refused_before_sending(op: Any, value: str) -> None:
    with HostileServer(reply(200, {})) as server:
        error = expect(oa.RequestValidationError, lambda: _path_call(op, value)(client(server)))
        assert server.attempts == 0, "nothing may be sent"
    names = [p["name"] for p in op.parameters(load_spec()) if p.get("in") == "path"]
    assert error.field in names and "nothing was sent" in error.reason


@pytest.mark.parametrize("value", REFUSED)
@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.operation_id)
async def test_a_path_value_normalisation_would_change_is_refused_before_sending_async(op: Any, value: str) -> None:
    with HostileServer(reply(200, {})) as server:
        await aexpect(oa.RequestValidationError, lambda: _path_acall(op, value)(aclient(server)))
        assert server.attempts == 0


@pytest.mark.parametrize("value", PASSED)
@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.operation_id)
def test_every_other_path_value_reaches_exactly_its_own_endpoint(op: Any, value: str) -> None:
    not_found = {"error": {"message": "no such object", "type": "invalid_request_error", "param": None, "code": None}}
    with HostileServer(reply(404, not_found)) as server:
        expect(oa.NotFoundError, lambda: _path_call(op, value)(client(server)))
        assert [r.method for r in server.requests] == [op.method.upper()]
        wanted = "/v1" + op.path.split("{")[0] + quote(value, safe="") + op.path.split("}", 1)[1]
        assert server.requests[0].path == wanted


def test_the_facade_refuses_a_dot_id_too() -> None:
    with HostileServer(reply(200, {})) as server:
        facade = oa.OpenAI(client=client(server))
        for run in (
            lambda: facade.files.retrieve("."),
            lambda: facade.files.delete("."),
            lambda: facade.models.retrieve(""),
        ):
            expect(oa.RequestValidationError, run)
        expect(oa.RequestValidationError, lambda: facade.fine_tunes.cancel(".."))
        assert server.attempts == 0


# --- 3. the pool ----------------------------------------------------------------------------------------------------


def _slow_models(delay: float) -> Action:
    def act(conn: Conn, request: Request) -> bool:
        time.sleep(delay)
        return reply(200, {"object": "list", "data": []})(conn, request)

    return act


def _open_connections(server: HostileServer, settle: float = 3.0) -> int:
    """How many of the server's connections the client still holds open (each serving thread ends at EOF)."""
    ends = time.monotonic() + settle
    while time.monotonic() < ends:
        alive = sum(thread.is_alive() for thread in server._threads)
        if alive == 0:
            return 0
        time.sleep(0.02)
    return sum(thread.is_alive() for thread in server._threads)


SMALL_POOL = httpx.Limits(max_connections=4, max_keepalive_connections=4)


def test_32_threads_on_a_fresh_client_share_one_pool_within_its_limits() -> None:
    with HostileServer(_slow_models(0.05)) as server:
        shared = client(server, limits=SMALL_POOL)
        start = threading.Barrier(32)
        failures: list[BaseException] = []

        def work() -> None:
            start.wait(timeout=10)
            try:
                for _ in range(3):
                    oa.call(list_models.sync_detailed, client=shared)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=work) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert server.attempts == 96
        assert len(server._conns) <= 4, f"{len(server._conns)} connections for max_connections=4"
        shared.close()
        assert _open_connections(server) == 0, "close() left sockets open"


async def test_200_tasks_on_a_fresh_client_share_one_pool_within_its_limits() -> None:
    with HostileServer(_slow_models(0.01)) as server:
        shared = aclient(server, limits=SMALL_POOL)
        await asyncio.gather(*(oa.acall(list_models.asyncio_detailed, client=shared) for _ in range(200)))
        assert server.attempts == 200
        assert len(server._conns) <= 4, f"{len(server._conns)} connections for max_connections=4"
        await shared.aclose()
        assert _open_connections(server) == 0


def _pool_entries(c: OpenAIClient) -> list[str]:
    transport = c.shared.transport
    return [connection.info() for connection in transport._pool._connections]  # type: ignore[union-attr]


def test_calls_that_give_up_waiting_for_the_pool_leave_no_slot_taken() -> None:
    """A request that times out waiting for a connection, as another thread hands it one, took a slot for ever."""
    with HostileServer(_slow_models(0.3)) as server:
        shared = client(server, limits=SMALL_POOL, deadline=0.25, max_retries=0)
        outcomes: list[str] = []

        def work() -> None:
            try:
                oa.call(list_models.sync_detailed, client=shared)
                outcomes.append("ok")
            except oa.APITimeoutError as exc:
                outcomes.append(exc.bound)

        for _ in range(3):  # rounds: the race needs several
            threads = [threading.Thread(target=work) for _ in range(24)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        assert len(outcomes) == 72 and set(outcomes) <= {"ok", "pool", "deadline"}, outcomes
        time.sleep(0.5)  # the server finishes what it was answering
        assert "CONNECTING" not in _pool_entries(shared)
        patient = shared.with_options(deadline=10)
        threads = [
            threading.Thread(target=lambda: oa.call(list_models.sync_detailed, client=patient)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert "CONNECTING" not in _pool_entries(shared)
        shared.close()


async def test_tasks_that_give_up_waiting_for_the_pool_leave_no_slot_taken() -> None:
    with HostileServer(_slow_models(0.3)) as server:
        shared = aclient(server, limits=SMALL_POOL, deadline=0.25, max_retries=0)

        async def work() -> str:
            try:
                await oa.acall(list_models.asyncio_detailed, client=shared)
            except oa.APITimeoutError as exc:
                return exc.bound
            return "ok"

        outcomes = [o for _ in range(3) for o in await asyncio.gather(*(work() for _ in range(24)))]
        assert set(outcomes) <= {"ok", "pool", "deadline"}
        await asyncio.sleep(0.5)
        pool = shared.shared.async_transport._pool  # type: ignore[union-attr]
        assert "CONNECTING" not in [c.info() for c in pool._connections]
        patient = shared.with_options(deadline=10)
        await asyncio.gather(*(oa.acall(list_models.asyncio_detailed, client=patient) for _ in range(8)))
        await shared.aclose()


def _answer_then_extra() -> Action:
    """A whole answer, then, in the same write, bytes that look like a second answer nobody asked for."""
    good = json.dumps({"object": "list", "data": []}).encode()
    fake = json.dumps(
        {"object": "list", "data": [{"id": "INJECTED", "object": "model", "created": 1, "owned_by": "x"}]}
    )

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        extra = (head % len(fake)) + fake.encode()
        return conn.send((head % len(good)) + good + extra)

    return act


def test_bytes_after_a_complete_answer_are_never_read_as_the_next_answer() -> None:
    honest = {"object": "list", "data": [{"id": "real", "object": "model", "created": 1, "owned_by": "me"}]}
    with HostileServer(_answer_then_extra(), reply(200, honest)) as server:
        c = client(server)
        assert oa.call(list_models.sync_detailed, client=c).data == []
        assert [m.id for m in oa.call(list_models.sync_detailed, client=c).data] == ["real"]
        assert server.attempts == 2 and len(server._conns) == 2, "the connection with leftover bytes was reused"


async def test_bytes_after_a_complete_answer_are_never_read_as_the_next_answer_async() -> None:
    honest = {"object": "list", "data": [{"id": "real", "object": "model", "created": 1, "owned_by": "me"}]}
    with HostileServer(_answer_then_extra(), reply(200, honest)) as server:
        c = aclient(server)
        assert (await oa.acall(list_models.asyncio_detailed, client=c)).data == []
        assert [m.id for m in (await oa.acall(list_models.asyncio_detailed, client=c)).data] == ["real"]
        assert len(server._conns) == 2


# --- 4. secrets ---------------------------------------------------------------------------------------------------

PASSWORD = "hunter2-PASSWORD-0a9f"


def test_a_base_url_with_a_password_is_refused_without_showing_it() -> None:
    with pytest.raises(oa.ConfigurationError) as info:
        _create_client(api_key=KEY, base_url=f"http://alice:{PASSWORD}@127.0.0.1:9/v1")
    assert PASSWORD not in str(info.value) and "password" in str(info.value)
    with pytest.raises(oa.ConfigurationError) as from_env:
        oa.OpenAI(api_key=KEY, base_url=f"https://alice:{PASSWORD}@api.openai.com/v1")
    assert PASSWORD not in repr(from_env.value)


def test_an_echoed_cursor_holding_the_key_is_masked_in_the_pagination_error() -> None:
    page = {"object": "list", "data": [file_object(file_id=KEY)], "has_more": True}
    with HostileServer(reply(200, page)) as server:
        error = expect(oa.PaginationError, lambda: list(facade(client(server)).files.list()))
    assert "sk-***" in str(error)


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if i % 2 == 0 else c for i, c in enumerate(text))


@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_key_echoed_json_escaped_is_masked_everywhere(status: int) -> None:
    message = "Incorrect API key provided: " + _escaped(KEY)
    body = '{"error": {"message": "' + message + '", "type": "invalid_request_error"}}'
    with HostileServer(reply(status, body.encode(), content_type="application/json")) as server:
        error = expect(
            oa.APIStatusError,
            lambda: oa.call(list_models.sync_detailed, client=client(server, max_retries=0)),
            exact=False,
        )
    for text in (str(error), error.body_text, json.dumps(error.body), repr(error.body), error.message):
        assert KEY not in text and KEY not in json.loads(json.dumps(text))
    assert KEY not in json.dumps(error.body, ensure_ascii=False)
    assert "sk-***" in error.message


def test_a_key_echoed_json_escaped_in_a_stream_event_is_masked() -> None:
    event = b'data: {"error": {"message": "bad key %s"}}\n\n' % _escaped(KEY).encode()
    with HostileServer(chunked([event])) as server:
        error = expect(oa.StreamError, lambda: list(facade(client(server)).chat.completions.stream(**CHAT)))
    assert_key_hidden(error)
    assert KEY not in str(error)


# --- 5. every error inside the hierarchy -------------------------------------------------------------------------


def _upload(c: OpenAIClient, file: Any) -> object:
    return facade(c).files.create(file=file, purpose="assistants")


async def _aupload(c: OpenAIClient, file: Any) -> object:
    return await afacade(c).files.create(file=file, purpose="assistants")


@pytest.fixture
def unreadable(tmp_path: Path) -> Iterator[dict[str, Any]]:
    (tmp_path / "folder").mkdir()
    text = (tmp_path / "notes.txt").open("w", encoding="utf-8")
    yield {"missing": tmp_path / "nope.jsonl", "folder": tmp_path / "folder", "text-mode": text}
    text.close()


@pytest.mark.parametrize("case", ["missing", "folder", "text-mode"])
def test_an_upload_that_cannot_be_read_is_an_invalid_file_error(case: str, unreadable: dict[str, Any]) -> None:
    with HostileServer(reply(200, file_object())) as server:
        error = expect(oa.InvalidFileError, lambda: _upload(client(server), unreadable[case]))
        assert server.attempts == 0
    assert error.field == "file" and not error.skippable
    name = unreadable[case].name
    assert str(name) in str(error) and "validate=False" not in str(error)


@pytest.mark.parametrize("case", ["missing", "folder", "text-mode"])
async def test_an_upload_that_cannot_be_read_is_an_invalid_file_error_async(
    case: str, unreadable: dict[str, Any]
) -> None:
    with HostileServer(reply(200, file_object())) as server:
        await aexpect(oa.InvalidFileError, lambda: _aupload(aclient(server), unreadable[case]))


def test_an_image_that_cannot_be_read_names_its_field(tmp_path: Path) -> None:
    with HostileServer(reply(200, {})) as server:
        error = expect(
            oa.InvalidFileError, lambda: facade(client(server)).images.edit(image=tmp_path / "gone.png", prompt="x")
        )
    assert error.field == "image"


def _full_disk() -> IO[bytes]:
    class Full(io.RawIOBase):
        name = "/mnt/full/out.bin"

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    return io.BufferedWriter(Full(), buffer_size=1)  # every write reaches the disk, as a full one refuses it


def test_a_download_into_a_full_disk_is_a_local_file_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.bin"

    def full(fd: int, *args: Any, **kwargs: Any) -> IO[bytes]:
        os.close(fd)  # the temporary file is made, then the disk refuses every write to it
        return _full_disk()

    with (
        HostileServer(reply(200, CONTENT, content_type=OCTETS)) as server,
        facade(client(server)).files.with_streaming_response.content("file-1") as response,
    ):
        monkeypatch.setattr(os, "fdopen", full)
        error = expect(oa.LocalFileError, lambda: response.stream_to_file(target))
        monkeypatch.undo()
    assert error.path == str(target) and "No space left" in str(error)
    assert isinstance(error, OSError) and isinstance(error.__cause__, OSError)
    assert list(tmp_path.iterdir()) == []


def test_a_download_onto_a_folder_is_a_local_file_error_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "out.bin").mkdir()
    with HostileServer(reply(200, CONTENT, content_type=OCTETS)) as server:
        error = expect(oa.LocalFileError, lambda: download(client(server), "file-1", tmp_path / "out.bin"))
    assert str(tmp_path / "out.bin") in str(error)
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"] and (tmp_path / "out.bin").is_dir()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_download_whose_folder_is_removed_midway_is_a_local_file_error(asynchronous: bool, tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()

    def remove_once_writing() -> None:  # the temporary file appears with the first bytes; the folder goes then
        deadline = time.monotonic() + 5
        while not any(folder.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.002)
        shutil.rmtree(folder)

    with HostileServer(chunked(_pieces(CONTENT, 20_000), content_type=OCTETS, delay=0.05)) as server:
        if asynchronous:
            run = lambda: asyncio.run(adownload(aclient(server), "file-1", folder / "o"))  # noqa: E731
        else:
            run = lambda: download(client(server), "file-1", folder / "o")  # noqa: E731
        remover = threading.Thread(target=remove_once_writing)
        remover.start()
        expect(oa.LocalFileError, run)
        remover.join()
    assert not folder.exists()


BAD_SETTINGS: dict[str, dict[str, Any]] = {
    "base_url CRLF": {"base_url": "http://127.0.0.1:9/v1\r\n"},
    "base_url LF inside": {"base_url": "http://127.0.0.1:9/v\n1"},
    "base_url trailing space": {"base_url": "http://127.0.0.1:9/v1 "},
    "base_url query": {"base_url": "http://127.0.0.1:9/v1?api-version=1"},
    "base_url fragment": {"base_url": "http://127.0.0.1:9/v1#x"},
    "base_url no host": {"base_url": "http:///v1"},
    "base_url ftp": {"base_url": "ftp://127.0.0.1/v1"},
    "max_retries -1": {"max_retries": -1},
    "max_retries 1.5": {"max_retries": 1.5},
    "timeout -1": {"timeout": -1},
    "timeout 0": {"timeout": 0},
    "timeout nan": {"timeout": float("nan")},
    "timeout all None": {"timeout": httpx.Timeout(None)},
    "timeout read -1": {"timeout": httpx.Timeout(5.0, read=-1)},
    "deadline 0": {"deadline": 0},
    "deadline nan": {"deadline": float("nan")},
}


_MAKERS = [_create_client, functools.partial(_create_client, is_async=True), oa.OpenAI, oa.AsyncOpenAI]


@pytest.mark.parametrize("case", BAD_SETTINGS)
@pytest.mark.parametrize("make", _MAKERS)
def test_every_invalid_setting_is_a_configuration_error_naming_it(case: str, make: Callable[..., object]) -> None:
    settings = BAD_SETTINGS[case]
    with pytest.raises(oa.ConfigurationError) as info:
        make(api_key=KEY, **settings)
    setting = next(iter(settings))
    assert setting.split("_")[0] in str(info.value) or "base URL" in str(info.value), str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("policy", [{"jitter": 2}, {"jitter": -0.1}, {"backoff_base": -1}, {"max_retries": -1}])
def test_an_invalid_retry_policy_is_a_configuration_error(policy: dict[str, Any]) -> None:
    with pytest.raises(oa.ConfigurationError, match=next(iter(policy))):
        oa.RetryPolicy(**policy)


def test_with_options_checks_its_settings_too() -> None:
    c = _create_client(api_key=KEY, base_url="http://127.0.0.1:9/v1")
    bad: list[Callable[[], object]] = [
        lambda: c.with_options(timeout=-1),
        lambda: c.with_options(deadline=-5),
        lambda: c.with_options(max_retries=-1),
    ]
    for run in bad:
        with pytest.raises(oa.ConfigurationError):
            run()


def test_a_call_on_a_closed_client_is_a_client_closed_error() -> None:
    with HostileServer(reply(200, {"object": "list", "data": []})) as server:
        facade = oa.OpenAI(client=client(server))
        facade.models.list()
        facade.close()
        facade.close()  # twice is fine
        error = expect(oa.ClientClosedError, facade.models.list)
        assert isinstance(error, RuntimeError)
        expect(oa.ClientClosedError, lambda: facade.files.content("file-1"))
        assert server.attempts == 1


async def test_a_call_on_a_closed_async_client_is_a_client_closed_error() -> None:
    with HostileServer(reply(200, {"object": "list", "data": []})) as server:
        facade = oa.AsyncOpenAI(client=aclient(server))
        await facade.models.list()
        await facade.close()
        await aexpect(oa.ClientClosedError, facade.models.list)


# --- smaller: messages ----------------------------------------------------------------------------------------------


def test_one_retry_is_counted_in_the_singular() -> None:
    with HostileServer(reply(503, b"busy")) as server:
        error = expect(
            oa.InternalServerError, lambda: oa.call(list_models.sync_detailed, client=client(server, max_retries=1))
        )
    assert "after 1 retry." in str(error) and "1 retries" not in str(error)


def test_a_timeout_message_never_ends_in_an_empty_cause() -> None:
    with HostileServer(silent()) as server:
        error = expect(
            oa.APITimeoutError,
            lambda: oa.call(list_models.sync_detailed, client=client(server, timeout=0.2, max_retries=0)),
        )
    assert "ReadTimeout: ." not in str(error) and ": ." not in str(error), str(error)


def test_bytes_after_done_in_the_same_packet_do_not_spoil_a_whole_answer() -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    chunk["choices"] = [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]
    packet = b"data: " + json.dumps(chunk).encode() + b"\n\ndata: [DONE]\n\n\xff\xfe garbage \x00\n\n"
    with HostileServer(chunked([packet])) as server:
        events = list(facade(client(server)).chat.completions.stream(**CHAT))
    assert [e.choices[0].delta.content for e in events] == ["hi"]
