"""Every parameter and field the four source documents name is in the spec, and says it comes from that document.

The expected lists below are read off the documents in ``/work/shared/seeds/`` by hand: 000's request and response
tables, 001's sections, 002's request-body blocks (and its path parameters), 003's request body. When a document
gains a field, add it here: the test then fails, naming it, until the spec has it with an ``x-source`` for that
document. A field's source is its own ``x-source``, or else that of the schema (or parameter) that holds it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.spec import deref, load_spec, operations

SPEC = load_spec()
OPERATIONS = {op.operation_id: op for op in operations(SPEC)}

_FILE_000 = ("id", "object", "bytes", "created_at", "filename", "purpose")
_FILE_001 = (*_FILE_000, "status", "status_details")


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _rows(document: str, operation: str, location: str, names: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    return [(document, operation, location, name) for name in names]


# (document, operationId, location, name); location is path, query, header, request or response (200, JSON), and a
# name inside an array is written `data[].id`.
DOCUMENTED_FIELDS: list[tuple[str, str, str, str]] = [
    # 000: the gateway's tables (请求参数 and 返回数据结构) of each operation.
    *_rows("000", "createFile", "header", ("Authorization",)),
    *_rows("000", "createFile", "request", ("file", "purpose")),
    *_rows("000", "createFile", "response", _FILE_000),
    *_rows("000", "deleteFile", "path", ("file_id",)),
    *_rows("000", "deleteFile", "header", ("Authorization",)),
    *_rows("000", "deleteFile", "response", ("id", "object", "deleted")),
    *_rows("000", "retrieveFile", "path", ("file_id",)),
    *_rows("000", "retrieveFile", "header", ("Authorization",)),
    *_rows("000", "retrieveFile", "response", _FILE_000),
    *_rows("000", "downloadFile", "path", ("file_id",)),
    *_rows("000", "downloadFile", "header", ("Authorization",)),
    *_rows("000", "listFilesGateway", "query", ("purpose",)),
    *_rows("000", "listFilesGateway", "header", ("Authorization",)),
    *_rows("000", "listFilesGateway", "response", ("data", "object", *(f"data[].{n}" for n in _FILE_000))),
    # 001: the OpenAI Files reference, section by section, and its File object.
    *_rows("001", "createFile", "request", ("file", "purpose")),
    *_rows("001", "createFile", "response", _FILE_001),
    *_rows("001", "listFiles", "query", ("purpose", "limit", "order", "after")),
    *_rows("001", "listFiles", "response", ("data", "object", *(f"data[].{n}" for n in _FILE_001))),
    *_rows("001", "retrieveFile", "path", ("file_id",)),
    *_rows("001", "retrieveFile", "response", _FILE_001),
    *_rows("001", "deleteFile", "path", ("file_id",)),
    *_rows("001", "deleteFile", "response", ("id", "object", "deleted")),
    *_rows("001", "downloadFile", "path", ("file_id",)),
    # 002: the request-body blocks (请求正文) and path parameters (路径参数).
    *_rows("002", "retrieveModel", "path", ("model",)),
    *_rows(
        "002",
        "createCompletion",
        "request",
        _names(
            "model prompt suffix max_tokens temperature top_p n stream logprobs echo stop presence_penalty"
            " frequency_penalty best_of logit_bias user"
        ),
    ),
    *_rows(
        "002",
        "createChatCompletion",
        "request",
        _names(
            "model messages temperature top_p n stream stop max_tokens presence_penalty frequency_penalty"
            " logit_bias user"
        ),
    ),
    *_rows("002", "createEdit", "request", _names("model input instruction n temperature top_p")),
    *_rows("002", "createImage", "request", _names("prompt n size response_format user")),
    *_rows("002", "createImageEdit", "request", _names("image mask prompt n size response_format user")),
    *_rows("002", "createImageVariation", "request", _names("image n size response_format user")),
    *_rows("002", "createEmbedding", "request", _names("model input user")),
    *_rows("002", "createTranscription", "request", _names("file model prompt response_format temperature language")),
    *_rows("002", "createTranslation", "request", ("file", "model", "prompt", "response_format", "temperature")),
    *_rows("002", "createFile", "request", ("file", "purpose")),
    *_rows("002", "deleteFile", "path", ("file_id",)),
    *_rows("002", "retrieveFile", "path", ("file_id",)),
    *_rows("002", "createFineTune", "request", ("training_file", "validation_file")),
    # 003: the blog post's request body.
    *_rows("003", "createFile", "request", ("file", "purpose")),
]


def _documents(node: dict[str, Any]) -> set[str]:
    return {str(entry["document"]) for entry in node.get("x-source", [])}


def _field(schema: dict[str, Any], name: str) -> tuple[bool, set[str]]:
    """Whether the dotted ``name`` exists under ``schema``, and the documents its source names."""
    sources: set[str] = set()
    node = schema
    for part in name.split("."):
        array = part.endswith("[]")
        key = part.removesuffix("[]")
        holder = deref(SPEC, node)
        prop = holder.get("properties", {}).get(key)
        if prop is None:
            return False, set()
        # The property's own x-source wins; else the schema holding it answers for it.
        sources = _documents(prop) or _documents(deref(SPEC, prop)) or _documents(holder)
        node = deref(SPEC, prop)["items"] if array else prop
    return True, sources


def _trace(operation: str, location: str, name: str) -> tuple[bool, set[str]]:
    op = OPERATIONS[operation]
    if location == "header" and name == "Authorization":
        # The gateway's table lists the bearer header; the spec says it once, as the security scheme.
        scheme = SPEC["components"]["securitySchemes"]["bearerAuth"]
        everywhere = all("bearerAuth" in alternative for alternative in SPEC["security"]) and "security" not in op.op
        return everywhere, _documents(scheme)
    if location in ("path", "query", "header"):
        for param in op.parameters(SPEC):
            if (param["in"], param["name"]) == (location, name):
                return True, _documents(param)
        return False, set()
    if location == "request":
        media = op.op["requestBody"]["content"]
        return _field(next(iter(media.values()))["schema"], name)
    response = deref(SPEC, op.op["responses"]["200"])
    return _field(response["content"]["application/json"]["schema"], name)


@pytest.mark.parametrize(
    ("document", "operation", "location", "name"),
    DOCUMENTED_FIELDS,
    ids=[f"{d}-{o}-{loc}-{n}" for d, o, loc, n in DOCUMENTED_FIELDS],
)
def test_every_documented_field_is_in_the_spec_and_traced(
    document: str, operation: str, location: str, name: str
) -> None:
    found, sources = _trace(operation, location, name)
    assert found, f"document {document} names {location} `{name}` of {operation}; the spec lacks it"
    assert document in sources, f"{operation} {location} `{name}`: x-source names {sorted(sources)}, not {document}"


def test_the_list_covers_every_operation_documents_000_to_003_describe() -> None:
    traced = {(d, o) for d, o, _, _ in DOCUMENTED_FIELDS}
    for op in OPERATIONS.values():
        for entry in op.op["x-source"]:
            if entry["document"] in ("000", "001", "003"):
                assert (entry["document"], op.operation_id) in traced, (entry["document"], op.operation_id)


def test_every_parameter_names_its_source() -> None:
    for op in OPERATIONS.values():
        for param in op.parameters(SPEC):
            assert _documents(param), f"{op.operation_id}: parameter {param['name']} has no x-source"


def test_every_security_scheme_names_its_source() -> None:
    for name, scheme in SPEC["components"]["securitySchemes"].items():
        assert _documents(scheme), f"security scheme {name} has no x-source"


def test_every_object_schema_names_its_source() -> None:
    missing = [
        name
        for name, schema in SPEC["components"]["schemas"].items()
        if ("properties" in schema or "contentMediaType" in schema) and not _documents(schema)
    ]
    assert missing == []


def test_a_field_missing_from_the_spec_fails_naming_it() -> None:
    found, _ = _trace("listFiles", "query", "before")
    assert not found
    found, sources = _trace("createFineTune", "request", "n_epochs")
    assert found and sources == {"public"}
