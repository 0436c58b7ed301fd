"""The hostile-server matrix, exchanges: whatever a server does, a call ends in the typed error the contract names,
within its bound, after the attempts the retry rules allow, and the API key shows nowhere.

Streams are in ``test_hostile_streams.py``; uploads, downloads, pagination and the CLI in ``test_hostile_files.py``.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.api.files import delete_file, retrieve_file
from openai_api_client.api.models import list_models
from openai_api_client.models import CreateChatCompletionRequest, ListModelsResponse
from tests.helpers.clients import acontent, adownload, afacade, download, facade
from tests.helpers.hostile_server import (
    CHAT,
    FAST,
    KEY,
    Action,
    HostileServer,
    Request,
    aclient,
    aexpect,
    client,
    drip,
    expect,
    raw,
    redirect,
    reply,
    reset,
    reset_mid_body,
    short_body,
    silent,
)

MODELS: dict[str, Any] = {
    "object": "list",
    "data": [{"id": f"model-{i}", "object": "model", "created": 1, "owned_by": "openai"} for i in range(40)],
}
HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"

SyncEntry = Callable[[OpenAIClient, Path], object]
AsyncEntry = Callable[[OpenAIClient, Path], Awaitable[object]]


def error_json(message: str = "No such thing", type_: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


def echo_key_json(request: Request) -> bytes:
    """An error body that echoes the key the request carried, as the API's 401 does (unmasked here)."""
    key = request.authorization.removeprefix("Bearer ")
    return json.dumps(error_json(f"Incorrect API key provided: {key}.")).encode()


# --- 1. every entry point ends a non-2xx answer in its typed error -----------------------------------------------


async def _astream(c: OpenAIClient, _: Path) -> object:
    async with afacade(c).chat.completions.stream(**CHAT) as stream:
        return [item async for item in stream]


def _stream(c: OpenAIClient, _: Path) -> object:
    with facade(c).chat.completions.stream(**CHAT) as stream:
        return list(stream)


async def _aiter_files(c: OpenAIClient, _: Path) -> object:
    return [f async for f in afacade(c).files.list()]


SYNC_ENTRIES: dict[str, SyncEntry] = {
    "list_models.sync": lambda c, _: list_models.sync(client=c),
    "list_models.sync_detailed": lambda c, _: list_models.sync_detailed(client=c),
    "retrieve_file.sync": lambda c, _: retrieve_file.sync("file-1", client=c),
    "retrieve_file.sync_detailed": lambda c, _: retrieve_file.sync_detailed("file-1", client=c),
    "call": lambda c, _: oa.call(retrieve_file.sync_detailed, "file-1", client=c),
    "files.list": lambda c, _: facade(c).files.list(),
    "files.list, every page": lambda c, _: list(facade(c).files.list()),
    "chat.completions.stream": _stream,
    "files.create": lambda c, _: facade(c).files.create(file=b"hello", purpose="assistants"),
    "files.with_streaming_response.content": lambda c, tmp: download(c, "file-1", tmp / "out.bin"),
    "files.content": lambda c, _: facade(c).files.content("file-1").content,
}

ASYNC_ENTRIES: dict[str, AsyncEntry] = {
    "list_models.asyncio": lambda c, _: list_models.asyncio(client=c),
    "list_models.asyncio_detailed": lambda c, _: list_models.asyncio_detailed(client=c),
    "retrieve_file.asyncio": lambda c, _: retrieve_file.asyncio("file-1", client=c),
    "retrieve_file.asyncio_detailed": lambda c, _: retrieve_file.asyncio_detailed("file-1", client=c),
    "acall": lambda c, _: oa.acall(retrieve_file.asyncio_detailed, "file-1", client=c),
    "async files.list": lambda c, _: afacade(c).files.list(),
    "async files.list, every page": _aiter_files,
    "async chat.completions.stream": _astream,
    "async files.create": lambda c, _: afacade(c).files.create(file=b"hello", purpose="assistants"),
    "async files.with_streaming_response.content": lambda c, tmp: adownload(c, "file-1", tmp / "out.bin"),
    "async files.content": lambda c, _: acontent(c, "file-1"),
}

ERROR_BODIES: dict[str, tuple[bytes, str]] = {
    "error-json": (json.dumps(error_json()).encode(), "application/json"),
    "html": (HTML, "text/html"),
    "empty": (b"", "application/json"),
    "not-json": (b'{"error": {"message": "cut', "application/json"),
}
ENTRY_STATUSES = [(404, oa.NotFoundError, 1), (503, oa.InternalServerError, 3)]


@pytest.mark.parametrize(("status", "kind", "attempts"), ENTRY_STATUSES)
@pytest.mark.parametrize("body", ERROR_BODIES)
@pytest.mark.parametrize("entry", SYNC_ENTRIES)
def test_error_status_ends_typed_from_every_sync_entry(
    entry: str, body: str, status: int, kind: type[oa.APIStatusError], attempts: int, tmp_path: Path
) -> None:
    content, content_type = ERROR_BODIES[body]
    with HostileServer(reply(status, content, content_type=content_type)) as server:
        exc = expect(kind, lambda: SYNC_ENTRIES[entry](client(server), tmp_path))
        assert server.attempts == attempts
    assert exc.status_code == status
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("status", "kind", "attempts"), ENTRY_STATUSES)
@pytest.mark.parametrize("body", ERROR_BODIES)
@pytest.mark.parametrize("entry", ASYNC_ENTRIES)
async def test_error_status_ends_typed_from_every_async_entry(
    entry: str, body: str, status: int, kind: type[oa.APIStatusError], attempts: int, tmp_path: Path
) -> None:
    content, content_type = ERROR_BODIES[body]
    with HostileServer(reply(status, content, content_type=content_type)) as server:
        exc = await aexpect(kind, lambda: ASYNC_ENTRIES[entry](aclient(server), tmp_path))
        assert server.attempts == attempts
    assert exc.status_code == status
    assert not list(tmp_path.iterdir())


STATUS_SWEEP = [
    (400, oa.BadRequestError, 1),
    (401, oa.AuthenticationError, 1),
    (403, oa.PermissionDeniedError, 1),
    (404, oa.NotFoundError, 1),
    (408, oa.APIStatusError, 3),
    (409, oa.ConflictError, 3),
    (413, oa.APIStatusError, 1),
    (422, oa.UnprocessableEntityError, 1),
    (429, oa.RateLimitError, 3),
    (500, oa.InternalServerError, 3),
    (502, oa.InternalServerError, 3),
    (503, oa.InternalServerError, 3),
    (504, oa.InternalServerError, 3),
]


@pytest.mark.parametrize(("status", "kind", "attempts"), STATUS_SWEEP)
def test_each_status_has_its_class_and_retries(status: int, kind: type[oa.APIStatusError], attempts: int) -> None:
    with HostileServer(reply(status, error_json(), [("x-request-id", "req_42")])) as server:
        exc = expect(kind, lambda: list_models.sync(client=client(server)))
        assert server.attempts == attempts
    assert (exc.status_code, exc.request_id, exc.type) == (status, "req_42", "invalid_request_error")
    assert "No such thing" in exc.message


@pytest.mark.parametrize(("status", "kind", "attempts"), STATUS_SWEEP)
async def test_each_status_has_its_class_and_retries_async(
    status: int, kind: type[oa.APIStatusError], attempts: int
) -> None:
    with HostileServer(reply(status, HTML, content_type="text/html")) as server:
        exc = await aexpect(kind, lambda: oa.acall(list_models.asyncio_detailed, client=aclient(server)))
        assert server.attempts == attempts
    assert exc.status_code == status
    assert "502 Bad Gateway" in exc.body_text


# --- 1. Retry-After, retry-after-ms, x-should-retry -----------------------------------------------------------


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


# (headers of the 429, least and most seconds the call may take): honoured waits, and values that fall back to the
# (fast) backoff because they are garbage, negative, or above RetryPolicy.retry_after_max (60 s).
RETRY_AFTER = {
    "seconds": ([("retry-after", "0.4")], 0.35, 3.0),
    "milliseconds": ([("retry-after-ms", "400")], 0.35, 3.0),
    "ms-wins-over-seconds": ([("retry-after-ms", "300"), ("retry-after", "50")], 0.25, 3.0),
    "garbage": ([("retry-after", "soon, maybe")], 0.0, 3.0),
    "garbage-ms": ([("retry-after-ms", "lots")], 0.0, 3.0),
    "huge": ([("retry-after", "100000")], 0.0, 3.0),
    "huge-ms": ([("retry-after-ms", "999999999")], 0.0, 3.0),
    "negative": ([("retry-after", "-5")], 0.0, 3.0),
    "nan": ([("retry-after", "nan")], 0.0, 3.0),
    "infinite": ([("retry-after", "inf")], 0.0, 3.0),
    "date-far-future": ([("retry-after", "Fri, 31 Dec 2100 23:59:59 GMT")], 0.0, 3.0),
    "date-garbage": ([("retry-after", "Mon, 99 Foo 2024 25:61:61 GMT")], 0.0, 3.0),
}


@pytest.mark.parametrize("case", RETRY_AFTER)
def test_retry_after_honoured_or_ignored(case: str) -> None:
    headers, least, most = RETRY_AFTER[case]
    with HostileServer(reply(429, error_json("slow down"), headers), reply(200, MODELS)) as server:
        start = time.monotonic()
        models = list_models.sync(client=client(server))
        elapsed = time.monotonic() - start
        assert server.attempts == 2
    assert isinstance(models, ListModelsResponse) and len(models.data) == 40
    assert least <= elapsed < most, f"{elapsed:.2f} s not in [{least}, {most})"


@pytest.mark.parametrize("case", ["seconds", "milliseconds", "garbage", "huge"])
async def test_retry_after_honoured_or_ignored_async(case: str) -> None:
    headers, least, most = RETRY_AFTER[case]
    with HostileServer(reply(429, error_json("slow down"), headers), reply(200, MODELS)) as server:
        start = time.monotonic()
        models = await list_models.asyncio(client=aclient(server))
        elapsed = time.monotonic() - start
        assert server.attempts == 2
    assert isinstance(models, ListModelsResponse) and len(models.data) == 40
    assert least <= elapsed < most


def test_retry_after_http_date_is_honoured() -> None:
    # An HTTP date has whole seconds: 2 s ahead means a wait of more than 1 s.
    with HostileServer(reply(503, error_json(), [("retry-after", _http_date(2))]), reply(200, MODELS)) as server:
        start = time.monotonic()
        list_models.sync(client=client(server))
        elapsed = time.monotonic() - start
        assert server.attempts == 2
    assert 0.9 <= elapsed < 4.0


def test_retry_after_above_the_policy_cap_falls_back_to_backoff() -> None:
    policy = oa.RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02, retry_after_max=0.2)
    with HostileServer(reply(429, error_json(), [("retry-after", "5")]), reply(200, MODELS)) as server:
        start = time.monotonic()
        list_models.sync(client=client(server, retry_policy=policy))
        assert time.monotonic() - start < 3.0, "the 5 s Retry-After above the 0.2 s cap was honoured"
        assert server.attempts == 2


SHOULD_RETRY = [
    (400, "true", oa.BadRequestError, 3),
    (404, "true", oa.NotFoundError, 3),
    (503, "false", oa.InternalServerError, 1),
    (429, "false", oa.RateLimitError, 1),
    (409, "false", oa.ConflictError, 1),
]


@pytest.mark.parametrize(("status", "hint", "kind", "attempts"), SHOULD_RETRY)
def test_x_should_retry_wins_over_the_status(
    status: int, hint: str, kind: type[oa.APIStatusError], attempts: int
) -> None:
    with HostileServer(reply(status, error_json(), [("x-should-retry", hint)])) as server:
        expect(kind, lambda: list_models.sync(client=client(server)))
        assert server.attempts == attempts


def test_503_forever_with_no_retries_is_one_attempt() -> None:
    with HostileServer(reply(503, HTML, content_type="text/html")) as server:
        expect(oa.InternalServerError, lambda: list_models.sync(client=client(server, max_retries=0)))
        assert server.attempts == 1


def test_503_then_success_is_retried_to_success() -> None:
    with HostileServer(reply(503, HTML, content_type="text/html"), reply(503, b""), reply(200, MODELS)) as server:
        models = list_models.sync(client=client(server))
        assert server.attempts == 3
    assert isinstance(models, ListModelsResponse) and models.data[0].id == "model-0"


# --- 2. redirects ----------------------------------------------------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
def test_same_origin_get_redirect_is_followed_with_the_key(status: int) -> None:
    with HostileServer(redirect(status, "/v1/models?moved=1"), reply(200, MODELS)) as server:
        models = list_models.sync(client=client(server))
        assert server.attempts == 2
        assert server.requests[1].target == "/v1/models?moved=1"
        assert server.requests[1].authorization == f"Bearer {KEY}"
    assert isinstance(models, ListModelsResponse) and len(models.data) == 40


@pytest.mark.parametrize("status", REDIRECTS)
async def test_same_origin_get_redirect_is_followed_async(status: int) -> None:
    with HostileServer(reply(200, MODELS)) as server:
        server.actions.insert(0, redirect(status, f"{server.url}/v1/models?moved=1"))
        models = await list_models.asyncio(client=aclient(server))
        assert server.attempts == 2
        assert server.requests[1].authorization == f"Bearer {KEY}"
    assert isinstance(models, ListModelsResponse)


def _elsewhere(other: HostileServer, how: str) -> str:
    if how == "other-port":
        return f"{other.url}/v1/models"
    if how == "localhost":
        return f"http://localhost:{other.port}/v1/models"
    if how == "https":
        return f"https://127.0.0.1:{other.port}/v1/models"
    return f"//127.0.0.1:{other.port}/v1/models?key={KEY}"  # scheme-relative, and the key in the URL


@pytest.mark.parametrize("how", ["other-port", "localhost", "https", "scheme-relative"])
@pytest.mark.parametrize("status", REDIRECTS)
def test_cross_origin_redirect_is_never_followed(status: int, how: str) -> None:
    with HostileServer(reply(200, MODELS)) as other, HostileServer(reply(200, MODELS)) as server:
        location = _elsewhere(other, how)
        server.actions.insert(0, redirect(status, location))
        exc = expect(oa.APIRedirectError, lambda: list_models.sync(client=client(server)))
        assert (server.attempts, other.attempts) == (1, 0)
    assert exc.status_code == status
    # Where the server pointed, with the key masked when the location echoes it.
    assert exc.location is not None and KEY not in exc.location
    assert exc.location.split("?")[0] == location.split("?")[0]


@pytest.mark.parametrize("status", [302, 307, 308])
async def test_cross_origin_redirect_is_never_followed_async(status: int) -> None:
    with HostileServer(reply(200, MODELS)) as other, HostileServer(redirect(status, other.url + "/v1/models")) as srv:
        await aexpect(oa.APIRedirectError, lambda: oa.acall(list_models.asyncio_detailed, client=aclient(srv)))
        assert (srv.attempts, other.attempts) == (1, 0)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_of_a_post_is_not_followed(status: int) -> None:
    body = CreateChatCompletionRequest.from_dict(CHAT)
    with HostileServer(redirect(status, "/v1/chat/completions?again=1")) as server:
        c = client(server)
        expect(oa.APIRedirectError, lambda: oa.call(create_chat_completion.sync_detailed, client=c, body=body))
        assert server.attempts == 1


@pytest.mark.parametrize("status", [301, 307, 308])
async def test_redirect_of_a_delete_is_not_followed(status: int) -> None:
    with HostileServer(redirect(status, "/v1/files/file-2")) as server:
        await aexpect(oa.APIRedirectError, lambda: delete_file.asyncio("file-1", client=aclient(server)))
        assert server.attempts == 1


def test_redirect_loop_stops_after_five_hops() -> None:
    with HostileServer(redirect(302, "/v1/models")) as server:
        exc = expect(oa.APIRedirectError, lambda: list_models.sync(client=client(server)))
        assert server.attempts == 6
    assert exc.location == "/v1/models"


def test_redirect_without_location_is_an_error() -> None:
    with HostileServer(reply(302, HTML, content_type="text/html")) as server:
        expect(oa.APIRedirectError, lambda: list_models.sync(client=client(server)))
        assert server.attempts == 1


# --- 3. the key never shows --------------------------------------------------------------------------------------

ECHOES: dict[str, tuple[Action, type[oa.OpenAIError]]] = {
    "401-json": (reply(401, echo_key_json), oa.AuthenticationError),
    "400-json-param": (
        reply(400, lambda r: json.dumps({"error": {"message": "bad", "type": "x", "param": r.authorization}}).encode()),
        oa.BadRequestError,
    ),
    "502-html": (
        reply(502, lambda r: b"<html>" + r.authorization.encode() + b"</html>", content_type="text/html"),
        oa.InternalServerError,
    ),
    "request-id-header": (reply(404, error_json(), [("x-request-id", KEY)]), oa.NotFoundError),
    "200-wrong-shape": (reply(200, {"object": "list", "data": KEY}), oa.ResponseValidationError),
    "200-not-json": (
        reply(200, lambda r: b"{" + r.authorization.encode(), content_type="application/json"),
        oa.ResponseValidationError,
    ),
    "redirect-location": (redirect(307, f"http://127.0.0.1:9/steal?key={KEY}"), oa.APIRedirectError),
}


@pytest.mark.parametrize("case", ECHOES)
def test_echoed_key_is_redacted(case: str, caplog: pytest.LogCaptureFixture) -> None:
    action, kind = ECHOES[case]
    caplog.set_level(logging.DEBUG, logger="openai_api")
    caplog.set_level(logging.DEBUG, logger="httpx")
    with HostileServer(action) as server:
        expect(kind, lambda: list_models.sync(client=client(server)))
    assert KEY not in caplog.text
    assert all(KEY not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("case", ["401-json", "502-html", "200-not-json"])
async def test_echoed_key_is_redacted_async(case: str, caplog: pytest.LogCaptureFixture) -> None:
    action, kind = ECHOES[case]
    caplog.set_level(logging.DEBUG, logger="openai_api")
    caplog.set_level(logging.DEBUG, logger="httpx")
    with HostileServer(action) as server:
        await aexpect(kind, lambda: list_models.asyncio(client=aclient(server)))
    assert KEY not in caplog.text


def test_logs_of_retries_and_redirects_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="openai_api")
    caplog.set_level(logging.DEBUG, logger="httpx")
    actions = [reset(), reply(503, echo_key_json), redirect(302, "/v1/models?k=1"), reply(200, MODELS)]
    with HostileServer(*actions) as server:
        list_models.sync(client=client(server))
        assert server.attempts == 4
    assert caplog.records, "debug logging recorded nothing: the check below would prove nothing"
    assert KEY not in caplog.text


CORE = "Zq9XcoreSECRET42"
BAD_KEYS = {
    "trailing-LF": f"sk-{CORE}\n",
    "trailing-CR": f"sk-{CORE}\r",
    "trailing-CRLF": f"sk-{CORE}\r\n",
    "inner-space": f"sk-{CORE[:6]} {CORE[6:]}",
    "tab": f"sk-{CORE}\t",
    "non-ascii": f"sk-{CORE[:6]}é{CORE[6:]}",
    "curly-quote": f"\u201csk-{CORE}\u201d",
    "zero-width": f"sk-\u200b{CORE}",
}


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", BAD_KEYS)
def test_malformed_key_is_refused_at_construction(case: str, is_async: bool) -> None:
    with pytest.raises(oa.InvalidAPIKeyError) as info:
        _create_client(is_async=is_async, api_key=BAD_KEYS[case], base_url="http://127.0.0.1:9/v1")
    assert isinstance(info.value, oa.ConfigurationError)
    for text in (str(info.value), repr(info.value)):
        assert CORE[:6] not in text and CORE[6:] not in text
    assert str(info.value).strip(), "the message must name the problem"


# --- 6. dropped connections and short bodies on non-streamed calls ----------------------------------------------

BIG_MODELS = json.dumps(MODELS).encode()
CONNECTION_CASES: dict[str, tuple[list[Action], int, bool]] = {
    # actions, attempts the server sees, whether the call succeeds in the end
    "reset": ([reset()], 3, False),
    "reset-then-ok": ([reset(), reply(200, MODELS)], 2, True),
    "content-length-longer": ([short_body(200, MODELS, 100)], 3, False),
    "content-length-longer-then-ok": ([short_body(200, MODELS, 7), reply(200, MODELS)], 2, True),
    "reset-mid-body": ([reset_mid_body(200, BIG_MODELS, 200)], 3, False),
    "reset-mid-body-twice-then-ok": ([reset_mid_body(200, BIG_MODELS, 200)] * 2 + [reply(200, MODELS)], 3, True),
    "error-body-cut": ([short_body(500, error_json(), 50)], 3, False),
    "not-http": ([raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")], 3, False),
    "bad-status-line": ([raw(b"HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\n{}")], 3, False),
    "bad-chunk-size": ([raw(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")], 3, False),
    # An HTTP/1.0-style body that ends when the connection does is a whole answer, not a broken one.
    "close-delimited-body": ([raw(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + BIG_MODELS)], 1, True),
}


@pytest.mark.parametrize("case", CONNECTION_CASES)
def test_broken_exchange_is_retried(case: str) -> None:
    actions, attempts, succeeds = CONNECTION_CASES[case]
    with HostileServer(*actions) as server:
        if succeeds:
            models = list_models.sync(client=client(server))
            assert isinstance(models, ListModelsResponse) and len(models.data) == 40
        else:
            expect(oa.APIConnectionError, lambda: list_models.sync(client=client(server)))
        assert server.attempts == attempts


@pytest.mark.parametrize("case", CONNECTION_CASES)
async def test_broken_exchange_is_retried_async(case: str) -> None:
    actions, attempts, succeeds = CONNECTION_CASES[case]
    with HostileServer(*actions) as server:
        if succeeds:
            models = await oa.acall(list_models.asyncio_detailed, client=aclient(server))
            assert len(models.data) == 40
        else:
            await aexpect(oa.APIConnectionError, lambda: list_models.asyncio(client=aclient(server)))
        assert server.attempts == attempts


def test_connection_refused_is_a_connection_error() -> None:
    with HostileServer(reply(200, MODELS)) as server:
        pass
    expect(oa.APIConnectionError, lambda: oa.call(list_models.sync_detailed, client=client(server)))


# --- 7. deadlines and timeouts -----------------------------------------------------------------------------------

DEADLINE = 2.0
# The head drip stops after 6 s, so a client that waits on it fails the bound instead of hanging.
SLOW = {"body-drip": drip(1.0), "head-drip": drip(1.0, in_head=True, lasts=6.0)}


@pytest.mark.parametrize("case", SLOW)
def test_dripping_server_hits_the_deadline(case: str) -> None:
    with HostileServer(SLOW[case]) as server:
        exc = expect(
            oa.APITimeoutError, lambda: list_models.sync(client=client(server, deadline=DEADLINE)), 2 * DEADLINE + 1
        )
        assert server.attempts == 1
    assert exc.bound == "deadline"


@pytest.mark.parametrize("case", SLOW)
async def test_dripping_server_hits_the_deadline_async(case: str) -> None:
    with HostileServer(SLOW[case]) as server:
        exc = await aexpect(
            oa.APITimeoutError, lambda: list_models.asyncio(client=aclient(server, deadline=DEADLINE)), 2 * DEADLINE + 1
        )
        assert server.attempts == 1
    assert exc.bound == "deadline"


def test_silent_server_times_out_on_read_and_is_retried() -> None:
    with HostileServer(silent()) as server:
        exc = expect(oa.APITimeoutError, lambda: list_models.sync(client=client(server, timeout=0.5)), 3 * 0.5 + 2.5)
        assert server.attempts == 3
    assert exc.bound == "read"


async def test_silent_server_times_out_on_read_and_is_retried_async() -> None:
    with HostileServer(silent()) as server:
        exc = await aexpect(
            oa.APITimeoutError, lambda: list_models.asyncio(client=aclient(server, timeout=0.5)), 3 * 0.5 + 2.5
        )
        assert server.attempts == 3
    assert exc.bound == "read"


def test_silent_server_with_a_short_deadline_ends_at_the_deadline() -> None:
    with HostileServer(silent()) as server:
        exc = expect(
            oa.APITimeoutError, lambda: list_models.sync(client=client(server, timeout=5.0, deadline=1.0)), 3.0
        )
        assert server.attempts == 1
    assert exc.bound == "deadline"


# --- 8. nothing but typed errors: encodings, nesting, shapes, statuses ---------------------------------------------

GZIP_LIE = [("content-encoding", "gzip")]
SHAPES: dict[str, tuple[Action, type[oa.OpenAIError], int, str | None]] = {
    # action, error, attempts, a fragment the error's ``field`` names (ResponseValidationError only)
    "gzip-lie-200": (
        reply(200, b'{"object": "list", "data": []}', GZIP_LIE, content_type="application/json"),
        oa.ResponseValidationError,
        1,
        None,
    ),
    "deflate-lie-200": (reply(200, b"plain", [("content-encoding", "deflate")]), oa.ResponseValidationError, 1, None),
    "gzip-lie-400": (reply(400, b"plain", GZIP_LIE), oa.BadRequestError, 1, None),
    "gzip-lie-404": (reply(404, error_json(), GZIP_LIE), oa.NotFoundError, 1, None),
    "gzip-lie-503": (reply(503, HTML, GZIP_LIE, content_type="text/html"), oa.InternalServerError, 3, None),
    "nested-arrays": (reply(200, b"[" * 100_000, content_type="application/json"), oa.ResponseValidationError, 1, None),
    "nested-objects": (
        reply(200, b'{"a":' * 100_000, content_type="application/json"),
        oa.ResponseValidationError,
        1,
        None,
    ),
    "invalid-json": (
        reply(200, b'{"object": "list", "data": [', content_type="application/json"),
        oa.ResponseValidationError,
        1,
        None,
    ),
    "html-200": (reply(200, HTML, content_type="text/html"), oa.ResponseValidationError, 1, None),
    "json-null": (reply(200, b"null", content_type="application/json"), oa.ResponseValidationError, 1, None),
    "no-data": (reply(200, {"object": "list"}), oa.ResponseValidationError, 1, "data"),
    "data-a-string": (reply(200, {"object": "list", "data": "models"}), oa.ResponseValidationError, 1, "data"),
    "data-items-numbers": (reply(200, {"object": "list", "data": [1, 2]}), oa.ResponseValidationError, 1, "data"),
    "model-without-id": (
        reply(200, {"object": "list", "data": [{"object": "model", "owned_by": "o"}]}),
        oa.ResponseValidationError,
        1,
        "id",
    ),
    "undocumented-201": (reply(201, MODELS), oa.ResponseValidationError, 1, "(status)"),
    "undocumented-204": (reply(204, b""), oa.ResponseValidationError, 1, "(status)"),
}
SHAPE_ENTRIES: dict[str, SyncEntry] = {
    "sync": lambda c, _: list_models.sync(client=c),
    "sync_detailed": lambda c, _: list_models.sync_detailed(client=c),
    "call": lambda c, _: oa.call(list_models.sync_detailed, client=c),
}


@pytest.mark.parametrize("case", SHAPES)
@pytest.mark.parametrize("entry", SHAPE_ENTRIES)
def test_malformed_answer_is_a_typed_error(entry: str, case: str, tmp_path: Path) -> None:
    action, kind, attempts, field = SHAPES[case]
    with HostileServer(action) as server:
        exc = expect(kind, lambda: SHAPE_ENTRIES[entry](client(server), tmp_path))
        assert server.attempts == attempts
    if field is not None:
        assert field in exc.field, f"field {exc.field!r} does not name {field!r}"


@pytest.mark.parametrize("case", SHAPES)
async def test_malformed_answer_is_a_typed_error_async(case: str) -> None:
    action, kind, attempts, field = SHAPES[case]
    with HostileServer(action) as server:
        exc = await aexpect(kind, lambda: list_models.asyncio(client=aclient(server)))
        assert server.attempts == attempts
    if field is not None:
        assert field in exc.field


# --- 10. a user's own httpx client ----------------------------------------------------------------------------


def test_user_http_client_sends_to_the_base_url() -> None:
    with HostileServer(reply(503, b""), reply(200, MODELS)) as server, httpx.Client() as http:
        c = _create_client(api_key=KEY, base_url=server.url + "/v1", http_client=http, retry_policy=FAST)
        models = list_models.sync(client=c)
        assert server.attempts == 2, "the user's client must get the retries too"
        assert [r.path for r in server.requests] == ["/v1/models", "/v1/models"]
        assert server.requests[0].authorization == f"Bearer {KEY}"
    assert isinstance(models, ListModelsResponse)


def test_explicit_base_url_wins_over_the_user_clients() -> None:
    with HostileServer(reply(200, MODELS)) as server, httpx.Client(base_url="http://127.0.0.1:9/elsewhere") as http:
        c = _create_client(api_key=KEY, base_url=server.url + "/v1", http_client=http, retry_policy=FAST)
        list_models.sync(client=c)
        assert [r.path for r in server.requests] == ["/v1/models"]


async def test_user_async_http_client_sends_to_the_base_url() -> None:
    with HostileServer(reply(404, HTML, content_type="text/html")) as server:
        async with httpx.AsyncClient() as http:
            c = _create_client(
                is_async=True, api_key=KEY, base_url=server.url + "/v1", http_client=http, retry_policy=FAST
            )
            await aexpect(oa.NotFoundError, lambda: list_models.asyncio(client=c))
        assert [r.path for r in server.requests] == ["/v1/models"]
