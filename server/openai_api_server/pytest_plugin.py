"""The pytest plugin (registered under ``pytest11``): an ``openai_server`` fixture with a fresh server per test.

::

    def test_models(openai_server):
        client = openai.OpenAI(base_url=openai_server.url, api_key=openai_server.key)
        assert client.models.list().data

To configure the server, override ``openai_server_options`` (keyword arguments of ``running()``) in a conftest::

    @pytest.fixture
    def openai_server_options():
        return {"seed": 1, "spec_path": pathlib.Path("my-openapi.yaml")}

The plugin imports the server only when the fixture is used, so installing the client without the ``[server]``
extra leaves pytest working.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from openai_api_server._extra import hint, missing

if TYPE_CHECKING:
    from openai_api_server.run import RunningServer


@pytest.fixture
def openai_server_options() -> dict[str, Any]:
    """The ``openai_server`` fixture's options: keyword arguments of ``running()`` (none by default)."""
    return {}


@pytest.fixture
def openai_server(openai_server_options: dict[str, Any]) -> Iterator[RunningServer]:
    """A server on a free 127.0.0.1 port: ``.url`` (ending in /v1), ``.key``, ``.keys``, ``.inject(Fault(...))``,
    ``.state``. Fails the test if the server answered anything the spec does not allow (``.violations``)."""
    gone = missing()
    if gone:  # installed without the [server] extra: one line, not an ImportError's traceback
        pytest.fail(hint(gone), pytrace=False)
    from openai_api_server.run import running

    with running(**openai_server_options) as server:
        yield server
        server.check()
