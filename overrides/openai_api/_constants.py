"""The client's defaults, in one place: timeouts, the call deadline, the connection pool, redirects."""

from __future__ import annotations

import httpx

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_TIMEOUT"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# The official SDK's timeouts: 10 minutes for each read or write, 5 s to connect.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
# The total time one call may take, retries and waits included (the official SDK has no such bound): three attempts
# that each use the whole read timeout fit in it.
DEFAULT_DEADLINE = 1800.0
# The official SDK's pool: httpx.Limits() alone would mean no bound at all on connections.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
# Same-origin redirects of GET and HEAD followed before giving up.
MAX_REDIRECTS = 5
# The request extension holding the list a sent request's answer is appended to (see `_calls.with_options`).
CAPTURE = "openai_api.capture"
