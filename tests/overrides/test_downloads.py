"""Downloads through the facade over real sockets: to a path, to bytes, in chunks, broken and async."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import openai_api as oa
from tests.helpers.clients import aclient_for, adownload, afacade, client_for, download, facade
from tests.helpers.factories import error_body
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- downloads -----------------------------------------------------------------------------------------------


def test_download_to_a_path_and_to_bytes(server: ScriptedServer, tmp_path: Path) -> None:
    content = os.urandom(500_000)
    server.handler = lambda _: Reply(body=content, headers={"content-type": "application/octet-stream"})
    target = tmp_path / "out.bin"
    download(client_for(server), "file-1", target)
    assert target.read_bytes() == content
    assert facade(client_for(server)).files.content("file-1").content == content
    assert server.received[0].target == "/v1/files/file-1/content"


def test_an_open_file_for_a_path_is_refused_before_anything_is_written(server: ScriptedServer, tmp_path: Path) -> None:
    server.handler = lambda _: Reply(body=b"abc", headers={"content-type": "application/octet-stream"})
    answer = facade(client_for(server)).files.content("file-1")
    with open(tmp_path / "out.bin", "wb") as handle, pytest.raises(TypeError, match=r"BufferedWriter.*iter_bytes"):
        answer.write_to_file(handle)  # type: ignore[arg-type]
    assert (tmp_path / "out.bin").read_bytes() == b"" and os.listdir(tmp_path) == ["out.bin"]


def test_a_streamed_download_comes_in_chunks_with_its_length(server: ScriptedServer) -> None:
    # What a progress bar needs, from the facade's streamed answer: the total, and the bytes as they arrive.
    content = os.urandom(500_000)
    server.handler = lambda _: Reply(body=content, headers={"content-type": "application/octet-stream"})
    buffer = io.BytesIO()
    seen: list[tuple[int, int]] = []
    with facade(client_for(server)).files.with_streaming_response.content("file-1") as response:
        total = int(response.headers["content-length"])
        for chunk in response.iter_bytes(1 << 16):
            buffer.write(chunk)
            seen.append((buffer.tell(), total))
    assert buffer.getvalue() == content and seen[-1] == (len(content), len(content)) and len(seen) > 1


def test_a_streamed_downloads_parse_leaves_the_body_to_be_streamed(server: ScriptedServer) -> None:
    """``parse()`` of a streamed download reads nothing: its ``iter_bytes`` streams the body, and parsing after the
    body was iterated still gives the answer."""
    content = os.urandom(300_000)
    server.handler = lambda _: Reply(body=content, headers={"content-type": "application/octet-stream"})
    with facade(client_for(server)).files.with_streaming_response.content("file-1") as response:
        binary = response.parse()
        assert not binary.response.is_stream_consumed
        assert b"".join(binary.iter_bytes(1 << 16)) == content
    with facade(client_for(server)).files.with_streaming_response.content("file-1") as response:
        assert b"".join(response.iter_bytes()) == content
        assert response.parse().response is response.http_response


async def test_an_async_streamed_downloads_parse_reads_the_body_for_its_content(server: ScriptedServer) -> None:
    """The async ``parse()`` reads first: a ``BinaryResponse``'s ``content`` is sync."""
    server.handler = lambda _: Reply(body=b"abc" * 1000, headers={"content-type": "application/octet-stream"})
    async with afacade(aclient_for(server)).files.with_streaming_response.content("file-1") as response:
        assert (await response.parse()).content == b"abc" * 1000


def test_a_broken_download_leaves_no_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.script(
        Reply(body=os.urandom(300_000), cut_after=100_000, headers={"content-type": "application/octet-stream"})
    )
    target = tmp_path / "out.bin"
    with pytest.raises(oa.APIConnectionError):
        download(client_for(server), "file-1", target)
    assert list(tmp_path.iterdir()) == []


async def test_async_download_and_missing_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.script(Reply(body=b"abc", headers={"content-type": "application/octet-stream"}))
    target = tmp_path / "out.bin"
    await adownload(aclient_for(server), "file-1", target)
    assert target.read_bytes() == b"abc"
    server.script(json_reply(error_body("No such File object"), status=404))
    with pytest.raises(oa.NotFoundError):
        await adownload(aclient_for(server), "file-2", tmp_path / "missing.bin")
    assert not (tmp_path / "missing.bin").exists()
