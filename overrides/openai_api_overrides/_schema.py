"""A small validator for the spec's subset of JSON Schema: types, required fields, enums, lengths and ranges.

The installed client carries no validator library; this is enough to name the field where a body breaks the spec.
Schemas are compiled once into nested checks: every 2xx JSON body is checked on the way in (the generated parsers
would otherwise fail with a bare ``KeyError``), so walking the schema dicts on each call would cost more than the
call itself (350 µs for a page of 20 files, against about 15 µs compiled).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openai_api_overrides._spec import resolve

Problem = tuple[str, str]
Check = Callable[[Any], Problem | None]
"""A compiled check: the first (path relative to the value, reason) where the value breaks its schema."""

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def compile_schema(schema: dict[str, Any], *, strict: bool = True) -> Check:
    """A check of ``schema``: called with a value, it returns the first (path, reason) that breaks it, or None.

    Without ``strict`` only what a parser relies on is checked (types and required fields): enums and bounds are
    the server's business, and the spec's enums are open for forward compatibility anyway.
    """
    return _Compiler(strict).compile(schema)


def mismatch(schema: dict[str, Any], value: Any, path: str = "") -> Problem | None:
    """The first place where ``value`` breaks ``schema``, as (path, reason); for one-off checks."""
    found = compile_schema(schema)(value)
    if found is None:
        return None
    return _join(path, found[0]) or "(body)", found[1]


def _join(parent: str, child: str) -> str:
    """A path below ``parent``: paths are built only on failure, so a passing check costs no string work."""
    if not child:
        return parent
    if not parent or child.startswith("["):
        return parent + child
    return f"{parent}.{child}"


class _Compiler:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        # A $ref compiles once; a recursive schema reaches its own entry through the late-bound cell.
        self.refs: dict[str, list[Check]] = {}

    def compile(self, schema: dict[str, Any]) -> Check:
        ref = schema.get("$ref")
        if ref is None:
            return self._compile(schema)
        cell = self.refs.get(ref)
        if cell is None:
            cell = self.refs[ref] = []
            cell.append(self._compile(resolve(schema)))
        return lambda value: cell[0](value)

    def _compile(self, schema: dict[str, Any]) -> Check:
        checks: list[Check] = []
        if "anyOf" in schema:
            checks.append(self._any_of([self.compile(option) for option in schema["anyOf"]]))
        types = schema.get("type")
        if types is not None:
            checks.append(_type_check([types] if isinstance(types, str) else list(types)))
        if self.strict and "enum" in schema:
            checks.append(_enum_check(list(schema["enum"])))
        if self.strict:
            bounds = _bounds_check(schema)
            if bounds is not None:
                checks.append(bounds)
        required = list(schema.get("required", []))
        properties = [(name, self.compile(sub)) for name, sub in schema.get("properties", {}).items()]
        if required or properties:
            checks.append(_object_check(required, properties))
        if "items" in schema:
            checks.append(_array_check(self.compile(schema["items"])))
        if len(checks) == 1:
            return checks[0]

        def check_all(value: Any) -> Problem | None:
            for check in checks:
                found = check(value)
                if found is not None:
                    return found
            return None

        return check_all

    @staticmethod
    def _any_of(options: list[Check]) -> Check:
        def check(value: Any) -> Problem | None:
            first: Problem | None = None
            for option in options:
                found = option(value)
                if found is None:
                    return None
                first = first or found
            return first

        return check


def _type_check(allowed: list[str]) -> Check:
    tests = [_TYPES[name] for name in allowed]
    expected = " or ".join(allowed)

    def check(value: Any) -> Problem | None:
        for test in tests:
            if test(value):
                return None
        return "", f"expected {expected}, got {json.dumps(value)[:60]}"

    return check


def _enum_check(values: list[Any]) -> Check:
    def check(value: Any) -> Problem | None:
        return None if value in values else ("", f"{value!r} is not one of {values}")

    return check


def _object_check(required: list[str], properties: list[tuple[str, Check]]) -> Check:
    def check(value: Any) -> Problem | None:
        if not isinstance(value, dict):
            return None
        for name in required:
            if name not in value:
                return name, "required field is missing"
        for name, sub in properties:
            if name in value:
                found = sub(value[name])
                if found is not None:
                    return _join(name, found[0]), found[1]
        return None

    return check


def _array_check(item: Check) -> Check:
    def check(value: Any) -> Problem | None:
        if not isinstance(value, list):
            return None
        for index, element in enumerate(value):
            found = item(element)
            if found is not None:
                return _join(f"[{index}]", found[0]), found[1]
        return None

    return check


def _bounds_check(schema: dict[str, Any]) -> Check | None:
    keys = ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum")
    if not any(key in schema for key in keys):
        return None

    def check(value: Any) -> Problem | None:
        reason = _bounds(schema, value)
        return None if reason is None else ("", reason)

    return check


def _bounds(schema: dict[str, Any], value: Any) -> str | None:
    if isinstance(value, list | str):
        kind = "items" if isinstance(value, list) else "characters"
        low = schema.get("minItems" if isinstance(value, list) else "minLength")
        high = schema.get("maxItems" if isinstance(value, list) else "maxLength")
        if low is not None and len(value) < low:
            return f"has {len(value)} {kind}, fewer than {low}"
        if high is not None and len(value) > high:
            return f"has {len(value)} {kind}, more than {high}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value} is less than {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value} is more than {schema['maximum']}"
    return None
