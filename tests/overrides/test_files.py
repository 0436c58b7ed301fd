"""The facade's files.list over real sockets: pagination across cursors and the gateway's list path."""

from __future__ import annotations

from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import error_body, file_list
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, json_reply

# --- pagination ----------------------------------------------------------------------------------------------

IDS = [f"file-{n}" for n in range(7)]


def paging(request: Received) -> Reply:
    limit = int(request.query.get("limit", ["10000"])[0])
    after = request.query.get("after", [None])[0]
    start = IDS.index(after) + 1 if after else 0
    page = IDS[start : start + limit]
    return json_reply(file_list(*page, has_more=start + limit < len(IDS)))


def test_files_list_pages_lazily_across_cursors(server: ScriptedServer) -> None:
    server.handler = paging
    files = iter(facade(client_for(server)).files.list(limit=3, order="asc", purpose="fine-tune"))
    assert next(files).id == "file-0"
    assert len(server.received) == 1
    assert [f.id for f in files] == IDS[1:]
    assert [r.query.get("after") for r in server.received] == [None, ["file-2"], ["file-5"]]
    assert all(r.query["limit"] == ["3"] and r.query["order"] == ["asc"] for r in server.received)
    assert all(r.query["purpose"] == ["fine-tune"] for r in server.received)


def test_a_bare_list_sends_no_parameter(server: ScriptedServer) -> None:
    server.handler = paging
    facade(client_for(server)).files.list()
    assert server.received[0].target == "/v1/files"


async def test_async_files_list_pages_across_cursors(server: ScriptedServer) -> None:
    server.handler = paging
    ids = [f.id async for f in afacade(aclient_for(server)).files.list(limit=2)]
    assert ids == IDS and len(server.received) == 4


# --- the gateway's list path ---------------------------------------------------------------------------------


def test_gateway_lists_at_its_documented_path_byte_for_byte(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    client = client_for(server, gateway=True)
    assert [f.id for f in facade(client).files.list(purpose="fine-tune").data] == ["file-1"]
    assert server.received[0].request_line == b"GET /v1/files%2520_?purpose=fine-tune HTTP/1.1"
    facade(client).files.list()
    assert server.received[1].request_line == b"GET /v1/files%2520_ HTTP/1.1"


def gateway_without_quirk(request: Received) -> Reply:
    if request.path == "/v1/files":
        return json_reply(file_list("file-1"))
    return json_reply(error_body("Invalid URL (GET /v1/files%20_)"), status=404)


def test_gateway_falls_back_once_and_remembers(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = client_for(server, gateway=True)
    assert [f.id for f in facade(client).files.list().data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]
    facade(client).files.list()
    assert [r.target for r in server.received][2:] == ["/v1/files"]


async def test_gateway_falls_back_async(server: ScriptedServer) -> None:
    server.handler = gateway_without_quirk
    client = aclient_for(server, gateway=True)
    assert [f.id for f in (await afacade(client).files.list()).data] == ["file-1"]
    assert [r.target for r in server.received] == ["/v1/files%2520_", "/v1/files"]


def test_other_base_urls_use_the_canonical_path(server: ScriptedServer) -> None:
    server.handler = lambda _: json_reply(file_list("file-1"))
    facade(client_for(server)).files.list()
    assert server.received[0].request_line == b"GET /v1/files HTTP/1.1"
