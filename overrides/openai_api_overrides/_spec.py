"""The spec, as the generator bundled it into ``openai_api_client/openapi.json``: limits and schemas at run time."""

from __future__ import annotations

import functools
import json
import os
import re
from typing import Any

import openai_api_client

JSON = dict[str, Any]


@functools.cache
def spec() -> JSON:
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
