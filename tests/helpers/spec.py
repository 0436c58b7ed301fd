"""Reading spec/openapi.yaml: its operations and validators for its schemas. Loading, ``$ref``s and names are the
spec-access module's (``openai_api._spec``), as for the client, the server and the generator."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS31Validator

from openai_api import _spec
from openai_api._spec import JSON, snake

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "spec" / "openapi.yaml"


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> JSON:
    """The spec file at ``path`` (read once per path); tests that change it work on a copy."""
    return _spec.load_file(path)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    item: JSON
    op: JSON

    @property
    def operation_id(self) -> str:
        return str(self.op["operationId"])

    @property
    def tag(self) -> str:
        return str(self.op["tags"][0])

    @property
    def module(self) -> str:
        """The generated module that holds this operation's functions."""
        return f"openai_api_client.api.{snake(self.tag)}.{snake(self.operation_id)}"

    def parameters(self, spec: JSON) -> list[JSON]:
        return [deref(spec, p) for p in [*self.item.get("parameters", []), *self.op.get("parameters", [])]]


def operations(spec: JSON | None = None) -> Iterator[Operation]:
    for method, path, item, op in _spec.operations(spec if spec is not None else load_spec()):
        yield Operation(method, path, item, op)


def deref(spec: JSON, node: JSON) -> JSON:
    """``node`` with its ``$ref``s followed in ``spec``."""
    found: JSON = _spec.resolve(node, spec)
    return found


def schema_validator(schema: JSON, spec: JSON | None = None) -> Validator:
    """A JSON Schema 2020-12 (OAS 3.1) validator for ``schema``, whose ``#/components/...`` refs resolve in the spec."""
    spec = spec if spec is not None else load_spec()
    root = {"components": spec["components"], "allOf": [schema]}
    validator: Validator = OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
    return validator


def sse_events(stream: str) -> list[str]:
    """The ``data`` payloads of a server-sent event stream, as text, ``[DONE]`` included."""
    events = []
    for block in re.split(r"\r\n\r\n|\n\n|\r\r", stream):
        data = [line[5:].removeprefix(" ") for line in re.split(r"\r\n|\n|\r", block) if line.startswith("data:")]
        if data:
            events.append("\n".join(data))
    return events


def event_data_schema(media: JSON, spec: JSON | None = None) -> JSON:
    """The schema of the JSON in each ``data`` of an event stream: the event schema's ``data.contentSchema``.

    Per the OpenAPI media type registry, a text/event-stream schema describes one event (``data``, ``event``, ``id``,
    ``retry``); the chunk object is the content of its ``data`` string.
    """
    spec = spec if spec is not None else load_spec()
    event = deref(spec, media["schema"])
    schema: JSON = event["properties"]["data"]["anyOf"][0]["contentSchema"]
    return schema
