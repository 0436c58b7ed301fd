"""Layer 1: every operation through the client, over a transport that holds each request to the spec (openapi-core)
and answers with the spec's examples and with responses hypothesis generates from the response schemas."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from tests.contract.calls import CALLS, GATEWAY_CALLS, TEXT_CALLS, Call, example_call
from tests.helpers.clients import facade
from tests.helpers.contract import (
    Answer,
    ContractTransport,
    encode,
    example_values,
    inline,
    response_media,
    sse_body,
)
from tests.helpers.spec import event_data_schema, load_spec, operations, sse_events

SPEC = load_spec()
OPERATION_IDS = sorted(op.operation_id for op in operations(SPEC))


def _client(transport: ContractTransport, call_name: str) -> OpenAIClient:
    return _create_client(
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
    media: str = next(iter(op.op["responses"]["200"]["content"]))
    return media


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
    media = response_media({"responses": _responses(call_name)}, content_type)
    if content_type == "text/event-stream":
        return st.lists(from_schema(inline(event_data_schema(media))), min_size=1, max_size=4)
    schema = inline(media["schema"])
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


def _json_operations() -> list[str]:
    """The operations whose request the spec's examples make alone (no file part): the ones an example call
    covers whole."""
    names = []
    for op in operations(SPEC):
        if "multipart/form-data" not in op.op.get("requestBody", {}).get("content", {}) and "x-sdk-method" in op.op:
            names.append(op.operation_id)
            if "x-sdk-stream-method" in op.op:
                names.append(f"{op.operation_id}:stream")
    return names


@pytest.mark.parametrize("call_name", _json_operations())
def test_an_operation_called_from_its_spec_examples_passes_the_contract(call_name: str) -> None:
    """What an operation the spec adds is called with: its examples through the facade method it names."""
    op = next(op for op in operations(SPEC) if op.operation_id == call_name.split(":")[0])
    content_type = _content_type(call_name)

    def answer(operation: dict[str, Any]) -> Answer:
        value = example_values(response_media(operation, content_type))[0]
        return 200, content_type, encode(content_type, value)

    result, _ = _run(call_name, answer, example_call(op, SPEC, streamed=call_name.endswith(":stream")))
    assert result is not None


# --- the validator catches a wrong request -------------------------------------------------------------------


def test_a_bad_form_field_fails_request_validation() -> None:
    # Upload purposes are an open enum (any string goes, the API decides): a form field with a bound still fails.
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "createImageVariation").get_httpx_client()
    with pytest.raises(oa.BadRequestError):
        http.post("/images/variations", files={"image": ("a.png", io.BytesIO(b"png"))}, data={"n": "0"})
    assert any("less than the minimum of 1" in problem for problem in transport.request_problems), (
        transport.request_problems
    )


def test_a_missing_required_field_fails_request_validation() -> None:
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "createChatCompletion").get_httpx_client()
    with pytest.raises(oa.BadRequestError):
        http.post("/chat/completions", json={"model": "gpt-3.5-turbo"})
    assert any("'messages' is a required property" in p for p in transport.request_problems), transport.request_problems


def test_an_out_of_range_parameter_fails_request_validation() -> None:
    transport = ContractTransport(lambda operation, request: (200, "application/json", b"{}"))
    http = _client(transport, "listFiles").get_httpx_client()
    with pytest.raises(oa.BadRequestError):
        http.get("/files", params={"limit": 0})
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

    def record(operation: dict[str, Any], request: httpx.Request) -> Answer:
        seen.append(request)
        return answer(operation)

    transport = ContractTransport(record)
    facade(_client(transport, "listFiles")).files.list(limit=5)
    assert seen[0].url.raw_path == b"/v1/files?limit=5"
    assert seen[0].headers["authorization"] == "Bearer sk-contract"
