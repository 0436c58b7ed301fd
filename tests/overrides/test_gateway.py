"""A gateway's own paths, from the spec's ``x-gateway-quirk``: asked first by every caller on a gateway client."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    "given",
    [{"limit": 2}, {"order": "asc"}, {"after": "file-0"}, {"extra_query": {"x": "1"}}],
    ids=["limit", "order", "after", "extra query"],
)
def test_a_query_the_gateway_path_does_not_take_goes_to_the_canonical_path(
    server: ScriptedServer, given: dict[str, object]
) -> None:
    """The gateway's path takes only the query parameters the spec gives it (``purpose``)."""
    server.handler = lambda _: json_reply(file_list("file-1"))
    facade(client_for(server, gateway=True)).files.list(purpose="batch", **given)  # type: ignore[arg-type]
    assert [r.path for r in server.received] == ["/v1/files"]


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


def test_the_gateway_host_makes_a_gateway_client_and_the_setting_wins() -> None:
    assert "api.mygptlife.com" in _gateway.HOSTS and len(_gateway.HOSTS) == 1
    assert oa.OpenAI(api_key="sk-x", base_url="https://api.mygptlife.com/v1").http.gateway is True
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
        ("https://h/v1/files", None, {}, None),
    ],
    ids=["bare", "query kept byte for byte", "base without a path", "canonical answered", "limit", "no quirk", "none"],
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
