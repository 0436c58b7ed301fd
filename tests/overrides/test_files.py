"""The facade's files.list over real sockets: pagination across cursors (the gateway's path: test_gateway.py)."""

from __future__ import annotations

from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import file_list
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
