"""The call's deadline as one object: its arithmetic, its error, and the socket waits it caps while it is current
(the sockets of real servers are in the hostile-peer tests)."""

from __future__ import annotations

import ssl
import typing
from typing import Any

import httpcore
import httpx
import pytest

from openai_api import APITimeoutError
from openai_api._async._network import Backend as _AsyncBackend
from openai_api._deadline import Deadline
from openai_api._sync._network import Backend as _Backend

TIMEOUTS: dict[str, float | None] = {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def _past(seconds: float, by: float) -> Deadline:
    deadline = Deadline(seconds)
    deadline.ends -= by
    return deadline


def test_what_is_left_and_whether_it_passed() -> None:
    deadline = Deadline(10.0)
    assert 9.0 < deadline.left() <= 10.0 and not deadline.passed
    assert _past(1.0, 2.0).passed and _past(1.0, 2.0).left() < 0
    # A socket wait capped by it may end a moment early: that is still the deadline firing.
    assert _past(1.0, 0.99).passed


def test_a_timeout_is_capped_by_what_is_left() -> None:
    deadline = Deadline(10.0)
    assert deadline.cap(5.0) == 5.0
    assert 9.0 < typing.cast(float, deadline.cap(600.0)) <= 10.0
    assert 9.0 < typing.cast(float, deadline.cap(None)) <= 10.0  # no timeout is never no bound
    assert _past(1.0, 2.0).cap(5.0) == 0.0


def test_timeouts_within_it_are_the_same_dict_and_others_a_capped_copy() -> None:
    assert Deadline(1800.0).cap_all(TIMEOUTS) is TIMEOUTS
    asked = {**TIMEOUTS, "connect": None}
    capped = Deadline(10.0).cap_all(asked)
    assert all(9.0 < typing.cast(float, capped[name]) <= 10.0 for name in ("connect", "read", "write", "pool"))
    assert asked == {**TIMEOUTS, "connect": None}


@pytest.mark.parametrize(
    ("retried", "note"), [(0, ""), (1, " after 1 retry"), (2, " after 2 retries")], ids=["first", "one", "two"]
)
def test_its_error_names_the_call_the_deadline_and_the_retries(retried: int, note: str) -> None:
    request = httpx.Request("GET", "http://127.0.0.1:1/v1/files")
    error = Deadline(2.5).error(request, retried)
    assert isinstance(error, APITimeoutError) and error.bound == "deadline" and error.request is request
    assert str(error) == (
        f"GET http://127.0.0.1:1/v1/files timed out (deadline): the call took longer than its deadline of 2.5 s{note}"
    )


# --- the socket waits under it ---------------------------------------------------------------------------------


class _Recorded(httpcore.NetworkStream):
    def __init__(self, seen: list[float | None]) -> None:
        self.seen = seen

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.seen.append(timeout)
        return b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.seen.append(timeout)

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.seen.append(timeout)
        return self


class _RecordedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.seen: list[float | None] = []

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, *args: Any) -> httpcore.NetworkStream:
        self.seen.append(timeout)
        return _Recorded(self.seen)


class _AsyncRecorded(httpcore.AsyncNetworkStream):
    def __init__(self, seen: list[float | None]) -> None:
        self.seen = seen

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.seen.append(timeout)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.seen.append(timeout)


class _AsyncRecordedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.seen: list[float | None] = []

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *args: Any
    ) -> httpcore.AsyncNetworkStream:
        self.seen.append(timeout)
        return _AsyncRecorded(self.seen)


def _within(seen: list[float | None], seconds: float) -> bool:
    return all(value is not None and seconds - 1.0 < value <= seconds for value in seen)


def test_every_socket_wait_under_the_current_deadline_is_capped_and_none_outside() -> None:
    inner = _RecordedBackend()
    backend = _Backend(inner)
    with Deadline(2.0):
        stream = backend.connect_tcp("127.0.0.1", 1, timeout=5.0)
        stream.write(b"x", timeout=600.0)
        stream.read(10, timeout=None)
        stream.start_tls(ssl.create_default_context(), "localhost", timeout=600.0)
    assert len(inner.seen) == 4 and _within(inner.seen, 2.0)
    # After the attempt (a streamed body read by its caller): the timeout asked for, the idle timeout.
    stream.read(10, timeout=30.0)
    assert inner.seen[-1] == 30.0


def test_the_current_deadline_is_the_innermost_and_a_passed_one_waits_no_more() -> None:
    inner = _RecordedBackend()
    stream = _Backend(inner).connect_tcp("127.0.0.1", 1, timeout=5.0)
    with Deadline(1800.0):
        with _past(1.0, 2.0):
            stream.read(10, timeout=600.0)
        stream.read(10, timeout=600.0)
    assert inner.seen[1:] == [0.0, 600.0]


async def test_every_async_socket_wait_under_the_current_deadline_is_capped() -> None:
    inner = _AsyncRecordedBackend()
    backend = _AsyncBackend(inner)
    with Deadline(2.0):
        stream = await backend.connect_tcp("127.0.0.1", 1, timeout=5.0)
        await stream.write(b"x", timeout=600.0)
        await stream.read(10, timeout=None)
    assert len(inner.seen) == 3 and _within(inner.seen, 2.0)
    await stream.read(10, timeout=30.0)
    assert inner.seen[-1] == 30.0
