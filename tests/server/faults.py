"""Faults the test server injects before answering, for the reliability tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fault:
    """The next request whose path starts with ``path`` gets this instead of (or on top of) its answer.

    ``status``/``body``/``headers``/``content_type``: answer this instead (a scripted status, ``Retry-After``, a
    proxy's HTML 502). ``drop_mid_body``: send half the real answer, then drop the connection. ``cut_stream``: an
    event stream ends cleanly before ``data: [DONE]``. ``slow_bytes``: the real answer dripped a few bytes at a time,
    with this many seconds between drips. ``delay``: wait first.
    """

    path: str = "/v1/"
    status: int | None = None
    body: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop_mid_body: bool = False
    cut_stream: bool = False
    slow_bytes: float = 0.0
    delay: float = 0.0
