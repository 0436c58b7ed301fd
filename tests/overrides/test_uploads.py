"""Uploads through the facade over real sockets: multipart encoding, the inputs an upload takes, the local checks."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zlib
from pathlib import Path

import pytest

import openai_api as oa
from openai_api_client import AuthenticatedClient
from openai_api_client.api.files import create_file
from openai_api_client.models import (
    CreateFileRequest,
    CreateTranslationResponse,
)
from openai_api_client.resources import FileInput
from openai_api_client.types import File
from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import file_object, upload_server
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- multipart -----------------------------------------------------------------------------------------------

EVIL = b'line one\r\n--+++\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--+++--\r\n tail'


def test_a_file_holding_the_generated_boundary_uploads_intact(server: ScriptedServer) -> None:
    def body() -> CreateFileRequest:
        return CreateFileRequest(file=File(payload=io.BytesIO(EVIL), file_name="evil.jsonl"), purpose="batch")

    server.handler = lambda _: json_reply(file_object())
    raw = AuthenticatedClient(base_url=server.url + "/v1", token="k")
    create_file.sync_detailed(client=raw, body=body())
    assert server.received[0].parts()["file"][1] != EVIL  # the generated fixed boundary "+++" corrupts it
    create_file.sync_detailed(client=client_for(server), body=body())
    facade(client_for(server)).files.create(file=("evil.bin", EVIL, "application/octet-stream"), purpose="assistants")
    for request in server.received[1:]:
        assert request.parts()["file"] == ("evil.bin" if "evil.bin" in str(request.body[:400]) else "evil.jsonl", EVIL)
        assert "boundary=+++" not in request.headers["content-type"]
    boundaries = {r.headers["content-type"] for r in server.received[1:]}
    assert len(boundaries) == 2, "a random boundary per request"


def png(width: int, height: int, pad: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk_ = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk_ + b"\0" * pad


def test_fields_are_encoded_as_the_api_expects(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply({"created": 1, "data": [{"url": "https://x"}]})
    facade(client_for(server)).images.edit(image=("otter.png", png(4, 4), "image/png"), prompt="a beret", n=2)
    parts = server.received[0].parts()
    assert set(parts) == {"image", "prompt", "n"}  # unset fields are not sent
    assert parts["n"] == (None, b"2") and parts["prompt"] == (None, b"a beret")
    server.handler = lambda _: Reply(body="WEBVTT\n", headers={"content-type": "text/plain"})
    facade(client_for(server)).audio.transcriptions.create(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", temperature=0.5
    )
    parts = server.received[1].parts()
    assert parts["temperature"] == (None, b"0.5") and "language" not in parts


# --- uploads -------------------------------------------------------------------------------------------------


def test_upload_accepts_path_file_object_bytes_and_tuple(server: ScriptedServer, tmp_path: Path) -> None:
    server.handler = upload_server
    content = b'{"prompt": "a", "completion": "b"}\n'
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    client = client_for(server)
    with path.open("rb") as handle:
        inputs: list[FileInput] = [path, str(path), handle, content, ("t.jsonl", content, "application/jsonl")]
        for value in inputs:
            facade(client).files.create(
                file=value if not isinstance(value, bytes) else ("b.jsonl", value, "x/y"), purpose="fine-tune"
            )
    assert [r.parts()["file"][1] for r in server.received] == [content] * 5
    assert [r.parts()["purpose"][1] for r in server.received] == [b"fine-tune"] * 5


class Counting(io.BufferedReader):
    """A file that notes its position after each read: how a caller sees an upload's progress through the facade."""

    def __init__(self, path: Path) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self.seen: list[int] = []

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.seen.append(self.tell())
        return data


def test_an_upload_reads_its_file_in_chunks(server: ScriptedServer, tmp_path: Path) -> None:
    server.handler = upload_server
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(300_000))
    with Counting(path) as file:
        facade(client_for(server)).files.create(file=file, purpose="assistants")
    assert file.seen[-1] == 300_000 and len(file.seen) > 2
    assert file.seen == sorted(file.seen)
    assert server.received[0].part_sha256["file"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_retried_upload_resends_every_byte(server: ScriptedServer, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(200_000))
    server.script(Reply(status=503, body=b"busy"))
    server.handler = upload_server
    facade(client_for(server)).files.create(file=path, purpose="assistants")
    with Counting(path) as file:
        server.script(Reply(status=503, body=b"busy"))
        facade(client_for(server)).files.create(file=file, purpose="assistants")
    first, second, third, fourth = server.received
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {r.part_sha256["file"] for r in (first, second, third, fourth)} == {digest}
    assert file.seen.count(200_000) >= 2, "the file object was rewound and read again"


def test_a_fine_tune_file_with_bad_lines_lists_them_and_sends_nothing(server: ScriptedServer, tmp_path: Path) -> None:
    good = json.dumps({"prompt": "p", "completion": "c"})
    lines = [good, '{"prompt": "only"}', "not json", "", '{"messages": [{"role": "robot", "content": "x"}]}']
    lines += ['{"prompt": 1, "completion": "c"}'] * 10 + [good]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(oa.InvalidFileError) as info:
        facade(client_for(server)).files.create(file=path, purpose="fine-tune")
    error = info.value
    assert error.problems[0] == "line 2: completion: required field is missing"
    assert error.problems[1].startswith("line 3: not JSON")
    assert error.problems[2] == "line 4: empty line"
    assert len(error.problems) == 10 and error.more == 4
    assert "... and 4 more" in str(error) and "train.jsonl" in str(error)
    assert server.received == []
    # Unchecked: the generated function sends it as it is (the facade always checks first).
    server.handler = upload_server
    with path.open("rb") as handle:
        body = CreateFileRequest(file=File(payload=handle, file_name=path.name), purpose="fine-tune")
        oa.call(create_file.sync_detailed, client=client_for(server), body=body)
    assert len(server.received) == 1 and server.received[0].parts()["file"][1] == path.read_bytes()


@pytest.mark.parametrize(
    ("name", "purpose", "message"),
    [
        ("train.txt", "fine-tune", "takes .jsonl files only, not .txt"),
        ("batch.csv", "batch", "takes .jsonl files only"),
    ],
)
def test_purpose_rules_come_from_the_spec(server: ScriptedServer, name: str, purpose: str, message: str) -> None:
    with pytest.raises(oa.InvalidFileError, match=message):
        facade(client_for(server)).files.create(
            file=(name, b'{"prompt": "p", "completion": "c"}\n', "text/plain"), purpose=purpose
        )
    assert server.received == []


def test_a_file_over_512_mib_is_refused_before_sending(server: ScriptedServer, tmp_path: Path) -> None:
    path = tmp_path / "huge.bin"
    with path.open("wb") as handle:
        handle.truncate(512 * 1024 * 1024 + 1)  # sparse: no disk used
    with pytest.raises(oa.InvalidFileError, match="the API takes at most 512 MiB"):
        facade(client_for(server)).files.create(file=path, purpose="assistants")
    assert server.received == []


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (b"GIF89a" + b"\0" * 40, "is not a PNG file"),
        (png(4, 3), "is 4x3; the image must be square"),
        (png(8, 8, pad=4 * 1024 * 1024), "the API takes at most 4 MiB"),
    ],
)
def test_images_are_checked(server: ScriptedServer, image: bytes, message: str) -> None:
    with pytest.raises(oa.InvalidFileError, match=message):
        facade(client_for(server)).images.create_variation(image=("i.png", image, "image/png"))
    assert server.received == []


def test_audio_types_are_checked(server: ScriptedServer) -> None:
    with pytest.raises(oa.InvalidFileError, match="not a supported file type"):
        facade(client_for(server)).audio.translations.create(
            file=("speech.txt", b"hi", "text/plain"), model="whisper-1"
        )
    assert server.received == []


@pytest.mark.parametrize("response_format", ["text", "srt", "vtt"])
def test_audio_text_formats_come_back_as_str(server: ScriptedServer, response_format: str) -> None:
    server.script(Reply(body="1\n00:00:00,000 --> 00:00:01,000\nHello\n", headers={"content-type": "text/plain"}))
    text = facade(client_for(server)).audio.transcriptions.create(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format=response_format
    )
    assert text == "1\n00:00:00,000 --> 00:00:01,000\nHello\n"


@pytest.mark.parametrize("response_format", ["json", "verbose_json"])
async def test_audio_json_formats_come_back_as_models(server: ScriptedServer, response_format: str) -> None:
    server.script(json_reply({"text": "Hello", "language": "english", "duration": 1.5}))
    result = await afacade(aclient_for(server)).audio.translations.create(
        file=("a.m4a", b"\0", "audio/mp4"), model="whisper-1", response_format=response_format
    )
    assert isinstance(result, CreateTranslationResponse) and result.text == "Hello"
