"""What an operation no handler implements answers: its first 2xx response, with the spec's example for the media
type, or else an instance built from the schema; as events when the request asks for a stream.

Instances are deterministic: required properties and those with a ``default`` or an example, an enum's first value,
a ``const``, the first branch of an ``anyOf``/``oneOf`` (not ``null``), ``allOf`` merged, arrays of one item (or
``minItems``), numbers at their minimum, strings of their format, and a string field holds its own name.
"""

from __future__ import annotations

import json
from typing import Any

from openai_api._spec import JSON
from openai_api_server._spec import Spec

EVENT_STREAM = "text/event-stream"
_DEPTH = 12  # deeper than any answer of the spec: a schema that refers to itself stops here
_FORMATS = {
    "date-time": "2023-11-14T22:13:20Z",
    "date": "2023-11-14",
    "time": "22:13:20Z",
    "duration": "P1D",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uri-reference": "/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "binary": "",
    "byte": "",
}


def answer(spec: Spec, op: JSON, params: dict[str, str], stream: bool) -> tuple[int, str | None, Any]:
    """The status, media type and value of the operation's example answer: a JSON value for JSON, a str for
    text, bytes for any other type, a list of event data for an event stream (``stream``, or the only media type),
    None for a response without content. A retrieve answers the id it was asked for (see :func:`echo`)."""
    status, response = spec.success(op)
    content: JSON = response.get("content", {})
    if EVENT_STREAM in content and (stream or len(content) == 1):
        return status, EVENT_STREAM, events(spec, content)
    media_types = sorted((m for m in content if m != EVENT_STREAM), key=lambda m: not is_json(m))
    if not media_types:
        return status, None, None
    media_type = media_types[0]
    media = content[media_type]
    value = example(spec, media)
    if value is None:
        value = instance(spec, media.get("schema", {}))
    if is_json(media_type):
        return status, media_type, echo(spec, media.get("schema", {}), value, params)
    text = value if isinstance(value, str) else json.dumps(value)
    return status, media_type, text if media_type.startswith("text/") else text.encode()


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def example(spec: Spec, media: JSON) -> Any:
    """The media type's ``example``, or the value of its first ``examples`` entry; None when it has neither."""
    if "example" in media:
        return media["example"]
    for entry in media.get("examples", {}).values():
        return spec.deref(entry).get("value")
    return None


def events(spec: Spec, content: JSON) -> list[Any]:
    """The data of an example stream: the events of the stream's own example (its ``data:`` lines, without the
    ``x-sse-terminator``); else the JSON answer's example, if it is one of the stream's events; else an instance of
    the event data's schema."""
    media = content[EVENT_STREAM]
    given = example(spec, media)
    if isinstance(given, str):
        lines = [line.removeprefix("data:").strip() for line in given.splitlines() if line.startswith("data:")]
        found = [json.loads(data) for data in lines if data and data != media.get("x-sse-terminator")]
        if found:
            return found
    schema = spec.event_data_schema(media)
    sibling = next((example(spec, m) for t, m in content.items() if is_json(t)), None)
    if sibling is not None and spec.schema_validator(schema).is_valid(sibling):
        return [sibling]
    return [instance(spec, schema)]


def echo(spec: Spec, schema: JSON, value: Any, params: dict[str, str]) -> Any:
    """``value`` with the request's path parameters in it: each in the string field of its name, and one the answer
    has no field for (the last) as its ``id``, so that a retrieve of ``batch_xyz`` answers ``batch_xyz``."""
    properties = _properties(spec, schema)
    if not isinstance(value, dict) or not params:
        return value
    targets = {name: given for name, given in params.items() if name in properties}
    unplaced = [given for name, given in params.items() if name not in properties]
    if unplaced and "id" not in targets:
        targets["id"] = unplaced[-1]
    value = dict(value)
    for name, given in targets.items():
        if name in properties and _takes_a_string(spec.deref(properties[name])):
            value[name] = given
    return value


def _properties(spec: Spec, schema: JSON) -> JSON:
    """The properties an object schema names, its ``allOf`` parts' included."""
    schema = spec.deref(schema)
    parts = [_properties(spec, part) for part in schema.get("allOf", [])]
    return {k: v for part in [*parts, schema.get("properties", {})] for k, v in part.items()}


def _takes_a_string(schema: JSON) -> bool:
    kind = schema.get("type")
    return kind is None or kind == "string" or (isinstance(kind, list) and "string" in kind)


def instance(spec: Spec, schema: Any, name: str = "", depth: int = 0) -> Any:
    """A value of ``schema``, the same on every call (see the module's docstring)."""
    if not isinstance(schema, dict):
        return None
    schema = spec.merged(schema)
    for key in ("const", "example", "default"):
        if key in schema:
            return schema[key]
    for key in ("examples", "enum"):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    if depth > _DEPTH:
        return None
    if isinstance(schema.get("allOf"), list):
        parts = [instance(spec, part, name, depth + 1) for part in schema["allOf"]]
        merged = {k: v for part in parts if isinstance(part, dict) for k, v in part.items()}
        return merged if merged or not parts else parts[-1]
    for key in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(key, []) if b != {"type": "null"}] or schema.get(key, [])
        if branches:
            return instance(spec, branches[0], name, depth + 1)
    return _typed(spec, schema, name, depth)


def _typed(spec: Spec, schema: JSON, name: str, depth: int) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        required = schema.get("required", [])
        properties: JSON = schema.get("properties", {})
        wanted = [k for k, p in properties.items() if k in required or _has_a_value(spec.deref(p))]
        made = {key: instance(spec, properties[key], key, depth + 1) for key in wanted}
        return {**{key: key for key in required if key not in properties}, **made}
    if kind == "array":
        items = schema.get("items", {})
        return [instance(spec, items, name, depth + 1) for _ in range(max(1, int(schema.get("minItems", 0))))]
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return False
    if kind == "string" or "contentMediaType" in schema or "format" in schema:
        return _string(schema, name)
    return None


def _has_a_value(schema: JSON) -> bool:
    """A property the spec gives a value: generated even when it is optional."""
    return any(key in schema for key in ("default", "example", "examples", "const"))


def _number(schema: JSON, kind: str) -> int | float:
    value = float(schema["minimum"]) if "minimum" in schema else float(schema.get("exclusiveMinimum", -1)) + 1
    if "maximum" in schema:
        value = min(value, float(schema["maximum"]))
    return int(value) if kind == "integer" else float(value)


def _string(schema: JSON, name: str) -> str:
    text = _FORMATS.get(str(schema.get("format")), name or "string").ljust(int(schema.get("minLength", 0)), "x")
    return text[: int(schema["maxLength"])] if "maxLength" in schema else text
