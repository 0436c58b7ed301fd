"""Layer 1: every operation through the client, over a transport that holds each request to the spec (openapi-core)
and answers with the spec's examples and with responses hypothesis generates from the response schemas."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import openai_api_overrides as oa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.api.completions import create_completion
from openai_api_client.api.edits import create_edit
from openai_api_client.api.embeddings import create_embedding
from openai_api_client.api.files import delete_file, retrieve_file
from openai_api_client.api.fine_tunes import (
    cancel_fine_tune,
    create_fine_tune,
    list_fine_tune_events,
    list_fine_tunes,
    retrieve_fine_tune,
)
from openai_api_client.api.images import create_image
from openai_api_client.api.models import delete_model, list_models, retrieve_model
from openai_api_client.models import (
    CreateChatCompletionRequest,
    CreateCompletionRequest,
    CreateEditRequest,
    CreateEmbeddingRequest,
    CreateFineTuneRequest,
    CreateImageRequest,
)

from tests.helpers.contract import (
    Answer,
    ContractTransport,
    encode,
    example_values,
    inline,
    response_media,
    sse_body,
)
from tests.helpers.spec import load_spec, operations, sse_events

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (2).to_bytes(4, "big") * 2 + b"\x08\x06\0\0\0\0\0\0\0"
CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Hello!"}], "temperature": 0.7}
COMPLETION = {
    "model": "text-davinci-003",
    "prompt": ["a", "b"],
    "max_tokens": 7,
    "stop": "\n",
    "logit_bias": {"50256": -100},
}

# Each operation of the spec, called through the client with a valid request. Streaming operations have a second
# entry, "<operationId>:stream", that reads the text/event-stream answer.
Call = Callable[[oa.OpenAIClient], Any]
CALLS: dict[str, Call] = {
    "listModels": lambda c: oa.call(list_models.sync_detailed, client=c),
    "retrieveModel": lambda c: oa.call(retrieve_model.sync_detailed, client=c, model="text-davinci-003"),
    "deleteModel": lambda c: oa.call(delete_model.sync_detailed, client=c, model="curie:ft-acmeco-2021-03-03"),
    "createCompletion": lambda c: oa.call(
        create_completion.sync_detailed, client=c, body=CreateCompletionRequest.from_dict(COMPLETION)
    ),
    "createCompletion:stream": lambda c: list(oa.stream_completion(c, COMPLETION)),
    "createChatCompletion": lambda c: oa.call(
        create_chat_completion.sync_detailed, client=c, body=CreateChatCompletionRequest.from_dict(CHAT)
    ),
    "createChatCompletion:stream": lambda c: list(oa.stream_chat_completion(c, CHAT)),
    "createEdit": lambda c: oa.call(
        create_edit.sync_detailed,
        client=c,
        body=CreateEditRequest(model="text-davinci-edit-001", instruction="Fix the spelling", input_="wek"),
    ),
    "createImage": lambda c: oa.call(
        create_image.sync_detailed, client=c, body=CreateImageRequest.from_dict({"prompt": "otter", "n": 2})
    ),
    "createImageEdit": lambda c: oa.create_image_edit(
        c, image=("otter.png", PNG, "image/png"), mask=("mask.png", PNG, "image/png"), prompt="a beret", n=2
    ),
    "createImageVariation": lambda c: oa.create_image_variation(
        c, image=("otter.png", PNG, "image/png"), size="256x256", response_format="b64_json"
    ),
    "createEmbedding": lambda c: oa.call(
        create_embedding.sync_detailed,
        client=c,
        body=CreateEmbeddingRequest.from_dict({"model": "text-embedding-ada-002", "input": [[1, 2], [3]]}),
    ),
    "createTranscription": lambda c: oa.create_transcription(
        c, file=("audio.mp3", b"ID3", "audio/mpeg"), model="whisper-1", temperature=0.2, language="en"
    ),
    "createTranslation": lambda c: oa.create_translation(
        c, file=("german.m4a", b"\0", "audio/mp4"), model="whisper-1", response_format="verbose_json"
    ),
    "listFiles": lambda c: oa.list_files(c, purpose="fine-tune", limit=10, order="asc", after="file-abc123"),
    "createFile": lambda c: oa.upload_file(
        c, ("mydata.jsonl", b'{"prompt": "a", "completion": "b"}\n', "application/jsonl"), purpose="fine-tune"
    ),
    "listFilesGateway": lambda c: oa.list_files(c.with_options(), purpose="fine-tune"),
    "retrieveFile": lambda c: oa.call(retrieve_file.sync_detailed, client=c, file_id="file-abc123"),
    "deleteFile": lambda c: oa.call(delete_file.sync_detailed, client=c, file_id="file-abc123"),
    "downloadFile": lambda c: oa.download_file_bytes(c, "file-abc123"),
    "createFineTune": lambda c: oa.call(
        create_fine_tune.sync_detailed,
        client=c,
        body=CreateFineTuneRequest.from_dict({"training_file": "file-abc", "n_epochs": 2, "suffix": "custom"}),
    ),
    "listFineTunes": lambda c: oa.call(list_fine_tunes.sync_detailed, client=c),
    "retrieveFineTune": lambda c: oa.call(retrieve_fine_tune.sync_detailed, client=c, fine_tune_id="ft-1"),
    "cancelFineTune": lambda c: oa.call(cancel_fine_tune.sync_detailed, client=c, fine_tune_id="ft-1"),
    "listFineTuneEvents": lambda c: oa.call(list_fine_tune_events.sync_detailed, client=c, fine_tune_id="ft-1"),
    "listFineTuneEvents:stream": lambda c: list(oa.stream_fine_tune_events(c, "ft-1")),
}
# The audio operations answer text/plain when a text format is asked for.
TEXT_CALLS: dict[str, Call] = {
    "createTranscription": lambda c: oa.create_transcription(
        c, file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format="srt"
    ),
    "createTranslation": lambda c: oa.create_translation(
        c, file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format="text"
    ),
}
GATEWAY_CALLS = {"listFilesGateway"}
SPEC = load_spec()
OPERATION_IDS = sorted(op.operation_id for op in operations(SPEC))


def _client(transport: ContractTransport, call_name: str) -> oa.OpenAIClient:
    return oa.create_client(
        api_key="sk-contract",
        base_url="https://api.openai.com/v1",
        transport=transport.transport(),
        gateway=call_name in GATEWAY_CALLS,
        max_retries=0,
    )


def _content_type(call_name: str) -> str:
    if call_name.endswith(":stream"):
        return "text/event-stream"
    operation_id = call_name.split(":")[0]
    op = next(op for op in operations(SPEC) if op.operation_id == operation_id)
    return next(iter(op.op["responses"]["200"]["content"]))


def _run(
    call_name: str, answer: Callable[[dict[str, Any]], Answer], call: Call | None = None
) -> tuple[Any, ContractTransport]:
    transport = ContractTransport(lambda operation, request: answer(operation))
    result = (call or CALLS[call_name])(_client(transport, call_name))
    assert transport.request_problems == [], transport.request_problems
    assert transport.response_problems == [], transport.response_problems
    assert transport.seen and transport.seen[0] == call_name.split(":")[0]
    return result, transport


def test_every_operation_of_the_spec_has_a_contract_test() -> None:
    covered = {name.split(":")[0] for name in CALLS}
    assert sorted(covered) == OPERATION_IDS
    streaming = {
        op.operation_id for op in operations(SPEC) if "text/event-stream" in op.op["responses"]["200"]["content"]
    }
    assert {name.split(":")[0] for name in CALLS if name.endswith(":stream")} == streaming


def _example_cases() -> list[tuple[str, str, int]]:
    cases = []
    for name in CALLS:
        op = next(op for op in operations(SPEC) if op.operation_id == name.split(":")[0])
        for content_type, media in op.op["responses"]["200"]["content"].items():
            if (content_type == "text/event-stream") == name.endswith(":stream"):
                cases += [(name, content_type, i) for i in range(len(example_values(media)))]
    return cases


@pytest.mark.parametrize(("call_name", "content_type", "index"), _example_cases())
def test_the_client_understands_every_example(call_name: str, content_type: str, index: int) -> None:
    def answer(operation: dict[str, Any]) -> Answer:
        value = example_values(response_media(operation, content_type))[index]
        return 200, content_type, encode(content_type, value)

    if content_type == "text/plain":
        result, _ = _run(call_name, answer, TEXT_CALLS[call_name])
        assert isinstance(result, str)
        return
    result, _ = _run(call_name, answer)
    assert result is not None
    if content_type == "text/event-stream":
        events = sse_events(example_values(response_media({"responses": _responses(call_name)}, content_type))[index])
        assert len(result) == len(events) - 1


def _responses(call_name: str) -> dict[str, Any]:
    op = next(op for op in operations(SPEC) if op.operation_id == call_name.split(":")[0])
    responses: dict[str, Any] = op.op["responses"]
    return responses


def _generated_case(call_name: str) -> st.SearchStrategy[Any]:
    content_type = _content_type(call_name)
    schema = inline(response_media({"responses": _responses(call_name)}, content_type)["schema"])
    if content_type == "text/event-stream":
        return st.lists(from_schema(schema), min_size=1, max_size=4)
    if content_type == "application/octet-stream":
        return st.binary(min_size=1, max_size=256)  # openapi-core reads an empty body as no body
    return from_schema(schema)


@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_the_client_understands_generated_responses(call_name: str) -> None:
    content_type = _content_type(call_name)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(value=_generated_case(call_name))
    def check(value: Any) -> None:
        def answer(operation: dict[str, Any]) -> Answer:
            if content_type == "text/event-stream":
                return 200, content_type, sse_body(value)
            return 200, content_type, encode(content_type, value)

        result, _ = _run(call_name, answer)
        if content_type == "text/event-stream":
            assert len(result) == len(value)
        elif content_type == "application/octet-stream":
            assert result == value
        else:
            assert result is not None

    check()


# --- the validator catches a wrong request -------------------------------------------------------------------


def test_a_bad_purpose_fails_request_validation() -> None:
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "createFile").get_httpx_client()
    response = http.post("/files", files={"file": ("a.jsonl", io.BytesIO(b"{}"))}, data={"purpose": "bogus"})
    assert response.status_code == 400
    assert any("'bogus' is not one of" in problem for problem in transport.request_problems), transport.request_problems


def test_a_missing_required_field_fails_request_validation() -> None:
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "createChatCompletion").get_httpx_client()
    response = http.post("/chat/completions", json={"model": "gpt-3.5-turbo"})
    assert response.status_code == 400
    assert any("'messages' is a required property" in p for p in transport.request_problems), transport.request_problems


def test_an_out_of_range_parameter_fails_request_validation() -> None:
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "listFiles").get_httpx_client()
    assert http.get("/files", params={"limit": 0}).status_code == 400
    assert any("limit" in p for p in transport.request_problems), transport.request_problems


def test_the_stream_examples_are_valid_event_by_event() -> None:
    for call_name in (n for n in CALLS if n.endswith(":stream")):
        media = response_media({"responses": _responses(call_name)}, "text/event-stream")
        for example in example_values(media):
            events = [json.loads(e) for e in sse_events(example) if e != "[DONE]"]
            assert events, call_name


def test_the_transport_sees_the_wire_format() -> None:
    seen: list[httpx.Request] = []

    def answer(operation: dict[str, Any]) -> Answer:
        return (
            200,
            "application/json",
            json.dumps(example_values(response_media(operation, "application/json"))[0]).encode(),
        )

    transport = ContractTransport(lambda operation, request: (seen.append(request), answer(operation))[1])
    oa.list_files(_client(transport, "listFiles"), limit=5)
    assert seen[0].url.raw_path == b"/v1/files?limit=5"
    assert seen[0].headers["authorization"] == "Bearer sk-contract"
