"""The one place that reads the spec: loading it, following its ``$ref``s, walking its operations, and the snake-case
names made from it. The client, the server, the generator and the tests all go through here.

The installed client reads the spec the generator bundled into ``openai_api_client/openapi.json`` (:func:`spec`,
read once); the server, the tests and the generator's helpers pass a document of their own (``root``), such as one
read with :func:`load_file`. Importing this module imports nothing outside the standard library: the generator
imports it before the package it writes exists (``openai_api_client`` is imported on the first :func:`spec` only),
and PyYAML is imported only to read a YAML file. The generator's own parser, which checks the spec and locates each
problem on its line (``generator/_input.py``), is the one other reader of the YAML text.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from pathlib import Path

JSON = dict[str, Any]
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class SpecFileError(ValueError):
    """A spec file that cannot be read as an OpenAPI document; the message names the file and what is wrong."""


@functools.cache
def spec() -> JSON:
    """The bundled spec (``openai_api_client/openapi.json``), read once. Callers read it, never change it."""
    import openai_api_client

    # Read through the package's loader, as pkgutil.get_data does (zips too), without importing pkgutil (1.6 ms
    # of a first call) or importlib.resources.
    package = openai_api_client.__spec__
    loader: Any = package.loader if package is not None else None
    if package is None or package.origin is None or not hasattr(loader, "get_data"):
        raise LookupError("openai_api_client is not loaded from files: its openapi.json cannot be read")
    try:
        raw = loader.get_data(os.path.join(os.path.dirname(package.origin), "openapi.json"))
    except OSError as exc:
        raise LookupError("openai_api_client/openapi.json is missing: the generated package is incomplete") from exc
    data: JSON = json.loads(raw)
    return data


def load_file(path: Path) -> JSON:
    """The OpenAPI document in ``path``: JSON for a ``.json`` file, YAML (with PyYAML installed) for any other.

    ``SpecFileError`` when the file is missing, is not JSON (YAML), or has no object of ``paths``.
    """
    loads: Callable[[str], Any] = json.loads
    if path.suffix != ".json":
        try:
            import yaml
        except ImportError:
            raise SpecFileError(f"{path}: a YAML spec needs PyYAML (pip install pyyaml); or give it as JSON") from None
        loads = yaml.safe_load
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except Exception as exc:  # the file is missing, or not JSON (YAML)
        raise SpecFileError(f"{path}: cannot read it as a spec ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        raise SpecFileError(f"{path}: an OpenAPI document has an object of 'paths'")
    return data


def pointer(root: Any, ref: str) -> Any:
    """What the internal ``$ref`` ``ref`` (``#/components/schemas/Model``) points to in ``root``; ``KeyError`` when
    it points to nothing. The fragment is percent-decoded, then each part unescaped (``~1`` is ``/``, ``~0`` ``~``);
    a part that is a number indexes a list."""
    target = root
    for part in unquote(ref.removeprefix("#")).split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and key in target:
            target = target[key]
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            raise KeyError(ref)
    return target


def resolve(node: Any, root: Any = None) -> Any:
    """``node`` with its ``$ref`` followed, again and again, until a node that is not a reference; ``root`` is the
    document the references are in (the bundled spec by default). A cycle of references stops at the first node met
    twice. Anything that is not a mapping is returned as it is; a reference to nothing is a ``KeyError``."""
    document = spec() if root is None else root
    seen: list[int] = []
    while isinstance(node, dict) and "$ref" in node and id(node) not in seen:
        seen.append(id(node))
        node = pointer(document, node["$ref"])
    return node


def merged(schema: JSON, root: Any = None) -> JSON:
    """A schema with its ``$ref`` target's keys under its own: 3.1 lets a reference carry siblings (a property that
    refers to ``ImageFile`` and says what it is for), which win over the target's."""
    if "$ref" not in schema:
        return schema
    return {**resolve(schema, root), **{k: v for k, v in schema.items() if k != "$ref"}}


def operations(root: Any = None) -> Iterator[tuple[str, str, JSON, JSON]]:
    """Each operation of the document, as ``(method, path, path item, operation)``: paths in the document's order,
    methods in the order of :data:`HTTP_METHODS`; an item or operation that is not a mapping is skipped."""
    document = spec() if root is None else root
    paths = document.get("paths") if isinstance(document, dict) else None
    for path, item in paths.items() if isinstance(paths, dict) else ():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict):
                yield method, path, item, op


_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def snake(name: str) -> str:
    """``createChatCompletion`` -> ``create_chat_completion``, ``timestamp_granularities[]`` ->
    ``timestamp_granularities``: the name the generator gives an operation's module, a server handler, an argument."""
    return _NOT_WORD.sub("_", _WORD_START.sub("_", name)).strip("_").lower()


@functools.cache
def operation(module_name: str) -> JSON:
    """The operation object a generated module was made from (``openai_api_client.api.files.list_files``)."""
    wanted = module_name.rsplit(".", 1)[-1]
    for _, _, _, op in operations():
        if snake(str(op.get("operationId", ""))) == wanted:
            return op
    raise LookupError(f"no operation in the spec for {module_name}")
