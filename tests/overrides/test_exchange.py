"""The exchange's deadline arithmetic, from values alone (the sockets' side is in the hostile-peer tests)."""

from __future__ import annotations

import httpx
import pytest

from openai_api import APITimeoutError
from openai_api._exchange import Exchange
from openai_api._retry import RetryPolicy

TIMEOUTS: dict[str, float | None] = {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def _exchange(deadline: float, timeouts: dict[str, float | None]) -> Exchange:
    request = httpx.Request("GET", "http://127.0.0.1:1/v1/files")
    return Exchange(request, RetryPolicy(), deadline, False, timeouts)


def test_timeouts_within_the_deadline_are_sent_as_asked() -> None:
    attempt = _exchange(1800.0, TIMEOUTS).start_attempt()
    assert attempt.extensions["timeout"] == TIMEOUTS


def test_timeouts_longer_than_what_is_left_are_capped_and_the_asked_ones_kept() -> None:
    asked = dict(TIMEOUTS)
    sent = _exchange(10.0, asked).start_attempt().extensions["timeout"]
    assert sent["connect"] == 5.0 and all(9.0 < sent[name] <= 10.0 for name in ("read", "write", "pool"))
    assert asked == TIMEOUTS


def test_no_timeout_becomes_what_is_left_of_the_deadline() -> None:
    sent = _exchange(1800.0, {**TIMEOUTS, "read": None}).start_attempt().extensions["timeout"]
    assert 1799.0 < sent["read"] <= 1800.0 and sent["connect"] == 5.0


def test_a_passed_deadline_is_a_timeout_before_sending() -> None:
    exchange = _exchange(1.0, TIMEOUTS)
    exchange.deadline.ends -= 2.0
    with pytest.raises(APITimeoutError, match=r"timed out \(deadline\)"):
        exchange.start_attempt()
