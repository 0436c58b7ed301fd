"""What the server needs beyond the client (the ``[server]`` extra), and the one line that says how to install it."""

from __future__ import annotations

import importlib.util

INSTALL = "pip install 'openai-api-client[server]'"
MODULES = ("starlette", "uvicorn", "python_multipart", "openapi_core")


def missing() -> list[str]:
    """The extra's modules that are not installed (found without importing them)."""
    return [name for name in MODULES if importlib.util.find_spec(name) is None]


def hint(gone: list[str]) -> str:
    return f"the local API server needs the [server] extra ({', '.join(gone)} not installed): {INSTALL}"
