"""Issue 13, item 7: one client object reaches every operation of the spec, sync and async, typed and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api import _facade
from openai_api_client.models import CreateChatCompletionResponse
from openai_api_server import Fault, RunningServer
from tests.helpers.spec import load_spec, operations

SPEC = load_spec()
METHODS = [
    (op.operation_id, str(op.op[key]), str(op.op.get("summary", "")))
    for op in operations(SPEC)
    for key in ("x-sdk-method", "x-sdk-stream-method")
    if key in op.op
]
TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n'


def _resolve(root: object, dotted: str) -> Any:
    target: Any = root
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def test_every_operation_has_a_method() -> None:
    assert {op_id for op_id, _, _ in METHODS} == {op.operation_id for op in operations(SPEC)}
    assert len(METHODS) == len({dotted for _, dotted, _ in METHODS})


@pytest.mark.parametrize(("op_id", "dotted", "summary"), METHODS, ids=[m[1] for m in METHODS])
def test_the_method_is_there_sync_and_async_and_documented(op_id: str, dotted: str, summary: str) -> None:
    sync_method = _resolve(oa.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1"), dotted)
    async_method = _resolve(oa.AsyncOpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1"), dotted)
    # A stream and a list are returned at once (they send when iterated or awaited); every other call is awaited.
    returned_at_once = dotted.rpartition(".")[2].startswith("stream") or "AsyncPaginator" in str(
        inspect.signature(async_method).return_annotation
    )
    assert inspect.iscoroutinefunction(async_method) is not returned_at_once
    for method in (sync_method, async_method):
        doc = inspect.getdoc(method) or ""
        assert doc.startswith(summary), (dotted, doc[:80])
        assert f"Operation ``{op_id}``" in doc


def test_organization_is_a_client_setting_not_a_method_parameter() -> None:
    client = oa.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    for _, dotted, _ in METHODS:
        assert not [p for p in inspect.signature(_resolve(client, dotted)).parameters if "organization" in p]


def test_importing_the_package_stays_cheap() -> None:
    code = (
        "import sys, openai_api as oa\n"
        "assert 'openai_api_client.resources' not in sys.modules\n"
        "oa.OpenAI\n"
        "assert 'openai_api_client.resources' in sys.modules\n"
        "print(sorted(m for m in sys.modules if m.startswith('openai_api_client.api.')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = proc.stdout
    # Operations load on first call: the ones no helper imports are not loaded by the facade itself.
    assert "delete_model" not in loaded and "create_embedding" not in loaded, loaded


def test_a_client_loads_no_stream_upload_or_download_until_one_is_used() -> None:
    code = (
        "import sys, openai_api as oa\n"
        "client = oa.OpenAI(api_key='sk-x', base_url='http://127.0.0.1:9/v1')\n"
        "oa.AsyncOpenAI(api_key='sk-x', base_url='http://127.0.0.1:9/v1')\n"
        "heavy = ['openai_api._streaming', 'openai_api._uploads',\n"
        "         'openai_api._downloads', 'openai_api_client.typed_dicts']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_the_requester_names_no_operation() -> None:
    """Uploads, downloads and streams reach the requester with their generated module: no table of operations."""
    source = Path(inspect.getfile(_facade)).read_text(encoding="utf-8")
    named = [op.operation_id for op in operations() if f'"{op.operation_id}"' in source]
    assert named == []


async def test_the_async_client_does_the_same_work(aclient: oa.AsyncOpenAI, tmp_path: Path) -> None:
    models = await aclient.models.list()
    assert models.object == "list" and models.data
    chat = await aclient.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}])
    assert isinstance(chat, CreateChatCompletionResponse)
    pieces = []
    async with aclient.chat.completions.stream(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        async for chunk in stream:
            pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(str(p) for p in pieces) == chat.choices[0].message.content
    uploaded = await aclient.files.create(file=("t.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert [f.id async for f in aclient.files.list(purpose="fine-tune")] == [uploaded.id]
    assert (await aclient.files.content(uploaded.id)).content == TRAINING
    text = await aclient.audio.translations.create(
        file=("a.ogg", b"audio", "audio/ogg"), model="whisper-1", response_format="text"
    )
    assert isinstance(text, str) and text.startswith("Imagine")
    assert (await aclient.files.delete(uploaded.id)).deleted is True
    with pytest.raises(oa.NotFoundError):
        await aclient.files.retrieve(uploaded.id)


def test_fine_tunes_and_their_event_stream(client: oa.OpenAI) -> None:
    uploaded = client.files.create(file=("t.jsonl", TRAINING * 3, "application/jsonl"), purpose="fine-tune")
    job = client.fine_tunes.create(training_file=uploaded.id, model="curie")
    assert [j.id for j in client.fine_tunes.list().data] == [job.id]
    with client.fine_tunes.stream_events(job.id) as events:
        messages = [event.message for event in events]
    assert messages and messages == [e.message for e in client.fine_tunes.list_events(job.id).data]


def test_edits_completions_and_image_uploads(client: oa.OpenAI, tmp_path: Path) -> None:
    edit = client.edits.create(model="text-davinci-edit-001", input="What day of the wek is it?", instruction="Fix")
    assert edit.choices[0].text == "What day of the week is it?"
    completion = client.completions.create(model="text-davinci-003", prompt="Say this is a test", max_tokens=7)
    with client.completions.stream(model="text-davinci-003", prompt="Say this is a test") as stream:
        streamed = "".join(choice.text for chunk in stream for choice in chunk.choices)
    assert streamed == completion.choices[0].text
    png = _square_png()
    assert client.images.edit(image=png, prompt="otter", size="1536x1024").data
    assert client.images.create_variation(image=png, n=2).data


def test_a_typed_error_names_what_failed(client: oa.OpenAI) -> None:
    with pytest.raises(oa.NotFoundError) as info:
        client.fine_tunes.create(training_file="file-missing")
    assert info.value.status_code == 404 and info.value.param == "training_file"


def _square_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 8 + b"\x00" + b"\x00" * 8)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("from_env", [False, True])
async def test_the_official_constructor_settings_reach_every_request(
    from_env: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``project`` (or ``OPENAI_PROJECT_ID``), ``default_headers`` and ``default_query``, as the official package."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    project = {} if from_env else {"project": "proj_abc"}
    if from_env:
        monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_abc")
    settings: dict[str, Any] = {
        "api_key": "sk-test-12345678",
        "base_url": "http://127.0.0.1:9/v1",
        "default_headers": {"x-team": "blue"},
        "default_query": {"api-version": "2024-01"},
        **project,
    }
    oa.OpenAI(**settings, http_client=httpx.Client(transport=httpx.MockTransport(handler))).models.list()
    async_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    await oa.AsyncOpenAI(**settings, http_client=async_client).models.list()
    with oa.OpenAI(**settings) as own:  # this layer's own pool: the same settings reach the generated client
        assert own.http.get_httpx_client().params["api-version"] == "2024-01"
    for request in seen:
        assert request.headers["OpenAI-Project"] == "proj_abc" and request.headers["x-team"] == "blue"
        assert request.url.params["api-version"] == "2024-01"
    assert len(seen) == 2


def test_a_project_id_that_cannot_be_a_header_is_refused() -> None:
    with pytest.raises(oa.ConfigurationError, match="project"):
        oa.OpenAI(api_key="sk-test-12345678", project="proj abc\n")


def test_a_stream_method_takes_an_idle_timeout_between_events(client: oa.OpenAI, server: RunningServer) -> None:
    """``read_idle_timeout`` bounds each wait for the next event: an answer dripped an event a second breaks off."""
    server.inject(Fault(operation="createChatCompletion", slow_bytes=1.0))
    messages: Any = [{"role": "user", "content": "hi"}]
    stream = client.chat.completions.stream(model="gpt-3.5-turbo", messages=messages, read_idle_timeout=0.2)
    with pytest.raises(oa.StreamInterruptedError) as info, stream as events:
        list(events)
    assert isinstance(info.value.__cause__, oa.APITimeoutError)


async def test_an_async_stream_method_takes_an_idle_timeout_too(aclient: oa.AsyncOpenAI, server: RunningServer) -> None:
    server.inject(Fault(operation="createChatCompletion", slow_bytes=1.0))
    messages: Any = [{"role": "user", "content": "hi"}]
    with pytest.raises(oa.StreamInterruptedError) as info:
        stream = aclient.chat.completions.stream(model="gpt-3.5-turbo", messages=messages, read_idle_timeout=0.2)
        async with stream as events:
            [event async for event in events]
    assert isinstance(info.value.__cause__, oa.APITimeoutError)
