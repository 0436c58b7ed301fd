"""Faults the server injects on chosen operations, for a client's reliability tests."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Fault:
    """The next ``times`` requests to ``operation`` (an operation id such as ``createChatCompletion``), or else to a
    path starting with ``path``, get this instead of (or on top of) their answer.

    - ``status``/``body``/``headers``/``content_type``: answer this instead, before touching any state (a 429 with
      ``headers={"Retry-After": "1"}``, a 503, a proxy's HTML 502).
    - ``drop_connection``: the connection is dropped before any byte of an answer (under ``running()`` and the
      command; another ASGI server answers 500 instead).
    - ``drop_mid_body``: the real answer's headers and half its body (one event of a stream), then the connection is
      dropped.
    - ``cut_stream``: an event stream ends cleanly before its last event (the one that finishes its choices),
      without ``data: [DONE]``.
    - ``slow_bytes``: the real answer dripped a few bytes (one event) at a time, this many seconds apart.
    - ``delay``: wait this many seconds first.
    """

    path: str = "/v1/"
    operation: str | None = None
    times: int = 1
    status: int | None = None
    body: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False
    drop_mid_body: bool = False
    cut_stream: bool = False
    slow_bytes: float = 0.0
    delay: float = 0.0

    def matches(self, operation: str | None, path: str) -> bool:
        return self.operation == operation if self.operation is not None else path.startswith(self.path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """A fault from JSON (``--fault '{"operation": "listModels", "status": 429}'``); unknown keys are errors."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault option(s) {unknown}; known: {sorted(known)}")
        fault = cls(**data)
        if fault.times < 1:
            raise ValueError(f"a fault's times must be at least 1, not {fault.times}")
        return fault
