"""A small validator for the spec's subset of JSON Schema: types, required fields, enums, lengths and ranges.

The installed client carries no validator library; this is enough to name the field where a body breaks the spec.
Every 2xx JSON body is checked on the way in (the generated parsers would otherwise fail with a bare ``KeyError``),
so a check must cost little beside ``json.loads``: a schema is compiled once into Python source, one straight-line
function per referenced schema with the simple fields checked inline, and run through ``compile``. Walking the
schema dicts on each call cost 350 µs for a page of 20 files; nested closures, 75 µs for a page of 10; the
generated code, 10 µs (where ``json.loads`` of that page takes 14 µs). Paths are built only on failure, so a
passing check does no string work.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from openai_api._spec import resolve

Problem = tuple[str, str]
Check = Callable[[Any], Problem | None]
"""A compiled check: the first (path relative to the value, reason) where the value breaks its schema."""

# `type(v) is str` first: what json.loads returns passes at that test, twice as fast as isinstance; a subclass (a str
# enum in a request body) still passes at the second.
_TESTS = {
    "object": "(type({v}) is dict or isinstance({v}, dict))",
    "array": "(type({v}) is list or isinstance({v}, list))",
    "string": "(type({v}) is str or isinstance({v}, str))",
    "integer": "(type({v}) is int or (isinstance({v}, int) and not isinstance({v}, bool)))",
    "number": (
        "(type({v}) is float or type({v}) is int or (isinstance({v}, (int, float)) and not isinstance({v}, bool)))"
    ),
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
}
_BOUNDS = ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum")


def compile_schema(schema: dict[str, Any], *, strict: bool = True) -> Check:
    """A check of ``schema``: called with a value, it returns the first (path, reason) that breaks it, or None.

    Without ``strict`` only what a parser relies on is checked (types and required fields): enums and bounds are
    the server's business, and the spec's enums are open for forward compatibility anyway.
    """
    return _Compiler(strict).build(schema)


@functools.cache
def component_check(name: str, *, strict: bool) -> Check:
    """The check of ``#/components/schemas/<name>``, compiled once per process."""
    return compile_schema({"$ref": f"#/components/schemas/{name}"}, strict=strict)


def mismatch(schema: dict[str, Any], value: Any, path: str = "") -> Problem | None:
    """The first place where ``value`` breaks ``schema``, as (path, reason); for one-off checks."""
    found = compile_schema(schema)(value)
    if found is None:
        return None
    return _join(path, found[0]) or "(body)", found[1]


def _join(parent: str, child: str) -> str:
    """A path below ``parent``."""
    if not child:
        return parent
    if not parent or child.startswith("["):
        return parent + child
    return f"{parent}.{child}"


def _expected(expected: str, value: Any) -> str:
    return f"expected {expected}, got {json.dumps(value)[:60]}"


def _not_one_of(value: Any, values: list[Any]) -> str:
    return f"{value!r} is not one of {values}"


class _Compiler:
    """Writes one function per schema node that needs one; simple properties are checked inline."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.sources: list[str] = []
        self.names: dict[str, Any] = {"_join": _join, "_expected": _expected, "_not_one_of": _not_one_of}
        # A $ref gets one function; a recursive schema calls it by name (names bind when the module runs).
        self.refs: dict[str, str] = {}

    def build(self, schema: dict[str, Any]) -> Check:
        root = self.function(schema)
        code = compile("\n".join(self.sources), "<openai_api schema check>", "exec")
        exec(code, self.names)
        check: Check = self.names[root]
        return check

    def const(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def function(self, schema: dict[str, Any]) -> str:
        """The name of a function checking ``schema``."""
        ref = schema.get("$ref")
        if ref is not None:
            name = self.refs.get(ref)
            if name is None:
                name = self.refs[ref] = f"_f{len(self.refs) + len(self.sources)}_ref"
                self.emit(name, resolve(schema))
            return name
        name = f"_f{len(self.refs) + len(self.sources)}"
        self.emit(name, schema)
        return name

    def emit(self, name: str, schema: dict[str, Any]) -> None:
        slot = len(self.sources)
        self.sources.append("")  # keeps its place: sub-functions are written while this one is
        body = self.body(schema, "v", "''", "    ")
        self.sources[slot] = f"def {name}(v):\n" + "".join(body) + "    return None\n"

    def simple(self, schema: dict[str, Any]) -> bool:
        """Whether a schema checks only the value itself (type, enum, bounds), so it can be inlined."""
        return not any(key in schema for key in ("$ref", "anyOf", "required", "properties", "items"))

    def inlined(self, schema: dict[str, Any]) -> bool:
        """Whether a property's (resolved) schema is checked inline: a simple one, or a choice of simple ones."""
        if self.simple(schema):
            return True
        nested = ("$ref", "required", "properties", "items")
        return (
            "anyOf" in schema
            and not any(key in schema for key in nested)
            and self.any_of_test(schema["anyOf"], "x") is not None
        )

    def test(self, schema: dict[str, Any], v: str) -> str | None:
        """One expression true where ``v`` meets ``schema``, for a simple schema without bounds; else None."""
        if not self.simple(schema) or (self.strict and any(key in schema for key in _BOUNDS)):
            return None
        tests = []
        types = schema.get("type")
        if types is not None:
            allowed = [types] if isinstance(types, str) else list(types)
            tests.append(" or ".join(_TESTS[name].format(v=v) for name in allowed))
        if self.strict and "enum" in schema:
            tests.append(f"{v} in {self.const(list(schema['enum']))}")
        return " and ".join(f"({test})" for test in tests) or "True"

    def any_of_test(self, options: list[dict[str, Any]], v: str) -> str | None:
        """One expression true where ``v`` meets one of ``options``, when every option is simple; else None.

        The spec's open enums are ``anyOf: [<a string enum>, string]`` on every file, chunk and message: inline,
        they cost one type test instead of four function calls."""
        tests = [self.test(resolve(option), v) for option in options]
        if any(test is None for test in tests):
            return None
        return " or ".join(f"({test})" for test in dict.fromkeys(tests) if test is not None)

    def body(self, schema: dict[str, Any], v: str, path: str, pad: str) -> list[str]:
        """Statements that return ``(path, reason)`` where ``v`` breaks ``schema``; in the order the checks
        always ran: anyOf, type, enum, bounds, then the fields of an object and the items of an array."""
        lines: list[str] = []
        if "anyOf" in schema:
            options = [self.function(option) for option in schema["anyOf"]]
            first, rest = options[0], options[1:]
            inline = self.any_of_test(schema["anyOf"], v)
            if inline is not None:
                # Only a failure calls the options, for the first option's reason.
                lines.append(f"{pad}if not ({inline}):\n")
                lines.append(f"{pad}    r = {first}({v})\n{pad}    return (_join({path}, r[0]), r[1])\n")
            else:
                lines.append(f"{pad}r = {first}({v})\n")
                inner = pad
                for option in rest:
                    lines.append(f"{inner}if r is not None and {option}({v}) is not None:\n")
                    inner += "    "
                lines.append(f"{inner}if r is not None:\n{inner}    return (_join({path}, r[0]), r[1])\n")
        types = schema.get("type")
        if types is not None:
            allowed = [types] if isinstance(types, str) else list(types)
            test = " or ".join(_TESTS[name].format(v=v) for name in allowed)
            expected = self.const(" or ".join(allowed))
            lines.append(f"{pad}if not ({test}):\n{pad}    return ({path}, _expected({expected}, {v}))\n")
        if self.strict and "enum" in schema:
            values = self.const(list(schema["enum"]))
            lines.append(f"{pad}if {v} not in {values}:\n{pad}    return ({path}, _not_one_of({v}, {values}))\n")
        if self.strict and any(key in schema for key in _BOUNDS):
            bounds = self.const(_bounds)
            lines.append(f"{pad}b = {bounds}({self.const(schema)}, {v})\n")
            lines.append(f"{pad}if b is not None:\n{pad}    return ({path}, b)\n")
        required = list(schema.get("required", []))
        properties = list(schema.get("properties", {}).items())
        if required or properties:
            # The type test above has returned for anything but an object when the type is "object" alone.
            inner = pad
            if types != "object":
                lines.append(f"{pad}if isinstance({v}, dict):\n")
                inner = pad + "    "
            if required:
                # All present, in one set operation; the loop that names the missing one runs on failure only.
                lines.append(f"{inner}if not {self.const(frozenset(required))} <= {v}.keys():\n")
                lines.append(f"{inner}    for k in {self.const(required)}:\n")
                lines.append(f"{inner}        if k not in {v}:\n")
                lines.append(f"{inner}            return (_join({path}, k), 'required field is missing')\n")
            for field, sub in properties:
                key = repr(field)
                present = field in required
                at = inner if present else inner + "    "
                if not present:
                    lines.append(f"{inner}if {key} in {v}:\n")
                target = resolve(sub)
                if self.inlined(target):
                    checks = self.body(target, "x", f"_join({path}, {key})", at)
                    if checks:
                        lines.append(f"{at}x = {v}[{key}]\n")
                        lines += checks
                    elif not present:
                        lines.append(f"{at}pass\n")
                else:
                    function = self.function(sub)
                    lines.append(f"{at}r = {function}({v}[{key}])\n")
                    lines.append(f"{at}if r is not None:\n")
                    lines.append(f"{at}    return (_join(_join({path}, {key}), r[0]), r[1])\n")
        if "items" in schema:
            function = self.function(schema["items"])
            # The index is found on failure only: enumerate costs a tuple per item.
            at = pad
            if types != "array":
                lines.append(f"{pad}if isinstance({v}, list):\n")
                at = pad + "    "
            lines.append(f"{at}for e in {v}:\n")
            lines.append(f"{at}    r = {function}(e)\n")
            lines.append(f"{at}    if r is not None:\n")
            lines.append(f"{at}        i = next(i for i, y in enumerate({v}) if y is e)\n")
            lines.append(f"{at}        return (_join(_join({path}, f'[{{i}}]'), r[0]), r[1])\n")
        return lines


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
