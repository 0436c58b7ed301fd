"""A gateway's own paths, from the spec's ``x-gateway-quirk``: asked first by every caller on a gateway client."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

import openai_api as oa
from openai_api import _gateway
from openai_api._routes import OPERATION
from openai_api_client.api.files import list_files, retrieve_file
from openai_api_client.checks import GATEWAY_PATHS
from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import error_body, file_list, file_object
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, json_reply


def gateway_without_quirk(request: Received) -> Reply:
    if request.path == "/v1/files":
        return json_reply(file_list("file-1"))
    return json_reply(error_body("Invalid URL (GET /v1/files%20_)"), status=404)


def test_gateway_lists_at_its_documented_path_byte_for_byte(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    client = client_for(server, gateway=True)
    assert [f.id for f in facade(client).files.list(purpose="fine-tune").data] == ["file-1"]
    assert server.received[0].request_line == b"GET /v1/files%2520_?purpose=fine-tune HTTP/1.1"
    facade(client).files.list()
    assert server.received[1].request_line == b"GET /v1/files%2520_ HTTP/1.1"


def test_gateway_falls_back_once_and_remembers(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = client_for(server, gateway=True)
    assert [f.id for f in facade(client).files.list().data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]
    facade(client).files.list()
    assert [r.target for r in server.received][2:] == ["/v1/files"]
    assert client.shared.gateway_paths == {"GET /files": "/files"}


async def test_gateway_falls_back_async(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = aclient_for(server, gateway=True)
    assert [f.id for f in (await afacade(client).files.list()).data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]


def test_other_base_urls_use_the_canonical_path(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    facade(client_for(server)).files.list()
    assert server.received[0].request_line == b"GET /v1/files HTTP/1.1"


@pytest.mark.parametrize("name", sorted(GATEWAY_PATHS["GET /files"].not_take))
def test_a_parameter_the_gateway_path_does_not_take_sends_to_the_canonical_path(
    server: ScriptedServer, name: str
) -> None:
    """The spec gives the gateway's path only some of the operation's parameters (``purpose``)."""
    server.handler = lambda _: json_reply(file_list("file-1"))
    value: object = {"limit": 2, "order": "asc", "after": "file-0"}[name]
    facade(client_for(server, gateway=True)).files.list(purpose="batch", **{name: value})  # type: ignore[arg-type]
    assert [r.path for r in server.received] == ["/v1/files"]


def test_a_query_the_spec_does_not_name_goes_to_the_gateway_path_too(server: ScriptedServer) -> None:
    """A client's ``default_query`` and a call's ``extra_query`` go wherever the request goes."""
    server.handler = lambda _: json_reply(file_list("file-1"))
    client = client_for(server, gateway=True, default_query={"api-version": "1"})
    facade(client).files.list(extra_query={"trace": "t"})
    assert [r.target for r in server.received] == ["/v1/files%2520_?api-version=1&trace=t"]


def test_the_fallback_is_the_same_call_with_one_deadline(server: ScriptedServer) -> None:
    """Each path taking most of the deadline: the fallback fails at the call's deadline, not a fresh one."""
    server.handler = lambda r: dataclasses.replace(
        json_reply(file_list("file-1")) if r.path == "/v1/files" else json_reply(error_body("none"), status=404),
        delay=0.6,
    )
    client = client_for(server, gateway=True, deadline=1.0)
    with pytest.raises(oa.APITimeoutError) as caught:
        facade(client).files.list()
    assert caught.value.bound == "deadline" and [r.path for r in server.received][:1] == ["/v1/files%2520_"]


def test_the_fallback_is_the_same_call_with_one_count_of_retries(server: ScriptedServer) -> None:
    busy = json_reply(error_body("busy", "server_error"), status=503)
    server.script(busy, busy, json_reply(error_body("no such path"), status=404), busy, json_reply(file_list("f")))
    with pytest.raises(oa.InternalServerError, match="after 2 retries"):
        facade(client_for(server, gateway=True)).files.list()  # FAST: 2 retries
    assert [r.path for r in server.received] == ["/v1/files%2520_"] * 3 + ["/v1/files"]


def test_every_caller_asks_at_the_gateway_path(server: ScriptedServer) -> None:
    """The generated function through ``call``, a raw response, the facade: all send where the request is sent."""
    server.handler = lambda _: json_reply(file_list("file-1"))
    client = client_for(server, gateway=True)
    oa.call(list_files.sync_detailed, client=client)
    raw = facade(client).files.with_raw_response.list()
    assert raw.http_request.url.raw_path == b"/v1/files%2520_" and raw.parse().data[0].id == "file-1"
    assert [r.target for r in server.received] == ["/v1/files%2520_"] * 2


def test_an_operation_without_a_gateway_path_is_sent_as_it_is(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_object("file-1"))
    oa.call(retrieve_file.sync_detailed, "file-1", client=client_for(server, gateway=True))
    assert [r.target for r in server.received] == ["/v1/files/file-1"]


def test_an_error_other_than_404_at_the_gateway_path_raises_and_teaches_nothing(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(error_body("bad key"), status=401)
    client = client_for(server, gateway=True)
    with pytest.raises(oa.AuthenticationError):
        facade(client).files.list()
    assert [r.target for r in server.received] == ["/v1/files%2520_"] and client.shared.gateway_paths == {}


def test_copies_of_a_client_share_what_the_gateway_answered(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = client_for(server, gateway=True)
    facade(client).files.list()
    facade(client.with_options(timeout=5.0)).files.list()
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files", "/v1/files"]


def test_each_gateway_host_of_the_spec_makes_a_gateway_client_and_the_setting_wins() -> None:
    assert {path.host for path in GATEWAY_PATHS.values()} == _gateway.HOSTS and _gateway.HOSTS
    for host in _gateway.HOSTS:
        assert oa.OpenAI(api_key="sk-x", base_url=f"https://{host}/v1").http.gateway is True
    assert oa.OpenAI(api_key="sk-x", base_url="https://api.mygptlife.com/v1", gateway=False).http.gateway is False
    assert oa.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1", gateway=True).http.gateway is True


def _request(url: str, operation: str | None) -> httpx.Request:
    return httpx.Request("GET", url, extensions={} if operation is None else {OPERATION: operation})


@pytest.mark.parametrize(
    ("url", "operation", "answered", "expected"),
    [
        ("https://h/v1/files", "GET /files", {}, b"/v1/files%2520_"),
        ("https://h/v1/files?purpose=a%20b", "GET /files", {}, b"/v1/files%2520_?purpose=a%20b"),
        ("https://h/files", "GET /files", {"GET /files": "/files%2520_"}, b"/files%2520_"),
        ("https://h/v1/files", "GET /files", {"GET /files": "/files"}, None),
        ("https://h/v1/files?limit=1", "GET /files", {}, None),
        ("https://h/v1/files/file-1", "GET /files/{file_id}", {}, None),
        ("https://h/v1/elsewhere", "GET /files", {}, None),
        ("https://h/v1/files", None, {}, None),
    ],
    ids=[
        *("bare", "query kept byte for byte", "base without a path", "canonical answered", "limit", "no quirk"),
        *("another path named as the operation", "no operation"),
    ],
)
def test_alternate_is_the_gateway_path_under_the_same_base_or_none(
    url: str, operation: str | None, answered: dict[str, str], expected: bytes | None
) -> None:
    request = _request(url, operation)
    found = _gateway.alternate(request, answered)
    assert (None if found is None else found.url.raw_path) == expected
    if found is not None:
        assert found.extensions[OPERATION] == GATEWAY_PATHS["GET /files"].operation
        assert found.url.host == request.url.host


def test_a_body_that_cannot_be_sent_twice_goes_to_the_canonical_path_only() -> None:
    streamed = httpx.Request("GET", "https://h/v1/files", content=iter([b"x"]), extensions={OPERATION: "GET /files"})
    assert _gateway.alternate(streamed, {}) is None
    assert _gateway.alternate(_request("https://h/v1/files", "GET /files"), {}) is not None
