"""The API change report: what changed between two versions of the spec, and whether it breaks a client user.

Why a walker of our own. Before writing it, the maintained OpenAPI diff tools reachable from the package registries
here were tried (November 2026):

- oasdiff (Go) ships neither a PyPI package nor an npm one: PyPI has no ``oasdiff``, and npm's ``oasdiff`` is a
  reserved empty placeholder (``0.0.1-security``).
- ``openapi-diff`` 0.24.1 (npm, Atlassian) installs, but refuses the spec: "Unsupported OpenAPI version: 3.1.0.
  Swagger Parser only supports versions 3.0.0 ... 3.0.3".
- ``@pb33f/openapi-changes`` 0.0.67 (npm) is a wrapper whose install step downloads the Go binary from GitHub
  releases, which fails offline (and on CI machines without that host).
- ``@useoptic/optic`` 1.0.9 (npm) installs 633 packages, then ``optic diff old.yaml new.yaml --check`` dies on
  start under Node 20 ("Error compiling schema ... SyntaxError: Unexpected token ':'" inside its Spectral/ajv
  dependency); it also reports usage to third parties (Segment, Sentry) unless told not to.

None both works offline and reads OpenAPI 3.1 (type lists, ``const``, ``contentMediaType``), so this module walks
the two specs itself. It knows the conventions of ``spec/openapi.yaml``: response enums are open
(``anyOf: [known enum, string]``), limits live in JSON Schema keywords and in the
``x-`` extensions the overrides read at run time (``x-max-bytes``, ``x-purpose-rules``, ``x-file-extensions``,
``x-media-types``, ``x-organization-max-bytes``), and descriptions,
examples and ``x-source`` are documentation, not API.

Direction decides what breaks. A request schema is written by the client: narrowing it (a removed field, a new
required field, a removed enum value or type, a tighter limit) breaks callers. A response schema is read by the
client: a removed field, a field that becomes optional, or a new type or closed-enum value (the generated parser
rejects a value it does not know) breaks it; a new field does not. A value removed from a response enum also breaks:
the generated enum class loses the member that user code may name. A new value in an open response enum does not
break (it already parses as a string).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from openai_api._spec import operations, resolve

JSON = dict[str, Any]
Direction = Literal["request", "response"]

# Keywords that narrow what a request may carry when they rise (minimums) or fall (maximums).
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "x-max-bytes")
# Lists of what an upload may be: a value leaving one tightens what a client may send.
_ALLOWED_LISTS = ("x-file-extensions", "x-media-types")


def _as_limits(rule: JSON) -> JSON:
    """An ``x-purpose-rules`` entry spelled as the schema keywords the limit checks read."""
    return {"x-max-bytes": rule.get("max-bytes"), "x-file-extensions": rule.get("file-extensions")}


@dataclass(frozen=True)
class Change:
    """One API change: where, what, and whether it breaks a client user."""

    location: str
    detail: str
    breaking: bool
    operations: tuple[str, ...] = ()

    def as_json(self) -> JSON:
        return {
            "location": self.location,
            "detail": self.detail,
            "breaking": self.breaking,
            "operations": list(self.operations),
        }

    @property
    def subject(self) -> tuple[tuple[str, ...], ...]:
        """What the change is about besides its operation, as a CHANGELOG entry names it (the release gate asks for
        it): each item is one thing in its accepted spellings, a field by its path or its own name, an enum value
        without its JSON quotes. Empty when the change is the operation itself. Read from the texts ``_Walker``
        writes, most specific first: the parameter, the field, the purpose rule, the listed values, the header or
        media type, the request body or response status, and for a change of a whole component, its name."""
        detail, location = self.detail, self.location
        if detail.startswith("operation `"):
            return ()
        if found := re.match(r"operationId `([^`]+)`", detail):
            return ((found[1],),)
        if found := re.search(r"parameter `([^`]+)`", f"{location} {detail}"):
            return ((found[1],),)
        if found := re.search(r"field `([^`]+)`", detail):
            path = found[1]
            name = [part for part in re.split(r"[.\[\]{}*]+", path) if part][-1:]
            return (tuple(dict.fromkeys([path, *name])),)
        if found := re.match(r"x-purpose-rules `([^`]+)`", detail):
            return ((found[1],),)
        if detail.startswith("organization storage"):
            return (("organization storage", "x-organization-max-bytes"),)
        if found := re.search(r"(?:enum value|x-file-extensions|x-media-types) (`.+`) (?:removed|added)", detail):
            return tuple((_plain(value),) for value in re.findall(r"`([^`]+)`", found[1]))
        if found := re.match(r"(?:header|media type) `([^`]+)`", detail):
            return ((found[1],),)
        if "request body" in detail or " request (" in location:
            return (("request body",),)
        if found := re.search(r"response (\S+)", f"{detail} {location}"):
            return ((found[1],),)
        if found := re.match(r"schema (\S+) ", location):
            return ((found[1],),)
        return ()


@dataclass
class Report:
    """Every change between two specs, breaking ones first."""

    base: str
    head: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def as_json(self) -> JSON:
        return {
            "base": self.base,
            "head": self.head,
            "breaking": len(self.breaking),
            "non_breaking": len(self.changes) - len(self.breaking),
            "changes": [c.as_json() for c in self.changes],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        if not self.changes:
            return f"API changes {self.base} -> {self.head}: none\n"
        lines = [
            f"API changes {self.base} -> {self.head}: {len(self.breaking)} breaking, "
            f"{len(self.changes) - len(self.breaking)} not breaking"
        ]
        for change in self.changes:
            mark = "BREAKING" if change.breaking else "ok      "
            lines.append(f"  {mark}  {change.location}: {change.detail}")
            if change.operations and not change.location.startswith(change.operations[0] + " "):
                lines.append(f"            used by {', '.join(change.operations)}")
        return "\n".join(lines) + "\n"


def _plain(value: str) -> str:
    """``"vision"`` (as the report quotes a JSON value) as ``vision``."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def diff_specs(old: JSON, new: JSON, base: str = "base", head: str = "head") -> Report:
    """The changes from ``old`` to ``new``, each marked breaking or not for a client user."""
    walker = _Walker(old, new)
    walker.run()
    report = Report(base=base, head=head)
    order = {key: index for index, key in enumerate(walker.order)}
    merged = sorted(walker.found.items(), key=lambda item: (not item[0][2], order[item[0]]))
    report.changes = [
        Change(location=location, detail=detail, breaking=breaking, operations=tuple(sorted(ops)))
        for (location, detail, breaking), ops in merged
    ]
    return report


def _types(schema: JSON) -> set[str]:
    kind = schema.get("type")
    if kind is None:
        return set()
    return {kind} if isinstance(kind, str) else set(kind)


def _is_bare_string(schema: JSON) -> bool:
    """A branch that takes any string: it makes the enums beside it in an ``anyOf`` open."""
    return schema.get("type") == "string" and not (
        {"enum", "const", "pattern", "format", "maxLength", "minLength"} & set(schema)
    )


def _fmt(values: Any) -> str:
    return ", ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in values)


class _Walker:
    def __init__(self, old: JSON, new: JSON) -> None:
        self.old, self.new = old, new
        self.found: dict[tuple[str, str, bool], set[str]] = {}
        self.order: list[tuple[str, str, bool]] = []
        self._op = ""
        self._seen: set[tuple[str, str, Direction]] = set()

    def add(self, location: str, detail: str, breaking: bool) -> None:
        key = (location, detail, breaking)
        if key not in self.found:
            self.found[key] = set()
            self.order.append(key)
        if self._op:
            self.found[key].add(self._op)

    def _deref(self, spec: JSON, node: Any) -> Any:
        # A $ref with siblings (3.1 allows it) keeps the siblings' description; the target gives the shape.
        return resolve(node, spec)

    def run(self) -> None:
        old_ops = {(m, p): (item, op) for m, p, item, op in operations(self.old)}
        new_ops = {(m, p): (item, op) for m, p, item, op in operations(self.new)}
        for key in old_ops.keys() - new_ops.keys():
            op_id = old_ops[key][1].get("operationId", "")
            self._op = ""
            self.add(f"{key[0].upper()} {key[1]}", f"operation `{op_id}` removed", True)
        for key in sorted(new_ops.keys() - old_ops.keys()):
            op_id = new_ops[key][1].get("operationId", "")
            self._op = ""
            self.add(f"{key[0].upper()} {key[1]}", f"operation `{op_id}` added", False)
        for key in sorted(old_ops.keys() & new_ops.keys()):
            (old_item, old_op), (new_item, new_op) = old_ops[key], new_ops[key]
            self._op = str(new_op.get("operationId", f"{key[0].upper()} {key[1]}"))
            where = f"{self._op} ({key[0].upper()} {key[1]})"
            if old_op.get("operationId") != new_op.get("operationId"):
                self.add(where, f"operationId `{old_op.get('operationId')}` renamed to `{self._op}`", True)
            organization_quota = "x-organization-max-bytes"
            self._limits(
                where,
                "organization storage",
                {"x-max-bytes": old_op.get(organization_quota)},
                {"x-max-bytes": new_op.get(organization_quota)},
                "request",
            )
            self._parameters(where, old_item, old_op, new_item, new_op)
            self._request_body(where, old_op.get("requestBody"), new_op.get("requestBody"))
            self._responses(where, old_op.get("responses", {}), new_op.get("responses", {}))

    def _params(self, spec: JSON, item: JSON, op: JSON) -> dict[tuple[str, str], JSON]:
        found: dict[tuple[str, str], JSON] = {}
        for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
            param = self._deref(spec, raw)
            found[(param["in"], param["name"])] = param
        return found

    def _parameters(self, where: str, old_item: JSON, old_op: JSON, new_item: JSON, new_op: JSON) -> None:
        old = self._params(self.old, old_item, old_op)
        new = self._params(self.new, new_item, new_op)
        for place, name in sorted(old.keys() - new.keys()):
            self.add(where, f"{place} parameter `{name}` removed", True)
        for place, name in sorted(new.keys() - old.keys()):
            required = bool(new[(place, name)].get("required"))
            kind = "required" if required else "optional"
            self.add(where, f"new {kind} {place} parameter `{name}`", required)
        for place, name in sorted(old.keys() & new.keys()):
            before, after = old[(place, name)], new[(place, name)]
            label = f"{where} {place} parameter `{name}`"
            if bool(before.get("required")) != bool(after.get("required")):
                now = bool(after.get("required"))
                self.add(label, "now required" if now else "now optional", now)
            if before.get("deprecated") != after.get("deprecated") and after.get("deprecated"):
                self.add(label, "deprecated", False)
            self._schema(label, before.get("schema", {}), after.get("schema", {}), "request", "")

    def _request_body(self, where: str, old: JSON | None, new: JSON | None) -> None:
        if old is None and new is None:
            return
        if old is None:
            assert new is not None
            required = bool(self._deref(self.new, new).get("required"))
            self.add(where, f"new {'required' if required else 'optional'} request body", required)
            return
        if new is None:
            self.add(where, "request body removed", True)
            return
        old, new = self._deref(self.old, old), self._deref(self.new, new)
        if not old.get("required") and new.get("required"):
            self.add(where, "request body now required", True)
        self._content(f"{where} request", old.get("content", {}), new.get("content", {}), "request")

    def _responses(self, where: str, old: JSON, new: JSON) -> None:
        for status in sorted(old.keys() - new.keys()):
            # A success answer that disappears is one the caller's code was written for.
            self.add(where, f"response {status} removed", str(status).startswith("2"))
        for status in sorted(new.keys() - old.keys()):
            self.add(where, f"response {status} added", False)
        for status in sorted(old.keys() & new.keys()):
            before, after = self._deref(self.old, old[status]), self._deref(self.new, new[status])
            label = f"{where} response {status}"
            self._content(label, before.get("content", {}), after.get("content", {}), "response")
            old_headers, new_headers = before.get("headers", {}), after.get("headers", {})
            for name in sorted(old_headers.keys() - new_headers.keys()):
                self.add(label, f"header `{name}` removed", True)
            for name in sorted(new_headers.keys() - old_headers.keys()):
                self.add(label, f"header `{name}` added", False)

    def _content(self, where: str, old: JSON, new: JSON, direction: Direction) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.add(where, f"media type `{media}` removed", True)
        for media in sorted(new.keys() - old.keys()):
            self.add(where, f"media type `{media}` added", False)
        for media in sorted(old.keys() & new.keys()):
            old_schema, new_schema = old[media].get("schema", {}), new[media].get("schema", {})
            self._schema(f"{where} ({media})", old_schema, new_schema, direction, "")

    def _schema(self, where: str, old: Any, new: Any, direction: Direction, path: str, open_enum: bool = False) -> None:
        """Compares two schemas; ``path`` is the field path inside ``where``."""
        old_ref = old.get("$ref") if isinstance(old, dict) else None
        new_ref = new.get("$ref") if isinstance(new, dict) else None
        if old_ref and old_ref == new_ref:
            # The same component on both sides: report its changes once, under its own name, for every user.
            name = str(new_ref).rsplit("/", 1)[-1]
            key = (str(new_ref), self._op, direction)
            if key in self._seen:
                return
            self._seen.add(key)
            where, path = f"schema {name} ({direction})", ""
        old, new = self._deref(self.old, old), self._deref(self.new, new)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        at = f"field `{path}`" if path else "value"
        reading = direction == "response"

        old_types, new_types = _types(old), _types(new)
        if old_types and new_types and old_types != new_types:
            lost, gained = old_types - new_types, new_types - old_types
            if lost:
                self.add(where, f"{at}: type {_fmt(sorted(lost))} no longer allowed", not reading or bool(gained))
            if gained:
                self.add(where, f"{at}: type {_fmt(sorted(gained))} now allowed", reading)

        self._enum(where, at, old, new, direction, open_enum)
        if old.get("const", None) != new.get("const", None) and ("const" in old or "const" in new):
            self.add(where, f"{at}: const {old.get('const')!r} -> {new.get('const')!r}", True)
        if old.get("format") != new.get("format"):
            self.add(where, f"{at}: format `{old.get('format')}` -> `{new.get('format')}`", not reading)
        if old.get("pattern") != new.get("pattern"):
            self.add(where, f"{at}: pattern `{old.get('pattern')}` -> `{new.get('pattern')}`", not reading)
        self._limits(where, at, old, new, direction)
        self._allowed_lists(where, at, old, new, direction)
        self._purpose_rules(where, old.get("x-purpose-rules", {}), new.get("x-purpose-rules", {}), direction)
        self._properties(where, old, new, direction, path)
        self._branches(where, old, new, direction, path)
        if "items" in old or "items" in new:
            self._schema(where, old.get("items", {}), new.get("items", {}), direction, f"{path}[]")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self._schema(where, old_extra, new_extra, direction, f"{path}{{*}}")
        elif old_extra is not False and new_extra is False:
            self.add(where, f"{at}: no longer takes extra properties", not reading)
        if not old.get("deprecated") and new.get("deprecated"):
            self.add(where, f"{at}: deprecated", False)

    def _enum(self, where: str, at: str, old: JSON, new: JSON, direction: Direction, open_enum: bool) -> None:
        if "enum" not in old and "enum" not in new:
            return
        if "enum" not in new:
            self.add(where, f"{at}: enum removed, any value allowed", direction == "response" and not open_enum)
            return
        if "enum" not in old:
            self.add(where, f"{at}: now limited to {_fmt(new['enum'])}", True)
            return
        removed = [v for v in old["enum"] if v not in new["enum"]]
        added = [v for v in new["enum"] if v not in old["enum"]]
        if removed:
            # Requests: callers may send it. Responses: the generated enum loses the member user code names.
            self.add(where, f"{at}: enum value {_fmt(removed)} removed", True)
        if added:
            closed = direction == "response" and not open_enum
            note = "" if direction == "request" else (" (closed enum)" if closed else " (open enum)")
            self.add(where, f"{at}: enum value {_fmt(added)} added{note}", closed)

    def _limits(self, where: str, at: str, old: JSON, new: JSON, direction: Direction) -> None:
        writing = direction == "request"
        for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            before, after = old.get(key), new.get(key)
            if before == after or isinstance(before, bool) or isinstance(after, bool):
                continue
            if key in _LOWER_BOUNDS:
                tighter = after is not None and (before is None or after > before)
            else:
                tighter = after is not None and (before is None or after < before)
            word = "tightened" if tighter else "loosened"
            self.add(where, f"{at}: {key} {before} -> {after} ({word})", writing and tighter)

    def _allowed_lists(self, where: str, at: str, old: JSON, new: JSON, direction: Direction) -> None:
        """The spec's machine-readable upload rules: file extensions and media types a client checks before sending."""
        for key in _ALLOWED_LISTS:
            before, after = old.get(key), new.get(key)
            if before == after or not isinstance(before, list) or not isinstance(after, list):
                if before != after:
                    # A list where there was none limits what was free; no list any more frees it.
                    self.add(where, f"{at}: {key} {before} -> {after}", direction == "request" and after is not None)
                continue
            removed = [v for v in before if v not in after]
            added = [v for v in after if v not in before]
            if removed:
                self.add(where, f"{at}: {key} {_fmt(removed)} removed (tightened)", direction == "request")
            if added:
                self.add(where, f"{at}: {key} {_fmt(added)} added (loosened)", False)

    def _purpose_rules(self, where: str, old: JSON, new: JSON, direction: Direction) -> None:
        for purpose in sorted(old.keys() | new.keys()):
            before, after = old.get(purpose, {}), new.get(purpose, {})
            at = f"x-purpose-rules `{purpose}`"
            self._limits(where, at, _as_limits(before), _as_limits(after), direction)
            self._allowed_lists(where, at, _as_limits(before), _as_limits(after), direction)

    def _properties(self, where: str, old: JSON, new: JSON, direction: Direction, path: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
        reading = direction == "response"
        prefix = f"{path}." if path else ""
        removed = sorted(old_props.keys() - new_props.keys())
        added = sorted(new_props.keys() - old_props.keys())
        renamed: dict[str, str] = {}
        for name in removed:
            # A field that left while one with the same schema arrived is reported as a rename.
            twin = [a for a in added if a not in renamed.values() and new_props[a] == old_props[name]]
            if len(twin) == 1:
                renamed[name] = twin[0]
        for name in removed:
            if name in renamed:
                self.add(where, f"field `{prefix}{name}` renamed to `{prefix}{renamed[name]}`", True)
            else:
                self.add(where, f"field `{prefix}{name}` removed", True)
        for name in added:
            if name in renamed.values():
                continue
            required = name in new_req
            kind = "required" if required else "optional"
            self.add(where, f"new {kind} field `{prefix}{name}`", required and not reading)
        for name in sorted(old_props.keys() & new_props.keys()):
            if name in old_req and name not in new_req:
                self.add(where, f"field `{prefix}{name}` now optional", reading)
            elif name not in old_req and name in new_req:
                self.add(where, f"field `{prefix}{name}` now required", not reading)
            self._schema(where, old_props[name], new_props[name], direction, f"{prefix}{name}")

    def _branches(self, where: str, old: JSON, new: JSON, direction: Direction, path: str) -> None:
        reading = direction == "response"
        at = f"field `{path}`" if path else "value"
        for keyword in ("anyOf", "oneOf", "allOf"):
            old_list = [b for b in old.get(keyword, []) if isinstance(b, dict)]
            new_list = [b for b in new.get(keyword, []) if isinstance(b, dict)]
            if not old_list and not new_list:
                continue
            open_enum = keyword == "anyOf" and any(_is_bare_string(self._deref(self.new, b)) for b in new_list)
            old_keys = [self._branch_key(self.old, b, i) for i, b in enumerate(old_list)]
            new_keys = [self._branch_key(self.new, b, i) for i, b in enumerate(new_list)]
            # One alternative fewer narrows an anyOf/oneOf (breaks writers) and widens an allOf (breaks readers).
            narrows = keyword != "allOf"
            for key in old_keys:
                if key not in new_keys:
                    self.add(where, f"{at}: {keyword} alternative {key} removed", narrows != reading)
            for key in new_keys:
                if key not in old_keys:
                    self.add(where, f"{at}: {keyword} alternative {key} added", narrows == reading)
            for branch, key in zip(old_list, old_keys, strict=True):
                if key in new_keys:
                    other = new_list[new_keys.index(key)]
                    self._schema(where, branch, other, direction, path, open_enum)

    def _branch_key(self, spec: JSON, branch: JSON, index: int) -> str:
        if "$ref" in branch:
            return f"`{branch['$ref'].rsplit('/', 1)[-1]}`"
        target = self._deref(spec, branch)
        if set(target) == {"type"}:
            return f"`{target['type']}`"
        return f"#{index + 1}"
