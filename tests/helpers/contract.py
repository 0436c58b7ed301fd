"""Layer 1 of the contract tests: an httpx transport that holds every request to the spec and answers from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.helpers.openapi_validation import Exchange, _operation, request_errors, response_errors
from tests.helpers.spec import deref, load_spec

# An answer: status, content type, body bytes.
Answer = tuple[int, str, bytes]
Responder = Callable[[dict[str, Any], httpx.Request], Answer]


@dataclass
class ContractTransport:
    """Validates each request with openapi-core, answers with ``responder``, validates the answer too.

    A request that breaks the spec gets a 400 and is recorded in ``request_problems``; an answer that breaks it
    (a bug in the responder) is recorded in ``response_problems``.
    """

    responder: Responder
    request_problems: list[str] = field(default_factory=list)
    response_problems: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        target = request.url.raw_path.decode("ascii")
        exchange = Exchange(request.method, target, dict(request.headers), body)
        problems = request_errors(exchange)
        if problems:
            self.request_problems.extend(problems)
            error = {"error": {"message": "; ".join(problems), "type": "invalid_request_error"}}
            return httpx.Response(400, json=error)
        operation = _operation(exchange)
        self.seen.append(str(operation["operationId"]))
        status, content_type, content = self.responder(operation, request)
        exchange.status = status
        exchange.response_headers = {"content-type": content_type}
        exchange.response_body = content
        self.response_problems.extend(response_errors(exchange))
        return httpx.Response(status, headers={"content-type": content_type}, content=content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def response_media(operation: dict[str, Any], content_type: str, status: str = "200") -> dict[str, Any]:
    media: dict[str, Any] = deref(load_spec(), operation["responses"][status])["content"][content_type]
    return media


def example_values(media: dict[str, Any]) -> list[Any]:
    spec = load_spec()
    values = [deref(spec, example)["value"] for example in media.get("examples", {}).values()]
    if "example" in media:
        values.append(media["example"])
    return values


def encode(content_type: str, value: Any) -> bytes:
    if content_type == "application/json":
        return json.dumps(value).encode()
    return value.encode() if isinstance(value, str) else bytes(value)


def sse_body(events: list[Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(event).encode() + b"\n\n" for event in events) + b"data: [DONE]\n\n"


def inline(schema: Any, spec: dict[str, Any] | None = None, names: bool = False) -> Any:
    """``schema`` with every ``$ref`` replaced by its target and the spec's ``x-`` keys dropped: a self-contained
    JSON Schema for hypothesis-jsonschema. ``names`` marks a ``properties`` map, whose keys are field names."""
    spec = spec if spec is not None else load_spec()
    if isinstance(schema, dict):
        if names:
            return {name: inline(sub, spec) for name, sub in schema.items()}
        if "$ref" in schema:
            merged = {**deref(spec, {"$ref": schema["$ref"]}), **{k: v for k, v in schema.items() if k != "$ref"}}
            return inline(merged, spec)
        return {
            k: inline(v, spec, names=k == "properties")
            for k, v in schema.items()
            if not k.startswith("x-") and k not in ("deprecated", "description", "examples", "example")
        }
    if isinstance(schema, list):
        return [inline(item, spec) for item in schema]
    return schema
