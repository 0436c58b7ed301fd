"""The overrides' client core over real sockets: configuration, timeouts, retries, typed errors, forward
compatibility, pagination, the gateway path. Where the overrides fix the generated client, the raw generated client
is shown to fail the same test."""

from __future__ import annotations

import io
import json
import logging
import time
import traceback
from email.utils import formatdate
from typing import Any

import httpx
import pytest

import openai_api_overrides as oa
from openai_api_client import AuthenticatedClient
from openai_api_client.api.files import create_file, list_files, retrieve_file
from openai_api_client.api.models import list_models
from openai_api_client.models import CreateFileRequest, ListFilesResponse
from openai_api_client.types import File
from tests.helpers.factories import API_KEY, error_body, file_list, file_object
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, json_reply

FAST = oa.RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)


def client_for(server: ScriptedServer, **kwargs: Any) -> oa.OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return oa.create_client(api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def aclient_for(server: ScriptedServer, **kwargs: Any) -> oa.OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return oa.create_async_client(api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def raw_client(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url + "/v1", token=API_KEY)


# --- configuration -------------------------------------------------------------------------------------------


def test_no_key_says_how_to_give_one() -> None:
    with pytest.raises(oa.MissingAPIKeyError, match="OPENAI_API_KEY"):
        oa.create_client()


def test_environment_configures_key_base_url_and_organization(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-42")
    server.script(json_reply({"object": "list", "data": []}))
    client = oa.create_client()
    assert oa.call(list_models.sync_detailed, client=client).data == []
    (request,) = server.received
    assert request.request_line == b"GET /v1/models HTTP/1.1"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["openai-organization"] == "org-42"


def test_default_base_url_is_openai() -> None:
    assert oa.create_client(api_key=API_KEY).base_url == "https://api.openai.com/v1"
    assert oa.create_client(api_key=API_KEY).gateway is False
    assert oa.create_client(api_key=API_KEY, base_url="https://api.mygptlife.com/v1/").gateway is True


def test_a_users_transport_passes_straight_through() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    client = oa.create_client(api_key=API_KEY, transport=httpx.MockTransport(handler))
    list_models.sync(client=client)
    assert seen and seen[0].url == "https://api.openai.com/v1/models"


def test_a_users_httpx_client_keeps_its_settings_and_gains_retries(server: ScriptedServer) -> None:
    own = httpx.Client(base_url=server.url + "/v1", headers={"x-team": "blue"}, timeout=3.0)
    server.script(Reply(status=503, body="busy"), json_reply({"object": "list", "data": []}))
    client = oa.create_client(api_key=API_KEY, http_client=own, retry_policy=FAST)
    assert oa.call(list_models.sync_detailed, client=client).data == []
    assert [r.headers["x-team"] for r in server.received] == ["blue", "blue"]
    assert client.get_httpx_client() is own


# --- timeouts ------------------------------------------------------------------------------------------------


def test_the_generated_client_sends_no_timeout_but_ours_does(server: ScriptedServer) -> None:
    raw_timeout = raw_client(server).get_httpx_client().timeout
    assert (raw_timeout.connect, raw_timeout.read) == (None, None)
    ours = client_for(server).get_httpx_client().timeout
    assert (ours.connect, ours.read) == (5.0, 600.0)


def test_a_slow_answer_times_out_and_raw_client_waits(server: ScriptedServer) -> None:
    server.script(Reply(delay=0.6, body=b"{}"), Reply(delay=0.6, body=b"{}"))
    client = client_for(server, timeout=0.2, max_retries=0)
    with pytest.raises(oa.APITimeoutError, match="timed out"):
        oa.call(list_models.sync_detailed, client=client)
    # The raw generated client has no timeout at all: it waits for the slow answer.
    assert raw_client(server).get_httpx_client().get("/models").status_code == 200


def test_per_call_timeout_shares_the_pool(server: ScriptedServer) -> None:
    client = client_for(server, max_retries=0)
    quick = client.with_options(timeout=0.2)
    server.script(Reply(delay=0.6, body=b"{}"))
    with pytest.raises(oa.APITimeoutError):
        oa.call(list_models.sync_detailed, client=quick)
    assert client.timeout.read == 600.0
    quick.get_httpx_client()
    client.get_httpx_client()
    assert client.shared.transport is quick.shared.transport


def test_a_timeout_that_switches_timeouts_off_is_refused() -> None:
    with pytest.raises(ValueError, match="switches timeouts off"):
        oa.create_client(api_key=API_KEY, timeout=httpx.Timeout(None))


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
    client = oa.create_client(api_key=API_KEY, base_url=url + "/v1", retry_policy=FAST)
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


def test_a_response_missing_a_required_field_names_the_field(server: ScriptedServer) -> None:
    broken = file_list("file-1", "file-2")
    del broken["data"][1]["id"]
    server.script(json_reply(broken))
    with pytest.raises(KeyError):
        list_files.sync_detailed(client=raw_client(server))
    server.script(Reply(200, broken, {"content-type": "application/json", "x-request-id": "req-9"}))
    with pytest.raises(oa.ResponseValidationError) as info:
        oa.call(list_files.sync_detailed, client=client_for(server))
    assert (info.value.field, info.value.request_id) == ("data[1].id", "req-9")
    assert "listFiles" in str(info.value) and "required field is missing" in str(info.value)


def test_a_wrong_type_names_the_field(server: ScriptedServer) -> None:
    server.script(json_reply(file_object(bytes="many")))
    assert retrieve_file.sync(client=raw_client(server), file_id="file-abc123").bytes_ == "many"  # type: ignore[union-attr]
    server.script(json_reply(file_object(bytes="many")))
    with pytest.raises(oa.ResponseValidationError) as info:
        oa.call(retrieve_file.sync_detailed, client=client_for(server, validate_responses=True), file_id="file-abc123")
    assert info.value.field == "bytes" and "expected integer" in info.value.reason


# --- forward compatibility -----------------------------------------------------------------------------------


def test_new_enum_values_and_extra_fields_parse(server: ScriptedServer) -> None:
    server.script(json_reply(file_object(purpose="user_data", status="archived", brand_new={"x": 1})))
    parsed = oa.call(retrieve_file.sync_detailed, client=client_for(server), file_id="file-abc123")
    assert parsed.purpose == "user_data" and parsed.status == "archived"
    assert parsed.additional_properties["brand_new"] == {"x": 1}
    server.script(json_reply(file_object()))
    known = oa.call(retrieve_file.sync_detailed, client=client_for(server), file_id="file-abc123")
    assert known.purpose == "fine-tune"


# --- pagination ----------------------------------------------------------------------------------------------

IDS = [f"file-{n}" for n in range(7)]


def paging(request: Received) -> Reply:
    limit = int(request.query.get("limit", ["10000"])[0])
    after = request.query.get("after", [None])[0]
    start = IDS.index(after) + 1 if after else 0
    page = IDS[start : start + limit]
    return json_reply(file_list(*page, has_more=start + limit < len(IDS)))


def test_iter_files_pages_lazily_across_cursors(server: ScriptedServer) -> None:
    server.handler = paging
    files = oa.iter_files(client_for(server), limit=3, order="asc", purpose="fine-tune")
    assert next(files).id == "file-0"
    assert len(server.received) == 1
    assert [f.id for f in files] == IDS[1:]
    assert [r.query.get("after") for r in server.received] == [None, ["file-2"], ["file-5"]]
    assert all(r.query["limit"] == ["3"] and r.query["order"] == ["asc"] for r in server.received)
    assert all(r.query["purpose"] == ["fine-tune"] for r in server.received)


def test_a_bare_list_sends_no_parameter(server: ScriptedServer) -> None:
    server.handler = paging
    oa.list_files(client_for(server))
    assert server.received[0].target == "/v1/files"


async def test_aiter_files_pages_across_cursors(server: ScriptedServer) -> None:
    server.handler = paging
    ids = [f.id async for f in oa.aiter_files(aclient_for(server), limit=2)]
    assert ids == IDS and len(server.received) == 4


# --- the gateway's list path ---------------------------------------------------------------------------------


def test_gateway_lists_at_its_documented_path_byte_for_byte(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    client = client_for(server, gateway=True)
    assert [f.id for f in oa.list_files(client, purpose="fine-tune").data] == ["file-1"]
    assert server.received[0].request_line == b"GET /v1/files%2520_?purpose=fine-tune HTTP/1.1"
    oa.list_files(client)
    assert server.received[1].request_line == b"GET /v1/files%2520_ HTTP/1.1"


def gateway_without_quirk(request: Received) -> Reply:
    if request.path == "/v1/files":
        return json_reply(file_list("file-1"))
    return json_reply(error_body("Invalid URL (GET /v1/files%20_)"), status=404)


def test_gateway_falls_back_once_and_remembers(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = client_for(server, gateway=True)
    assert [f.id for f in oa.list_files(client).data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]
    oa.list_files(client)
    assert [r.target for r in server.received][2:] == ["/v1/files"]


async def test_gateway_falls_back_async(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = aclient_for(server, gateway=True)
    assert [f.id for f in (await oa.alist_files(client)).data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]


def test_other_base_urls_use_the_canonical_path(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    oa.list_files(client_for(server))
    assert server.received[0].request_line == b"GET /v1/files HTTP/1.1"


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


async def test_async_response_validation(server: ScriptedServer) -> None:
    server.script(json_reply({"object": "list"}))
    with pytest.raises(oa.ResponseValidationError) as info:
        await oa.acall(list_files.asyncio_detailed, client=aclient_for(server))
    assert info.value.field == "data"


# --- the key never shows -------------------------------------------------------------------------------------


def test_the_key_is_in_no_log_repr_message_or_traceback(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_LOG", "debug")
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client = client_for(server)
        texts += [repr(client), str(client), repr(client.with_headers({"x": "1"}))]
        server.script(Reply(status=503, body=b"x"), json_reply(file_list("file-1")))
        assert isinstance(oa.call(list_files.sync_detailed, client=client), ListFilesResponse)
        for reply in (json_reply(error_body("bad key"), status=401), Reply(status=502, body="<html/>")):
            server.script(*[reply] * 3)
            try:
                oa.call(list_models.sync_detailed, client=client)
            except oa.OpenAIError as exc:
                texts += [str(exc), repr(exc), traceback.format_exc()]
        client.get_httpx_client().close()
    texts += [record.getMessage() for record in caplog.records]
    texts += [caplog.text]
    assert caplog.records, "debug logging is on"
    assert [t for t in texts if API_KEY in t] == []
    assert API_KEY not in repr(client.get_httpx_client().headers)
    raw = AuthenticatedClient(base_url=server.url, token=API_KEY)
    assert API_KEY in repr(raw)  # what the overrides' client fixes
