from __future__ import annotations

from collections.abc import Iterator

import pytest

from openai_api_server import RunningServer, running


@pytest.fixture
def api() -> Iterator[RunningServer]:
    """A fresh test server; a test fails if the server saw an exchange that breaks the spec."""
    with running() as server:
        yield server
        assert server.state.violations == [], server.state.violations


@pytest.fixture
def plain_gateway() -> Iterator[RunningServer]:
    """A gateway that has only /v1/files, not its documented /v1/files%2520_."""
    with running(gateway_quirk=False) as server:
        yield server
        assert server.state.violations == []
