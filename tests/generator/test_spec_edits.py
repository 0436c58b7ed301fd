"""An edit to the spec flows through by regeneration alone: on a copy of the repository, documentation changes
applied to ``spec/openapi.yaml`` (a field on a multipart operation, a new multipart operation, a new streamed
operation, a new JSON endpoint family, a renamed response field), then ``python -m generator``, and the client,
the facade (sync and async) and the local server started from that copy all follow, with no other file edited.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.spec import REPO_ROOT

pytestmark = pytest.mark.slow

_COPIED = ("spec", "generator", "generated", "overrides", "server", "pyproject.toml", "CHANGELOG.md", ".gitignore")
_GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
Spec = dict[str, Any]


def _copy_repository(root: Path) -> None:
    """The repository's tracked files that regeneration and the packages need, committed in a git of their own."""
    listed = subprocess.run(["git", "ls-files", *_COPIED], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    for name in listed.stdout.splitlines():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO_ROOT / name).read_bytes())
    # The pinned Node tools (openapi-typescript) are the repository's own; a link is ignored like the folder.
    (root / "node_modules").symlink_to(REPO_ROOT / "node_modules", target_is_directory=True)
    with (root / ".gitignore").open("a", encoding="utf-8") as ignore:
        ignore.write("/node_modules\n")
    subprocess.run([*_GIT, "init", "-q"], cwd=root, check=True)
    subprocess.run([*_GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*_GIT, "commit", "-q", "-m", "as in the repository"], cwd=root, check=True)


def _edit_spec(root: Path, *edits: Callable[[Spec], None]) -> None:
    path = root / "spec" / "openapi.yaml"
    spec: Spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for edit in edits:
        edit(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def _run(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_") and k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join(str(root / part) for part in ("generated", "overrides", "server", "."))
    done = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _changed(root: Path) -> set[str]:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    return {line[3:].split("/")[0] if line[3:].startswith("generated/") else line[3:] for line in status.splitlines()}


# --- the edits, as the documents would bring them -------------------------------------------------------------------

_ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def _json_answer(schema: str, example: dict[str, Any]) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}, "example": example}}
    return {"200": {"description": "OK", "content": content}, **_ERRORS}


def _operation(op_id: str, sdk: str, tag: str, answer: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "operationId": op_id,
        "x-sdk-method": sdk,
        "tags": [tag],
        "summary": op_id,
        "description": f"{op_id}, as the new documents describe it.",
        **more,
        "responses": answer,
    }


def _json_body(schema: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}, "example": example}},
    }


def _path_parameter(name: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "example": example}


def add_a_field_to_a_multipart_operation(spec: Spec) -> None:
    spec["components"]["schemas"]["CreateImageEditRequest"]["properties"]["background"] = {
        "type": "string",
        "enum": ["transparent", "opaque", "auto"],
        "description": "The background of the edited image.",
    }


BATCH_EXAMPLE = {
    "id": "batch_abc123",
    "object": "batch",
    "endpoint": "/v1/chat/completions",
    "input_file_id": "file-abc123",
    "completion_window": "24h",
    "status": "validating",
    "created_at": 1711471533,
}


def add_the_batches_family(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    schemas["Batch"] = {
        "type": "object",
        "required": ["id", "object", "endpoint", "input_file_id", "completion_window", "status", "created_at"],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "const": "batch"},
            "endpoint": {"type": "string"},
            "input_file_id": {"type": "string"},
            "completion_window": {"type": "string"},
            "status": {"type": "string"},
            "created_at": {"type": "integer"},
        },
    }
    schemas["CreateBatchRequest"] = {
        "type": "object",
        "required": ["input_file_id", "endpoint", "completion_window"],
        "properties": {
            "input_file_id": {"type": "string"},
            "endpoint": {"type": "string"},
            "completion_window": {"type": "string", "enum": ["24h"]},
        },
    }
    schemas["ListBatchesResponse"] = {
        "type": "object",
        "required": ["object", "data", "has_more"],
        "properties": {
            "object": {"type": "string", "const": "list"},
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Batch"}},
            "has_more": {"type": "boolean"},
        },
    }
    body = _json_body(
        "CreateBatchRequest",
        {"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions", "completion_window": "24h"},
    )
    one = _json_answer("Batch", BATCH_EXAMPLE)
    batch_id = _path_parameter("batch_id", "batch_abc123")
    listed = _json_answer("ListBatchesResponse", {"object": "list", "data": [BATCH_EXAMPLE], "has_more": False})
    spec["paths"]["/batches"] = {
        "post": _operation("createBatch", "batches.create", "batches", one, requestBody=body),
        "get": _operation("listBatches", "batches.list", "batches", listed),
    }
    spec["paths"]["/batches/{batch_id}"] = {
        "get": _operation("retrieveBatch", "batches.retrieve", "batches", one, parameters=[batch_id])
    }
    spec["paths"]["/batches/{batch_id}/cancel"] = {
        "post": _operation("cancelBatch", "batches.cancel", "batches", one, parameters=[batch_id])
    }


def add_a_multipart_operation(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    schemas["AddUploadPartRequest"] = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {"format": "binary", "contentMediaType": "application/octet-stream", "x-max-bytes": 67108864},
        },
    }
    schemas["UploadPart"] = {
        "type": "object",
        "required": ["id", "object", "upload_id", "created_at"],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "const": "upload.part"},
            "upload_id": {"type": "string"},
            "created_at": {"type": "integer"},
        },
    }
    example = {"id": "part_def456", "object": "upload.part", "upload_id": "upload_abc123", "created_at": 1719185911}
    body = {
        "required": True,
        "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/AddUploadPartRequest"}}},
    }
    spec["paths"]["/uploads/{upload_id}/parts"] = {
        "post": _operation(
            "addUploadPart",
            "uploads.parts.create",
            "uploads",
            _json_answer("UploadPart", example),
            parameters=[_path_parameter("upload_id", "upload_abc123")],
            requestBody=body,
        )
    }


def add_a_streamed_operation(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    schemas["CreateSummaryRequest"] = {
        "type": "object",
        "required": ["model", "input"],
        "properties": {"model": {"type": "string"}, "input": {"type": "string"}, "stream": {"type": "boolean"}},
    }
    schemas["Summary"] = {
        "type": "object",
        "required": ["id", "object", "text"],
        "properties": {"id": {"type": "string"}, "object": {"type": "string"}, "text": {"type": "string"}},
    }
    schemas["SummaryStreamEvent"] = {
        "type": "object",
        "description": "One event of a streamed summary; the last event's data is [DONE].",
        "required": ["data"],
        "properties": {
            "data": {
                "anyOf": [
                    {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": {"$ref": "#/components/schemas/Summary"},
                    },
                    {"const": "[DONE]"},
                ]
            },
            "event": {"type": "string"},
        },
    }
    example = {"id": "sum_1", "object": "summary", "text": "A short summary."}
    answer = _json_answer("Summary", example)
    answer["200"]["content"]["text/event-stream"] = {
        "schema": {"$ref": "#/components/schemas/SummaryStreamEvent"},
        "x-sse-terminator": "[DONE]",
    }
    body = _json_body("CreateSummaryRequest", {"model": "gpt-3.5-turbo", "input": "Some long text."})
    operation = _operation("createSummary", "summaries.create", "summaries", answer, requestBody=body)
    operation["x-sdk-stream-method"] = "summaries.stream"
    spec["paths"]["/summaries"] = {"post": operation}


def rename_a_response_field(spec: Spec) -> None:
    file_schema = spec["components"]["schemas"]["OpenAIFile"]
    properties = file_schema["properties"]
    file_schema["properties"] = {("file_name" if k == "filename" else k): v for k, v in properties.items()}
    file_schema["required"] = ["file_name" if k == "filename" else k for k in file_schema["required"]]
    _rename_in_examples(spec)


def _rename_in_examples(node: Any) -> None:
    """The examples follow the rename, as an editor of the documents would make them."""
    if isinstance(node, dict):
        if "filename" in node and "bytes" in node and "purpose" in node:
            node["file_name"] = node.pop("filename")
        for value in node.values():
            _rename_in_examples(value)
    elif isinstance(node, list):
        for value in node:
            _rename_in_examples(value)


# --- what a user then runs, against the local server of the same copy ------------------------------------------------

_DRIVE_ADDITIONS = r"""
import asyncio, json, struct, zlib
import openai_api as oa
from openai_api_server import running

def png(side):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    head = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    raw = b"".join(b"\0" + b"\0\0\0\0" * side for _ in range(side))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

seen = {}
with running() as server:
    with oa.OpenAI(api_key=server.key, base_url=server.url) as client:
        edited = client.images.edit(image=png(2), prompt="x", background="opaque")
        seen["images.edit+background"] = type(edited).__name__
        seen["uploads.parts.create"] = client.uploads.parts.create("upload_abc123", data=b"part bytes").upload_id
        with client.summaries.stream(model="gpt-3.5-turbo", input="text") as stream:
            seen["summaries.stream"] = [type(item).__name__ for item in stream]
        seen["summaries.create"] = type(client.summaries.create(model="gpt-3.5-turbo", input="text")).__name__
        batch = {"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions"}
        made = client.batches.create(**batch, completion_window="24h")
        seen["batches"] = [
            type(made).__name__,
            client.batches.retrieve(made.id).id,
            client.batches.cancel(made.id).object_,
            [type(batch).__name__ for batch in client.batches.list()],
        ]
        try:
            client.batches.create(**batch, completion_window="1h")
        except oa.BadRequestError as exc:
            seen["batches.create refused"] = exc.status_code

    async def main():
        async with oa.AsyncOpenAI(api_key=server.key, base_url=server.url) as client:
            got = {}
            edited = await client.images.edit(image=png(2), prompt="x", background="auto")
            got["images.edit+background"] = type(edited).__name__
            got["uploads.parts.create"] = (await client.uploads.parts.create("upload_abc123", data=b"more")).upload_id
            async with client.summaries.stream(model="gpt-3.5-turbo", input="text") as stream:
                got["summaries.stream"] = [type(item).__name__ async for item in stream]
            got["batches.retrieve"] = (await client.batches.retrieve("batch_xyz")).id
            return got

    seen["async"] = asyncio.run(main())
    seen["violations"] = list(server.state.violations)
print(json.dumps(seen))
"""


def test_additions_flow_through_to_the_client_the_facade_and_the_server(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _copy_repository(root)
    _edit_spec(
        root,
        add_a_field_to_a_multipart_operation,
        add_a_multipart_operation,
        add_a_streamed_operation,
        add_the_batches_family,
    )
    regenerated = _run(root, "-m", "generator")
    for op_id in ("createBatch", "listBatches", "retrieveBatch", "cancelBatch", "addUploadPart", "createSummary"):
        assert op_id in regenerated.stdout, f"the change report does not name {op_id}"
    assert "background" in regenerated.stdout
    typescript = (root / "generated" / "typescript" / "openapi.d.ts").read_text(encoding="utf-8")
    assert "/batches/{batch_id}/cancel" in typescript and "background?" in typescript

    seen = json.loads(_run(root, "-c", _DRIVE_ADDITIONS).stdout.strip().splitlines()[-1])
    assert seen["images.edit+background"] == "ImagesResponse"
    assert seen["uploads.parts.create"] == "upload_abc123"
    assert seen["summaries.stream"] and set(seen["summaries.stream"]) == {"Summary"}
    assert seen["summaries.create"] == "Summary"
    assert seen["batches"] == ["Batch", BATCH_EXAMPLE["id"], "batch", ["Batch"]]  # a list iterates its items
    assert seen["batches.create refused"] == 400
    assert seen["async"] == {
        "images.edit+background": "ImagesResponse",
        "uploads.parts.create": "upload_abc123",
        "summaries.stream": seen["summaries.stream"],
        "batches.retrieve": "batch_xyz",
    }
    assert seen["violations"] == []
    assert _changed(root) == {"spec/openapi.yaml", "generated"}


_DRIVE_RENAME = r"""
import json
import openai_api as oa
from openai_api_server import running

seen = {}
with running() as server:
    with oa.OpenAI(api_key=server.key, base_url=server.url, max_retries=0) as client:
        try:
            client.files.create(file=("notes.txt", b"hello", "text/plain"), purpose="assistants")
        except oa.APIError as exc:
            seen["client"] = [type(exc).__name__, str(exc)]
    seen["violations"] = list(server.state.violations)
print(json.dumps(seen))
"""


def test_a_renamed_field_is_breaking_and_fails_loudly_until_the_server_follows(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _copy_repository(root)
    _edit_spec(root, rename_a_response_field)
    regenerated = _run(root, "-m", "generator")
    assert "BREAKING" in regenerated.stdout and "filename" in regenerated.stdout

    gate = _run(root, "-m", "generator", "--release-check", check=False)
    assert gate.returncode == 1 and "OpenAIFile" in gate.stdout + gate.stderr
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    entry = "- `OpenAIFile`: `filename` is now `file_name` (the documents renamed it).\n"
    changelog.write_text(text.replace("## 0.3.0\n\n", "## 0.3.0\n\n" + entry + "\n", 1), encoding="utf-8")
    assert _run(root, "-m", "generator", "--release-check", check=False).returncode == 0

    # The stateful server still builds the old name: its own response check refuses the answer (a 500 naming the
    # field) and records the operation, so the rename cannot pass unnoticed.
    seen = json.loads(_run(root, "-c", _DRIVE_RENAME).stdout.strip().splitlines()[-1])
    assert seen["client"][0] in ("InternalServerError", "ResponseValidationError") and "file_name" in seen["client"][1]
    assert any("createFile" in violation for violation in seen["violations"]), seen["violations"]
    assert _changed(root) == {"spec/openapi.yaml", "generated", "CHANGELOG.md"}


def test_the_edits_are_valid_specs_of_their_own() -> None:
    """Each edit alone keeps the spec valid: a broken edit would fail the flow tests for the wrong reason."""
    from openapi_spec_validator import validate

    base: Spec = yaml.safe_load((REPO_ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8"))
    for edit in (
        add_a_field_to_a_multipart_operation,
        add_a_multipart_operation,
        add_a_streamed_operation,
        add_the_batches_family,
        rename_a_response_field,
    ):
        spec = copy.deepcopy(base)
        edit(spec)
        validate(spec)
