"""The spec, as the generator bundled it into ``openai_api_client/openapi.json``: limits and schemas at run time."""

from __future__ import annotations

import functools
import json
import pkgutil
import re
from typing import Any

JSON = dict[str, Any]


@functools.cache
def spec() -> JSON:
    # pkgutil, not importlib.resources: the same loader-level read (zips too), without importing half of
    # importlib.resources before a first call.
    raw = pkgutil.get_data("openai_api_client", "openapi.json")
    if raw is None:
        raise LookupError("openai_api_client/openapi.json is missing: the generated package is incomplete")
    data: JSON = json.loads(raw)
    return data


def resolve(node: JSON) -> JSON:
    """Follows ``$ref`` until a schema that is not a reference."""
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@functools.cache
def operation(module_name: str) -> JSON:
    """The operation object a generated module was made from (``openai_api_client.api.files.list_files``)."""
    wanted = module_name.rsplit(".", 1)[-1]
    for item in spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and _snake(str(op.get("operationId", ""))) == wanted:
                found: JSON = op
                return found
    raise LookupError(f"no operation in the spec for {module_name}")
