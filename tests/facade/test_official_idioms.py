"""Code written in the official ``openai`` package's documented idioms (its README and docstrings), run against the
local server twice: with ``openai`` and with ``openai_api``.

The project's promise is that a user of the official package ports by changing only the import line. Each test is
one snippet that refers to the package only as ``sdk.X``, exactly where official code writes ``openai.X``; the
snippet is the same for both modules. A test failing for ``openai_api`` only is a gap in that promise:
these failures are the work list, not to be marked xfail.

The server records every request it gets and the request id of every answer (``seen``), so that per-call options
(``extra_headers``, ``extra_query``, ``extra_body``) are checked where they must arrive, whatever the client.
Setup that is not the snippet (files to list, a fine-tuned model to delete) goes through raw httpx.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import httpx
import httpx2
import mypy.api
import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openai_api_server import Fault, RunningServer, ServerConfig, create_app, free_port
from tests.api_server.uploads import AUDIO, TRAINING, png

ROOT = Path(__file__).resolve().parents[2]
TYPING = Path(__file__).with_name("official_idioms_typing.py")
MESSAGES = [{"role": "user", "content": "Say this is a test!"}]
DEPRECATED = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # variations, translations

# --- the server, recording what arrives ------------------------------------------------------------------------


@dataclass
class Seen:
    """One request as the server got it, and the request id of its answer."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: httpx.Headers
    body: bytearray = field(default_factory=bytearray)
    status: int | None = None
    request_id: str | None = None

    def json(self) -> Any:
        return json.loads(bytes(self.body))


class Recorder:
    """ASGI middleware around the server's app: keeps every request (its body as the app reads it)."""

    def __init__(self, app: ASGIApp, seen: list[Seen]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = httpx.Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
        query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        record = Seen(scope["method"], scope["path"], query, headers)
        self.seen.append(record)

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                record.body.extend(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                answered = httpx.Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]])
                record.request_id = answered.get("x-request-id")
            await send(message)

        await self.app(scope, receiving, sending)


@pytest.fixture
def seen() -> list[Seen]:
    return []


@pytest.fixture
def api(tmp_path: Path, seen: list[Seen]) -> Iterator[RunningServer]:
    """A fresh server per test on 127.0.0.1 (as the ``openai_server`` fixture gives), its requests recorded."""
    data = tmp_path / "server-data"
    data.mkdir()
    config = ServerConfig(data_dir=data, fine_tune_step=0)
    app = create_app(config)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(Recorder(app, seen), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        running = RunningServer(f"http://127.0.0.1:{port}{app.state.server.spec.base}", app.state.server, config)
        yield running
        running.check()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.server.store.close()


@pytest.fixture(params=["openai", "openai_api"])
def sdk(request: pytest.FixtureRequest) -> ModuleType:
    """The module a snippet uses where official code writes ``openai``."""
    return importlib.import_module(request.param)


@pytest.fixture
def client(sdk: ModuleType, api: RunningServer) -> Iterator[Any]:
    with sdk.OpenAI(api_key=api.key, base_url=api.url) as opened:
        yield opened


@pytest.fixture
async def aclient(sdk: ModuleType, api: RunningServer) -> AsyncIterator[Any]:
    async with sdk.AsyncOpenAI(api_key=api.key, base_url=api.url) as opened:
        yield opened


# --- setup through raw httpx, not the client under test ---------------------------------------------------------


def _auth(api: RunningServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.key}"}


def _upload(api: RunningServer, name: str = "train.jsonl", content: bytes = TRAINING) -> str:
    answer = httpx.post(
        f"{api.url}/files", headers=_auth(api), files={"file": (name, content)}, data={"purpose": "fine-tune"}
    )
    answer.raise_for_status()
    return str(answer.json()["id"])


def _fine_tuned_model(api: RunningServer) -> str:
    training = _upload(api)
    with httpx.Client(base_url=api.url, headers=_auth(api)) as http:
        job = http.post("/fine-tunes", json={"training_file": training, "model": "curie"}).json()
        finished = http.get(f"/fine-tunes/{job['id']}").json()  # fine_tune_step=0: done when first read
    return str(finished["fine_tuned_model"])


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _requests(seen: list[Seen], method: str, path: str) -> list[Seen]:
    return [s for s in seen if s.method == method and s.path == path]


# --- models ----------------------------------------------------------------------------------------------------


def test_models_list_iterates(client: Any) -> None:
    ids = [model.id for model in client.models.list()]
    assert "gpt-3.5-turbo" in ids and "whisper-1" in ids


def test_models_list_page(client: Any) -> None:
    page = client.models.list()
    assert page.object == "list"
    assert all(model.object == "model" for model in page.data)
    assert page.has_next_page() is False


def test_models_retrieve(client: Any, seen: list[Seen]) -> None:
    model = client.models.retrieve("gpt-3.5-turbo")
    assert (model.id, model.object, model.owned_by) == ("gpt-3.5-turbo", "model", "openai")
    assert model._request_id == seen[-1].request_id


def test_models_delete(sdk: ModuleType, client: Any, api: RunningServer) -> None:
    name = _fine_tuned_model(api)
    deleted = client.models.delete(name)
    assert (deleted.id, deleted.deleted) == (name, True)
    with pytest.raises(sdk.NotFoundError):
        client.models.retrieve(name)


async def test_async_models(aclient: Any, api: RunningServer) -> None:
    ids = [model.id async for model in aclient.models.list()]
    page = await aclient.models.list()
    model = await aclient.models.retrieve("whisper-1")
    deleted = await aclient.models.delete(_fine_tuned_model(api))
    assert "gpt-3.5-turbo" in ids and [m.id for m in page.data] == ids
    assert (model.id, model.object) == ("whisper-1", "model")
    assert deleted.deleted is True


# --- completions and chat --------------------------------------------------------------------------------------


def test_completions_create(client: Any) -> None:
    completion = client.completions.create(
        model="text-davinci-003", prompt="Say this is a test", max_tokens=7, temperature=0
    )
    assert completion.choices[0].text == "This is indeed a test"
    assert completion.object == "text_completion" and completion.usage.total_tokens > 0


def test_completions_stream(client: Any) -> None:
    stream = client.completions.create(model="text-davinci-003", prompt="Say this is a test", stream=True)
    text = "".join(chunk.choices[0].text for chunk in stream)
    assert text == "This is indeed a test"


async def test_async_completions(aclient: Any) -> None:
    completion = await aclient.completions.create(model="text-davinci-003", prompt="Say this is a test")
    stream = await aclient.completions.create(model="text-davinci-003", prompt="Say this is a test", stream=True)
    text = "".join([chunk.choices[0].text async for chunk in stream])
    assert completion.choices[0].text == text == "This is indeed a test"


def test_chat_create(client: Any) -> None:
    completion = client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Say this is a test!"},
        ],
    )
    assert completion.choices[0].message.content == "This is a test!"
    assert completion.choices[0].message.role == "assistant" and completion.object == "chat.completion"
    assert completion.usage.total_tokens > 0


def test_chat_stream_iterates(client: Any) -> None:
    stream = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
    pieces = []
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "This is a test!"


def test_chat_stream_in_a_with_block(client: Any) -> None:
    pieces = []
    with client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True) as stream:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
    assert pieces == ["This", " is", " a", " test!"]


async def test_async_chat_create(aclient: Any) -> None:
    completion = await aclient.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion.choices[0].message.content == "This is a test!"


async def test_async_chat_stream(aclient: Any) -> None:
    stream = await aclient.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
    pieces = []
    async with stream:
        async for chunk in stream:
            if chunk.choices:
                pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "This is a test!"


# --- images, embeddings, audio ---------------------------------------------------------------------------------


def test_images_generate(client: Any) -> None:
    response = client.images.generate(prompt="A cute baby sea otter", n=2, size="1024x1024")
    urls = [image.url for image in response.data]
    assert len(urls) == 2 and all(url.startswith("http") for url in urls)


def test_images_edit_with_an_open_file(client: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "otter.png", png(4, 4))
    with open(path, "rb") as image:
        response = client.images.edit(image=image, prompt="A beret", response_format="b64_json")
    assert base64.b64decode(response.data[0].b64_json)


@DEPRECATED
def test_images_create_variation_with_a_path(client: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "otter.png", png(8, 8))
    response = client.images.create_variation(image=path, n=2, size="256x256")
    assert len(response.data) == 2


@DEPRECATED
async def test_async_images(aclient: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "otter.png", png(4, 4))
    generated = await aclient.images.generate(prompt="A cute baby sea otter")
    edited = await aclient.images.edit(image=path, prompt="A beret")
    varied = await aclient.images.create_variation(image=("otter.png", png(8, 8), "image/png"), n=3)
    assert (len(generated.data), len(edited.data), len(varied.data)) == (1, 1, 3)


def test_embeddings_create(client: Any) -> None:
    response = client.embeddings.create(model="text-embedding-ada-002", input="The food was delicious")
    embedding = response.data[0].embedding
    assert len(embedding) == 8 and all(isinstance(x, float) for x in embedding)
    assert response.model == "text-embedding-ada-002" and response.usage.prompt_tokens > 0


async def test_async_embeddings(aclient: Any) -> None:
    response = await aclient.embeddings.create(model="text-embedding-ada-002", input=["one", "two"])
    assert [item.index for item in response.data] == [0, 1]


def test_audio_transcription_with_an_open_file(client: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "speech.mp3", AUDIO)
    with open(path, "rb") as audio_file:
        transcription = client.audio.transcriptions.create(model="whisper-1", file=audio_file)
    assert transcription.text.startswith("Imagine the wildest idea")


def test_audio_transcription_as_text(client: Any, tmp_path: Path) -> None:
    text = client.audio.transcriptions.create(
        model="whisper-1", file=_write(tmp_path / "speech.mp3", AUDIO), response_format="text"
    )
    assert isinstance(text, str) and text.startswith("Imagine the wildest idea")


@DEPRECATED
def test_audio_translation(client: Any, tmp_path: Path) -> None:
    translation = client.audio.translations.create(model="whisper-1", file=_write(tmp_path / "speech.mp3", AUDIO))
    assert translation.text.startswith("Imagine the wildest idea")


@DEPRECATED
async def test_async_audio(aclient: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "speech.mp3", AUDIO)
    transcription = await aclient.audio.transcriptions.create(model="whisper-1", file=path)
    translation = await aclient.audio.translations.create(model="whisper-1", file=("speech.mp3", AUDIO, "audio/mpeg"))
    assert transcription.text == translation.text


# --- files -----------------------------------------------------------------------------------------------------


def test_files_create_from_a_path(client: Any, tmp_path: Path) -> None:
    file = client.files.create(file=_write(tmp_path / "train.jsonl", TRAINING), purpose="fine-tune")
    assert file.id.startswith("file-") and file.object == "file"
    assert (file.bytes, file.filename, file.purpose) == (len(TRAINING), "train.jsonl", "fine-tune")


def test_files_create_a_tuple_and_retrieve(client: Any) -> None:
    file = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    retrieved = client.files.retrieve(file.id)
    assert (retrieved.id, retrieved.filename, retrieved.bytes) == (file.id, "train.jsonl", len(TRAINING))


def test_files_create_a_name_and_bytes_tuple(client: Any) -> None:
    file = client.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune")
    assert (file.filename, file.bytes) == ("train.jsonl", len(TRAINING))


def test_files_delete(client: Any) -> None:
    file_id = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune").id
    deleted = client.files.delete(file_id)
    assert (deleted.id, deleted.deleted) == (file_id, True)


def test_files_list_iterates(client: Any, api: RunningServer) -> None:
    uploaded = {_upload(api, f"t{index}.jsonl") for index in range(3)}
    ids = set()
    for file in client.files.list():
        ids.add(file.id)
    assert ids == uploaded


def test_files_list_iterates_over_every_page(client: Any, api: RunningServer, seen: list[Seen]) -> None:
    for index in range(5):
        _upload(api, f"t{index}.jsonl")
    names = [file.filename for file in client.files.list(limit=2, purpose="fine-tune")]
    assert sorted(names) == [f"t{index}.jsonl" for index in range(5)]
    pages = _requests(seen, "GET", "/v1/files")
    assert len(pages) == 3 and all(p.query["limit"] == ["2"] for p in pages)


def test_files_list_page_controls(client: Any, api: RunningServer) -> None:
    uploaded = [_upload(api, f"t{index}.jsonl") for index in range(3)]
    page = client.files.list(limit=1)
    assert len(page.data) == 1 and page.has_more is True
    assert page.has_next_page() and page.next_page_info() is not None
    next_page = page.get_next_page()
    assert next_page.data[0].id != page.data[0].id
    ids = [p.data[0].id for p in page.iter_pages()]
    assert sorted(ids) == sorted(uploaded)


async def test_async_files_list_iterates(aclient: Any, api: RunningServer) -> None:
    uploaded = {_upload(api, f"t{index}.jsonl") for index in range(5)}
    ids = {file.id async for file in aclient.files.list(limit=2)}
    assert ids == uploaded


async def test_async_files_list_page_controls(aclient: Any, api: RunningServer) -> None:
    for index in range(3):
        _upload(api, f"t{index}.jsonl")
    page = await aclient.files.list(limit=1)
    assert len(page.data) == 1 and page.has_more and page.has_next_page()
    next_page = await page.get_next_page()
    assert next_page.data[0].id != page.data[0].id
    assert [len(p.data) async for p in page.iter_pages()] == [1, 1, 1]


async def test_async_files_create_retrieve_delete(aclient: Any, tmp_path: Path) -> None:
    file = await aclient.files.create(file=_write(tmp_path / "train.jsonl", TRAINING), purpose="fine-tune")
    retrieved = await aclient.files.retrieve(file.id)
    deleted = await aclient.files.delete(retrieved.id)
    assert (file.bytes, retrieved.filename, deleted.deleted) == (len(TRAINING), "train.jsonl", True)


# --- binary answers --------------------------------------------------------------------------------------------


def test_files_content(client: Any, api: RunningServer, tmp_path: Path) -> None:
    file_id = _upload(api)
    content = client.files.content(file_id)
    assert content.content == TRAINING and content.read() == TRAINING
    assert content.text == TRAINING.decode()
    assert b"".join(content.iter_bytes()) == TRAINING
    content.write_to_file(tmp_path / "copy.jsonl")
    assert (tmp_path / "copy.jsonl").read_bytes() == TRAINING


async def test_async_files_content(aclient: Any, api: RunningServer, tmp_path: Path) -> None:
    file_id = _upload(api)
    content = await aclient.files.content(file_id)
    assert content.content == TRAINING and content.text == TRAINING.decode()
    assert await content.aread() == TRAINING
    content.write_to_file(tmp_path / "copy.jsonl")
    assert (tmp_path / "copy.jsonl").read_bytes() == TRAINING


# --- raw responses ---------------------------------------------------------------------------------------------


def test_raw_response_of_a_retrieve(client: Any, api: RunningServer, seen: list[Seen]) -> None:
    file_id = _upload(api)
    response = client.files.with_raw_response.retrieve(file_id)
    assert response.status_code == 200
    assert response.headers.get("x-request-id") == response.request_id == seen[-1].request_id
    assert response.http_request.method == "GET" and response.http_request.url.path == f"/v1/files/{file_id}"
    file = response.parse()
    assert (file.id, file.bytes) == (file_id, len(TRAINING))


def test_raw_response_of_a_chat(client: Any) -> None:
    response = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert response.headers.get("content-type", "").startswith("application/json")
    completion = response.parse()
    assert completion.choices[0].message.content == "This is a test!"


def test_streaming_response_lines(client: Any) -> None:
    with client.chat.completions.with_streaming_response.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    ) as response:
        assert response.headers.get("content-type", "").startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)


def test_streaming_response_parse(client: Any) -> None:
    with client.chat.completions.with_streaming_response.create(model="gpt-3.5-turbo", messages=MESSAGES) as response:
        assert response.status_code == 200
        completion = response.parse()
    assert completion.choices[0].message.content == "This is a test!"


def test_streaming_response_of_a_download(client: Any, api: RunningServer, tmp_path: Path) -> None:
    file_id = _upload(api)
    with client.files.with_streaming_response.content(file_id) as response:
        data = b"".join(response.iter_bytes())
    with client.files.with_streaming_response.content(file_id) as response:
        response.stream_to_file(tmp_path / "copy.jsonl")
    assert data == (tmp_path / "copy.jsonl").read_bytes() == TRAINING


async def test_async_raw_responses(aclient: Any, api: RunningServer) -> None:
    file_id = _upload(api)
    response = await aclient.files.with_raw_response.retrieve(file_id)
    assert response.status_code == 200 and response.request_id
    assert response.parse().id == file_id
    async with aclient.chat.completions.with_streaming_response.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    ) as streamed:
        lines = [line async for line in streamed.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"


# --- per-call options ------------------------------------------------------------------------------------------


def test_extra_options_on_json_calls(client: Any, seen: list[Seen]) -> None:
    client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=MESSAGES,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "q-1"},
        extra_body={"user": "user-1234"},
        timeout=20.0,
    )
    chat = seen[-1]
    client.models.retrieve("gpt-3.5-turbo", extra_headers={"X-Trace": "t-2"}, extra_query={"trace": "q-2"}, timeout=5)
    model = seen[-1]
    client.embeddings.create(
        model="text-embedding-ada-002", input="x", extra_headers={"X-Trace": "t-3"}, extra_body={"user": "u-3"}
    )
    embedding = seen[-1]
    assert (chat.headers["x-trace"], chat.query["trace"], chat.json()["user"]) == ("t-1", ["q-1"], "user-1234")
    assert (model.headers["x-trace"], model.query["trace"]) == ("t-2", ["q-2"])
    assert (embedding.headers["x-trace"], embedding.json()["user"]) == ("t-3", "u-3")


def test_extra_options_on_uploads(client: Any, seen: list[Seen], tmp_path: Path) -> None:
    client.files.create(
        file=_write(tmp_path / "train.jsonl", TRAINING),
        purpose="fine-tune",
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "q-1"},
        timeout=20.0,
    )
    upload = seen[-1]
    client.images.edit(
        image=("otter.png", png(4, 4), "image/png"),
        prompt="A beret",
        extra_headers={"X-Trace": "t-2"},
        extra_body={"user": "user-1234"},
    )
    edit = seen[-1]
    client.audio.transcriptions.create(
        model="whisper-1", file=("speech.mp3", AUDIO), extra_body={"language": "en"}, timeout=20.0
    )
    audio = seen[-1]
    assert (upload.headers["x-trace"], upload.query["trace"]) == ("t-1", ["q-1"])
    assert edit.headers["x-trace"] == "t-2" and re.search(
        rb'name="user"\r\n(Content-Type: text/plain\r\n)?\r\nuser-1234\r\n', edit.body
    )
    assert re.search(rb'name="language"\r\n(Content-Type: text/plain\r\n)?\r\nen\r\n', audio.body)


def test_extra_options_on_a_stream(client: Any, seen: list[Seen]) -> None:
    stream = client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=MESSAGES,
        stream=True,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "q-1"},
        extra_body={"user": "user-1234"},
        timeout=20.0,
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "This is a test!"
    streamed = seen[-1]
    assert (streamed.headers["x-trace"], streamed.query["trace"]) == ("t-1", ["q-1"])
    assert streamed.json()["user"] == "user-1234"


def test_extra_options_on_lists_downloads_and_deletes(client: Any, api: RunningServer, seen: list[Seen]) -> None:
    file_id = _upload(api)
    page = client.files.list(extra_headers={"X-Trace": "t-1"}, extra_query={"trace": "q-1"}, timeout=20.0)
    listed = seen[-1]
    client.files.content(file_id, extra_headers={"X-Trace": "t-2"}, extra_query={"trace": "q-2"}, timeout=20.0)
    downloaded = seen[-1]
    client.files.delete(file_id, extra_headers={"X-Trace": "t-3"}, extra_query={"trace": "q-3"}, timeout=20.0)
    deleted = seen[-1]
    assert [f.id for f in page.data] == [file_id]
    assert [(s.headers["x-trace"], s.query["trace"]) for s in (listed, downloaded, deleted)] == [
        ("t-1", ["q-1"]),
        ("t-2", ["q-2"]),
        ("t-3", ["q-3"]),
    ]


async def test_async_extra_options(aclient: Any, api: RunningServer, seen: list[Seen]) -> None:
    file_id = _upload(api)
    await aclient.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=MESSAGES,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "q-1"},
        extra_body={"user": "user-1234"},
        timeout=20.0,
    )
    chat = seen[-1]
    await aclient.files.content(file_id, extra_headers={"X-Trace": "t-2"}, extra_query={"trace": "q-2"})
    downloaded = seen[-1]
    assert (chat.headers["x-trace"], chat.query["trace"], chat.json()["user"]) == ("t-1", ["q-1"], "user-1234")
    assert (downloaded.headers["x-trace"], downloaded.query["trace"]) == ("t-2", ["q-2"])


def test_per_call_timeout_on_json_calls(sdk: ModuleType, client: Any, api: RunningServer) -> None:
    client = client.with_options(max_retries=0)
    api.inject(Fault(operation="retrieveModel", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.models.retrieve("gpt-3.5-turbo", timeout=0.3)
    api.inject(Fault(operation="createChatCompletion", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, timeout=0.3)
    assert client.models.retrieve("gpt-3.5-turbo", timeout=20.0).id == "gpt-3.5-turbo"


def test_per_call_timeout_on_a_stream(sdk: ModuleType, client: Any, api: RunningServer) -> None:
    client = client.with_options(max_retries=0)
    api.inject(Fault(operation="createChatCompletion", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True, timeout=0.3)


def test_per_call_timeout_on_uploads_downloads_and_lists(
    sdk: ModuleType, client: Any, api: RunningServer, tmp_path: Path
) -> None:
    file_id = _upload(api)
    client = client.with_options(max_retries=0)
    api.inject(Fault(operation="createFile", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.files.create(file=_write(tmp_path / "train.jsonl", TRAINING), purpose="fine-tune", timeout=0.3)
    api.inject(Fault(operation="downloadFile", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.files.content(file_id, timeout=0.3)
    api.inject(Fault(operation="listFiles", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.files.list(timeout=0.3)


def test_with_options(sdk: ModuleType, client: Any, api: RunningServer, seen: list[Seen]) -> None:
    retry_soon = {"retry-after-ms": "10", "retry-after": "0"}
    api.inject(Fault(operation="listModels", status=503, times=2, headers=retry_soon))
    page = client.with_options(timeout=5.0, max_retries=2).models.list()
    assert page.data and len(_requests(seen, "GET", "/v1/models")) == 3
    api.inject(Fault(operation="listModels", status=429, headers=retry_soon))
    with pytest.raises(sdk.RateLimitError):
        client.with_options(max_retries=0).models.list()
    assert client.with_options(max_retries=5).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES).choices


async def test_async_with_options(sdk: ModuleType, aclient: Any, api: RunningServer) -> None:
    api.inject(Fault(operation="listModels", status=429))
    with pytest.raises(sdk.RateLimitError):
        await aclient.with_options(max_retries=0).models.list()
    api.inject(Fault(operation="retrieveModel", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        await aclient.with_options(timeout=0.3, max_retries=0).models.retrieve("gpt-3.5-turbo")


# --- results ---------------------------------------------------------------------------------------------------


def test_request_id_on_results(client: Any, seen: list[Seen]) -> None:
    completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion._request_id == seen[-1].request_id
    file = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert file._request_id == seen[-1].request_id
    embedding = client.embeddings.create(model="text-embedding-ada-002", input="x")
    assert embedding._request_id == seen[-1].request_id
    assert all(r is not None for r in (completion._request_id, file._request_id, embedding._request_id))


def test_to_dict_and_to_json(client: Any) -> None:
    completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion.to_dict()["choices"][0]["message"] == {"role": "assistant", "content": "This is a test!"}
    assert json.loads(completion.to_json()) == completion.to_dict()
    file = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert file.to_dict()["bytes"] == file.bytes == len(TRAINING)
    assert json.loads(file.to_json())["filename"] == file.filename == "train.jsonl"
    model = client.models.retrieve("whisper-1")
    assert model.to_dict()["object"] == model.object == "model"


async def test_async_results(aclient: Any, seen: list[Seen]) -> None:
    file = await aclient.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert file._request_id == seen[-1].request_id
    assert json.loads(file.to_json()) == file.to_dict() and file.to_dict()["bytes"] == len(TRAINING)


# --- errors ----------------------------------------------------------------------------------------------------


def test_not_found_error(sdk: ModuleType, client: Any, seen: list[Seen]) -> None:
    with pytest.raises(sdk.NotFoundError) as caught:
        client.files.retrieve("file-missing")
    error = caught.value
    assert isinstance(error, sdk.APIStatusError) and isinstance(error, sdk.APIError)
    assert error.status_code == 404 and error.response.status_code == 404
    assert error.body["message"] == "No such File object: file-missing" and error.param == "id"
    assert error.request_id == error.response.headers["x-request-id"] == seen[-1].request_id


def test_model_not_found_error(sdk: ModuleType, client: Any) -> None:
    with pytest.raises(sdk.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-nope", messages=MESSAGES)
    assert (caught.value.code, caught.value.param) == ("model_not_found", "model")


def test_bad_request_error(sdk: ModuleType, client: Any) -> None:
    with pytest.raises(sdk.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, extra_body={"bogus_param": 1})
    assert caught.value.status_code == 400
    assert caught.value.body["message"] == "Unrecognized request argument supplied: bogus_param"


def test_authentication_error(sdk: ModuleType, api: RunningServer) -> None:
    client = sdk.OpenAI(api_key="sk-wrong-key-1234567890ab", base_url=api.url)
    with pytest.raises(sdk.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    assert "sk-wrong-key-1234567890ab" not in caught.value.response.text


def test_connection_error(sdk: ModuleType) -> None:
    client = sdk.OpenAI(api_key="sk-test-org-a", base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=0)
    with pytest.raises(sdk.APIConnectionError) as caught:
        client.models.list()
    error = caught.value
    assert error.__cause__ is not None and not isinstance(error, sdk.APITimeoutError)


def test_timeout_error(sdk: ModuleType, api: RunningServer) -> None:
    client = sdk.OpenAI(api_key=api.key, base_url=api.url, timeout=0.3, max_retries=0)
    api.inject(Fault(operation="listModels", delay=1.0))
    with pytest.raises(sdk.APITimeoutError) as caught:
        client.models.list()
    assert isinstance(caught.value, sdk.APIConnectionError)


def test_timeout_as_an_httpx2_timeout(sdk: ModuleType, api: RunningServer) -> None:
    client = sdk.OpenAI(
        api_key=api.key,
        base_url=api.url,
        timeout=httpx2.Timeout(60.0, read=0.3, write=10.0, connect=2.0),
        max_retries=0,
    )
    api.inject(Fault(operation="listModels", delay=1.0))
    with pytest.raises(sdk.APITimeoutError):
        client.models.list()


def test_error_handling_as_the_readme_shows(sdk: ModuleType, client: Any, api: RunningServer) -> None:
    api.inject(Fault(operation="listModels", status=429))
    try:
        client.with_options(max_retries=0).models.list()
    except sdk.APIConnectionError:
        outcome = "The server could not be reached"
    except sdk.RateLimitError:
        outcome = "A 429 status code was received; we should back off a bit."
    except sdk.APIStatusError as exc:
        outcome = f"Another non-200-range status code was received: {exc.status_code}"
    assert outcome.startswith("A 429")


async def test_async_errors(sdk: ModuleType, aclient: Any, api: RunningServer) -> None:
    with pytest.raises(sdk.NotFoundError) as caught:
        await aclient.models.retrieve("gpt-nope")
    assert caught.value.status_code == 404 and caught.value.request_id
    client = sdk.AsyncOpenAI(api_key=api.key, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=0)
    with pytest.raises(sdk.APIConnectionError):
        await client.models.list()
    await client.close()


# --- the constructor -------------------------------------------------------------------------------------------


def test_constructor_options(sdk: ModuleType, api: RunningServer, seen: list[Seen]) -> None:
    client = sdk.OpenAI(
        api_key=api.key,
        base_url=api.url,
        organization="org-a",
        project="proj_123",
        default_headers={"X-Team": "search"},
        default_query={"tenant": "t-1"},
    )
    client.models.list()
    request = seen[-1]
    assert request.headers["authorization"] == f"Bearer {api.key}"
    assert (request.headers["openai-organization"], request.headers["openai-project"]) == ("org-a", "proj_123")
    assert (request.headers["x-team"], request.query["tenant"]) == ("search", ["t-1"])


def test_environment_variables(
    sdk: ModuleType, api: RunningServer, seen: list[Seen], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.key)
    monkeypatch.setenv("OPENAI_BASE_URL", api.url)
    client = sdk.OpenAI()
    assert client.models.retrieve("gpt-3.5-turbo").id == "gpt-3.5-turbo"
    assert seen[-1].headers["authorization"] == f"Bearer {api.key}"


async def test_async_environment_variables(
    sdk: ModuleType, api: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.key)
    monkeypatch.setenv("OPENAI_BASE_URL", api.url)
    async with sdk.AsyncOpenAI() as client:
        model = await client.models.retrieve("gpt-3.5-turbo")
    assert model.id == "gpt-3.5-turbo"


def test_with_block(sdk: ModuleType, api: RunningServer, seen: list[Seen]) -> None:
    with sdk.OpenAI(api_key=api.key, base_url=api.url) as client:
        page = client.models.list()
    assert "gpt-3.5-turbo" in [model.id for model in page.data] and seen[-1].path == "/v1/models"


# --- types: the same official-style code under mypy --strict --------------------------------------------------


def _mypy_errors(path: Path) -> list[str]:
    stdout, stderr, _ = mypy.api.run(
        ["--strict", "--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", str(path)]
    )
    assert not stderr, stderr
    return [line for line in stdout.splitlines() if ": error:" in line]


def test_the_official_idioms_type_check_as_well_with_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property: Callable[[str, object], None]
) -> None:
    source = TYPING.read_text()
    assert source.count("\nimport openai\n") == 1
    ours = tmp_path / "official_idioms_typing_ours.py"
    ours.write_text(source.replace("\nimport openai\n", "\nimport openai_api as openai\n"))
    monkeypatch.chdir(ROOT)  # the config's mypy_path is relative to the repository
    official, our = _mypy_errors(TYPING), _mypy_errors(ours)
    record_property("mypy_errors_openai", len(official))
    record_property("mypy_errors_openai_api", len(our))
    print(f"mypy --strict errors: openai {len(official)}, openai_api {len(our)}")
    print("\n".join(our))
    assert len(our) <= len(official), f"{len(our)} errors with ours, {len(official)} with openai:\n" + "\n".join(our)
