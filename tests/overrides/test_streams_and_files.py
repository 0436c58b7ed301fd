"""SSE streams, streamed uploads and downloads, local checks and multipart encoding, over real sockets."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import openai_api_overrides as oa
from openai_api_client import AuthenticatedClient
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.api.files import create_file
from openai_api_client.models import (
    CreateChatCompletionRequest,
    CreateFileRequest,
    CreateTranslationResponse,
)
from openai_api_client.types import File
from tests.helpers.factories import API_KEY, error_body, file_object
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, _MultipartHasher, json_reply, parse_multipart
from tests.helpers.spec import REPO_ROOT

FAST = oa.RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Hello!"}]}


def client_for(server: ScriptedServer, **kwargs: Any) -> oa.OpenAIClient:
    return oa.create_client(api_key=API_KEY, base_url=server.url + "/v1", retry_policy=FAST, **kwargs)


def aclient_for(server: ScriptedServer) -> oa.OpenAIClient:
    return oa.create_async_client(api_key=API_KEY, base_url=server.url + "/v1", retry_policy=FAST)


def chunk(content: str | None = None, role: str | None = None, finish: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}


def sse(*events: dict[str, Any] | str, done: bool = True, newline: str = "\n") -> list[bytes]:
    """One HTTP chunk per event, as the API sends them."""
    out = [(f"data: {json.dumps(e) if isinstance(e, dict) else e}{newline}{newline}").encode() for e in events]
    if done:
        out.append(f"data: [DONE]{newline}{newline}".encode())
    return out


def stream_reply(chunks: list[bytes], **kwargs: Any) -> Reply:
    return Reply(headers={"content-type": "text/event-stream"}, chunks=chunks, **kwargs)


HELLO = [chunk(role="assistant"), chunk("Hello"), chunk(" there!"), chunk(finish="stop")]


# --- SSE -----------------------------------------------------------------------------------------------------


def test_chat_stream_yields_generated_chunks_and_joins_them(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO)))
    with oa.stream_chat_completion(client_for(server), CHAT) as stream:
        chunks = list(stream)
    assert [c.choices[0].delta.content for c in chunks[1:3]] == ["Hello", " there!"]
    final = oa.accumulate_chat(chunks)
    assert (final.choices[0].message.content, final.choices[0].message.role) == ("Hello there!", "assistant")
    assert final.choices[0].finish_reason == "stop"
    (request,) = server.received
    assert request.target == "/v1/chat/completions"
    assert json.loads(request.body) == {**CHAT, "stream": True}
    assert request.headers["accept"] == "text/event-stream"


def test_the_generated_function_cannot_read_a_stream(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO)))
    body = CreateChatCompletionRequest.from_dict({**CHAT, "stream": True})
    with pytest.raises(json.JSONDecodeError):
        create_chat_completion.sync_detailed(
            client=AuthenticatedClient(base_url=server.url + "/v1", token="k"), body=body
        )


async def test_async_chat_stream(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO)))
    async with oa.astream_chat_completion(aclient_for(server), CHAT) as stream:
        chunks = [c async for c in stream]
    assert oa.accumulate_chat(chunks).choices[0].message.content == "Hello there!"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_multi_line_data_and_comments(server: ScriptedServer, newline: str) -> None:
    first = json.dumps(chunk("Hel"), indent=1).split("\n")  # one event over several data lines
    event = newline.join(f"data: {line}" for line in first) + newline + newline
    body = [f": keep-alive comment{newline}{newline}".encode(), event.encode(), *sse(chunk("lo"), newline=newline)]
    server.script(stream_reply(body))
    contents = [c.choices[0].delta.content for c in oa.stream_chat_completion(client_for(server), CHAT)]
    assert contents == ["Hel", "lo"]


def test_completion_stream(server: ScriptedServer) -> None:
    part = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m"}
    events = [{**part, "choices": [{"text": t, "index": 0, "logprobs": None, "finish_reason": None}]} for t in "ab"]
    server.script(stream_reply(sse(*events)))
    texts = [c.choices[0].text for c in oa.stream_completion(client_for(server), {"model": "m", "prompt": "x"})]
    assert texts == ["a", "b"]


def test_fine_tune_events_stream(server: ScriptedServer) -> None:
    event = {"object": "fine-tune-event", "created_at": 1, "level": "info", "message": "Job started."}
    server.script(stream_reply(sse(event, event)))
    messages = [e.message for e in oa.stream_fine_tune_events(client_for(server), "ft-1")]
    assert messages == ["Job started.", "Job started."]
    assert server.received[0].target == "/v1/fine-tunes/ft-1/events?stream=true"


async def test_async_fine_tune_events_stream(server: ScriptedServer) -> None:
    event = {"object": "fine-tune-event", "created_at": 1, "level": "info", "message": "Job succeeded."}
    server.script(stream_reply(sse(event)))
    assert [e.message async for e in oa.astream_fine_tune_events(aclient_for(server), "ft-1")] == ["Job succeeded."]


def test_event_error_is_a_typed_error(server: ScriptedServer) -> None:
    server.script(
        stream_reply([b"data: " + json.dumps(chunk("a")).encode() + b"\n\n", b"event: error\ndata: overloaded\n\n"])
    )
    stream = oa.stream_chat_completion(client_for(server), CHAT)
    with pytest.raises(oa.StreamError, match="overloaded"):
        list(stream)


def test_an_error_object_inside_an_event_is_a_typed_error(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), error_body("The server is overloaded", "server_error"))))
    with pytest.raises(oa.StreamError, match="overloaded") as info:
        list(oa.stream_chat_completion(client_for(server), CHAT))
    assert info.value.type == "server_error"


def test_a_line_that_is_not_json_shows_itself(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), "{not json")))
    with pytest.raises(oa.StreamDecodeError, match=r"not JSON: '\{not json'") as info:
        list(oa.stream_chat_completion(client_for(server), CHAT))
    assert info.value.data == "{not json"


def test_an_event_that_is_not_the_spec_s_chunk_is_a_typed_error(server: ScriptedServer) -> None:
    broken = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}  # no "choices"
    server.script(stream_reply(sse(chunk("a"), broken)))
    received: list[Any] = []
    with pytest.raises(oa.StreamDecodeError, match="does not match the spec") as info:
        received.extend(oa.stream_chat_completion(client_for(server), CHAT))
    assert json.loads(info.value.data) == broken


@pytest.mark.parametrize("cut", ["clean end", "dropped connection"])
def test_a_stream_cut_before_done_raises(server: ScriptedServer, cut: str) -> None:
    reply = stream_reply(sse(*HELLO[:2], done=False), cut_after=0 if cut == "dropped connection" else None)
    server.script(reply)
    received: list[Any] = []
    with pytest.raises(oa.StreamInterruptedError, match=r"before data: \[DONE\]"):
        received.extend(oa.stream_chat_completion(client_for(server), CHAT))
    assert len(received) == 2  # what arrived was handed over before the error


async def test_async_stream_cut_before_done_raises(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO[:2], done=False)))
    with pytest.raises(oa.StreamInterruptedError):
        [c async for c in oa.astream_chat_completion(aclient_for(server), CHAT)]


def test_leaving_the_loop_early_closes_the_connection(server: ScriptedServer) -> None:
    endless = sse(*[chunk("x")] * 400, done=True)
    server.script(stream_reply(endless, chunk_delay=0.01))
    with oa.stream_chat_completion(client_for(server), CHAT) as stream:
        for _ in stream:
            break
    assert server.closed_early.wait(5), "the server saw the connection close before the stream ended"


def test_a_read_idle_timeout_applies_between_events(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), chunk("b")), chunk_delay=1.0))
    stream = oa.stream_chat_completion(client_for(server), CHAT, read_idle_timeout=0.2)
    with pytest.raises(oa.StreamInterruptedError) as info:
        list(stream)
    assert isinstance(info.value.__cause__, oa.APITimeoutError)


def test_an_error_status_on_a_stream_is_typed(server: ScriptedServer) -> None:
    server.script(json_reply(error_body("Invalid model"), status=400))
    with pytest.raises(oa.BadRequestError, match="Invalid model"):
        list(oa.stream_chat_completion(client_for(server), CHAT))


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
    oa.upload_file(client_for(server), ("evil.bin", EVIL, "application/octet-stream"), purpose="assistants")
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
    oa.create_image_edit(client_for(server), image=("otter.png", png(4, 4), "image/png"), prompt="a beret", n=2)
    parts = server.received[0].parts()
    assert set(parts) == {"image", "prompt", "n"}  # unset fields are not sent
    assert parts["n"] == (None, b"2") and parts["prompt"] == (None, b"a beret")
    server.handler = lambda _: Reply(body="WEBVTT\n", headers={"content-type": "text/plain"})
    oa.create_transcription(
        client_for(server), file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", temperature=0.5
    )
    parts = server.received[1].parts()
    assert parts["temperature"] == (None, b"0.5") and "language" not in parts


# --- uploads -------------------------------------------------------------------------------------------------


def upload_server(request: Received) -> Reply:
    return json_reply(file_object(filename="x", bytes=request.body_length))


def test_upload_accepts_path_file_object_bytes_and_tuple(server: ScriptedServer, tmp_path: Path) -> None:
    server.handler = upload_server
    content = b'{"prompt": "a", "completion": "b"}\n'
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    client = client_for(server)
    with path.open("rb") as handle:
        inputs: list[oa.FileInput] = [path, str(path), handle, content, ("t.jsonl", content, "application/jsonl")]
        for value in inputs:
            oa.upload_file(
                client, value if not isinstance(value, bytes) else ("b.jsonl", value, "x/y"), purpose="fine-tune"
            )
    assert [r.parts()["file"][1] for r in server.received] == [content] * 5
    assert [r.parts()["purpose"][1] for r in server.received] == [b"fine-tune"] * 5


def test_progress_reports_every_byte(server: ScriptedServer, tmp_path: Path) -> None:
    server.handler = upload_server
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(300_000))
    seen: list[tuple[int, int | None]] = []
    oa.upload_file(client_for(server), path, purpose="assistants", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (300_000, 300_000) and len(seen) > 1
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_retried_upload_from_a_path_resends_every_byte(server: ScriptedServer, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(200_000))
    server.script(Reply(status=503, body=b"busy"))
    server.handler = upload_server
    oa.upload_file(client_for(server), path, purpose="assistants", progress=lambda d, t: None)
    first, second = server.received
    assert first.part_sha256["file"] == second.part_sha256["file"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_fine_tune_file_with_bad_lines_lists_them_and_sends_nothing(server: ScriptedServer, tmp_path: Path) -> None:
    good = json.dumps({"prompt": "p", "completion": "c"})
    lines = [good, '{"prompt": "only"}', "not json", "", '{"messages": [{"role": "robot", "content": "x"}]}']
    lines += ['{"prompt": 1, "completion": "c"}'] * 10 + [good]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(oa.InvalidFileError) as info:
        oa.upload_file(client_for(server), path, purpose="fine-tune")
    error = info.value
    assert error.problems[0] == "line 2: completion: required field is missing"
    assert error.problems[1].startswith("line 3: not JSON")
    assert error.problems[2] == "line 4: empty line"
    assert len(error.problems) == 10 and error.more == 4
    assert "... and 4 more" in str(error) and "train.jsonl" in str(error)
    assert server.received == []
    server.handler = upload_server
    oa.upload_file(client_for(server), path, purpose="fine-tune", validate=False)
    assert len(server.received) == 1


@pytest.mark.parametrize(
    ("name", "purpose", "message"),
    [
        ("train.txt", "fine-tune", "takes .jsonl files only, not .txt"),
        ("batch.csv", "batch", "takes .jsonl files only"),
    ],
)
def test_purpose_rules_come_from_the_spec(server: ScriptedServer, name: str, purpose: str, message: str) -> None:
    with pytest.raises(oa.InvalidFileError, match=message):
        oa.upload_file(
            client_for(server), (name, b'{"prompt": "p", "completion": "c"}\n', "text/plain"), purpose=purpose
        )
    assert server.received == []


def test_a_file_over_512_mib_is_refused_before_sending(server: ScriptedServer, tmp_path: Path) -> None:
    path = tmp_path / "huge.bin"
    with path.open("wb") as handle:
        handle.truncate(512 * 1024 * 1024 + 1)  # sparse: no disk used
    with pytest.raises(oa.InvalidFileError, match="the API takes at most 512 MiB"):
        oa.upload_file(client_for(server), path, purpose="assistants")
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
        oa.create_image_variation(client_for(server), image=("i.png", image, "image/png"))
    assert server.received == []


def test_audio_types_are_checked(server: ScriptedServer) -> None:
    with pytest.raises(oa.InvalidFileError, match="not a supported audio type"):
        oa.create_translation(client_for(server), file=("speech.txt", b"hi", "text/plain"), model="whisper-1")
    assert server.received == []


@pytest.mark.parametrize("response_format", ["text", "srt", "vtt"])
def test_audio_text_formats_come_back_as_str(server: ScriptedServer, response_format: str) -> None:
    server.script(Reply(body="1\n00:00:00,000 --> 00:00:01,000\nHello\n", headers={"content-type": "text/plain"}))
    text = oa.create_transcription(
        client_for(server), file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format=response_format
    )
    assert text == "1\n00:00:00,000 --> 00:00:01,000\nHello\n"


@pytest.mark.parametrize("response_format", ["json", "verbose_json"])
async def test_audio_json_formats_come_back_as_models(server: ScriptedServer, response_format: str) -> None:
    server.script(json_reply({"text": "Hello", "language": "english", "duration": 1.5}))
    result = await oa.acreate_translation(
        aclient_for(server), file=("a.m4a", b"\0", "audio/mp4"), model="whisper-1", response_format=response_format
    )
    assert isinstance(result, CreateTranslationResponse) and result.text == "Hello"


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


# --- big transfers: flat memory ------------------------------------------------------------------------------

BIG = 512 * 1024 * 1024


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("big") / "big.bin"
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for index in range(BIG // len(block)):
            piece = block[:8] + index.to_bytes(8, "big") + block[16:]
            handle.write(piece)
            digest.update(piece)
    return path, digest.hexdigest()


def run_probe(mode: str, base_url: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.helpers.rss_probe", mode, base_url, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["upload", "aupload"])
def test_a_512_mib_upload_keeps_memory_flat(big_file: tuple[Path, str], mode: str) -> None:
    path, sha = big_file
    with ScriptedServer(upload_server, store_bodies=False) as srv:
        result = run_probe(mode, srv.url + "/v1", path)
        received = srv.received[-1]
    assert received.part_sha256["file"] == sha
    assert result["last"] == BIG
    assert result["growth_mib"] < 32, result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["download", "adownload"])
def test_a_512_mib_download_keeps_memory_flat(big_file: tuple[Path, str], mode: str, tmp_path: Path) -> None:
    path, sha = big_file

    def handler(request: Received) -> Reply:
        if request.method == "POST":
            return upload_server(request)
        return Reply(body_file=path, headers={"content-type": "application/octet-stream"})

    target = tmp_path / "copy.bin"
    with ScriptedServer(handler, store_bodies=False) as srv:
        result = run_probe(mode, srv.url + "/v1", target)
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    assert digest.hexdigest() == sha
    assert result["growth_mib"] < 32, result


def test_the_servers_streaming_part_hash_matches_a_whole_parse() -> None:
    rng = random.Random(7)
    content = bytes(rng.randrange(256) for _ in range(50_000)) + b"\r\n--xyz"
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    hasher = _MultipartHasher(f"multipart/form-data; boundary={boundary}")
    position = 0
    while position < len(body):
        step = rng.randrange(1, 5000)
        hasher.feed(body[position : position + step])
        position += step
    parts = parse_multipart(body, f"multipart/form-data; boundary={boundary}")
    assert parts["file"] == ("f", content)
    assert hasher.finish() == {
        "purpose": hashlib.sha256(b"batch").hexdigest(),
        "file": hashlib.sha256(content).hexdigest(),
    }
