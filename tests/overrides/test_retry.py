"""The retry policy's parsers and waits, from headers alone."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest

from openai_api._retry import RetryPolicy, retry_after, should_retry_status


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({}, None),
    ],
)
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(httpx.Headers(headers)) == expected


def test_retry_after_as_an_http_date() -> None:
    wait = retry_after(httpx.Headers({"retry-after": formatdate(time.time() + 30, usegmt=True)}))
    assert wait is not None and 28 <= wait <= 31
    past = retry_after(httpx.Headers({"retry-after": formatdate(time.time() - 30, usegmt=True)}))
    assert past == 0.0


@pytest.mark.parametrize("value", ["99999", "-5", "nan", "inf"])
def test_a_server_wait_out_of_bounds_falls_back_to_the_backoff(value: str) -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8, jitter=0)
    response = httpx.Response(429, headers={"retry-after": value})
    assert policy.delay(0, response) == 0.5
    assert policy.delay(3, response) == 4.0


def test_backoff_grows_is_capped_and_jitters_down_only() -> None:
    policy = RetryPolicy(backoff_base=1, backoff_max=5, jitter=0.5)
    for index, ceiling in enumerate([1, 2, 4, 5, 5]):
        for _ in range(50):
            assert ceiling * 0.5 <= policy.backoff(index) <= ceiling


@pytest.mark.parametrize(
    ("status", "hint", "expected"),
    [
        (408, None, True),
        (409, None, True),
        (429, None, True),
        (500, None, True),
        (503, None, True),
        (400, None, False),
        (404, None, False),
        (400, "true", True),
        (503, "false", False),
    ],
)
def test_which_statuses_are_retried(status: int, hint: str | None, expected: bool) -> None:
    headers = {"x-should-retry": hint} if hint else {}
    assert should_retry_status(httpx.Response(status, headers=headers)) is expected


def test_a_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)
