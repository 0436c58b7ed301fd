"""Issue 13, items 1 to 5: what the generated surface takes and gives, against the local test server."""

from __future__ import annotations

import importlib
import inspect
import io
import json
import pydoc
import re
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api._client import _create_client
from openai_api_client.api.audio import create_transcription, create_translation
from openai_api_client.models import (
    ChatCompletionRequestMessage,
    CreateImageRequest,
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    CreateTranslationRequest,
)
from openai_api_client.models.chat_role_known import check_chat_role_known
from openai_api_client.types import File
from tests.helpers.spec import load_spec, operations

from .conftest import KEY

SPEC = load_spec()
OPERATIONS = list(operations(SPEC))
TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n'


def _module(op_id: str) -> Any:
    return importlib.import_module(next(op.module for op in OPERATIONS if op.operation_id == op_id))


def _json(request: httpx.Request) -> Any:
    return json.loads(request.content)


# 1. The organization is a client setting.


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_no_generated_function_takes_an_organization(op: Any) -> None:
    module = _module(op.operation_id)
    for name in ("sync_detailed", "asyncio_detailed", "request_kwargs"):
        parameters = inspect.signature(getattr(module, name)).parameters
        assert not [p for p in parameters if "organization" in p], (op.operation_id, name, list(parameters))


def test_the_client_still_sends_its_organization(sent: tuple[oa.OpenAI, list[httpx.Request]]) -> None:
    client, requests = sent
    client.models.list()
    client.files.create(file=("t.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert [r.headers.get("OpenAI-Organization") for r in requests] == ["org-a", "org-a"]


def test_without_an_organization_no_header_is_sent(base_url: str) -> None:
    requests: list[httpx.Request] = []
    http = httpx.Client(base_url=base_url, event_hooks={"request": [requests.append]})
    with oa.OpenAI(api_key=KEY, base_url=base_url, http_client=http) as client:
        client.models.list()
    assert "OpenAI-Organization" not in requests[0].headers


# 2. Enums are Literal types; plain strings work; open enums list the known values and take any string.


def test_closed_literal_enums_check_their_values() -> None:
    assert check_chat_role_known("developer") == "developer"
    with pytest.raises(TypeError, match="Unexpected value 'robot'"):
        check_chat_role_known("robot")


def test_open_enums_keep_unknown_values_both_ways() -> None:
    parsed = CreateImageRequest.from_dict({"prompt": "otter", "size": "4096x4096", "response_format": "webp"})
    assert (parsed.size, parsed.response_format) == ("4096x4096", "webp")
    assert parsed.to_dict()["size"] == "4096x4096"
    message = ChatCompletionRequestMessage(role="moderator", content="hi")
    assert message.to_dict() == {"role": "moderator", "content": "hi"}
    assert ChatCompletionRequestMessage.from_dict({"role": "user", "content": "hi"}).role == "user"


def test_plain_strings_reach_the_server(sent: tuple[oa.OpenAI, list[httpx.Request]]) -> None:
    client, requests = sent
    client.images.generate(prompt="otter", size="1024x1024", response_format="url")
    client.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}])
    assert _json(requests[0])["size"] == "1024x1024"
    assert _json(requests[1])["messages"] == [{"role": "user", "content": "hi"}]


# 3. Nothing refused that the API accepts; unknown values are sent as they are; extra fields ride along.


@pytest.mark.parametrize("role", ["system", "user", "assistant", "tool", "function", "developer"])
def test_every_chat_role_is_sent(sent: tuple[oa.OpenAI, list[httpx.Request]], role: str) -> None:
    client, requests = sent
    client.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": role, "content": "hi"}])
    assert _json(requests[-1])["messages"][0]["role"] == role


@pytest.mark.parametrize(
    "size", ["256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "1792x1024", "1024x1792", "auto"]
)
def test_every_image_size_is_sent(sent: tuple[oa.OpenAI, list[httpx.Request]], size: str) -> None:
    client, requests = sent
    assert client.images.generate(prompt="otter", size=size).data
    assert _json(requests[-1])["size"] == size


def test_unknown_values_are_sent_and_the_server_decides(sent: tuple[oa.OpenAI, list[httpx.Request]]) -> None:
    # The client never refuses a value the API may have added since; the local server, like the API, knows its own
    # values and answers 400 naming the field: the value went out as it was.
    client, requests = sent
    with pytest.raises(oa.BadRequestError) as refused_role:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "critic", "content": "hi"}])
    assert refused_role.value.param == "messages[0].role"
    assert _json(requests[-1])["messages"][0]["role"] == "critic"
    with pytest.raises(oa.BadRequestError) as refused_size:
        client.images.generate(prompt="otter", size="2048x2048")
    assert refused_size.value.param == "size" and _json(requests[-1])["size"] == "2048x2048"
    with pytest.raises(oa.BadRequestError) as refused_purpose:
        client.files.create(file=("data.jsonl", TRAINING, "application/jsonl"), purpose="purpose-of-tomorrow")
    assert refused_purpose.value.param == "purpose" and len(requests) == 3


@pytest.mark.parametrize("purpose", ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"])
def test_every_upload_purpose_is_sent(client: oa.OpenAI, purpose: str) -> None:
    uploaded = client.files.create(file=("data.jsonl", TRAINING, "application/jsonl"), purpose=purpose)
    assert uploaded.purpose == purpose
    assert [f.id for f in client.files.list(purpose=purpose)] == [uploaded.id]


@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"])
def test_every_audio_type_of_the_public_reference_is_taken(client: oa.OpenAI, suffix: str) -> None:
    transcript = client.audio.transcriptions.create(file=(f"speech{suffix}", b"audio", "audio/x"), model="whisper-1")
    assert isinstance(transcript, CreateTranscriptionResponse) and transcript.text


def test_an_audio_type_the_spec_does_not_list_is_still_refused_before_sending(client: oa.OpenAI) -> None:
    with pytest.raises(oa.InvalidFileError, match=r"\.txt.*\.flac"):
        client.audio.transcriptions.create(file=("notes.txt", b"text", "text/plain"), model="whisper-1")


def test_extra_body_sends_a_field_the_spec_lacks(sent: tuple[oa.OpenAI, list[httpx.Request]]) -> None:
    client, requests = sent
    # The local server knows only the documents' fields and refuses any other, as the API refuses one it does not
    # know: the error names the field, which proves it went out.
    with pytest.raises(oa.BadRequestError, match="seed") as refused:
        client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], extra_body={"seed": 7}
        )
    assert refused.value.status_code == 400
    assert _json(requests[-1])["seed"] == 7


# 4. Every declared response media type works from the generated function.


@pytest.mark.parametrize("response_format", ["text", "srt", "vtt"])
@pytest.mark.parametrize("module", [create_transcription, create_translation], ids=["transcription", "translation"])
def test_generated_audio_functions_return_text_answers_as_str(base_url: str, module: Any, response_format: str) -> None:
    client = _create_client(api_key=KEY, base_url=base_url)
    body_type = CreateTranscriptionRequest if module is create_transcription else CreateTranslationRequest
    body = body_type(
        file=File(payload=io.BytesIO(b"audio"), file_name="a.mp3"), model="whisper-1", response_format=response_format
    )
    response = module.sync_detailed(client=client, body=body)
    assert response.headers["content-type"].startswith("text/plain")
    assert isinstance(response.parsed, str) and "Imagine the wildest idea" in response.parsed
    json_body = body_type(file=File(payload=io.BytesIO(b"audio"), file_name="a.mp3"), model="whisper-1")
    assert module.sync(client=client, body=json_body).text.startswith("Imagine")


def test_the_generated_return_type_lists_str() -> None:
    assert "str" in [
        part.strip() for part in str(inspect.signature(create_transcription.sync).return_annotation).split("|")
    ]


# 5. Descriptions reach help().


def _described_parameters() -> list[tuple[str, str, str]]:
    cases = []
    for op in OPERATIONS:
        for parameter in op.parameters(SPEC):
            cases.append((op.operation_id, parameter["name"], parameter["description"]))
    return cases


@pytest.mark.parametrize(("op_id", "name", "description"), _described_parameters())
def test_help_shows_every_parameter_description(op_id: str, name: str, description: str) -> None:
    text = " ".join(pydoc.plain(pydoc.render_doc(_module(op_id).sync_detailed, renderer=pydoc.TextDoc())).split())
    first_words = " ".join(description.split()[:6])
    assert re.search(rf"{re.escape(name)} \([^)]*\): {re.escape(first_words)}", text), (op_id, name)


def test_help_of_list_files_shows_limit() -> None:
    text = pydoc.plain(pydoc.render_doc(_module("listFiles").sync, renderer=pydoc.TextDoc()))
    assert "limit (int | Unset): A limit on the number of objects to be returned." in text
