"""Hooks for ``schemathesis run`` (loaded through SCHEMATHESIS_HOOKS=tests.contract.schemathesis_hooks).

schemathesis, like openapi-python-client, sends a multipart file part as bytes only when the part is written the
OpenAPI 3.0 way, ``type: string, format: binary``. The spec writes it the 3.1 way (``contentMediaType`` and no
``type``: openapi-core accepts uploaded bytes only so), and schemathesis then draws any JSON value for the part,
and drops it from the request when that value is false or empty. This adds ``type: string`` to the copy of the
spec schemathesis loads; the spec the server validates against is unchanged.

The server refuses request fields the spec does not name, as the real API does; the copy's request bodies say so
(``additionalProperties: false``), so that schemathesis sends unknown fields only in its negative tests.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def _with_string_type(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("contentMediaType") == "application/octet-stream" and "type" not in node:
            node["type"] = "string"
            node.setdefault("format", "binary")
        for value in node.values():
            _with_string_type(value)
    elif isinstance(node, list):
        for value in node:
            _with_string_type(value)


def _closed_request_bodies(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for item in spec["paths"].values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                target = schemas[ref.rsplit("/", 1)[-1]] if ref else media["schema"]
                if "properties" in target:
                    target["additionalProperties"] = False


@schemathesis.hook
def before_load_schema(ctx: Any, raw_schema: dict[str, Any]) -> None:
    _with_string_type(raw_schema)
    _closed_request_bodies(raw_schema)
