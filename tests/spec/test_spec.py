"""spec/openapi.yaml: valid, lint-clean, complete, and every example true to its schema."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.helpers.spec import (
    REPO_ROOT,
    SPEC_PATH,
    deref,
    event_data_schema,
    load_spec,
    operations,
    schema_validator,
    sse_events,
)

# Every operation the source documents describe, as (method, path under /v1, documents).
DOCUMENTED_OPERATIONS = [
    ("get", "/models", "002"),
    ("get", "/models/{model}", "002"),
    ("delete", "/models/{model}", "public legacy fine-tunes reference"),
    ("post", "/completions", "002"),
    ("post", "/chat/completions", "002"),
    ("post", "/edits", "002"),
    ("post", "/images/generations", "002"),
    ("post", "/images/edits", "002"),
    ("post", "/images/variations", "002"),
    ("post", "/embeddings", "002"),
    ("post", "/audio/transcriptions", "002"),
    ("post", "/audio/translations", "002"),
    ("get", "/files", "001 002"),
    ("post", "/files", "000 001 002 003"),
    ("get", "/files%2520_", "000"),
    ("get", "/files/{file_id}", "000 001 002"),
    ("delete", "/files/{file_id}", "000 001 002"),
    ("get", "/files/{file_id}/content", "000 001 002"),
    ("post", "/fine-tunes", "002"),
    ("get", "/fine-tunes", "public legacy fine-tunes reference"),
    ("get", "/fine-tunes/{fine_tune_id}", "public legacy fine-tunes reference"),
    ("post", "/fine-tunes/{fine_tune_id}/cancel", "public legacy fine-tunes reference"),
    ("get", "/fine-tunes/{fine_tune_id}/events", "public legacy fine-tunes reference"),
]

SPEC = load_spec()
OPERATIONS = list(operations(SPEC))
OP_IDS = [op.operation_id for op in OPERATIONS]


def test_openapi_spec_validator_accepts_the_spec() -> None:
    spec_dict, base_uri = read_from_filename(str(SPEC_PATH))
    validate(spec_dict, base_uri=base_uri)
    assert spec_dict["openapi"].startswith("3.1")


def test_redocly_lint_reports_no_problem() -> None:
    redocly = REPO_ROOT / "node_modules" / ".bin" / "redocly"
    assert redocly.exists(), "run scripts/setup.sh: it installs the pinned Redocly CLI from package-lock.json"
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(redocly), "lint", "--format", "json", str(SPEC_PATH)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    report = json.loads(proc.stdout)
    problems = [p for p in report["problems"] if not p.get("ignored")]
    assert proc.returncode == 0 and problems == [], json.dumps(problems, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(("method", "path", "documents"), DOCUMENTED_OPERATIONS)
def test_every_documented_operation_is_in_the_spec(method: str, path: str, documents: str) -> None:
    assert method in SPEC["paths"].get(path, {}), f"{method.upper()} {path} (documents {documents}) is missing"


def test_the_spec_has_no_operation_the_documents_lack() -> None:
    documented = {(m, p) for m, p, _ in DOCUMENTED_OPERATIONS}
    assert {(op.method, op.path) for op in OPERATIONS} == documented


def test_operation_ids_are_unique_and_readable() -> None:
    assert len(set(OP_IDS)) == len(OP_IDS)
    for op_id in OP_IDS:
        assert op_id.isidentifier() and op_id[0].islower(), op_id


def test_servers_security_and_info() -> None:
    assert SPEC["info"]["title"] == "OpenAI API"
    assert [s["url"] for s in SPEC["servers"]] == ["https://api.openai.com/v1", "https://api.mygptlife.com/v1"]
    bearer = SPEC["components"]["securitySchemes"]["bearerAuth"]
    assert {k: v for k, v in bearer.items() if k != "x-source"} == {
        "type": "http",
        "scheme": "bearer",
        "description": bearer["description"],
    }
    # The organization is an optional header scheme (a client setting), never a per-operation parameter.
    assert SPEC["security"] == [{"bearerAuth": [], "OpenAIOrganization": []}, {"bearerAuth": []}]
    org = SPEC["components"]["securitySchemes"]["OpenAIOrganization"]
    assert (org["type"], org["name"], org["in"]) == ("apiKey", "OpenAI-Organization", "header")
    assert "OpenAIOrganization" not in SPEC["components"].get("parameters", {})
    for op in OPERATIONS:
        names = [p["name"] for p in op.parameters(SPEC)]
        assert "OpenAI-Organization" not in names, op.operation_id


def test_gateway_path_is_declared_on_the_gateway_only() -> None:
    item = SPEC["paths"]["/files%2520_"]
    assert [s["url"] for s in item["servers"]] == ["https://api.mygptlife.com/v1"]
    assert item["x-gateway-quirk"]["gateway"] == "api.mygptlife.com"
    assert item["x-gateway-quirk"]["canonical-path"] == "/files"


@pytest.mark.parametrize("op", OPERATIONS, ids=OP_IDS)
def test_every_operation_names_its_source_and_errors(op: Any) -> None:
    assert op.op.get("x-source"), "x-source names the document and section"
    for entry in op.op["x-source"]:
        assert entry["document"] in {"000", "001", "002", "003", "public"} and entry["section"]
    assert op.op.get("summary") and op.op.get("description")
    for status in ("400", "401", "404", "429", "5XX"):
        response = deref(SPEC, op.op["responses"][status])
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, status


def _examples(media: dict[str, Any]) -> list[tuple[str, Any]]:
    found = [(name, deref(SPEC, ex)["value"]) for name, ex in media.get("examples", {}).items()]
    if "example" in media:
        found.append(("example", media["example"]))
    return found


@pytest.mark.parametrize("op", OPERATIONS, ids=OP_IDS)
def test_request_examples_validate(op: Any) -> None:
    if "requestBody" not in op.op:
        return
    for content_type, media in op.op["requestBody"]["content"].items():
        examples = _examples(media)
        assert examples, f"{content_type} request has no example"
        validator = schema_validator(media["schema"], SPEC)
        for name, value in examples:
            errors = [e.message for e in validator.iter_errors(value)]
            assert not errors, f"request example {name}: {errors}"


@pytest.mark.parametrize("op", OPERATIONS, ids=OP_IDS)
def test_response_examples_validate(op: Any) -> None:
    checked = 0
    for status, response in op.op["responses"].items():
        for content_type, media in deref(SPEC, response).get("content", {}).items():
            examples = _examples(media)
            assert examples, f"{status} {content_type} has no example"
            schema = event_data_schema(media, SPEC) if content_type == "text/event-stream" else media["schema"]
            validator = schema_validator(schema, SPEC)
            for name, value in examples:
                if content_type == "text/event-stream":
                    events = sse_events(value)
                    assert events[-1] == "[DONE]", f"{name}: a stream example ends with data: [DONE]"
                    values = [json.loads(data) for data in events[:-1]]
                    assert values, f"{name}: a stream example has events"
                else:
                    values = [value]
                for item in values:
                    errors = [e.message for e in validator.iter_errors(item)]
                    assert not errors, f"{status} {content_type} example {name}: {errors}"
                    checked += 1
    assert checked


@pytest.mark.parametrize("op", OPERATIONS, ids=OP_IDS)
def test_parameter_examples_validate(op: Any) -> None:
    for param in op.parameters(SPEC):
        assert param.get("examples"), f"parameter {param['name']} has no example"
        validator = schema_validator(param["schema"], SPEC)
        for name, example in param["examples"].items():
            errors = [e.message for e in validator.iter_errors(example["value"])]
            assert not errors, f"parameter {param['name']} example {name}: {errors}"


def test_streaming_operations_declare_event_streams() -> None:
    streaming = {
        op.operation_id for op in OPERATIONS if "text/event-stream" in op.op["responses"]["200"].get("content", {})
    }
    assert streaming == {"createCompletion", "createChatCompletion", "listFineTuneEvents"}
    for op in OPERATIONS:
        media = op.op["responses"]["200"]["content"].get("text/event-stream")
        if media:
            event = deref(SPEC, media["schema"])
            json_data, done = event["properties"]["data"]["anyOf"]
            assert event["required"] == ["data"] and done == {"const": "[DONE]"}
            assert (json_data["type"], json_data["contentMediaType"]) == ("string", "application/json")


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Any:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def test_no_nullable_keyword_and_null_inside_nullable_enums() -> None:
    for path, node in _walk(SPEC):
        if isinstance(node, dict) and path and path[-1] != "properties":
            assert "nullable" not in node, f"{path}: use type: [X, 'null'], never nullable"
            types = node.get("type")
            if "enum" in node and isinstance(types, list) and "null" in types:
                assert None in node["enum"], f"{path}: a nullable enum lists null"


def test_no_yaml_flow_mapping_split_by_a_comma() -> None:
    # `{description: a, b}` in YAML silently makes "b" a key with a null value.
    for path, node in _walk(SPEC):
        if isinstance(node, dict):
            for key, value in node.items():
                assert not (value is None and " " in str(key)), f"{path}: stray key {key!r}"


def _request_schemas() -> list[tuple[str, Any]]:
    found = []
    for op in OPERATIONS:
        for content_type, media in op.op.get("requestBody", {}).get("content", {}).items():
            found.append((f"{op.operation_id} {content_type}", media["schema"]))
    return found


def test_request_schemas_carry_no_defaults() -> None:
    seen: set[str] = set()
    pending = [schema for _, schema in _request_schemas()]
    while pending:
        schema = pending.pop()
        if "$ref" in schema:
            if schema["$ref"] in seen:
                continue
            seen.add(schema["$ref"])
        for path, node in _walk(deref(SPEC, schema)):
            if isinstance(node, dict):
                assert "default" not in node or (path and path[-1] == "properties"), f"default in {schema}"
                if "$ref" in node and node is not schema:
                    pending.append({"$ref": node["$ref"]})


def test_file_parts_are_octet_streams_with_an_encoding_entry() -> None:
    for label, schema in _request_schemas():
        if not label.endswith("multipart/form-data"):
            continue
        op_id = label.split()[0]
        media = next(op for op in OPERATIONS if op.operation_id == op_id).op["requestBody"]["content"][
            "multipart/form-data"
        ]
        for name, prop in deref(SPEC, schema)["properties"].items():
            prop = deref(SPEC, prop)
            if "contentMediaType" in prop or prop.get("format") == "binary":
                # Under 3.1 a validator takes uploaded bytes only for a schema with contentMediaType and no type;
                # format: binary stays as the hint fuzzers and 3.0-era generators read to send bytes.
                assert prop["contentMediaType"] == "application/octet-stream", f"{label} {name}"
                assert "type" not in prop and prop["format"] == "binary", f"{label} {name}"
                assert name in media["encoding"], f"{label}: part {name} has no encoding entry"
            elif prop.get("type") in ("integer", "number"):
                assert media["encoding"].get(name, {}).get("style") == "form", f"{label}: {name} is read as text"


def test_limits_are_machine_readable() -> None:
    schemas = SPEC["components"]["schemas"]
    upload = schemas["CreateFileRequest"]
    assert upload["properties"]["file"]["x-max-bytes"] == 512 * 1024 * 1024
    rules = upload["x-purpose-rules"]
    assert rules["fine-tune"]["file-extensions"] == [".jsonl"]
    assert rules["fine-tune"]["record-schema"] == "#/components/schemas/FineTuneTrainingRecord"
    assert rules["batch"]["max-bytes"] == 200 * 1024 * 1024
    assert SPEC["paths"]["/files"]["post"]["x-organization-max-bytes"] == 100 * 1024**3
    image = schemas["ImageFile"]
    assert (image["x-max-bytes"], image["x-media-types"], image["x-square"]) == (4 * 1024 * 1024, ["image/png"], True)
    assert schemas["ImagePrompt"]["maxLength"] == 1000
    assert (schemas["ImageCount"]["minimum"], schemas["ImageCount"]["maximum"]) == (1, 10)
    assert schemas["AudioFile"]["x-file-extensions"] == [
        ".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"
    ]  # fmt: skip
    assert schemas["AudioResponseFormat"]["x-text-formats"] == ["text", "srt", "vtt"]


def test_file_object_has_every_documented_field_and_purpose() -> None:
    file_schema = SPEC["components"]["schemas"]["OpenAIFile"]
    assert set(file_schema["properties"]) == {
        "id", "object", "bytes", "created_at", "filename", "purpose", "status", "status_details"
    }  # fmt: skip
    assert file_schema["properties"]["status_details"]["deprecated"] is True
    assert SPEC["components"]["schemas"]["FileStatus"]["deprecated"] is True
    # The seeds' seven purposes, then the two the public reference added (issue 13).
    assert SPEC["components"]["schemas"]["FilePurposeKnown"]["enum"] == [
        "assistants", "assistants_output", "batch", "batch_output", "fine-tune", "fine-tune-results", "vision",
        "user_data", "evals",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("record", "valid"),
    [
        ({"prompt": "Say this", "completion": " is a test"}, True),
        ({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}, True),
        ({"prompt": "no completion"}, False),
        ({"messages": []}, False),
        ({"messages": [{"role": "robot", "content": "Hi"}]}, False),
        (["not", "an", "object"], False),
    ],
)
def test_training_record_schema(record: Any, valid: bool) -> None:
    validator = schema_validator({"$ref": "#/components/schemas/FineTuneTrainingRecord"}, SPEC)
    assert validator.is_valid(record) is valid


def test_operations_link_for_stateful_testing() -> None:
    upload_links = SPEC["paths"]["/files"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in upload_links.values()} == {
        "retrieveFile",
        "deleteFile",
        "downloadFile",
        "createFineTune",
    }
    create_links = SPEC["paths"]["/fine-tunes"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in create_links.values()} == {
        "retrieveFineTune",
        "cancelFineTune",
        "listFineTuneEvents",
    }
