"""When to retry a request, and how long to wait first."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from openai_api._errors import ConfigurationError

__all__ = ["RetryPolicy"]

RETRYABLE_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How the transport retries.

    ``max_retries`` is the number of retries after the first attempt. The n-th retry waits
    ``min(backoff_base * 2**n, backoff_max)``, shortened by up to ``jitter`` of itself at random, unless the server
    said how long to wait (``retry-after-ms`` or ``Retry-After``, in seconds or as an HTTP date): that is honoured up
    to ``retry_after_max`` seconds; a longer wait falls back to the backoff.
    """

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.25
    retry_after_max: float = 60.0

    def __post_init__(self) -> None:
        # `not x >= 0` also refuses NaN, which compares false with everything.
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be a whole number >= 0, not {self.max_retries!r}")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError(f"jitter must be between 0 and 1, not {self.jitter!r}")
        for name in ("backoff_base", "backoff_max", "retry_after_max"):
            value = getattr(self, name)
            if not value >= 0:
                raise ConfigurationError(f"{name} must be a number of seconds >= 0, not {value!r}")

    def backoff(self, retry_index: int) -> float:
        delay = min(self.backoff_base * 2.0**retry_index, self.backoff_max)
        return delay * (1 - self.jitter * random.random())

    def delay(self, retry_index: int, response: httpx.Response | None) -> float:
        if response is not None:
            server_delay = retry_after(response.headers)
            if server_delay is not None and 0 <= server_delay <= self.retry_after_max:
                return server_delay
        return self.backoff(retry_index)


def retry_after(headers: httpx.Headers) -> float | None:
    """The wait the server asked for, in seconds, or None."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def should_retry_status(response: httpx.Response) -> bool:
    """Whether the status (and the server's ``x-should-retry``) asks for another attempt."""
    hint = response.headers.get("x-should-retry")
    if hint == "true":
        return True
    if hint == "false":
        return False
    return response.status_code in RETRYABLE_STATUSES or response.status_code >= 500


def replay_problem(request: httpx.Request) -> str | None:
    """Why the request's body cannot be sent again, or None when it can (no body, bytes, or rewindable files)."""
    stream = request.stream
    if isinstance(stream, httpx.ByteStream):
        return None
    fields = getattr(stream, "fields", None)
    if fields is not None:
        # httpx's multipart stream seeks every file part back to 0 when it renders it again: seekable files
        # replay, anything else cannot.
        for field in fields:
            file = getattr(field, "file", None)
            if file is None or isinstance(file, bytes | str):
                continue
            if not (hasattr(file, "seek") and getattr(file, "seekable", lambda: False)()):
                return f"the multipart part {getattr(field, 'name', '?')!r} is a one-shot stream"
        return None
    return "the request body is a one-shot stream (an iterator or generator)"
