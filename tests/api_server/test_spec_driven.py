"""The server is driven by its spec: every operation of spec/openapi.yaml is routed and answers what the spec
allows; an operation a copy of the spec adds answers its example (or an instance of its schema) after the same
validation as every other; a stateful answer the spec no longer allows is a violation naming its operation.

Real uvicorn on 127.0.0.1 (``running()``); the answers are checked with openapi-core over the spec the server had.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from openai_api_server import Fault, RunningServer, running
from openai_api_server._examples import instance
from openai_api_server._spec import Spec
from tests.api_server.uploads import png
from tests.helpers.openapi_validation import Exchange
from tests.helpers.spec import Operation, deref, load_spec, operations
from tests.helpers.spec_copies import SpecChecker, spec_copy, write_spec

JSON = dict[str, Any]
KEY = "sk-test-org-a"
AUTH = {"Authorization": f"Bearer {KEY}"}


# --- valid requests from the spec ----------------------------------------------------------------------------------


def _example(node: JSON) -> Any:
    if "example" in node:
        return node["example"]
    for entry in node.get("examples", {}).values():
        return entry.get("value")
    return None


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str) and key:
        yield key, value


def _resolve(expression: str, body: Any) -> Any:
    """A runtime expression of a link, ``$response.body#/id``, on the answer's body."""
    for part in expression.partition("#")[2].strip("/").split("/"):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


@dataclass
class Learned:
    """What earlier answers told, for later requests: the values the spec's links give (path parameters and body
    fields), and every string field seen; a path parameter no link fills takes the last field named ``*_<name>``
    (what a job made: ``fine_tuned_model``), else ``<name>``, else its example."""

    linked: dict[tuple[str, str], Any] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)

    def learn(self, spec: JSON, op: Operation, status: int, body: Any) -> None:
        for link in deref(spec, op.op["responses"].get(str(status), {})).get("links", {}).values():
            for name, expression in link.get("parameters", {}).items():
                self.linked[(link["operationId"], name)] = _resolve(expression, body)
            for name, expression in (link.get("requestBody") or {}).items():
                self.linked[(link["operationId"], f"body.{name}")] = _resolve(expression, body)
        self.fields += _strings(body)

    def path_value(self, op: Operation, name: str, example: Any) -> Any:
        if (op.operation_id, name) in self.linked:
            return self.linked[(op.operation_id, name)]
        by_suffix = [value for key, value in self.fields if key.endswith(f"_{name}")]
        by_name = [value for key, value in self.fields if key == name]
        return (by_suffix or by_name or [example])[-1]

    def body_fields(self, op: Operation) -> JSON:
        return {k.removeprefix("body."): v for (o, k), v in self.linked.items() if o == op.operation_id and "." in k}


def _multipart(spec: JSON, media: JSON) -> JSON:
    """The form of the example, each file part a file that keeps the documents' rules (a square PNG, an audio file's
    extension, valid training records for the purpose)."""
    schema = deref(spec, media["schema"])
    given = dict(_example(media) or {})
    purpose = schema.get("x-purpose-rules", {}).get(str(given.get("purpose")), {})
    files: dict[str, tuple[str, bytes]] = {}
    data: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        rules = deref(spec, prop)
        if name not in given and name not in schema.get("required", []):
            continue
        if "contentMediaType" not in rules:
            data[name] = str(given.get(name, instance(Spec(spec), prop, name)))
            continue
        filename = str(given.get(name, f"{name}.bin"))
        extensions = rules.get("x-file-extensions") or purpose.get("file-extensions") or []
        if extensions and not filename.endswith(tuple(extensions)):
            filename = f"{name}{extensions[0]}"
        content = b"example bytes"
        if "image/png" in rules.get("x-media-types", []):
            content = png(16, 16)
        elif "record-schema" in purpose:
            record = instance(Spec(spec), {"$ref": purpose["record-schema"]})
            content = (httpx.Response(200, json=record).content + b"\n") * 2
        files[name] = (filename, content)
    return {"files": files, "data": data}


def _streams(spec: JSON, op: Operation) -> tuple[bool, ...]:
    """(False,) or, for an operation whose first 2xx answer can be an event stream, (False, True)."""
    status = min(k for k in op.op["responses"] if k.startswith("2"))
    return (
        (False, True) if "text/event-stream" in deref(spec, op.op["responses"][status]).get("content", {}) else (False,)
    )


def request_for(spec: JSON, op: Operation, learned: Learned, stream: bool) -> tuple[str, JSON]:
    """The raw path and the httpx arguments of a valid request: the spec's examples, with what earlier answers gave."""
    path = op.path
    parameters = op.parameters(spec)
    for p in parameters:
        if p["in"] == "path":
            value = learned.path_value(op, p["name"], _example(p))
            path = path.replace("{" + p["name"] + "}", quote(str(value), safe=""))
    query = {p["name"]: _example(p) for p in parameters if p["in"] == "query" and p.get("required")}
    arguments: JSON = {}
    content = op.op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = {**dict(_example(content["application/json"]) or {}), **learned.body_fields(op)}
        body.pop("stream", None)
        arguments["json"] = {**body, "stream": True} if stream else body
    elif "multipart/form-data" in content:
        arguments = _multipart(spec, content["multipart/form-data"])
    elif stream:
        query["stream"] = "true"
    if query:
        arguments["params"] = query
    servers = op.item.get("servers") or spec["servers"]
    return urlsplit(servers[0]["url"]).path + path, arguments


def _in_order(spec: JSON) -> list[Operation]:
    """The operations, those the spec's links lead to after their sources, those with path parameters after those
    without, deletes last."""
    ops = list(operations(spec))
    depth = dict.fromkeys((o.operation_id for o in ops), 0)
    edges = [
        (o.operation_id, link["operationId"])
        for o in ops
        for response in o.op["responses"].values()
        for link in deref(spec, response).get("links", {}).values()
    ]
    for _ in ops:
        for source, target in edges:
            depth[target] = max(depth[target], depth[source] + 1)
    with_path = {o.operation_id for o in ops if any(p["in"] == "path" for p in o.parameters(spec))}
    return sorted(ops, key=lambda o: (o.method == "delete", depth[o.operation_id], o.operation_id in with_path))


@dataclass
class Sent:
    op: Operation
    response: httpx.Response
    problems: list[str]


def send(
    web: httpx.Client, server: RunningServer, checker: SpecChecker, op: Operation, path: str, **arguments: Any
) -> Sent:
    """The request, and what its answer breaks in the spec (openapi-core over the spec the server had)."""
    response = web.request(op.method.upper(), server.root + path, **arguments)
    request = response.request
    exchange = Exchange(op.method.upper(), request.url.raw_path.decode("ascii"), dict(request.headers))
    exchange.status, exchange.response_headers = response.status_code, dict(response.headers)
    exchange.response_body = response.content
    return Sent(op, response, checker.response_errors(exchange, op.operation_id))


def walk(spec: JSON, server: RunningServer) -> list[Sent]:
    """Every operation of ``spec``, in order, each with a valid request (and a streamed one where it can stream)."""
    checker = SpecChecker(spec)
    learned = Learned()
    sent = []
    with httpx.Client(headers=AUTH, timeout=30) as web:
        for op in _in_order(spec):
            for stream in _streams(spec, op):
                path, arguments = request_for(spec, op, learned, stream)
                result = send(web, server, checker, op, path, **arguments)
                sent.append(result)
                if result.response.headers.get("content-type", "").startswith("application/json"):
                    learned.learn(spec, op, result.response.status_code, result.response.json())
    return sent


# --- (a) every operation of the spec -------------------------------------------------------------------------------


def test_every_operation_of_the_spec_is_routed_and_answers_what_the_spec_allows() -> None:
    spec = load_spec()
    with running(fine_tune_step=0) as server:
        sent = walk(spec, server)
        server.check()
    for result in sent:
        status = result.response.status_code
        assert 200 <= status < 300, (result.op.operation_id, status, result.response.text[:300])
        assert result.problems == [], (result.op.operation_id, result.problems)
    assert {r.op.operation_id for r in sent} == {o.operation_id for o in operations(spec)}
    streamed = [r.op.operation_id for r in sent if r.response.headers["content-type"].startswith("text/event-stream")]
    assert streamed and len(streamed) == len(set(streamed))


# --- (b) a copy of the spec with operations no handler implements --------------------------------------------------

ERRORS = {
    code: {"$ref": f"#/components/responses/{name}"}
    for code, name in [("400", "BadRequest"), ("401", "Unauthorized"), ("404", "NotFound")]
}
BATCH = {
    "id": "batch_abc123",
    "object": "batch",
    "endpoint": "/v1/chat/completions",
    "input_file_id": "file-abc123",
    "completion_window": "24h",
    "status": "validating",
    "created_at": 1711471533,
}
PART = {"id": "part_def456", "object": "upload.part", "upload_id": "upload_abc123", "created_at": 1719185911}
REPORT = "batch_abc123: 2 requests, 2 completed\n"


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(content: JSON) -> JSON:
    return {"200": {"description": "OK", "content": content}, **ERRORS}


def _op(op_id: str, responses: JSON, **more: Any) -> JSON:
    return {
        "operationId": op_id,
        "summary": op_id,
        "description": f"{op_id} (a new document).",
        **more,
        "responses": responses,
    }


def _path_parameter(name: str, example: str) -> JSON:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "example": example}


def with_new_operations(spec: JSON) -> JSON:
    """A Batches-like family (create, list, retrieve, cancel; a usage answer with no example, a binary output, a
    text report), a streamed operation and a multipart one: as a new document would bring them."""
    schemas = spec["components"]["schemas"]
    schemas["Batch"] = {
        "type": "object",
        "required": list(BATCH),
        "properties": {**{k: {"type": "string"} for k in BATCH}, "created_at": {"type": "integer"}},
    }
    schemas["CreateBatchRequest"] = {
        "type": "object",
        "required": ["input_file_id", "endpoint", "completion_window"],
        "properties": {
            "input_file_id": {"type": "string"},
            "endpoint": {"type": "string"},
            "completion_window": {"type": "string", "enum": ["24h"]},
            "metadata": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        },
    }
    schemas["ListBatchesResponse"] = {
        "type": "object",
        "required": ["object", "data", "has_more"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": _ref("Batch")},
            "has_more": {"type": "boolean"},
        },
    }
    schemas["BatchCounts"] = {
        "type": "object",
        "required": ["total", "completed"],
        "properties": {"total": {"type": "integer", "minimum": 1}, "completed": {"type": "integer", "minimum": 0}},
    }
    schemas["BatchUsage"] = {
        "allOf": [
            {
                "type": "object",
                "required": ["id", "counts"],
                "properties": {"id": {"type": "string"}, "counts": _ref("BatchCounts")},
            },
            {
                "type": "object",
                "required": ["state", "started_at", "window", "cost", "lines", "note"],
                "properties": {
                    "state": {"anyOf": [{"type": "null"}, {"type": "string", "enum": ["running", "done"]}]},
                    "started_at": {"type": "string", "format": "date-time"},
                    "window": {"type": "string", "default": "24h"},
                    "cost": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
                    "lines": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"oneOf": [_ref("BatchCounts"), {"type": "string"}]},
                    },
                    "note": {"type": ["string", "null"], "minLength": 12, "maxLength": 20},
                    "detail": {"type": "string", "example": "an optional field with an example"},
                },
            },
        ]
    }
    schemas["Summary"] = {
        "type": "object",
        "required": ["id", "object", "text"],
        "properties": {"id": {"type": "string"}, "object": {"type": "string"}, "text": {"type": "string"}},
    }
    schemas["SummaryStreamEvent"] = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "anyOf": [
                    {"type": "string", "contentMediaType": "application/json", "contentSchema": _ref("Summary")},
                    {"const": "[DONE]"},
                ]
            },
            "event": {"type": "string"},
        },
    }
    schemas["CreateSummaryRequest"] = {
        "type": "object",
        "required": ["model", "input"],
        "properties": {
            "model": {"type": "string"},
            "input": {"type": "string"},
            "stream": {"type": ["boolean", "null"]},
        },
    }
    schemas["UploadPart"] = {
        "type": "object",
        "required": list(PART),
        "properties": {**{k: {"type": "string"} for k in PART}, "created_at": {"type": "integer"}},
    }
    schemas["AddUploadPartRequest"] = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {"format": "binary", "contentMediaType": "application/octet-stream", "x-max-bytes": 1 << 20}
        },
    }
    json_body = {"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    create = {
        "required": True,
        "content": {"application/json": {"schema": _ref("CreateBatchRequest"), "example": json_body}},
    }
    one = _answer({"application/json": {"schema": _ref("Batch"), "example": BATCH}})
    listed = {"object": "list", "data": [BATCH], "has_more": False}
    batch_id = [_path_parameter("batch_id", "batch_abc123")]
    summary = {"id": "sum_1", "object": "summary", "text": "A short summary."}
    summarize = {"model": "gpt-3.5-turbo", "input": "Some long text."}
    stream = {"schema": _ref("SummaryStreamEvent"), "x-sse-terminator": "[DONE]"}
    spec["paths"].update(
        {
            "/batches": {
                "post": _op("createBatch", one, requestBody=create),
                "get": _op(
                    "listBatches",
                    _answer({"application/json": {"schema": _ref("ListBatchesResponse"), "example": listed}}),
                ),
            },
            "/batches/{batch_id}": {"parameters": batch_id, "get": _op("retrieveBatch", one)},
            "/batches/{batch_id}/cancel": {"post": _op("cancelBatch", one, parameters=batch_id)},
            "/batches/{batch_id}/usage": {
                "get": _op(
                    "retrieveBatchUsage",
                    _answer({"application/json": {"schema": _ref("BatchUsage")}}),
                    parameters=batch_id,
                )
            },
            "/batches/{batch_id}/output": {
                "get": _op(
                    "downloadBatchOutput",
                    _answer({"application/octet-stream": {"schema": {"contentMediaType": "application/octet-stream"}}}),
                    parameters=batch_id,
                )
            },
            "/batches/{batch_id}/report": {
                "get": _op(
                    "retrieveBatchReport",
                    _answer({"text/plain": {"schema": {"type": "string"}, "example": REPORT}}),
                    parameters=batch_id,
                )
            },
            "/summaries": {
                "post": _op(
                    "createSummary",
                    _answer(
                        {
                            "application/json": {"schema": _ref("Summary"), "example": summary},
                            "text/event-stream": stream,
                        }
                    ),
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": _ref("CreateSummaryRequest"), "example": summarize}},
                    },
                )
            },
            "/uploads/{upload_id}/parts": {
                "post": _op(
                    "addUploadPart",
                    _answer({"application/json": {"schema": _ref("UploadPart"), "example": PART}}),
                    parameters=[_path_parameter("upload_id", "upload_abc123")],
                    requestBody={
                        "required": True,
                        "content": {"multipart/form-data": {"schema": _ref("AddUploadPartRequest")}},
                    },
                )
            },
        }
    )
    return spec


@dataclass
class Copy:
    spec: JSON
    server: RunningServer
    web: httpx.Client

    def op(self, operation_id: str) -> Operation:
        return next(o for o in operations(self.spec) if o.operation_id == operation_id)

    def send(self, operation_id: str, path: str, **arguments: Any) -> Sent:
        return send(self.web, self.server, SpecChecker(self.spec), self.op(operation_id), path, **arguments)


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copy]:
    """A server on a copy of the spec with new operations, read from YAML as a user's edited spec would be."""
    spec = with_new_operations(spec_copy())
    path = write_spec(spec, tmp_path_factory.mktemp("spec"), "openapi.yaml")
    with running(spec_path=path) as server, httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as web:
        yield Copy(spec, server, web)
        server.check()


def _new_operations(spec: JSON) -> list[Operation]:
    known = {o.operation_id for o in operations(load_spec())}
    return [o for o in operations(spec) if o.operation_id not in known]


def test_each_new_operation_answers_its_example_after_validation(extended: Copy) -> None:
    spec, learned = extended.spec, Learned()
    new = _new_operations(spec)
    assert new, "the copy adds operations"
    for op in new:
        for stream in _streams(spec, op):
            path, arguments = request_for(spec, op, learned, stream)
            sent = extended.send(op.operation_id, path, **arguments)
            assert sent.response.status_code == 200, (op.operation_id, sent.response.text[:300])
            assert sent.problems == [], (op.operation_id, stream, sent.problems)
            content_type = sent.response.headers["content-type"].split(";")[0]
            media = Spec(spec).success(op.op)[1]["content"].get(content_type, {})
            if "example" in media:  # what the spec shows, as it shows it
                got = sent.response.json() if "json" in content_type else sent.response.text
                assert got == media["example"], op.operation_id


def test_a_retrieve_answers_the_id_it_was_asked_for(extended: Copy) -> None:
    retrieved = extended.send("retrieveBatch", "/v1/batches/batch_xyz")
    assert retrieved.response.json() == {**BATCH, "id": "batch_xyz"} and retrieved.problems == []
    cancelled = extended.send("cancelBatch", "/v1/batches/batch%3Aq/cancel").response.json()
    assert cancelled["id"] == "batch:q"  # decoded once, as every path parameter
    # A parameter the answer has a field of its own for goes there, not into the answer's id.
    part = extended.send("addUploadPart", "/v1/uploads/upload_q/parts", files={"data": ("p.bin", b"x")}).response.json()
    assert part == {**PART, "upload_id": "upload_q"}


def test_an_answer_without_an_example_is_an_instance_of_its_schema(extended: Copy) -> None:
    first = extended.send("retrieveBatchUsage", "/v1/batches/batch_u/usage")
    again = extended.send("retrieveBatchUsage", "/v1/batches/batch_u/usage")
    assert first.problems == [] and first.response.json() == again.response.json()
    usage = first.response.json()
    assert usage["id"] == "batch_u" and usage["window"] == "24h" and usage["state"] == "running"
    assert usage["detail"] == "an optional field with an example" and len(usage["lines"]) == 2
    binary = extended.send("downloadBatchOutput", "/v1/batches/batch_u/output")
    assert binary.response.headers["content-type"] == "application/octet-stream" and binary.response.content
    report = extended.send("retrieveBatchReport", "/v1/batches/batch_u/report")
    assert report.response.headers["content-type"].startswith("text/plain") and report.response.text == REPORT


def test_a_new_operation_refuses_what_every_operation_refuses(extended: Copy) -> None:
    body = {"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    web = extended.web
    wrong = web.post("/batches", json={**body, "completion_window": "1h"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == {
        "message": "'1h' is not one of ['24h'] - 'completion_window'",
        "type": "invalid_request_error",
        "param": "completion_window",
        "code": None,
    }
    unknown = web.post("/batches", json={**body, "priority": "high"})
    assert unknown.json()["error"]["message"] == "Unrecognized request argument supplied: priority"
    missing = web.post("/batches", json={"endpoint": "/v1/chat/completions", "completion_window": "24h"})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "input_file_id"
    assert web.post("/batches", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert httpx.get(extended.server.url + "/batches").status_code == 401
    assert httpx.get(extended.server.url + "/batches", headers={"Authorization": "Bearer sk-nope"}).status_code == 401
    refused = web.delete("/batches")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, POST"
    extended.server.inject(Fault(operation="createBatch", status=503, body='{"error": {"message": "busy"}}'))
    assert web.post("/batches", json=body).status_code == 503
    assert web.post("/batches", json=body).status_code == 200


def test_a_new_streamed_operation_streams_events_ending_in_the_terminator(extended: Copy) -> None:
    body = {"model": "gpt-3.5-turbo", "input": "Some long text."}
    streamed = extended.send("createSummary", "/v1/summaries", json={**body, "stream": True})
    assert streamed.response.headers["content-type"].startswith("text/event-stream")
    assert streamed.problems == [] and streamed.response.text.endswith("data: [DONE]\n\n")
    assert streamed.response.text.count("data: {") == 1 and '"A short summary."' in streamed.response.text
    plain = extended.send("createSummary", "/v1/summaries", json=body)
    assert plain.response.json()["text"] == "A short summary." and plain.problems == []
    extended.server.inject(Fault(operation="createSummary", cut_stream=True))
    cut = extended.web.post("/summaries", json={**body, "stream": True})
    assert "[DONE]" not in cut.text


def test_a_new_multipart_operation_validates_its_parts_and_answers(extended: Copy) -> None:
    web = extended.web
    made = web.post("/uploads/upload_abc123/parts", files={"data": ("part.bin", b"part bytes")})
    assert made.status_code == 200 and made.json() == PART
    assert web.post("/uploads/upload_abc123/parts", data={"other": "x"}, files={"data": ("p", b"x")}).status_code == 400
    as_text = web.post("/uploads/upload_abc123/parts", data={"data": "not a file"}, files={"x": ("", b"")})
    assert as_text.status_code == 400
    empty = web.post("/uploads/upload_abc123/parts", files={"nothing": ("p", b"x")})
    assert empty.status_code == 400


# --- (c) a stateful answer the spec no longer allows --------------------------------------------------------------


def _renamed(spec: JSON, schema: str, old: str, new: str) -> JSON:
    target = spec["components"]["schemas"][schema]
    target["properties"] = {(new if k == old else k): v for k, v in target["properties"].items()}
    target["required"] = [new if k == old else k for k in target.get("required", [])]
    return spec


def test_a_renamed_required_field_is_a_violation_naming_the_operation(tmp_path: Path) -> None:
    spec = _renamed(spec_copy(), "OpenAIFile", "filename", "file_name")
    with running(spec_path=write_spec(spec, tmp_path)) as server:
        made = httpx.post(
            server.url + "/files", headers=AUTH, files={"file": ("notes.txt", b"hi")}, data={"purpose": "assistants"}
        )
        assert made.status_code == 500, made.text
        assert made.json()["error"]["type"] == "server_error" and "file_name" in made.json()["error"]["message"]
        assert httpx.get(server.url + "/files", headers=AUTH).status_code == 500
        assert [v.split(":", 1)[0] for v in server.violations] == ["createFile", "listFiles"]
        assert "'file_name' is a required property" in server.violations[0]
        with pytest.raises(AssertionError, match="createFile: POST /v1/files -> 200"):
            server.check()


def test_a_renamed_optional_field_is_a_violation_too(tmp_path: Path) -> None:
    """An optional field renamed leaves nothing missing, and the old name passes an open schema: a handler's field
    the spec does not name is a violation of its own."""
    spec = _renamed(spec_copy(), "OpenAIFile", "status_details", "details")
    with running(spec_path=write_spec(spec, tmp_path)) as server:
        made = httpx.post(
            server.url + "/files", headers=AUTH, files={"file": ("n.txt", b"hi")}, data={"purpose": "assistants"}
        )
        assert made.status_code == 500
        assert server.violations and server.violations[0].startswith("createFile:")
        assert "'status_details' is not a field of the spec" in server.violations[0]


def test_the_fixture_fails_a_test_whose_server_answered_against_the_spec(tmp_path: Path) -> None:
    spec = _renamed(spec_copy(), "OpenAIFile", "filename", "file_name")
    write_spec(spec, tmp_path)
    (tmp_path / "conftest.py").write_text(
        "import pathlib, pytest\n"
        "@pytest.fixture\n"
        "def openai_server_options():\n"
        "    return {'spec_path': pathlib.Path(__file__).parent / 'openapi.json'}\n"
    )
    (tmp_path / "test_upload.py").write_text(
        "import httpx\n"
        "def test_upload(openai_server):\n"
        "    headers = {'Authorization': f'Bearer {openai_server.key}'}\n"
        "    files = {'file': ('a.txt', b'x')}\n"
        "    httpx.post(openai_server.url + '/files', headers=headers, files=files, data={'purpose': 'assistants'})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OPENAI_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_upload.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "1 passed, 1 error" in proc.stdout, proc.stdout + proc.stderr
    assert "createFile: POST /v1/files -> 200" in proc.stdout
