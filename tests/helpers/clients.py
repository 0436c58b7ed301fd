"""The tests' clients: the fast retry policy, and this layer's and the raw generated client for a ScriptedServer.

``client_for`` gives the generated functions' client (this layer's, with every setting ``_create_client`` takes);
``facade`` and ``afacade`` put the facade, the one public way to call, on such a client.
"""

from __future__ import annotations

import os
from typing import Any

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_client import AuthenticatedClient
from tests.helpers.factories import API_KEY
from tests.helpers.scripted_server import ScriptedServer

FAST = oa.RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
"""Retries that take hundredths of a second, so that tests of retrying stay quick."""


def client_for(server: ScriptedServer, **kwargs: Any) -> OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return _create_client(api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def aclient_for(server: ScriptedServer, **kwargs: Any) -> OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return _create_client(is_async=True, api_key=API_KEY, base_url=server.url + "/v1", **kwargs)


def facade(client: OpenAIClient) -> oa.OpenAI:
    """The facade over a client made already (a gateway's, one with a test transport, ...)."""
    return oa.OpenAI(client=client)


def afacade(client: OpenAIClient) -> oa.AsyncOpenAI:
    return oa.AsyncOpenAI(client=client)


def raw_client(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url + "/v1", token=API_KEY)


def download(client: OpenAIClient, file_id: str, destination: str | os.PathLike[str]) -> None:
    """A file's content streamed to a path through the facade, as the README shows it."""
    with facade(client).files.with_streaming_response.content(file_id) as response:
        response.stream_to_file(destination)


async def adownload(client: OpenAIClient, file_id: str, destination: str | os.PathLike[str]) -> None:
    async with afacade(client).files.with_streaming_response.content(file_id) as response:
        await response.stream_to_file(destination)


async def acontent(client: OpenAIClient, file_id: str) -> bytes:
    """A file's content read whole through the async facade."""
    return (await afacade(client).files.content(file_id)).content
