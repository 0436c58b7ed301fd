"""Writes ``checks.py``: the check of every component schema and of each operation's 2xx JSON answers, from the spec.

The client holds every 2xx JSON body to the spec before a generated parser sees it, so the checks are Python source
written here, once, rather than compiled from the bundled spec at run time: a first call imports them instead of
parsing ``openapi.json`` and compiling. The module's docstring (``_checks_prelude.py.txt``) gives the speed design
and what each mode checks. Each schema node that needs a function gets one per mode (``_lenient_<name>``,
``_strict_<name>``; a node without a name of its own is named after the function that checks it, plus a number); a
simple property (a type, an enum, bounds, or a choice of such) is checked inline in its parent's function.

A ``$ref`` is checked as its target: its siblings (a description, say) say nothing a check reads. A schema that
refers to itself calls its own function by name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openai_api._spec import operations as spec_operations
from openai_api._spec import resolve

JSON = dict[str, Any]

_PRELUDE_PATH = Path(__file__).with_name("_checks_prelude.py.txt")
_COMPONENT = "#/components/schemas/"
_SIGNATURE = "(v: Any) -> Problem | None:\n"

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


def render(spec: JSON) -> str:
    """The text of ``checks.py`` for ``spec``: the prelude, then both modes' functions, then the tables."""
    names = _Names()
    lenient = _Compiler(spec, strict=False, names=names)
    strict = _Compiler(spec, strict=True, names=names)
    components = list(spec.get("components", {}).get("schemas", {}))
    for name in components:
        for compiler in (lenient, strict):
            compiler.function({"$ref": _COMPONENT + name}, "")
    routes = [_route(key, operation, lenient, strict) for key, operation in _operations(spec)]
    out = [_PRELUDE_PATH.read_text(encoding="utf-8")]
    out += [f"{name} = {value}" for value, name in names.constants.items()]
    out += ["", *lenient.sources, *strict.sources]
    for table, compiler in (("COMPONENT_CHECKS", lenient), ("STRICT_COMPONENT_CHECKS", strict)):
        mode = "strict" if compiler is strict else "lenient"
        out.append(f"# The {mode} check of each component schema, by its name under #/components/schemas.")
        out.append(f"{table}: dict[str, Check] = {{")
        out += [f"    {name!r}: {compiler.refs[_COMPONENT + name]}," for name in components]
        out.append("}")
    out.append("# Each operation by its method and path template (the `operation` request extension).")
    out.append("ROUTES: dict[str, Route] = {")
    out += routes
    out.append("}")
    out.append("# The operations a gateway also serves at a path of its own (x-gateway-quirk), by the canonical one.")
    out.append("GATEWAY_PATHS: dict[str, GatewayPath] = {")
    out += _gateway_paths(spec)
    out.append("}")
    return "\n".join(out) + "\n"


def _gateway_paths(spec: JSON) -> list[str]:
    """Each operation of a path item with an ``x-gateway-quirk``, by the canonical operation it stands for: the
    gateway's host, its own path and operation, the canonical path, and the canonical operation's query parameters
    that the gateway's path does not take (a request that sets one goes to the canonical path)."""

    def query(item: JSON, operation: JSON) -> set[str]:
        parameters = [resolve(p, spec) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
        return {str(p["name"]) for p in parameters if p.get("in") == "query"}

    operations = {(method, path): (item, operation) for method, path, item, operation in spec_operations(spec)}
    rows = []
    for (method, path), (item, operation) in operations.items():
        quirk = item.get("x-gateway-quirk")
        if not isinstance(quirk, dict):
            continue
        canonical = str(quirk["canonical-path"])
        not_take = sorted(query(*operations[(method, canonical)]) - query(item, operation))
        key, alternate = f"{method.upper()} {canonical}", f"{method.upper()} {path}"
        rows.append(
            f"    {key!r}: GatewayPath({quirk['gateway']!r}, {path!r}, {alternate!r}, {canonical!r}, "
            f"frozenset({not_take!r})),"
        )
    return rows


def _operations(spec: JSON) -> list[tuple[str, JSON]]:
    return [(f"{m.upper()} {path}", op) for m, path, _, op in spec_operations(spec) if "responses" in op]


def _route(key: str, operation: JSON, lenient: _Compiler, strict: _Compiler) -> str:
    """One entry of ``ROUTES``: the operation's id, its documented 2xx statuses, and the checks of their bodies."""
    operation_id = str(operation["operationId"])
    statuses: list[int] = []
    checks: dict[_Compiler, list[str]] = {lenient: [], strict: []}
    for status, response in operation["responses"].items():
        if not (status.isdigit() and status.startswith("2")):
            continue
        statuses.append(int(status))
        media = lenient.resolve(response).get("content", {}).get("application/json")
        if media is not None and "schema" in media:
            for compiler, written in checks.items():
                function = compiler.function(media["schema"], compiler.prefix + _identifier(operation_id))
                written.append(f"{status}: {function}")
    by_status = ["{" + ", ".join(written) + "}" for written in checks.values()]
    return f"    {key!r}: Route({operation_id!r}, frozenset({tuple(statuses)!r}), {', '.join(by_status)}),"


def _identifier(text: str) -> str:
    return re.sub(r"\W", "_", text)


class _Names:
    """The module's names, shared by both modes: each function's, and the required-field sets' (by their text)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.constants: dict[str, str] = {}

    def new(self, wanted: str) -> str:
        name, n = wanted, 1
        while name in self.taken:
            n += 1
            name = f"{wanted}_{n}"
        self.taken.add(name)
        return name

    def required(self, fields: list[str]) -> str:
        """A module-level frozenset of ``fields``, one per set whichever mode uses it; written in the spec's order,
        since a set's own order (its repr) depends on string hashing and the bytes must not."""
        source = f"frozenset({tuple(fields)!r})"
        name = self.constants.get(source)
        if name is None:
            name = self.constants[source] = self.new(f"_REQUIRED_{len(self.constants) + 1}")
        return name


class _Compiler:
    """Writes one function per schema node that needs one, in one mode; simple properties are checked inline."""

    def __init__(self, root: JSON, *, strict: bool, names: _Names) -> None:
        self.root = root
        self.strict = strict
        self.prefix = "_strict_" if strict else "_lenient_"
        self.names = names
        self.sources: list[str] = []
        # A $ref gets one function; a recursive schema calls it by name (names bind when the module runs).
        self.refs: dict[str, str] = {}
        self.anonymous: dict[str, int] = {}

    def resolve(self, schema: Any) -> Any:
        return resolve(schema, self.root)

    def function(self, schema: JSON, owner: str) -> str:
        """The name of a function checking ``schema``; one without a ``$ref`` is named after ``owner``'s."""
        ref = schema.get("$ref")
        if ref is not None:
            name = self.refs.get(ref)
            if name is None:
                wanted = ref.removeprefix(_COMPONENT) if ref.startswith(_COMPONENT) else ref.removeprefix("#/")
                name = self.refs[ref] = self.names.new(self.prefix + _identifier(wanted))
                self.emit(name, self.resolve(schema))
            return name
        self.anonymous[owner] = self.anonymous.get(owner, 0) + 1
        name = self.names.new(f"{owner}_{self.anonymous[owner]}")
        self.emit(name, schema)
        return name

    def emit(self, name: str, schema: JSON) -> None:
        slot = len(self.sources)
        self.sources.append("")  # keeps its place: sub-functions are written while this one is
        body = self.body(schema, "v", "''", "    ", name)
        self.sources[slot] = f"def {name}{_SIGNATURE}" + "".join(body) + "    return None\n\n"

    def simple(self, schema: JSON) -> bool:
        """Whether a schema checks only the value itself (type, enum, bounds), so it can be inlined."""
        return not any(key in schema for key in ("$ref", "anyOf", "required", "properties", "items"))

    def inlined(self, schema: JSON) -> bool:
        """Whether a property's (resolved) schema is checked inline: a simple one, or a choice of simple ones."""
        if self.simple(schema):
            return True
        nested = ("$ref", "required", "properties", "items")
        return (
            "anyOf" in schema
            and not any(key in schema for key in nested)
            and self.any_of_test(schema["anyOf"], "x") is not None
        )

    def test(self, schema: JSON, v: str) -> str | None:
        """One expression true where ``v`` meets ``schema``, for a simple schema without bounds; else None."""
        if not self.simple(schema) or (self.strict and any(key in schema for key in _BOUNDS)):
            return None
        tests = []
        types = schema.get("type")
        if types is not None:
            allowed = [types] if isinstance(types, str) else list(types)
            tests.append(" or ".join(_TESTS[name].format(v=v) for name in allowed))
        if self.strict and "enum" in schema:
            tests.append(f"{v} in {tuple(schema['enum'])!r}")
        return " and ".join(f"({test})" for test in tests) or "True"

    def any_of_test(self, options: list[JSON], v: str) -> str | None:
        """One expression true where ``v`` meets one of ``options``, when every option is simple; else None.

        The spec's open enums are ``anyOf: [<a string enum>, string]`` on every file, chunk and message: inline,
        they cost one type test instead of four function calls."""
        tests = [self.test(self.resolve(option), v) for option in options]
        if any(test is None for test in tests):
            return None
        return " or ".join(f"({test})" for test in dict.fromkeys(tests) if test is not None)

    def body(self, schema: JSON, v: str, path: str, pad: str, owner: str) -> list[str]:
        """Statements that return ``(path, reason)`` where ``v`` breaks ``schema``; in the order the checks
        always ran: anyOf, type, enum, bounds, then the fields of an object and the items of an array."""
        lines: list[str] = []
        if "anyOf" in schema:
            options = [self.function(option, owner) for option in schema["anyOf"]]
            first, rest = options[0], options[1:]
            inline = self.any_of_test(schema["anyOf"], v)
            if inline is not None:
                # Only a failure calls the options, for the first option's reason (it fails where they all do).
                lines.append(f"{pad}if not ({inline}):\n")
                lines.append(f"{pad}    r = {first}({v})\n")
                lines.append(f"{pad}    if r is not None:\n{pad}        return (_join({path}, r[0]), r[1])\n")
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
            expected = repr(" or ".join(allowed))
            lines.append(f"{pad}if not ({test}):\n{pad}    return ({path}, _expected({expected}, {v}))\n")
        if self.strict and "enum" in schema:
            values = list(schema["enum"])
            lines.append(f"{pad}if {v} not in {tuple(values)!r}:\n")
            lines.append(f"{pad}    return ({path}, _not_one_of({v}, {values!r}))\n")
        if self.strict and any(key in schema for key in _BOUNDS):
            bounds = {key: schema[key] for key in _BOUNDS if key in schema}
            lines.append(f"{pad}b = _bounds({bounds!r}, {v})\n")
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
                present_all = self.names.required(required)
                lines.append(f"{inner}if not {present_all} <= {v}.keys():\n")
                lines.append(f"{inner}    for k in {tuple(required)!r}:\n")
                lines.append(f"{inner}        if k not in {v}:\n")
                lines.append(f"{inner}            return (_join({path}, k), 'required field is missing')\n")
            for field, sub in properties:
                key = repr(field)
                present = field in required
                at = inner if present else inner + "    "
                if not present:
                    lines.append(f"{inner}if {key} in {v}:\n")
                target = self.resolve(sub)
                if self.inlined(target):
                    checks = self.body(target, "x", f"_join({path}, {key})", at, owner)
                    if checks:
                        lines.append(f"{at}x = {v}[{key}]\n")
                        lines += checks
                    elif not present:
                        lines.append(f"{at}pass\n")
                else:
                    function = self.function(sub, owner)
                    lines.append(f"{at}r = {function}({v}[{key}])\n")
                    lines.append(f"{at}if r is not None:\n")
                    lines.append(f"{at}    return (_join(_join({path}, {key}), r[0]), r[1])\n")
        if "items" in schema:
            function = self.function(schema["items"], owner)
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
