"""openapi-core over the server's spec: the problems of a request, or of a response, as openapi-core reports them;
and the fields of an answer that its schema does not name.

Servers are made relative (``/v1``) so that any host and port match the spec's paths.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from openai_api._spec import JSON
from openai_api_server._spec import Spec


@dataclass
class Exchange:
    """One request, or one request and its response, as plain data."""

    method: str
    target: str  # the raw path and query, as sent on the wire
    headers: dict[str, str]
    body: bytes = b""
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""


class _Request:
    def __init__(self, exchange: Exchange) -> None:
        parts = urlsplit(exchange.target)
        self.method = exchange.method.lower()
        self.host_url = "http://127.0.0.1"
        self.path = parts.path
        self.body = exchange.body or None
        headers = {k.lower(): v for k, v in exchange.headers.items()}
        self.content_type = headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(parts.query, keep_blank_values=True)),
            header=Headers(list(exchange.headers.items())),
            cookie=ImmutableMultiDict(),
            path={},
        )

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


class _Response:
    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.headers = Headers(list(exchange.response_headers.items()))
        self.content_type = self.headers.get("content-type", "")
        self.data = exchange.response_body


def _close_open_enums(node: Any) -> None:
    """Makes every open enum (``anyOf: [{$ref: ...Known}, {type: string}]``) closed, in place.

    The spec leaves them open so that a client never refuses a value the API may have added; the API itself knows its
    values and refuses any other, and so does this server.
    """
    if isinstance(node, dict):
        options = node.get("anyOf")
        if isinstance(options, list) and any(str(o.get("$ref", "")).endswith("Known") for o in options):
            kept = [o for o in options if o != {"type": "string"}]
            if len(kept) == 1:
                # allOf of the one alternative left: validators then report the enum itself ("'x' is not one of").
                node["allOf"] = kept
                del node["anyOf"]
            else:
                node["anyOf"] = kept
        for value in node.values():
            _close_open_enums(value)
    elif isinstance(node, list):
        for value in node:
            _close_open_enums(value)


@functools.lru_cache(maxsize=4)
def _openapi(spec: Spec) -> OpenAPI:
    data = copy.deepcopy(spec.data)
    _close_open_enums(data)
    data["servers"] = [{"url": spec.base or "/"}]
    for path in spec.paths:
        if "servers" in path.item:
            data["paths"][path.template]["servers"] = [{"url": path.base or "/"}]
    return OpenAPI.from_dict(data)


def request_errors(exchange: Exchange, spec: Spec | None = None) -> list[Exception]:
    """openapi-core's errors for a request (empty when it is valid); errors.describe turns them into sentences."""
    request = _Request(exchange)
    errors: list[Exception] = list(_openapi(spec or Spec.load()).unmarshal_request(request).errors)
    return errors


def describe(errors: list[Exception]) -> list[str]:
    """Every detail of openapi-core's errors, for a log of spec violations (not for an answer to a client)."""
    found = []
    for error in errors:
        text = f"{type(error).__name__}: {error}"
        cause = error.__cause__
        while cause is not None:
            details = getattr(cause, "schema_errors", None)
            text += f" <- {type(cause).__name__}: {cause}"
            if details:
                text += " [" + "; ".join(str(getattr(d, "message", d)) for d in details) + "]"
            cause = cause.__cause__
        found.append(text)
    return found


def response_errors(exchange: Exchange, spec: Spec | None = None) -> list[str]:
    """What a (non-streamed) response breaks in the spec."""
    result: Any = _openapi(spec or Spec.load()).unmarshal_response(_Request(exchange), _Response(exchange))
    return describe(list(result.errors))


def undeclared_fields(spec: Spec, schema: JSON, value: Any, where: str = "") -> list[str]:
    """The fields of ``value`` that its schema does not name, where the schema names its fields and says nothing of
    others (an object of ``properties``, through ``items`` and ``$ref``). openapi-core lets them pass; a handler that
    sends one builds a field the spec has renamed or dropped."""
    schema = spec.deref(schema)
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [f for i, item in enumerate(value) for f in undeclared_fields(spec, items, item, f"{where}[{i}]")]
    properties = schema.get("properties")
    if not isinstance(value, dict) or not isinstance(properties, dict) or "additionalProperties" in schema:
        return []
    found: list[str] = []
    for name, item in value.items():
        path = f"{where}.{name}" if where else name
        found += undeclared_fields(spec, properties[name], item, path) if name in properties else [path]
    return found


def undeclared(spec: Spec, schema: JSON, value: Any) -> list[str]:
    """:func:`undeclared_fields` as problems to report."""
    return [f"'{name}' is not a field of the spec" for name in undeclared_fields(spec, schema, value)]
