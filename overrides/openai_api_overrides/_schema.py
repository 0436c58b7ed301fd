"""A small walker over the spec's subset of JSON Schema: types, required fields, enums, lengths and ranges.

The installed client carries no validator library; this is enough to name the field where a body breaks the spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openai_api_overrides._spec import resolve

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def mismatch(schema: dict[str, Any], value: Any, path: str = "") -> tuple[str, str] | None:
    """The first place where ``value`` breaks ``schema``'s types, required fields or enums, as (path, reason).

    A small walker over the spec's subset of JSON Schema, so that the installed client needs no validator library.
    """
    schema = resolve(schema)
    if "anyOf" in schema:
        found = [mismatch(option, value, path) for option in schema["anyOf"]]
        return None if None in found else found[0]
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in allowed):
            return path or "(body)", f"expected {' or '.join(allowed)}, got {json.dumps(value)[:60]}"
    if "enum" in schema and value not in schema["enum"]:
        return path or "(body)", f"{value!r} is not one of {schema['enum']}"
    bounds = _bounds(schema, value)
    if bounds:
        return path or "(body)", bounds
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                return f"{path}.{name}".lstrip("."), "required field is missing"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found_in = mismatch(sub, value[name], f"{path}.{name}".lstrip("."))
                if found_in:
                    return found_in
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found_at = mismatch(schema["items"], item, f"{path}[{index}]")
            if found_at:
                return found_at
    return None


def _bounds(schema: dict[str, Any], value: Any) -> str | None:
    if isinstance(value, list | str):
        kind = "items" if isinstance(value, list) else "characters"
        if "minItems" in schema and len(value) < schema["minItems"]:
            return f"has {len(value)} {kind}, fewer than {schema['minItems']}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"has {len(value)} {kind}, more than {schema['maxItems']}"
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"has {len(value)} {kind}, fewer than {schema['minLength']}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"has {len(value)} {kind}, more than {schema['maxLength']}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value} is less than {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value} is more than {schema['maximum']}"
    return None
