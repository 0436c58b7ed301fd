"""The benchmark's loopback server: a bare ASGI app with canned answers, run by uvicorn in its own process.

It does as little as it can, so that the figures measure the clients, not the server. ``python -m bench.server PORT``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn

FILE = {"id": "file-abc123", "object": "file", "bytes": 140, "created_at": 1613779121, "filename": "mydata.jsonl",
        "purpose": "fine-tune", "status": "processed", "status_details": None}  # fmt: skip
FILES = json.dumps({"object": "list", "data": [{**FILE, "id": f"file-{i}"} for i in range(10)], "has_more": False})
MODELS = json.dumps(
    {
        "object": "list",
        "data": [{"id": f"model-{i}", "object": "model", "created": 1, "owned_by": "openai"} for i in range(10)],
    }
)
CHAT = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1677652288,
        "model": "gpt-3.5-turbo",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "This is a test!"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
    }
)
CHUNK = (
    "data: "
    + json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1677652288,
            "model": "gpt-3.5-turbo",
            "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}],
        }
    )
    + "\n\n"
).encode()
BLOCK = b"x" * (1 << 20)


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _drain(receive: Any) -> int:
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return size


async def _json(send: Any, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    if path == "/v1/files" and method == "GET":
        await _json(send, FILES)
    elif path == "/v1/models":
        await _json(send, MODELS)
    elif path == "/v1/chat/completions":
        request = json.loads(await _body(receive))
        if not request.get("stream"):
            await _json(send, CHAT)
            return
        count = int(request.get("user") or 1000)  # the number of chunks to stream rides in `user`
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        for _ in range(count):
            await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})
    elif path == "/v1/files" and method == "POST":
        size = await _drain(receive)
        await _json(send, json.dumps({**FILE, "bytes": size}))
    elif path.startswith("/v1/files/") and path.endswith("/content"):
        size = int(path.split("/")[3].removeprefix("file-size-"))
        headers = [(b"content-type", b"application/octet-stream"), (b"content-length", str(size).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        sent = 0
        while sent < size:
            piece = BLOCK[: min(len(BLOCK), size - sent)]
            sent += len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": sent < size})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"application/json")]})
        await send(
            {
                "type": "http.response.body",
                "body": b'{"error": {"message": "not found", "type": "invalid_request_error"}}',
            }
        )


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
