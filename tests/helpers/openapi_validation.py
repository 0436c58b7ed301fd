"""openapi-core over spec/openapi.yaml, for any HTTP exchange: what a request or response breaks, as text.

Servers are made relative (``/v1``) so that an exchange with a local server matches the spec's paths. Event
streams are checked event by event against the chunk schema (openapi-core reads a body whole).
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.helpers.spec import event_data_schema, load_spec, schema_validator, sse_events


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


def _describe(errors: Any) -> list[str]:
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


@functools.cache
def _openapi() -> OpenAPI:
    spec = copy.deepcopy(load_spec())
    spec["servers"] = [{"url": "/v1"}]
    for item in spec["paths"].values():
        if "servers" in item:
            item["servers"] = [{"url": "/v1"}]
    return OpenAPI.from_dict(spec)


def request_errors(exchange: Exchange) -> list[str]:
    """What the request breaks in the spec (empty when it is valid)."""
    return _describe(_openapi().unmarshal_request(_Request(exchange)).errors)


def response_errors(exchange: Exchange) -> list[str]:
    """What the response breaks in the spec; an event stream is checked event by event."""
    content_type = {k.lower(): v for k, v in exchange.response_headers.items()}.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        return sse_errors(exchange)
    result = _openapi().unmarshal_response(_Request(exchange), _Response(exchange))
    return _describe(result.errors)


def _operation(exchange: Exchange) -> dict[str, Any]:
    path = urlsplit(exchange.target).path.removeprefix("/v1")
    spec = load_spec()
    for template, item in spec["paths"].items():
        pattern = template.split("/")
        parts = path.split("/")
        if len(pattern) == len(parts) and all(p == q or p.startswith("{") for p, q in zip(pattern, parts, strict=True)):
            op: dict[str, Any] = item[exchange.method.lower()]
            return op
    raise LookupError(f"no path in the spec for {path}")


def sse_errors(exchange: Exchange) -> list[str]:
    media = _operation(exchange)["responses"][str(exchange.status)]["content"]["text/event-stream"]
    validator = schema_validator(event_data_schema(media))
    events = sse_events(exchange.response_body.decode("utf-8"))
    errors = []
    if not events or events[-1] != "[DONE]":
        errors.append("the stream does not end with data: [DONE]")
    for index, data in enumerate(e for e in events if e != "[DONE]"):
        try:
            value = json.loads(data)
        except ValueError:
            errors.append(f"event {index} is not JSON: {data[:80]!r}")
            continue
        errors += [f"event {index}: {e.message}" for e in validator.iter_errors(value)]
    return errors
