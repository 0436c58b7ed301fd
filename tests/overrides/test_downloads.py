"""Downloads over real sockets: to a path, to bytes, to a file object, broken and async."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import openai_api_overrides as oa
from tests.helpers.clients import aclient_for, client_for
from tests.helpers.factories import error_body
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- downloads -----------------------------------------------------------------------------------------------


def test_download_to_a_path_and_to_bytes(server: ScriptedServer, tmp_path: Path) -> None:
    content = os.urandom(500_000)
    server.handler = lambda _: Reply(body=content, headers={"content-type": "application/octet-stream"})
    target = tmp_path / "out.bin"
    seen: list[int] = []
    assert oa.download_file(client_for(server), "file-1", target, progress=lambda d, t: seen.append(d)) == len(content)
    assert target.read_bytes() == content and seen[-1] == len(content)
    assert oa.download_file_bytes(client_for(server), "file-1") == content
    buffer = io.BytesIO()
    oa.download_file(client_for(server), "file-1", buffer)
    assert buffer.getvalue() == content
    assert server.received[0].target == "/v1/files/file-1/content"


def test_a_broken_download_leaves_no_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.script(
        Reply(body=os.urandom(300_000), cut_after=100_000, headers={"content-type": "application/octet-stream"})
    )
    target = tmp_path / "out.bin"
    with pytest.raises(oa.APIConnectionError):
        oa.download_file(client_for(server), "file-1", target)
    assert list(tmp_path.iterdir()) == []


async def test_async_download_and_missing_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.script(Reply(body=b"abc", headers={"content-type": "application/octet-stream"}))
    target = tmp_path / "out.bin"
    assert await oa.adownload_file(aclient_for(server), "file-1", target) == 3
    assert target.read_bytes() == b"abc"
    server.script(json_reply(error_body("No such File object"), status=404))
    with pytest.raises(oa.NotFoundError):
        await oa.adownload_file(aclient_for(server), "file-2", tmp_path / "missing.bin")
    assert not (tmp_path / "missing.bin").exists()
