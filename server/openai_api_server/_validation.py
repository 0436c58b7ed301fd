"""openapi-core over the bundled spec: the problems of a request, or of a response, as openapi-core reports them.

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

from openai_api_server._spec import load_spec


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


@functools.cache
def _openapi() -> OpenAPI:
    spec = copy.deepcopy(load_spec())
    _close_open_enums(spec)
    spec["servers"] = [{"url": "/v1"}]
    for item in spec["paths"].values():
        if "servers" in item:
            item["servers"] = [{"url": "/v1"}]
    return OpenAPI.from_dict(spec)


def request_errors(exchange: Exchange) -> list[Exception]:
    """openapi-core's errors for a request (empty when it is valid); errors.describe turns them into sentences."""
    errors: list[Exception] = list(_openapi().unmarshal_request(_Request(exchange)).errors)
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


def response_errors(exchange: Exchange) -> list[str]:
    """What a (non-streamed) response breaks in the spec."""
    result: Any = _openapi().unmarshal_response(_Request(exchange), _Response(exchange))
    return describe(list(result.errors))
