"""The hostile-server matrix, server-sent events: line endings split anywhere, raw separators inside JSON strings,
giant events, missing ``[DONE]``, error and broken events, stalls, resets, and answers that are no event stream."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import openai_api as oa
from tests.helpers.clients import afacade, facade
from tests.helpers.hostile_server import (
    CHAT,
    KEY,
    Action,
    HostileServer,
    aclient,
    aexpect,
    chunked,
    client,
    drip,
    expect,
    reply,
    reset,
    silent,
)

SSE = "text/event-stream"


def event(content: str | None = None, finish: str | None = None) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}


def sse(*events: dict[str, Any] | str, done: bool = True, newline: str = "\n") -> bytes:
    """The bytes of a stream; JSON with raw (unescaped) non-ASCII, as the API sends it."""
    out = "".join(
        f"data: {json.dumps(e, ensure_ascii=False) if isinstance(e, dict) else e}{newline}{newline}" for e in events
    )
    if done:
        out += f"data: [DONE]{newline}{newline}"
    return out.encode("utf-8")


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def split_after_cr(data: bytes) -> list[bytes]:
    """Splits right after every CR, so each CRLF arrives as "\\r" at a chunk's end and "\\n" at the next one's start."""
    out: list[bytes] = []
    start = 0
    for at, byte in enumerate(data):
        if byte == 0x0D:
            out.append(data[start : at + 1])
            start = at + 1
    out.append(data[start:])
    return out


def _two_data_lines() -> bytes:
    """The first event's JSON over two ``data:`` lines, split between two tokens (the "\n" that joins them is
    whitespace to JSON)."""
    first = json.dumps(HELLO[0])
    at = first.index(", ") + 1
    return f"data: {first[:at]}\ndata: {first[at:]}\n\n".encode() + sse(*HELLO[1:])


HELLO = [event("Hel"), event("lo, "), event("world"), event(finish="stop")]
SEPARATORS = "a\u2028b\u2029c\u0085d\r\n?"  # the escaped CR LF inside the JSON string is no line ending either
GIANT = "x" * (5 * 1024 * 1024)


def contents(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks)


# --- streams that must come through whole -------------------------------------------------------------------------

GOOD: dict[str, tuple[list[bytes], str]] = {
    "lf": ([sse(*HELLO)], "Hello, world"),
    "cr": ([sse(*HELLO, newline="\r")], "Hello, world"),
    "crlf": ([sse(*HELLO, newline="\r\n")], "Hello, world"),
    "crlf-split-across-chunks": (split_after_cr(sse(*HELLO, newline="\r\n")), "Hello, world"),
    "one-byte-chunks": (pieces(sse(*HELLO, newline="\r\n"), 1), "Hello, world"),
    "cr-one-byte-chunks": (pieces(sse(*HELLO, newline="\r"), 1), "Hello, world"),
    "unicode-separators": ([sse(event(SEPARATORS), event(finish="stop"))], SEPARATORS),
    "unicode-separators-one-byte-chunks": (pieces(sse(event(SEPARATORS), event(finish="stop")), 1), SEPARATORS),
    "comments-and-ids": ([b": keep-alive\n\nid: 7\n" + sse(*HELLO)], "Hello, world"),
    "bom": ([b"\xef\xbb\xbf" + sse(*HELLO)], "Hello, world"),
    "giant-5mb-line": (pieces(sse(event(GIANT), event(finish="stop")), 1 << 16), GIANT),
    "event-over-two-data-lines": ([_two_data_lines()], "Hello, world"),
}


@pytest.mark.parametrize("case", GOOD)
def test_stream_comes_through_whole(case: str) -> None:
    body, expected = GOOD[case]
    with HostileServer(chunked(body)) as server:
        with facade(client(server)).chat.completions.stream(**CHAT) as stream:
            got = list(stream)
        assert server.attempts == 1
        assert server.requests[0].headers.get("accept") == SSE
    assert contents(got) == expected
    assert got[-1].choices[0].finish_reason == "stop"


@pytest.mark.parametrize("case", GOOD)
async def test_stream_comes_through_whole_async(case: str) -> None:
    body, expected = GOOD[case]
    with HostileServer(chunked(body)) as server:
        async with afacade(aclient(server)).chat.completions.stream(**CHAT) as stream:
            got = [item async for item in stream]
        assert server.attempts == 1
    assert contents(got) == expected
    assert got[-1].choices[0].finish_reason == "stop"


# --- streams that must end in a typed error -------------------------------------------------------------------

TWO = [event("one"), event("two")]
BROKEN: dict[str, tuple[list[Action], type[oa.OpenAIError], int, int, bool]] = {
    # actions, error, attempts, items the caller gets first, whether the error's class must match exactly
    "no-done-clean-end": ([chunked([sse(*TWO, done=False)])], oa.StreamInterruptedError, 1, 2, True),
    "no-done-fin-mid-chunked": ([chunked([sse(*TWO, done=False)], end="close")], oa.StreamInterruptedError, 1, 2, True),
    "reset-mid-stream": ([chunked([sse(*TWO, done=False)], end="reset")], oa.StreamInterruptedError, 1, 2, True),
    "reset-mid-event": (
        [chunked([sse(*TWO, done=False) + b'data: {"id": "c'], end="reset")],
        oa.StreamInterruptedError,
        1,
        2,
        True,
    ),
    "error-event": (
        [chunked([sse(event("one"), done=False) + b'event: error\ndata: {"message": "overloaded"}\n\n'])],
        oa.StreamError,
        1,
        1,
        True,
    ),
    "error-event-not-json": (
        [chunked([b"event: error\ndata: the model is overloaded\n\n"])],
        oa.StreamError,
        1,
        0,
        True,
    ),
    "error-object-in-data": (
        [chunked([sse({"error": {"message": "boom", "type": "server_error"}}, done=False)])],
        oa.StreamError,
        1,
        0,
        True,
    ),
    "error-event-echoes-key": (
        [chunked([f'event: error\ndata: {{"message": "bad key {KEY}"}}\n\n'.encode()])],
        oa.StreamError,
        1,
        0,
        True,
    ),
    "non-json-data": ([chunked([sse(event("one"), "not json at all")])], oa.StreamDecodeError, 1, 1, True),
    "non-json-echoes-key": ([chunked([sse(f"oops {KEY}")])], oa.StreamDecodeError, 1, 0, True),
    "wrong-shape": (
        [chunked([sse({"object": "chat.completion.chunk", "choices": "none"})])],
        oa.StreamDecodeError,
        1,
        0,
        True,
    ),
    "json-array-event": ([chunked([sse("[1, 2, 3]")])], oa.StreamDecodeError, 1, 0, True),
    "deeply-nested-event": ([chunked([sse("[" * 100_000)])], oa.StreamDecodeError, 1, 0, True),
    "invalid-utf8": (
        [chunked([sse(event("one"), done=False) + b'data: {"x": "\xff\xfe"}\n\n'])],
        oa.StreamDecodeError,
        1,
        1,
        True,
    ),
    "utf8-cut-at-end": (
        [chunked([sse(event("one"), done=False) + b"data: \xe2\x80"])],
        oa.StreamDecodeError,
        1,
        1,
        False,
    ),
    "html-200": (
        [reply(200, b"<html><body>Welcome to the proxy</body></html>", content_type="text/html")],
        oa.StreamDecodeError,
        1,
        0,
        True,
    ),
    "json-200-not-streamed": (
        [reply(200, {"id": "x", "object": "chat.completion", "choices": []})],
        oa.StreamDecodeError,
        1,
        0,
        True,
    ),
    "sse-gzip-lie": ([chunked([sse(*TWO)], headers=[("content-encoding", "gzip")])], oa.APIError, 1, 0, False),
    "reset-before-head": ([reset()], oa.APIConnectionError, 3, 0, True),
    "429-forever": ([reply(429, {"error": {"message": "slow", "type": "rate"}})], oa.RateLimitError, 3, 0, True),
    "401-echoes-key": (
        [reply(401, lambda r: json.dumps({"error": {"message": r.authorization}}).encode())],
        oa.AuthenticationError,
        1,
        0,
        True,
    ),
    "502-html": (
        [reply(502, b"<html>Bad Gateway</html>", content_type="text/html")],
        oa.InternalServerError,
        3,
        0,
        True,
    ),
}


def _gather_sync(server: HostileServer, got: list[Any], **options: Any) -> Callable[[], object]:
    def run() -> None:
        with facade(client(server)).chat.completions.stream(**CHAT, **options) as stream:
            for item in stream:
                got.append(item)

    return run


@pytest.mark.parametrize("case", BROKEN)
def test_broken_stream_ends_typed(case: str) -> None:
    actions, kind, attempts, before, exact = BROKEN[case]
    got: list[Any] = []
    with HostileServer(*actions) as server:
        expect(kind, _gather_sync(server, got), exact=exact)
        assert server.attempts == attempts
    assert len(got) == before, "the events before the break reach the caller"


@pytest.mark.parametrize("case", BROKEN)
async def test_broken_stream_ends_typed_async(case: str) -> None:
    actions, kind, attempts, before, exact = BROKEN[case]
    got: list[Any] = []

    async def run() -> None:
        async with afacade(aclient(server)).chat.completions.stream(**CHAT) as stream:
            async for item in stream:
                got.append(item)

    with HostileServer(*actions) as server:
        await aexpect(kind, run, exact=exact)
        assert server.attempts == attempts
    assert len(got) == before


# --- retries before the first event, never after ----------------------------------------------------------------

RECOVER = {
    "reset-then-stream": [reset(), chunked([sse(*HELLO)])],
    "429-then-stream": [reply(429, {"error": {"message": "slow"}}, [("retry-after-ms", "10")]), chunked([sse(*HELLO)])],
    "503-html-then-stream": [reply(503, b"<html></html>", content_type="text/html"), chunked([sse(*HELLO)])],
}


@pytest.mark.parametrize("case", RECOVER)
def test_stream_is_retried_before_any_event(case: str) -> None:
    with HostileServer(*RECOVER[case]) as server:
        with facade(client(server)).chat.completions.stream(**CHAT) as stream:
            got = list(stream)
        assert server.attempts == 2
        assert server.requests[0].body == server.requests[1].body
    assert contents(got) == "Hello, world"


@pytest.mark.parametrize("case", RECOVER)
async def test_stream_is_retried_before_any_event_async(case: str) -> None:
    with HostileServer(*RECOVER[case]) as server:
        async with afacade(aclient(server)).chat.completions.stream(**CHAT) as stream:
            got = [item async for item in stream]
        assert server.attempts == 2
    assert contents(got) == "Hello, world"


def test_stream_is_never_replayed_after_an_event() -> None:
    # Every attempt would break the same way: one attempt only, since "one" already reached the caller.
    with HostileServer(chunked([sse(event("one"), done=False)], end="reset")) as server:
        got: list[Any] = []
        expect(oa.StreamInterruptedError, _gather_sync(server, got))
        assert server.attempts == 1
    assert contents(got) == "one"


# --- stalls ------------------------------------------------------------------------------------------------------

IDLE = 0.5


@pytest.mark.parametrize("first", [True, False])
def test_stall_longer_than_the_idle_timeout(first: bool) -> None:
    sent = [sse(event("one"), done=False)] if first else [b": waiting\n\n"]
    got: list[Any] = []
    with HostileServer(chunked(sent, end="stall", stall=6.0)) as server:
        exc = expect(
            oa.APIConnectionError, _gather_sync(server, got, read_idle_timeout=IDLE), within=IDLE * 3 + 2, exact=False
        )
        assert isinstance(exc, oa.APITimeoutError | oa.StreamInterruptedError)
        # Before any event a retry is allowed; after one, never.
        assert server.attempts == 1 if first else 1 <= server.attempts <= 3
    assert len(got) == (1 if first else 0)


async def test_stall_longer_than_the_idle_timeout_async() -> None:
    got: list[Any] = []

    async def run() -> None:
        async with afacade(aclient(server)).chat.completions.stream(**CHAT, read_idle_timeout=IDLE) as stream:
            async for item in stream:
                got.append(item)

    with HostileServer(chunked([sse(event("one"), done=False)], end="stall", stall=6.0)) as server:
        exc = await aexpect(oa.APIConnectionError, run, within=IDLE * 3 + 2, exact=False)
        assert isinstance(exc, oa.APITimeoutError | oa.StreamInterruptedError)
        assert server.attempts == 1
    assert len(got) == 1


def test_slow_but_steady_stream_is_not_an_idle_timeout() -> None:
    body = [sse(e, done=False) for e in HELLO] + [b"data: [DONE]\n\n"]
    with HostileServer(chunked(body, delay=0.2)) as server:
        with facade(client(server)).chat.completions.stream(**CHAT, read_idle_timeout=IDLE) as stream:
            got = list(stream)
        assert server.attempts == 1
    assert contents(got) == "Hello, world"


def test_stream_whose_head_drips_ends_at_the_deadline() -> None:
    with HostileServer(drip(1.0, in_head=True, lasts=6.0)) as server:
        c = client(server, deadline=2.0)
        exc = expect(oa.APITimeoutError, lambda: facade(c).chat.completions.stream(**CHAT).__enter__(), within=5.0)
        assert server.attempts == 1
    assert exc.bound == "deadline"


async def test_stream_whose_head_drips_ends_at_the_deadline_async() -> None:
    with HostileServer(drip(1.0, in_head=True, lasts=6.0)) as server:
        c = aclient(server, deadline=2.0)
        exc = await aexpect(
            oa.APITimeoutError, lambda: afacade(c).chat.completions.stream(**CHAT).__aenter__(), within=5.0
        )
        assert server.attempts == 1
    assert exc.bound == "deadline"


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_stream_that_never_answers_times_out_and_is_retried(is_async: bool) -> None:
    # No event reached the caller, and the request body is bytes: each attempt may be made again.
    with HostileServer(silent()) as server:
        if is_async:
            c = aclient(server, timeout=0.5)
            exc = await aexpect(oa.APITimeoutError, lambda: afacade(c).chat.completions.stream(**CHAT).__aenter__())
        else:
            exc = expect(
                oa.APITimeoutError,
                lambda: facade(client(server, timeout=0.5)).chat.completions.stream(**CHAT).__enter__(),
            )
        assert server.attempts == 3
    assert exc.bound == "read"
