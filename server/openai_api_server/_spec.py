"""The spec the server follows: the client's bundled ``openai_api_client/openapi.json``, so no checkout is needed."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS31Validator

JSON = dict[str, Any]
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@functools.cache
def load_spec() -> JSON:
    text = resources.files("openai_api_client").joinpath("openapi.json").read_text(encoding="utf-8")
    spec: JSON = json.loads(text)
    return spec


def deref(node: JSON, spec: JSON | None = None) -> JSON:
    spec = spec if spec is not None else load_spec()
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation(method: str, path: str) -> JSON | None:
    """The spec's operation for a request path under /v1 (``/v1/files/file-1``), or None."""
    parts = path.removeprefix("/v1").split("/")
    for template, item in load_spec()["paths"].items():
        pattern = template.split("/")
        if len(pattern) == len(parts) and all(p == q or p.startswith("{") for p, q in zip(pattern, parts, strict=True)):
            op: JSON | None = item.get(method.lower())
            return op
    return None


def operation_ids() -> dict[str, tuple[str, str]]:
    """Every operation id of the spec, with its method and its path under /v1."""
    found = {}
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found[item[method]["operationId"]] = (method.upper(), "/v1" + path)
    return found


def request_schema(op: JSON) -> JSON | None:
    """The schema of an operation's request body (JSON or multipart), dereferenced."""
    content = op.get("requestBody", {}).get("content", {})
    for media in content.values():
        return deref(media["schema"])
    return None


def schema_validator(schema: JSON) -> Validator:
    """A JSON Schema 2020-12 (OAS 3.1) validator for ``schema``, whose ``#/components/...`` refs resolve in the spec."""
    root = {"components": load_spec()["components"], "allOf": [schema]}
    validator: Validator = OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
    return validator


def event_data_schema(op: JSON) -> JSON:
    """The schema of the JSON in each ``data`` of an operation's event stream (the event's ``data.contentSchema``)."""
    event = deref(op["responses"]["200"]["content"]["text/event-stream"]["schema"])
    schema: JSON = event["properties"]["data"]["anyOf"][0]["contentSchema"]
    return schema


def component(name: str) -> JSON:
    schema: JSON = load_spec()["components"]["schemas"][name]
    return schema


_ID_PATH = re.compile(r"^[A-Za-z0-9_:.\-]+$")


def plausible_id(value: str) -> bool:
    """An object id as the API makes them: no slash, not ``.`` or ``..``, no control character."""
    return bool(_ID_PATH.match(value)) and value not in (".", "..")
