"""One place to start: ``OpenAI`` and ``AsyncOpenAI``, every operation as ``client.<resource>.<method>(...)``.

The resources are generated from the spec (``openai_api_client.resources``, one per ``x-sdk-method``); this module
gives them a requester built on :func:`create_client`: typed errors through :func:`call`, and one function for
each kind of operation a generated function cannot send alone (streamed uploads with the spec's checks, downloads,
server-sent event streams), each taking the operation's generated module: an operation the spec adds, of any kind,
needs nothing here.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx

from openai_api_client import resources
from openai_api_client.models import ListFilesResponse, ListOrderKnown, OpenAIFile
from openai_api_client.types import UNSET, Response, Unset
from openai_api_overrides import _files
from openai_api_overrides._calls import acall, call
from openai_api_overrides._client import OpenAIClient, create_async_client, create_client
from openai_api_overrides._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api_overrides._retry import RetryPolicy

if TYPE_CHECKING:
    from openai_api_overrides import _streaming

__all__ = ["AsyncOpenAI", "OpenAI"]

_GATEWAY_NOTE = "On the api.mygptlife.com gateway, its documented path first, then ``/files`` (see ``list_files``)."


if TYPE_CHECKING:

    def _streams_fit(
        sync: _streaming.Stream[Any], async_: _streaming.AsyncStream[Any]
    ) -> tuple[resources.EventStream[Any], resources.AsyncEventStream[Any]]:
        """mypy proves here that the helpers' streams are what the generated stream methods promise."""
        return sync, async_


def _load(module: str) -> Any:
    # The streams, uploads and downloads with their models took 35 ms to import, a fifth of what a fresh
    # `OpenAI(...).files.list()` cost in all: each loads when its first call is made.
    return importlib.import_module(f"openai_api_overrides.{module}")


class _Requester:
    """How the generated resources send: each kind of operation (JSON, multipart, binary, streamed) by one
    function that takes the operation's generated module, so no operation is named here."""

    def __init__(self, client: OpenAIClient) -> None:
        self.client = client

    def call(self, endpoint: Callable[..., Response[Any]], /, **kwargs: Any) -> Any:
        return call(endpoint, client=self.client, **kwargs)

    def upload(
        self, endpoint: ModuleType, arguments: dict[str, Any], body_model: Any, fields: dict[str, Any], /
    ) -> Any:
        return _load("_uploads").send_upload(self.client, endpoint, body_model, fields, arguments=arguments)

    def download(self, endpoint: ModuleType, arguments: dict[str, Any], /) -> bytes:
        result: bytes = _load("_downloads").download_bytes(self.client, endpoint, arguments)
        return result

    def stream(self, endpoint: ModuleType, arguments: dict[str, Any], item: Any, /) -> Any:
        streaming = _load("_streaming")
        return streaming.Stream(self.client, streaming.reader(endpoint, arguments, item))


class _AsyncRequester:
    def __init__(self, client: OpenAIClient) -> None:
        self.client = client

    async def acall(self, endpoint: Callable[..., Awaitable[Response[Any]]], /, **kwargs: Any) -> Any:
        return await acall(endpoint, client=self.client, **kwargs)

    async def aupload(
        self, endpoint: ModuleType, arguments: dict[str, Any], body_model: Any, fields: dict[str, Any], /
    ) -> Any:
        return await _load("_uploads").asend_upload(self.client, endpoint, body_model, fields, arguments=arguments)

    async def adownload(self, endpoint: ModuleType, arguments: dict[str, Any], /) -> bytes:
        result: bytes = await _load("_downloads").adownload_bytes(self.client, endpoint, arguments)
        return result

    def astream(self, endpoint: ModuleType, arguments: dict[str, Any], item: Any, /) -> Any:
        streaming = _load("_streaming")
        return streaming.AsyncStream(self.client, streaming.reader(endpoint, arguments, item))


class Files(resources.Files):
    """``client.files``, plus every file over all pages, and the gateway's list path when the client is one."""

    def __init__(self, requester: _Requester) -> None:
        super().__init__(requester)
        self._client = requester.client

    def list(
        self,
        *,
        purpose: str | Unset = UNSET,
        limit: int | Unset = UNSET,
        order: ListOrderKnown | str | Unset = UNSET,
        after: str | Unset = UNSET,
    ) -> ListFilesResponse:
        return _files.list_files(self._client, purpose=purpose, limit=limit, order=order, after=after)

    # The spec's documentation, and what this layer adds to it.
    list.__doc__ = f"{resources.Files.list.__doc__}\n{_GATEWAY_NOTE}"

    def iter(
        self, *, purpose: str | Unset = UNSET, limit: int | Unset = UNSET, order: ListOrderKnown | str | Unset = UNSET
    ) -> Iterator[OpenAIFile]:
        """Every file, fetched page by page as the loop asks (``limit`` is the page size)."""
        return _files.iter_files(self._client, purpose=purpose, limit=limit, order=order)


class AsyncFiles(resources.AsyncFiles):
    """The async twin of :class:`Files`."""

    def __init__(self, requester: _AsyncRequester) -> None:
        super().__init__(requester)
        self._client = requester.client

    async def list(
        self,
        *,
        purpose: str | Unset = UNSET,
        limit: int | Unset = UNSET,
        order: ListOrderKnown | str | Unset = UNSET,
        after: str | Unset = UNSET,
    ) -> ListFilesResponse:
        return await _files.alist_files(self._client, purpose=purpose, limit=limit, order=order, after=after)

    list.__doc__ = f"{resources.AsyncFiles.list.__doc__}\n{_GATEWAY_NOTE}"

    def iter(
        self, *, purpose: str | Unset = UNSET, limit: int | Unset = UNSET, order: ListOrderKnown | str | Unset = UNSET
    ) -> AsyncIterator[OpenAIFile]:
        """Every file, fetched page by page as the loop asks (``limit`` is the page size)."""
        return _files.aiter_files(self._client, purpose=purpose, limit=limit, order=order)


class OpenAI(resources.Resources):
    """Every operation of the spec from one object: ``client.files.list()``, ``client.chat.completions.create()``.

    Arguments are :func:`create_client`'s (and the same environment variables); ``client=`` wraps a client made
    already. Errors raise the typed exceptions (``NotFoundError``, ``RateLimitError``, ...).
    """

    files: Files

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        validate_responses: bool = False,
        client: OpenAIClient | None = None,
        project: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
    ) -> None:
        self.http = client or create_client(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            headers=dict(default_headers) if default_headers else None,
            default_query=default_query,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            retry_policy=retry_policy,
            http_client=http_client,
            validate_responses=validate_responses,
        )
        requester = _Requester(self.http)
        super().__init__(requester)
        self.files = Files(requester)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
    ) -> OpenAI:
        """The same client for some calls, with another timeout, deadline or retry count, sharing the pool."""
        return OpenAI(client=self.http.with_options(timeout=timeout, deadline=deadline, max_retries=max_retries))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OpenAI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAI(resources.AsyncResources):
    """The async twin of :class:`OpenAI`: ``await client.files.list()``."""

    files: AsyncFiles

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        validate_responses: bool = False,
        client: OpenAIClient | None = None,
        project: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
    ) -> None:
        self.http = client or create_async_client(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            headers=dict(default_headers) if default_headers else None,
            default_query=default_query,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            retry_policy=retry_policy,
            http_client=http_client,
            validate_responses=validate_responses,
        )
        requester = _AsyncRequester(self.http)
        super().__init__(requester)
        self.files = AsyncFiles(requester)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncOpenAI:
        """The same client for some calls, with another timeout, deadline or retry count, sharing the pool."""
        return AsyncOpenAI(client=self.http.with_options(timeout=timeout, deadline=deadline, max_retries=max_retries))

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncOpenAI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
