"""The exchange over real sockets: retries, dropped connections and typed status errors."""

from __future__ import annotations

import io
import json
import logging
import time
from email.utils import formatdate
from typing import Any

import pytest

import openai_api as oa
from openai_api._client import _create_client
from openai_api_client.api.files import create_file
from openai_api_client.api.models import list_models
from openai_api_client.models import (
    CreateFileRequest,
)
from openai_api_client.types import File
from tests.helpers.clients import FAST, aclient_for, client_for, raw_client
from tests.helpers.factories import API_KEY, error_body, file_object
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- retries -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_retryable_statuses_are_retried(server: ScriptedServer, status: int) -> None:
    server.script(Reply(status=status, body=b"x"), json_reply({"object": "list", "data": []}))
    assert oa.call(list_models.sync_detailed, client=client_for(server)).data == []
    assert len(server.received) == 2


def test_the_raw_generated_client_does_not_retry(server: ScriptedServer) -> None:
    server.script(
        json_reply(error_body("busy", "server_error"), status=503), json_reply({"object": "list", "data": []})
    )
    response = list_models.sync_detailed(client=raw_client(server))
    assert response.status_code == 503 and len(server.received) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_are_never_retried(server: ScriptedServer, status: int) -> None:
    server.script(json_reply(error_body("no"), status=status))
    with pytest.raises(oa.APIStatusError) as info:
        oa.call(list_models.sync_detailed, client=client_for(server))
    assert info.value.status_code == status and len(server.received) == 1


def test_retries_give_up_after_max_retries(server: ScriptedServer) -> None:
    server.script(*[json_reply(error_body("busy", "server_error"), status=503)] * 3)
    with pytest.raises(oa.InternalServerError) as info:
        oa.call(list_models.sync_detailed, client=client_for(server))
    assert len(server.received) == 3 and info.value.type == "server_error"


def test_x_should_retry_overrides_the_status(server: ScriptedServer) -> None:
    server.script(Reply(status=503, body=b"x", headers={"x-should-retry": "false"}))
    with pytest.raises(oa.InternalServerError):
        oa.call(list_models.sync_detailed, client=client_for(server))
    assert len(server.received) == 1
    server.script(
        json_reply(error_body("try again"), status=400, **{"x-should-retry": "true"}),
        json_reply({"object": "list", "data": []}),
    )
    oa.call(list_models.sync_detailed, client=client_for(server))
    assert len(server.received) == 3


@pytest.mark.parametrize(
    ("headers", "logged"),
    [
        ({"retry-after-ms": "150"}, "in 0.15 s"),
        ({"retry-after": "1"}, "in 1.00 s"),
        ({"retry-after": "600"}, "in 0.01 s"),  # beyond the cap: back to the policy's backoff (jitter 0.25)
    ],
)
def test_retry_after_is_honoured_up_to_a_cap(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture, headers: dict[str, str], logged: str
) -> None:
    policy = oa.RetryPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.01, jitter=0.0, retry_after_max=60)
    server.script(Reply(status=429, body=b"x", headers=headers), json_reply({"object": "list", "data": []}))
    with caplog.at_level(logging.INFO, logger="openai_api"):
        oa.call(list_models.sync_detailed, client=client_for(server, retry_policy=policy))
    assert any(logged in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]


def test_retry_after_as_an_http_date(server: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    when = formatdate(time.time() + 2, usegmt=True)
    server.script(
        Reply(status=503, body=b"x", headers={"retry-after": when}), json_reply({"object": "list", "data": []})
    )
    with caplog.at_level(logging.INFO, logger="openai_api"):
        oa.call(list_models.sync_detailed, client=client_for(server))
    (message,) = [r.getMessage() for r in caplog.records if "retry 1" in r.getMessage()]
    assert 0.5 < float(message.rsplit(" in ", 1)[1].split()[0]) <= 2.0


def test_dropped_connections_are_retried(server: ScriptedServer) -> None:
    server.script(Reply(drop=True), Reply(drop=True), json_reply({"object": "list", "data": []}))
    assert oa.call(list_models.sync_detailed, client=client_for(server)).data == []
    assert len(server.received) == 3


def test_a_refused_connection_is_a_typed_error() -> None:
    with ScriptedServer() as gone:
        url = gone.url
    client = _create_client(api_key=API_KEY, base_url=url + "/v1", retry_policy=FAST)
    with pytest.raises(oa.APIConnectionError, match="ConnectError") as info:
        oa.call(list_models.sync_detailed, client=client)
    assert "Gave up after 2 retries" in str(info.value)


def test_a_retried_upload_resends_every_byte(server: ScriptedServer) -> None:
    content = b'{"prompt": "a", "completion": "b"}\n' * 2000
    server.script(Reply(status=503, body=b"x"), json_reply(file_object()))
    body = CreateFileRequest(file=File(payload=io.BytesIO(content), file_name="train.jsonl"), purpose="fine-tune")
    oa.call(create_file.sync_detailed, client=client_for(server), body=body)
    first, second = server.received
    assert first.body == second.body and content in second.body


def test_a_body_that_cannot_be_replayed_is_not_retried(server: ScriptedServer) -> None:
    server.script(Reply(status=503, body=b"x"), json_reply(file_object()))
    client = client_for(server)

    def one_shot() -> Any:
        yield b"part one, "
        yield b"part two"

    with pytest.raises(oa.InternalServerError, match="Not retried: the request body is a one-shot stream"):
        client.get_httpx_client().post("/files", content=one_shot())
    assert len(server.received) == 1


# --- typed errors --------------------------------------------------------------------------------------------


def test_a_proxys_html_502_is_a_typed_error(server: ScriptedServer) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    reply = Reply(status=502, body=page, headers={"content-type": "text/html", "x-request-id": "req-502"})
    server.script(reply)
    with pytest.raises(json.JSONDecodeError):
        list_models.sync_detailed(client=raw_client(server))
    server.script(reply, reply, reply)
    with pytest.raises(oa.InternalServerError) as info:
        list_models.sync_detailed(client=client_for(server))
    error = info.value
    assert (error.status_code, error.request_id, error.body_text) == (502, "req-502", page)
    assert "502 Bad Gateway" in str(error) and "req-502" in str(error) and "GET" in str(error)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, oa.BadRequestError),
        (401, oa.AuthenticationError),
        (403, oa.PermissionDeniedError),
        (404, oa.NotFoundError),
        (409, oa.ConflictError),
        (422, oa.UnprocessableEntityError),
        (429, oa.RateLimitError),
        (500, oa.InternalServerError),
    ],
)
def test_status_errors_are_typed(server: ScriptedServer, status: int, cls: type[oa.APIStatusError]) -> None:
    reply = json_reply(error_body("Invalid purpose", param="purpose"), status=status, **{"x-request-id": "req-1"})
    server.script(*[reply] * 3)
    with pytest.raises(cls) as info:
        oa.call(list_models.sync_detailed, client=client_for(server))
    error = info.value
    assert (error.message.startswith(f"{status} "), error.param, error.type) == (
        True,
        "purpose",
        "invalid_request_error",
    )
    assert error.request_id == "req-1" and "Invalid purpose" in str(error)


def test_an_undocumented_status_raises_instead_of_parsing_to_none(server: ScriptedServer) -> None:
    server.script(json_reply(error_body("forbidden"), status=403))
    response = list_models.sync_detailed(client=raw_client(server))
    assert response.parsed is None
    with pytest.raises(oa.PermissionDeniedError, match="forbidden"):
        oa.raise_for_status(response)
    server.script(json_reply(error_body("forbidden"), status=403))
    with pytest.raises(oa.PermissionDeniedError, match="forbidden"):
        list_models.sync_detailed(client=client_for(server))


# --- async ---------------------------------------------------------------------------------------------------


async def test_async_retries_and_typed_errors(server: ScriptedServer) -> None:
    server.script(Reply(drop=True), Reply(status=503, body=b"x"), json_reply({"object": "list", "data": []}))
    client = aclient_for(server)
    assert (await oa.acall(list_models.asyncio_detailed, client=client)).data == []
    assert len(server.received) == 3
    server.script(*[Reply(status=502, body="<html>bad gateway</html>")] * 3)
    with pytest.raises(oa.InternalServerError, match="bad gateway"):
        await list_models.asyncio_detailed(client=client)
    server.script(Reply(delay=0.6, body=b"{}"))
    with pytest.raises(oa.APITimeoutError):
        await oa.acall(list_models.asyncio_detailed, client=client.with_options(timeout=0.2, max_retries=0))
