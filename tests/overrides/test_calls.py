"""``call`` and ``acall``: response validation and forward compatibility, over real sockets."""

from __future__ import annotations

import pytest

import openai_api as oa
from openai_api_client.api.files import list_files, retrieve_file
from tests.helpers.clients import aclient_for, client_for, raw_client
from tests.helpers.factories import file_list, file_object
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- response validation -----------------------------------------------------------------------------------


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


async def test_async_response_validation(server: ScriptedServer) -> None:
    server.script(json_reply({"object": "list"}))
    with pytest.raises(oa.ResponseValidationError) as info:
        await oa.acall(list_files.asyncio_detailed, client=aclient_for(server))
    assert info.value.field == "data"
