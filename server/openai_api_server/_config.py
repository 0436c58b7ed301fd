"""What a server instance is (``ServerConfig``, each field a knob the package's docstring documents), apart from the
app, so that what only configures it (the command line, the preload reader) needs neither starlette nor the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openai_api_server.faults import Fault

DEFAULT_KEYS = {"sk-test-org-a": "org-a", "sk-test-org-b": "org-b"}
MAX_JSON_BYTES = 32 << 20  # far above any request of the spec; a JSON body is read into memory, so it is bounded


@dataclass
class PreloadedFile:
    path: Path
    purpose: str
    org: str | None = None  # None: the organization of the first key


@dataclass
class ServerConfig:
    """What a server instance is; each field is a knob documented in the package's docstring."""

    data_dir: Path
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    gateway_quirk: bool = True
    max_upload_bytes: int | None = None
    max_json_bytes: int = MAX_JSON_BYTES
    validate: bool = True
    fine_tune_step: float = 0.05
    stream_delay: float = 0.0
    seed: int | None = None
    faults: list[Fault] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    files: list[PreloadedFile] = field(default_factory=list)
    spec_path: Path | None = None  # None: the client's bundled spec
