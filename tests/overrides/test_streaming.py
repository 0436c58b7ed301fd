"""SSE streams over real sockets: chat, completions and fine-tune events, cuts and typed errors."""

from __future__ import annotations

import gzip
import json
import logging
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api._client import _create_client
from openai_api._events import reader
from openai_api_client import AuthenticatedClient
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.models import CreateChatCompletionChunk, CreateChatCompletionRequest
from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import error_body
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

CHAT: dict[str, Any] = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Hello!"}]}


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
    with facade(client_for(server)).chat.completions.stream(**CHAT) as stream:
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


@pytest.mark.parametrize("ours", [True, False], ids=["this layer's client", "a generated client"])
def test_a_gzip_encoded_stream_is_decoded_whichever_client_reads_it(server: ScriptedServer, ours: bool) -> None:
    # This layer's transport decodes a streamed body itself, and the stream then reads it raw; a generated client
    # has no such transport, so httpx must still decode its body.
    encoded = gzip.compress(b"".join(sse(*HELLO)))
    headers = {"content-type": "text/event-stream", "content-encoding": "gzip"}
    server.script(Reply(headers=headers, chunks=[encoded[:10], encoded[10:]]))
    if ours:
        stream: Any = facade(client_for(server)).chat.completions.stream(**CHAT)
    else:  # the facade's stream reader on the generated client, which the facade never is
        raw = AuthenticatedClient(base_url=server.url + "/v1", token="k")
        stream = oa.Stream(raw, reader(create_chat_completion, {"body": CHAT}, CreateChatCompletionChunk))
    with stream:
        assert oa.accumulate_chat(stream).choices[0].message.content == "Hello there!"


def test_a_stream_a_transport_has_read_already_is_still_read() -> None:
    # A test transport may hand over an answer it has read (to check it, say): its bytes are then there only for
    # iter_bytes, not for the raw reading the stream does otherwise.
    class ReadFirst(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = b"".join(sse(*HELLO))
            response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
            response.read()
            return response

    client = _create_client(api_key="k", base_url="http://127.0.0.1:9/v1", transport=ReadFirst(), max_retries=0)
    with facade(client).chat.completions.stream(**CHAT) as stream:
        assert oa.accumulate_chat(stream).choices[0].message.content == "Hello there!"


async def test_async_chat_stream(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO)))
    async with afacade(aclient_for(server)).chat.completions.stream(**CHAT) as stream:
        chunks = [c async for c in stream]
    assert oa.accumulate_chat(chunks).choices[0].message.content == "Hello there!"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_multi_line_data_and_comments(server: ScriptedServer, newline: str) -> None:
    first = json.dumps(chunk("Hel"), indent=1).split("\n")  # one event over several data lines
    event = newline.join(f"data: {line}" for line in first) + newline + newline
    body = [f": keep-alive comment{newline}{newline}".encode(), event.encode(), *sse(chunk("lo"), newline=newline)]
    server.script(stream_reply(body))
    contents = [c.choices[0].delta.content for c in facade(client_for(server)).chat.completions.stream(**CHAT)]
    assert contents == ["Hel", "lo"]


def test_completion_stream(server: ScriptedServer) -> None:
    part = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m"}
    events = [{**part, "choices": [{"text": t, "index": 0, "logprobs": None, "finish_reason": None}]} for t in "ab"]
    server.script(stream_reply(sse(*events)))
    texts = [c.choices[0].text for c in facade(client_for(server)).completions.stream(model="m", prompt="x")]
    assert texts == ["a", "b"]


def test_fine_tune_events_stream(server: ScriptedServer) -> None:
    event = {"object": "fine-tune-event", "created_at": 1, "level": "info", "message": "Job started."}
    server.script(stream_reply(sse(event, event)))
    messages = [e.message for e in facade(client_for(server)).fine_tunes.stream_events("ft-1")]
    assert messages == ["Job started.", "Job started."]
    assert server.received[0].target == "/v1/fine-tunes/ft-1/events?stream=true"


async def test_async_fine_tune_events_stream(server: ScriptedServer) -> None:
    event = {"object": "fine-tune-event", "created_at": 1, "level": "info", "message": "Job succeeded."}
    server.script(stream_reply(sse(event)))
    assert [e.message async for e in afacade(aclient_for(server)).fine_tunes.stream_events("ft-1")] == [
        "Job succeeded."
    ]


def test_event_error_is_a_typed_error(server: ScriptedServer) -> None:
    server.script(
        stream_reply([b"data: " + json.dumps(chunk("a")).encode() + b"\n\n", b"event: error\ndata: overloaded\n\n"])
    )
    stream = facade(client_for(server)).chat.completions.stream(**CHAT)
    with pytest.raises(oa.StreamError, match="overloaded"):
        list(stream)


def test_an_error_object_inside_an_event_is_a_typed_error(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), error_body("The server is overloaded", "server_error"))))
    with pytest.raises(oa.StreamError, match="overloaded") as info:
        list(facade(client_for(server)).chat.completions.stream(**CHAT))
    assert info.value.type == "server_error"


def test_a_line_that_is_not_json_shows_itself(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), "{not json")))
    with pytest.raises(oa.StreamDecodeError, match=r"not JSON: '\{not json'") as info:
        list(facade(client_for(server)).chat.completions.stream(**CHAT))
    assert info.value.data == "{not json"


def test_an_event_that_is_not_the_spec_s_chunk_is_a_typed_error(server: ScriptedServer) -> None:
    broken = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}  # no "choices"
    server.script(stream_reply(sse(chunk("a"), broken)))
    received: list[Any] = []
    with pytest.raises(oa.StreamDecodeError, match="does not match the spec") as info:
        received.extend(facade(client_for(server)).chat.completions.stream(**CHAT))
    assert json.loads(info.value.data) == broken


@pytest.mark.parametrize("cut", ["clean end", "dropped connection"])
def test_a_stream_cut_before_done_raises(server: ScriptedServer, cut: str) -> None:
    reply = stream_reply(sse(*HELLO[:2], done=False), cut_after=0 if cut == "dropped connection" else None)
    server.script(reply)
    received: list[Any] = []
    with pytest.raises(oa.StreamInterruptedError, match=r"before data: \[DONE\]"):
        received.extend(facade(client_for(server)).chat.completions.stream(**CHAT))
    assert len(received) == 2  # what arrived was handed over before the error


async def test_async_stream_cut_before_done_raises(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO[:2], done=False)))
    with pytest.raises(oa.StreamInterruptedError):
        [c async for c in afacade(aclient_for(server)).chat.completions.stream(**CHAT)]


def two_choices(first: str | None, second: str | None) -> list[dict[str, Any]]:
    opened = [chunk("a"), {**chunk("b"), "choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": None}]}]
    ends = [chunk(finish=first), {**chunk(), "choices": [{"index": 1, "delta": {}, "finish_reason": second}]}]
    return opened + ends


def test_a_clean_end_after_every_choice_finished_is_a_whole_answer(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The official package takes such a stream as whole: throwing it away would lose a complete answer."""
    server.script(stream_reply(sse(*two_choices("stop", "length"), done=False)))
    with caplog.at_level(logging.DEBUG, logger="openai_api"):
        received = list(facade(client_for(server)).chat.completions.stream(**CHAT))
    assert len(received) == 4
    assert any("without data: [DONE]" in r.getMessage() for r in caplog.records)


async def test_a_clean_end_after_every_choice_finished_is_a_whole_answer_async(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(*HELLO, done=False)))
    assert len([c async for c in afacade(aclient_for(server)).chat.completions.stream(**CHAT)]) == len(HELLO)


@pytest.mark.parametrize(
    ("events", "cut"),
    [
        (two_choices("stop", None), None),  # one choice still open
        (HELLO, 0),  # every choice finished, but the body broke
        ([chunk("a")], None),
    ],
    ids=["a choice still open", "dropped after the last choice", "no choice finished"],
)
def test_a_stream_that_ends_before_its_choices_finish_still_raises(
    server: ScriptedServer, events: list[dict[str, Any]], cut: int | None
) -> None:
    server.script(stream_reply(sse(*events, done=False), cut_after=cut))
    with pytest.raises(oa.StreamInterruptedError):
        list(facade(client_for(server)).chat.completions.stream(**CHAT))


def test_leaving_the_loop_early_closes_the_connection(server: ScriptedServer) -> None:
    endless = sse(*[chunk("x")] * 400, done=True)
    server.script(stream_reply(endless, chunk_delay=0.01))
    with facade(client_for(server)).chat.completions.stream(**CHAT) as stream:
        for _ in stream:
            break
    assert server.closed_early.wait(5), "the server saw the connection close before the stream ended"


def test_a_read_idle_timeout_applies_between_events(server: ScriptedServer) -> None:
    server.script(stream_reply(sse(chunk("a"), chunk("b")), chunk_delay=1.0))
    stream = facade(client_for(server)).chat.completions.stream(**CHAT, read_idle_timeout=0.2)
    with pytest.raises(oa.StreamInterruptedError) as info:
        list(stream)
    assert isinstance(info.value.__cause__, oa.APITimeoutError)


def test_an_error_status_on_a_stream_is_typed(server: ScriptedServer) -> None:
    server.script(json_reply(error_body("Invalid model"), status=400))
    with pytest.raises(oa.BadRequestError, match="Invalid model"):
        list(facade(client_for(server)).chat.completions.stream(**CHAT))
