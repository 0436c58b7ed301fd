"""Copies of spec/openapi.yaml with edits, for a server started on the copy (``running(spec_path=...)``), and
openapi-core over any such copy: what a response breaks, an event stream checked event by event."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from openapi_core import OpenAPI

from tests.helpers.openapi_validation import Exchange, _describe, _Request, _Response
from tests.helpers.spec import deref, event_data_schema, load_spec, operations, schema_validator, sse_events

JSON = dict[str, Any]


def spec_copy() -> JSON:
    """A copy of spec/openapi.yaml to edit."""
    return copy.deepcopy(load_spec())


def write_spec(spec: JSON, folder: Path, name: str = "openapi.json") -> Path:
    """``spec`` in ``folder``, as JSON, or as YAML for a name ending in ``.yaml``."""
    path = folder / name
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True) if name.endswith(".yaml") else json.dumps(spec)
    path.write_text(text, encoding="utf-8")
    return path


class SpecChecker:
    """openapi-core over ``spec``, its servers made relative (``/v1``) so that a local server's exchanges match."""

    def __init__(self, spec: JSON) -> None:
        self.spec = spec
        relative = copy.deepcopy(spec)
        relative["servers"] = [{"url": urlsplit(spec["servers"][0]["url"]).path}]
        for item in relative["paths"].values():
            if "servers" in item:
                item["servers"] = [{"url": urlsplit(item["servers"][0]["url"]).path}]
        self.openapi = OpenAPI.from_dict(relative)

    def request_errors(self, exchange: Exchange) -> list[str]:
        return _describe(self.openapi.unmarshal_request(_Request(exchange)).errors)

    def response_errors(self, exchange: Exchange, operation_id: str) -> list[str]:
        """What the response breaks; an event stream is checked event by event, and must end with its terminator."""
        content_type = {k.lower(): v for k, v in exchange.response_headers.items()}.get("content-type", "")
        if not content_type.startswith("text/event-stream"):
            return _describe(self.openapi.unmarshal_response(_Request(exchange), _Response(exchange)).errors)
        op = next(o.op for o in operations(self.spec) if o.operation_id == operation_id)
        media = deref(self.spec, op["responses"][str(exchange.status)])["content"]["text/event-stream"]
        validator = schema_validator(event_data_schema(media, self.spec), self.spec)
        events = sse_events(exchange.response_body.decode("utf-8"))
        terminator = media.get("x-sse-terminator")
        errors = [] if events and events[-1] == terminator else [f"the stream does not end with data: {terminator}"]
        data = [e for e in events if e != terminator]
        if not data:
            errors.append("the stream has no event")
        for index, text in enumerate(data):
            errors += [f"event {index}: {e.message}" for e in validator.iter_errors(json.loads(text))]
        return errors
