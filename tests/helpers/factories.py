"""Bodies the spec allows, for scripted answers."""

from __future__ import annotations

from typing import Any

from tests.helpers.scripted_server import Received, Reply, json_reply

API_KEY = "sk-test-SECRET-4f9a1c0e7b"


def file_object(file_id: str = "file-abc123", purpose: str = "fine-tune", **extra: Any) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": 140,
        "created_at": 1613779121,
        "filename": "mydata.jsonl",
        "purpose": purpose,
        **extra,
    }


def file_list(*ids: str, has_more: bool | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"object": "list", "data": [file_object(i) for i in ids]}
    if has_more is not None:
        body["has_more"] = has_more
    return body


def error_body(message: str, type_: str = "invalid_request_error", param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": None}}


def upload_server(request: Received) -> Reply:
    """A ScriptedServer handler that answers every upload with a file object of the size it received."""
    return json_reply(file_object(filename="x", bytes=request.body_length))
