"""The tests' clients: the fast retry policy, and this layer's and the raw generated client for a ScriptedServer."""

from __future__ import annotations

from typing import Any

import openai_api_overrides as oa
from openai_api_client import AuthenticatedClient
from tests.helpers.factories import API_KEY
from tests.helpers.scripted_server import ScriptedServer

FAST = oa.RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
"""Retries that take hundredths of a second, so that tests of retrying stay quick."""


def client_for(server: ScriptedServer, **kwargs: Any) -> oa.OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return oa.create_client(api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def aclient_for(server: ScriptedServer, **kwargs: Any) -> oa.OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return oa.create_async_client(api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def raw_client(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url + "/v1", token=API_KEY)
