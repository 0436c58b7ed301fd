"""The spec as the generator reads it: parsed in one place, and checked before any command does anything else.

``load_spec(path)`` returns the spec, or raises ``SpecError`` with every problem it found, each located in the file
(``file:line:column`` for YAML errors, ``file:line`` and a JSON pointer for the rest). It checks what the generator
relies on and what would otherwise pass silently or end in a traceback: YAML syntax, an empty file or a top level
that is not a mapping, duplicate mapping keys (YAML keeps the last one), path keys, ``operationId`` and
``x-sdk-method`` (present and unique), dangling ``$ref``s, ``required`` names that no ``properties`` declare, and then
whatever openapi-spec-validator rejects. ``parse_spec`` is the parsing step alone, for the specs the report and the
release gate compare with (a git revision, a released baseline): they are read the same way, not checked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator._diff import JSON
from openai_api import _spec
from openai_api._spec import HTTP_METHODS

# The x- extensions that name an operation's method on the client (``_resources.py``); one namespace for both.
_SDK_KEYS = ("x-sdk-method", "x-sdk-stream-method")
# Keywords whose value is data, not spec structure: a ``$ref`` or ``required`` inside one is an example's content.
# (``examples`` is data as a list, in a schema; as a mapping, in a media type or parameter, it holds Example objects.)
_DATA_KEYWORDS = {"example", "examples", "enum", "const", "default", "value"}
# Mappings whose keys are names (of properties, paths, statuses, media types, components), not keywords: there
# ``default`` is a response status and ``example`` may be a property, so nothing under them is skipped.
_NAME_MAPS = {
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
    "paths",
    "webhooks",
    "responses",
    "content",
    "headers",
    "encoding",
    "links",
    "callbacks",
    "schemas",
    "parameters",
    "examples",
    "requestBodies",
    "securitySchemes",
    "pathItems",
    "variables",
}
_COMBINATORS = ("allOf", "anyOf", "oneOf")
# Keywords that let an object hold names its `properties` do not list (when present and not `false`).
_OPEN = ("additionalProperties", "patternProperties", "unevaluatedProperties")
_MISSING = object()
_WHAT = "an OpenAPI document is a mapping (openapi, info, paths)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the spec, and where: a line (and column) of the file, a JSON pointer, or both."""

    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def render(self, file: str) -> str:
        place = file if self.line is None else f"{file}:{self.line}"
        if self.column is not None:
            place += f":{self.column}"
        return f"{place}: {self.pointer}: {self.message}" if self.pointer else f"{place}: {self.message}"


class SpecError(Exception):
    """The spec cannot be generated from: every problem found, in file order."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.pointer))
        super().__init__(self.to_text())

    def to_text(self) -> str:
        count = len(self.problems)
        head = f"{self.file}: {count} problem{'' if count == 1 else 's'}, nothing written"
        return "\n".join([head, *(problem.render(self.file) for problem in self.problems)])


def load_spec(path: Path) -> JSON:
    """The spec at ``path``, checked; ``SpecError`` lists every problem."""
    file = _display(path)
    doc = _Document.read(path, file)
    dangling, external = _refs(doc)
    problems = [*doc.problems, *_paths(doc), *_operations(doc), *dangling, *external, *_required(doc)]
    if not external:
        # With an external $ref the validator would fetch it (a file, a URL): that $ref is the problem reported.
        problems += _validator(doc, stopped_on_dangling_ref=bool(dangling))
    if problems:
        raise SpecError(file, problems)
    return doc.data


def parse_spec(text: str, file: str) -> JSON:
    """``text`` as a mapping, not checked further; ``SpecError`` when it is not valid YAML or JSON, or empty."""
    return _Document.parse(text, file).data


def _display(path: Path) -> str:
    """``spec/openapi.yaml`` when run from the repository, the path as given otherwise."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


@dataclass
class _Document:
    """The parsed spec, and the line where each mapping key and list item starts (JSON pointer -> line)."""

    file: str
    data: JSON
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, file: str) -> _Document:
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise SpecError(file, [Problem(f"cannot read the file: {exc.strerror}")]) from exc
        except UnicodeDecodeError as exc:
            raise SpecError(file, [Problem(f"not UTF-8: byte {exc.start} is {exc.object[exc.start]:#04x}")]) from exc
        return cls.parse(text, file)

    @classmethod
    def parse(cls, text: str, file: str) -> _Document:
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError as exc:
                line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
                raise SpecError(file, [Problem(f"JSON syntax error: {exc}", line=line, column=column)]) from exc
            return cls._mapping(file, data, None)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            raise SpecError(file, [_yaml_problem(exc)]) from exc
        except yaml.YAMLError as exc:
            raise SpecError(file, [Problem(f"YAML error: {exc}")]) from exc
        finally:
            loader.dispose()
        doc = cls._mapping(file, data, node)
        if node is not None:
            doc._index(node, "#", set())
        return doc

    @classmethod
    def _mapping(cls, file: str, data: Any, node: yaml.Node | None) -> _Document:
        if data is None:
            raise SpecError(file, [Problem(f"the file is empty: {_WHAT}")])
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
            line = node.start_mark.line + 1 if node is not None else None
            column = node.start_mark.column + 1 if node is not None else None
            message = f"the top level is {kind}, not a mapping: {_WHAT}"
            raise SpecError(file, [Problem(message, line=line, column=column)])
        return cls(file, data)

    def _index(self, node: yaml.Node, pointer: str, seen: set[int]) -> None:
        if id(node) in seen:  # an alias: its first place is indexed already
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{_escape(key.value)}"
                if child in self.lines:
                    first = self.lines[child]
                    message = f"duplicate key `{key.value}`: YAML keeps only this one (the first is at line {first})"
                    self.problems.append(Problem(message, child, key.start_mark.line + 1))
                self.lines[child] = key.start_mark.line + 1
                self._index(value, child, seen)
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                child = f"{pointer}/{number}"
                self.lines[child] = item.start_mark.line + 1
                self._index(item, child, seen)

    def line(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor the file places."""
        while pointer and pointer != "#":
            if pointer in self.lines:
                return self.lines[pointer]
            pointer = pointer.rpartition("/")[0]
        return None

    def problem(self, pointer: str, message: str) -> Problem:
        return Problem(message, pointer, self.line(pointer))

    def place(self, pointer: str) -> str:
        """Another place, named inside a message: ``line 12 (#/paths/...)``."""
        line = self.line(pointer)
        return f"line {line} ({pointer})" if line is not None else pointer

    def resolve(self, ref: str) -> Any:
        """What the internal ``$ref`` points to, or ``_MISSING``."""
        try:
            return _spec.pointer(self.data, ref)
        except KeyError:
            return _MISSING


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context and exc.problem:
        where = f" at line {exc.context_mark.line + 1}" if exc.context_mark is not None else ""
        message += f" ({exc.context}{where})"
    if mark is None:
        return Problem(message)
    return Problem(message, line=mark.line + 1, column=mark.column + 1)


def _walk(node: Any, pointer: str = "#", names: bool = False) -> Iterator[tuple[str, JSON]]:
    """Every mapping of the spec's structure with its pointer, parents first; data (examples, enums) is skipped."""
    if isinstance(node, list):
        for number, item in enumerate(node):
            yield from _walk(item, f"{pointer}/{number}")
        return
    if not isinstance(node, dict):
        return
    yield pointer, node
    for key, value in node.items():
        data = key in _DATA_KEYWORDS and not (key == "examples" and isinstance(value, dict))
        if not names and (data or str(key).startswith("x-")):  # an extension's value is its own business
            continue
        yield from _walk(value, f"{pointer}/{_escape(key)}", names=not names and key in _NAME_MAPS)


def _paths(doc: _Document) -> list[Problem]:
    paths = doc.data.get("paths")
    if not isinstance(paths, dict):
        return []  # the validator says what `paths` should be
    problems = []
    for path in paths:
        pointer = f"#/paths/{_escape(path)}"
        text = str(path)
        if not text.startswith("/"):
            problems.append(doc.problem(pointer, f"path `{text}` does not start with `/`"))
        for char, what in (("?", "a query string"), ("#", "a fragment")):
            if char in text:
                problems.append(doc.problem(pointer, f"path `{text}` contains `{char}`: {what} is not part of a path"))
        # `//` only: a trailing `/` is a URL of its own that some servers want.
        if "//" in text:
            problems.append(doc.problem(pointer, f"path `{text}` has an empty segment (`//`)"))
        if isinstance(paths[path], dict) and "x-gateway-quirk" in paths[path]:
            problems += _gateway_quirk(doc, paths, path)
    return problems


def _gateway_quirk(doc: _Document, paths: JSON, path: str) -> list[Problem]:
    """A gateway's own path names its gateway's host and a literal canonical path that has each of its methods."""
    pointer = f"#/paths/{_escape(path)}/x-gateway-quirk"
    quirk = paths[path]["x-gateway-quirk"]
    host = quirk.get("gateway") if isinstance(quirk, dict) else None
    if not isinstance(host, str) or not host or any(char in host for char in "/:@ "):
        return [doc.problem(pointer, f"x-gateway-quirk's `gateway` must be the gateway's host name, not {host!r}")]
    canonical = quirk.get("canonical-path")
    if not isinstance(canonical, str):
        return [doc.problem(pointer, "x-gateway-quirk has no `canonical-path` (the path it stands for)")]
    if not isinstance(paths.get(canonical), dict) or "{" in canonical:
        message = f"x-gateway-quirk's canonical-path `{canonical}` is not a path of the spec without parameters"
        return [doc.problem(pointer, message)]
    missing = [m.upper() for m in HTTP_METHODS if m in paths[path] and m not in paths[canonical]]
    if missing:
        return [doc.problem(pointer, f"canonical-path `{canonical}` has no {', '.join(missing)} operation")]
    return []


def _operations(doc: _Document) -> list[Problem]:
    """Each operation has an ``operationId`` and an ``x-sdk-method``, and no two share one."""
    paths = doc.data.get("paths")
    problems: list[Problem] = []
    op_ids: dict[str, str] = {}
    sdk_methods: dict[str, str] = {}
    for path, item in paths.items() if isinstance(paths, dict) else ():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            pointer, label = f"#/paths/{_escape(path)}/{method}", f"{method.upper()} {path}"
            op_id = operation.get("operationId")
            if not isinstance(op_id, str) or not op_id:
                problems.append(doc.problem(pointer, f"{label} has no operationId"))
            elif op_id in op_ids:
                message = f"duplicate operationId `{op_id}`: also at {doc.place(op_ids[op_id])}"
                problems.append(doc.problem(f"{pointer}/operationId", message))
            else:
                op_ids[op_id] = f"{pointer}/operationId"
            for key in _SDK_KEYS:
                dotted = operation.get(key)
                if dotted is None:
                    if key == "x-sdk-method":
                        problems.append(doc.problem(pointer, f"{label} has no x-sdk-method (`resource.method`)"))
                    continue
                at = f"{pointer}/{key}"
                parts = str(dotted).split(".")
                if not isinstance(dotted, str) or len(parts) < 2 or not all(p.isidentifier() for p in parts):
                    problems.append(doc.problem(at, f"{key} `{dotted}` is not a dotted path of identifiers"))
                elif dotted in sdk_methods:
                    message = f"duplicate {key} `{dotted}`: also at {doc.place(sdk_methods[dotted])}"
                    problems.append(doc.problem(at, message))
                else:
                    sdk_methods[dotted] = at
    return problems


def _refs(doc: _Document) -> tuple[list[Problem], list[Problem]]:
    """Internal ``$ref``s that point to nothing, and external ones (the generator reads one file)."""
    dangling, external = [], []
    for pointer, node in _walk(doc.data):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        if not ref.startswith("#"):
            message = f"external $ref `{ref}`: the generator reads one file, every $ref is `#/...`"
            external.append(doc.problem(f"{pointer}/$ref", message))
        elif doc.resolve(ref) is _MISSING:
            dangling.append(doc.problem(f"{pointer}/$ref", f"$ref `{ref}` points to nothing"))
    return dangling, external


def _declared(doc: _Document, schema: Any, seen: set[int]) -> set[str] | None:
    """The property names ``schema`` declares, itself or through its ``$ref`` and allOf/anyOf/oneOf members;
    ``None`` when it may hold other names too (see ``_required``)."""
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen.add(id(schema))
    if any(schema.get(keyword, False) is not False for keyword in _OPEN):
        return None
    properties = schema.get("properties")
    names = {str(name) for name in properties} if isinstance(properties, dict) else set()
    members = _members(schema)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target = doc.resolve(ref)
        if target is _MISSING:
            return None  # reported once, as a dangling $ref
        members.append(target)
    for member in members:
        more = _declared(doc, member, seen)
        if more is None:
            return None
        names |= more
    return names


def _members(schema: JSON) -> list[Any]:
    return [m for keyword in _COMBINATORS if isinstance(schema.get(keyword), list) for m in schema[keyword]]


def _required(doc: _Document) -> list[Problem]:
    """``required`` names that no ``properties`` declare.

    JSON Schema allows such a name (without ``additionalProperties: false`` any name may be present), but the
    generators build a model's fields from ``properties`` alone: a name only in ``required`` is a field no generated
    class has, while the validators demand it. In a hand-written spec it is a typo or a forgotten property. So a name
    counts as undeclared only when the schema has ``properties`` and nothing combined with it could supply the name:

    - its own ``properties``, and those of its ``$ref`` target and allOf/anyOf/oneOf members, recursively (an anyOf
      or oneOf branch that declares the name counts: the branches describe the same object);
    - for a schema that is itself an allOf/anyOf/oneOf member, what its parent declares (the object is the parent's);
    - an explicit ``additionalProperties`` (true or a schema), ``patternProperties`` or ``unevaluatedProperties``
      anywhere in that set says that other names belong to the object: nothing is reported there.

    A schema with ``required`` and no ``properties`` (``allOf: [{$ref: A}, {required: [x]}]``, the way to make a field
    of ``A`` required) is not checked.
    """
    problems = []
    inherited: dict[int, set[str] | None] = {}
    for pointer, node in _walk(doc.data):
        required, properties = node.get("required"), node.get("properties")
        checked = isinstance(required, list) and isinstance(properties, dict)
        members = [member for member in _members(node) if isinstance(member, dict)]
        if not checked and not members:
            continue
        parent = inherited.get(id(node), set())
        declared = _declared(doc, node, set())
        supplied = None if declared is None or parent is None else declared | parent
        for member in members:  # _walk reaches them after their parent
            inherited[id(member)] = supplied
        if not checked or supplied is None:
            continue
        assert isinstance(required, list)
        for number, name in enumerate(required):
            if name not in supplied:
                message = f"`required` names `{name}`, which is not in `properties`"
                problems.append(doc.problem(f"{pointer}/required/{number}", message))
    return problems


def _validator(doc: _Document, stopped_on_dangling_ref: bool) -> list[Problem]:
    """What openapi-spec-validator rejects, each with the JSON pointer of the literal place in the file.

    The validator reports a schema's problems relative to the schema it checked (reached through ``$ref``s), so each
    of its keyword validators is wrapped to note which node it was checking; the node's own place in the document
    gives the pointer. Two of its checks are this module's own, reported with both places of a duplicate and each
    undeclared name (the validator checks ``required`` only beside an allOf), so their errors are left out.
    """
    try:
        from jsonschema_path import SchemaPath
        from openapi_spec_validator.shortcuts import get_validator_cls
        from openapi_spec_validator.validation.exceptions import (
            DuplicateOperationIDError,
            ExtraParametersError,
            ValidatorDetectError,
        )
    except ImportError:
        print(
            "note: openapi-spec-validator is not installed (the dev dependency group): the spec was checked without it",
            file=sys.stderr,
        )
        return []
    try:
        base: Any = get_validator_cls(doc.data)
    except ValidatorDetectError:
        if "openapi" not in doc.data:
            return [doc.problem("#", "no `openapi` field (the OpenAPI version: `openapi: 3.1.0`)")]
        message = f"`openapi: {doc.data['openapi']}` is no OpenAPI version that openapi-spec-validator knows"
        return [doc.problem("#/openapi", message)]
    places: dict[int, str] = {}
    for pointer, node in _walk(doc.data):
        places.setdefault(id(node), pointer)

    def located(keyword_validator: Any) -> Any:
        class Located(keyword_validator):  # type: ignore[misc]
            def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
                where = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
                for error in super().__call__(*args, **kwargs):
                    if where is not None and not hasattr(error, "checked_node"):
                        error.checked_node = where
                    yield error

        return Located

    wrapped = {name: located(kind) for name, kind in base.keyword_validators.items()}
    validator = type("LocatedValidator", (base,), {"keyword_validators": wrapped})(doc.data)
    problems: list[Problem] = []
    try:
        for error in validator.iter_errors():
            if isinstance(error, DuplicateOperationIDError | ExtraParametersError):
                continue
            pointer = "#"
            checked = getattr(error, "checked_node", None)
            if checked is not None:
                logical = "#/" + "/".join(_escape(part) for part in checked.parts)
                pointer = places.get(id(checked.read_value()), logical)
            pointer += "".join(f"/{_escape(part)}" for part in error.path)
            message = (str(error.message).splitlines() or [""])[0]
            problems.append(doc.problem(pointer, f"openapi-spec-validator: {message}"))
    # The validator walks the document as if it were well formed and can raise anything on one that is not (a
    # dangling $ref, a path item that is not a mapping): what it found so far is kept, and the user gets a line
    # unless what stopped it is reported already.
    except Exception as exc:
        if not stopped_on_dangling_ref and not problems:
            problems.append(Problem(f"openapi-spec-validator stopped: {type(exc).__name__}: {exc}"[:300]))
    unique = {(p.pointer, p.message): p for p in problems}
    return list(unique.values())
