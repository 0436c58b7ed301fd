"""A fresh local server per test, through the fixture the server package gives its users (``openai_server``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

import openai_api as oa
from openai_api_server import Fault, RunningServer

KEY = "sk-test-org-a"


@pytest.fixture
def server(openai_server: RunningServer) -> RunningServer:
    return openai_server


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def base_url(server: RunningServer) -> str:
    return str(server.url)


@pytest.fixture
def client(base_url: str) -> Iterator[oa.OpenAI]:
    with oa.OpenAI(api_key=KEY, base_url=base_url) as opened:
        yield opened


@pytest.fixture
async def aclient(base_url: str) -> AsyncIterator[oa.AsyncOpenAI]:
    async with oa.AsyncOpenAI(api_key=KEY, base_url=base_url) as opened:
        yield opened


@pytest.fixture
def sent(base_url: str) -> Iterator[tuple[oa.OpenAI, list[httpx.Request]]]:
    """A client whose every request is kept, as it left (headers, and the body of JSON requests)."""
    requests: list[httpx.Request] = []

    def keep(request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("application/json"):
            request.read()
        requests.append(request)

    http = httpx.Client(base_url=base_url, event_hooks={"request": [keep]})
    with oa.OpenAI(api_key=KEY, base_url=base_url, organization="org-a", http_client=http) as opened:
        yield opened, requests


@pytest.fixture
def fail_next(server: RunningServer) -> Callable[[str, int], None]:
    """The next request under ``path`` gets ``status`` with an API error body."""

    def inject(path: str, status: int) -> None:
        body = (
            '{"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": null}}'
        )
        server.inject(Fault(path=path, status=status, body=body, headers={"retry-after": "0"}))

    return inject


@pytest.fixture
def slow_next(server: RunningServer) -> Callable[[str, float], None]:
    """The next request under ``path`` waits ``seconds`` before its answer."""

    def inject(path: str, seconds: float) -> None:
        server.inject(Fault(path=path, delay=seconds))

    return inject
