"""The call's deadline, as one object that every bound on the call asks.

httpx's timeouts bound each wait on the socket, so a server that drips its status line a byte a second never trips
one. The exchange makes one :class:`Deadline` per call from the client's setting, and it alone knows when the call
ends: what is left, each timeout capped by that, whether it has passed, and the typed error that says so. For each
attempt the transport makes it the current one here, and the network streams below the connection pool cap every
connect, read and write by what is left of it: a wait that runs out is a timeout that the exchange reports as the
deadline's. A streamed answer's body is read after the attempt, so it is not capped (its read timeout, the idle
timeout, bounds it: the deadline bounds a stream until its headers arrive).

Sync and async calls share this one mechanism. anyio's cancel scopes (``fail_after``) would bound async attempts
alone, at about 75 k instructions an attempt on asyncio (the transport and a call's plumbing are 28 k), and the
async streams would stay wrapped: they also mark a leftover connection (``_pool``).
"""

from __future__ import annotations

import contextvars
from time import monotonic as _monotonic

import httpx

from openai_api._errors import APITimeoutError

__all__ = ["Capped", "Deadline", "capped", "mark_leftover", "retries_text"]

_EARLY = 0.05
"""Seconds: a socket wait capped by the deadline that ends this near it was the deadline firing, and an attempt
with less left is not worth starting."""

_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("openai_api_deadline", default=None)


def retries_text(count: int) -> str:
    return "1 retry" if count == 1 else f"{count} retries"


class Deadline:
    """When one call must end (``ends``, a ``time.monotonic()`` value), ``seconds`` after it started.

    Entered as a context manager for an attempt, it caps every socket wait under it. A class, not
    ``contextlib.contextmanager``: that builds a generator and a wrapper per attempt (1.5 µs a call).
    """

    __slots__ = ("_token", "ends", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = _monotonic() + seconds

    def left(self) -> float:
        return self.ends - _monotonic()

    @property
    def passed(self) -> bool:
        """Whether it has passed, or is closer than ``_EARLY``."""
        return self.ends - _monotonic() <= _EARLY

    def cap(self, timeout: float | None) -> float | None:
        """``timeout`` (None: no bound), or what is left when that is shorter."""
        # Comparisons, not max() and min(): this runs on every read and write of every call.
        left = self.ends - _monotonic()
        if left <= 0.0:
            return 0.0
        return left if timeout is None or left < timeout else timeout

    def cap_all(self, timeouts: dict[str, float | None]) -> dict[str, float | None]:
        """``timeouts`` itself when each is within what is left (nearly always), else a capped copy."""
        left = self.ends - _monotonic()
        for value in timeouts.values():
            if value is None or value > left:
                return {name: self.cap(value) for name, value in timeouts.items()}
        return timeouts

    def error(self, request: httpx.Request, retried: int) -> APITimeoutError:
        """Raised when the call is found past its deadline: before an attempt, between chunks of a body."""
        note = f" after {retries_text(retried)}" if retried else ""
        return APITimeoutError(
            f"{request.method} {request.url} timed out (deadline): the call took longer than its "
            f"deadline of {self.seconds:g} s{note}",
            request=request,
            bound="deadline",
        )

    def __enter__(self) -> Deadline:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)


def capped(timeout: float | None) -> float | None:
    """A socket wait's timeout, capped by the current deadline if there is one (``_async/_network``)."""
    deadline = _CURRENT.get()
    return timeout if deadline is None else deadline.cap(timeout)


class Capped:
    """A network stream whose waits :func:`capped` bounds; ``leftover`` makes httpcore see it readable while idle,
    its sign that the server closed it (``_pool``)."""

    leftover = False


def mark_leftover(stream: object) -> None:
    """Marks an idle connection's stream (see :class:`Capped`); a stream this layer did not wrap is left alone."""
    if isinstance(stream, Capped):
        stream.leftover = True
