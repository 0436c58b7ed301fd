"""The spec the server follows: the client's bundled ``openai_api_client/openapi.json`` (no checkout needed), or any
OpenAPI 3.1 file (``ServerConfig.spec_path``). Its paths, under its servers' base path, are the server's routes.

Loading, ``$ref``s and names are the client's spec-access module's (``openai_api._spec``); this module adds
what only the server needs: routes, responses by status, and validators."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS31Validator

from openai_api import _spec
from openai_api._spec import HTTP_METHODS, JSON

SpecError = _spec.SpecFileError
"""A spec file the server cannot read; the message names the file and what is wrong."""
_PARAMETER = re.compile(r"\{([^}]*)\}")
_SPLIT = re.compile(r"(\{[^}]*\})")


def _base(servers: Any) -> str:
    """The path of the first server's URL (``https://api.openai.com/v1`` -> ``/v1``): where the paths start."""
    url = servers[0].get("url", "") if isinstance(servers, list) and servers else ""
    return urlsplit(str(url)).path.rstrip("/")


def _segment(text: str) -> re.Pattern[str]:
    """A path segment's pattern: its literal parts decoded once, each ``{parameter}`` a group."""
    parts = _SPLIT.split(text)
    return re.compile("".join("(.*)" if _PARAMETER.fullmatch(p) else re.escape(unquote(p)) for p in parts), re.S)


@dataclass(frozen=True)
class PathItem:
    """One path of the spec, as the server matches it: each segment decoded once, as a request's path is (the
    gateway's ``/files%2520_`` is the request path ``/v1/files%20_``), with its parameters as groups."""

    base: str
    template: str
    item: JSON
    segments: tuple[re.Pattern[str], ...]
    names: tuple[str, ...]

    @classmethod
    def of(cls, base: str, template: str, item: JSON) -> PathItem:
        segments = tuple(_segment(part) for part in (base + template).split("/"))
        names = tuple(_PARAMETER.findall(base + template))
        return cls(base, template, item, segments, names)

    @property
    def operations(self) -> dict[str, JSON]:
        """The path's operations by method (``GET``), in the order of :data:`HTTP_METHODS`."""
        return {m.upper(): self.item[m] for m in HTTP_METHODS if isinstance(self.item.get(m), dict)}

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The path parameters (decoded once) if ``raw_path``, as sent on the wire, is this path; else None."""
        parts = raw_path.split("/")
        if len(parts) != len(self.segments):
            return None
        values: list[str] = []
        for pattern, part in zip(self.segments, parts, strict=True):
            found = pattern.fullmatch(unquote(part))
            if found is None:
                return None
            values += found.groups()
        return dict(zip(self.names, values, strict=True))


class Spec:
    """An OpenAPI document: its paths as routes, its operations, and validators for its schemas."""

    def __init__(self, data: JSON) -> None:
        self.data = data
        self.base = _base(data.get("servers"))
        self.paths = [PathItem.of(_base(i.get("servers")) or self.base, t, i) for t, i in data["paths"].items()]

    @classmethod
    def load(cls, path: Path | None = None) -> Spec:
        """The spec in ``path`` (JSON, or YAML with PyYAML installed); without one, the client's bundled spec."""
        return bundled() if path is None else cls(_spec.load_file(path))

    def match(self, raw_path: str) -> tuple[PathItem, dict[str, str]] | None:
        """The path a request's raw path is, with its parameters; a literal segment wins over a parameter."""
        found = [(path, params) for path in self.paths if (params := path.match(raw_path)) is not None]
        return min(found, key=lambda pair: len(pair[1]), default=None)

    def operations(self) -> Iterator[JSON]:
        for path in self.paths:
            yield from path.operations.values()

    def deref(self, node: JSON) -> JSON:
        """``node`` with its ``$ref``s followed in this spec."""
        found: JSON = _spec.resolve(node, self.data)
        return found

    def merged(self, schema: JSON) -> JSON:
        """``schema`` with its ``$ref`` target's keys under its own siblings."""
        return _spec.merged(schema, self.data)

    def request_schema(self, op: JSON) -> JSON | None:
        """The schema of an operation's request body (JSON or multipart), dereferenced."""
        for media in op.get("requestBody", {}).get("content", {}).values():
            return self.deref(media.get("schema", {}))
        return None

    def file_fields(self, op: JSON) -> dict[str, JSON]:
        """The request's file parts (``contentMediaType`` set), each with its schema and its rules (a ``$ref``'s
        target under the part's own keys, as the client reads them)."""
        properties = (self.request_schema(op) or {}).get("properties", {})
        parts = {name: self.merged(p) for name, p in properties.items()}
        return {name: part for name, part in parts.items() if "contentMediaType" in part}

    def upload_limit(self) -> int:
        """The largest ``x-max-bytes`` of a file part of any operation (512 MB for the documents' uploads)."""
        limits = [int(f.get("x-max-bytes", 0)) for op in self.operations() for f in self.file_fields(op).values()]
        return max(limits, default=0) or 512 << 20

    def response(self, op: JSON, status: int) -> JSON | None:
        """The operation's response for ``status`` (its own, its class ``4XX``, or ``default``), dereferenced."""
        responses = op.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return self.deref(responses[key])
        return None

    def success(self, op: JSON) -> tuple[int, JSON]:
        """The operation's first 2xx response and its status (200 for ``2XX``)."""
        keys = sorted(k for k in op.get("responses", {}) if k.startswith("2"))
        if not keys:
            return 200, {}
        return (int(keys[0]) if keys[0].isdigit() else 200), self.deref(op["responses"][keys[0]])

    def event_data_schema(self, media: JSON) -> JSON:
        """The schema of the JSON in each ``data`` of an event stream: the event schema's ``data.contentSchema``.

        Per the OpenAPI media type registry, a text/event-stream schema describes one event (``data``, ``event``,
        ``id``, ``retry``); the chunk object is the content of its ``data`` string.
        """
        data = self.deref(self.deref(media.get("schema", {})).get("properties", {}).get("data", {}))
        for branch in [data, *data.get("anyOf", []), *data.get("oneOf", [])]:
            if "contentSchema" in branch:
                schema: JSON = branch["contentSchema"]
                return schema
        return {}

    def schema_validator(self, schema: JSON) -> Validator:
        """A JSON Schema 2020-12 (OAS 3.1) validator for ``schema``; its ``#/components/...`` refs resolve here."""
        root = {"components": self.data.get("components", {}), "allOf": [schema]}
        validator: Validator = OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
        return validator


@functools.cache
def bundled() -> Spec:
    """The client's bundled spec, the one it checks its uploads and answers against."""
    return Spec(_spec.spec())


_ID_PATH = re.compile(r"^[A-Za-z0-9_:.\-]+$")


def plausible_id(value: str) -> bool:
    """An object id as the API makes them: no slash, not ``.`` or ``..``, no control character."""
    return bool(_ID_PATH.match(value)) and value not in (".", "..")
