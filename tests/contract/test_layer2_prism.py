"""Layer 2: every non-streaming operation through the client against Prism, a mock server nobody here wrote,
mocking spec/openapi.yaml with request validation on. A request Prism finds invalid fails the test with Prism's
own message (its ``sl-violations`` header)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_server import free_port
from tests.contract.calls import CALLS, GATEWAY_CALLS, TEXT_CALLS
from tests.helpers.clients import facade
from tests.helpers.spec import REPO_ROOT, SPEC_PATH, load_spec, operations

PRISM = REPO_ROOT / "node_modules" / ".bin" / "prism"


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    assert PRISM.exists(), "run scripts/setup.sh: it installs the pinned Prism from package-lock.json"
    port = free_port()
    env = {**os.environ, "SCARF_ANALYTICS": "false", "NO_COLOR": "1"}
    log = open(os.devnull, "w")  # noqa: SIM115 - held for the server's lifetime
    process = subprocess.Popen(
        [str(PRISM), "mock", str(SPEC_PATH), "--errors", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/models", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Prism did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class Violations:
    """Collects Prism's verdicts on every answer: its ``sl-violations`` header, and any 422."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        header = response.headers.get("sl-violations")
        if header or response.status_code == 422:
            request = response.request
            self.found.append(f"{request.method} {request.url.raw_path.decode()} -> {response.status_code}: {header}")


def prism_client(url: str, violations: Violations, gateway: bool = False) -> OpenAIClient:
    http = httpx.Client(base_url=url, event_hooks={"response": [violations]})
    # Prism routes paths without the server's /v1 prefix.
    return _create_client(api_key="sk-prism", base_url=url, http_client=http, gateway=gateway, max_retries=0)


NON_STREAMING = sorted(name for name in CALLS if not name.endswith(":stream"))


def test_every_non_streaming_operation_is_called() -> None:
    assert sorted(NON_STREAMING) == sorted(op.operation_id for op in operations(load_spec()))


@pytest.mark.parametrize("call_name", NON_STREAMING)
def test_prism_accepts_what_the_client_sends(prism: str, call_name: str) -> None:
    violations = Violations()
    result = CALLS[call_name](prism_client(prism, violations, gateway=call_name in GATEWAY_CALLS))
    assert violations.found == [], "\n".join(violations.found)
    assert result is not None
    if call_name in TEXT_CALLS:
        # Prism answers the first declared media type (JSON); the text request must still be valid.
        TEXT_CALLS[call_name](prism_client(prism, violations))
        assert violations.found == [], "\n".join(violations.found)


def _violations_of(response: httpx.Response) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(response.headers.get("sl-violations", "[]"))
    return found


def test_prism_rejects_a_bad_form_field(prism: str) -> None:
    # Upload purposes are an open enum (any string goes, the API decides): a form field with a bound still fails.
    response = httpx.post(
        prism + "/images/variations",
        headers={"Authorization": "Bearer sk-prism"},
        files={"image": ("a.png", b"png", "application/octet-stream")},
        data={"n": "0"},
    )
    assert response.status_code in (400, 422)
    assert any(v["location"][-1] == "n" for v in _violations_of(response)), response.headers


def test_prism_rejects_a_missing_required_field(prism: str) -> None:
    response = httpx.post(
        prism + "/chat/completions", headers={"Authorization": "Bearer sk-prism"}, json={"model": "gpt-3.5-turbo"}
    )
    assert response.status_code in (400, 422)
    assert any("messages" in v["message"] for v in _violations_of(response)), response.headers


def test_a_prism_violation_fails_the_client_test(prism: str) -> None:
    violations = Violations()
    client = prism_client(prism, violations)
    with pytest.raises(oa.BadRequestError) as info:
        facade(client).files.list(limit=0)
    # An error status raises inside the transport, before httpx's response hooks: the answer is on the error.
    violations(info.value.response)
    assert violations.found and "limit" in violations.found[0]
