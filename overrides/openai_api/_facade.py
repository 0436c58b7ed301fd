"""One place to start: ``OpenAI`` and ``AsyncOpenAI``, every operation as ``client.<resource>.<method>(...)``.

The resources are generated from the spec (``openai_api_client.resources``, one per ``x-sdk-method``); this module
gives them a requester (``_async/_requester``) built on :func:`_create_client`: typed errors through :func:`call`, and
one method for each kind of operation a generated function cannot send alone (streamed uploads with the spec's checks,
downloads, server-sent event streams), each taking the operation's generated module: an operation the spec adds, of
any kind, needs nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Generic, Self, TypeVar

import httpx

from openai_api import _pages
from openai_api._client import OpenAIClient, _create_client
from openai_api._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api._retry import RetryPolicy
from openai_api_client import resources

if TYPE_CHECKING:
    from openai_api import _responses, _streaming

__all__ = ["AsyncOpenAI", "OpenAI"]

if TYPE_CHECKING:

    def _classes_fit(
        streams: tuple[_streaming.Stream[int], _streaming.AsyncStream[int]],
        pages: tuple[_pages.Page[int], _pages.AsyncPage[int], _pages.AsyncPaginator[int]],
        answers: tuple[
            _responses.APIResponse[int],
            _responses.StreamedAPIResponse[int],
            _responses.AsyncStreamedAPIResponse[int],
            _responses.BinaryResponse,
        ],
    ) -> tuple[
        tuple[resources.EventStream[int], resources.AsyncEventStream[int]],
        tuple[resources.Page[int], resources.AsyncPage[int], resources.AsyncPaginator[int]],
        tuple[
            resources.APIResponse[int],
            resources.StreamedAPIResponse[int],
            resources.AsyncStreamedAPIResponse[int],
            resources.BinaryResponse,
        ],
    ]:
        """mypy proves here that this layer's classes are what the generated methods promise."""
        return streams, pages, answers


_UserClient = TypeVar("_UserClient", httpx.Client, httpx.AsyncClient)


class _Facade(Generic[_UserClient]):
    """The settings of both facades, stated once: they differ only in ``http_client``'s type (``client=`` wraps a
    client made already). The arguments and environment variables are :func:`_create_client`'s."""

    http: OpenAIClient
    _is_async: ClassVar[bool]

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
        http_client: _UserClient | None = None,
        validate_responses: bool = False,
        client: OpenAIClient | None = None,
        project: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
        gateway: bool | None = None,
    ) -> None:
        self.http = client or _create_client(
            is_async=self._is_async,
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            gateway=gateway,
            headers=default_headers,
            default_query=default_query,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            retry_policy=retry_policy,
            http_client=http_client,
            validate_responses=validate_responses,
        )
        self._attach(self.http)

    def _attach(self, http: OpenAIClient) -> None:
        """Puts the generated resources on this facade, sending through ``http``."""
        raise NotImplementedError

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
    ) -> Self:
        """The same client for some calls, with another timeout, deadline or retry count, sharing the pool."""
        return type(self)(client=self.http.with_options(timeout=timeout, deadline=deadline, max_retries=max_retries))


class OpenAI(_Facade[httpx.Client], resources.Resources):
    """Every operation of the spec from one object: ``client.files.list()``, ``client.chat.completions.create()``.

    Errors raise the typed exceptions (``NotFoundError``, ``RateLimitError``, ...).
    """

    _is_async = False

    def _attach(self, http: OpenAIClient) -> None:
        from openai_api._sync._requester import Requester  # as the transports: each half loads when it is used

        resources.Resources.__init__(self, Requester(http))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OpenAI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAI(_Facade[httpx.AsyncClient], resources.AsyncResources):
    """The async twin of :class:`OpenAI`: ``await client.files.list()``."""

    _is_async = True

    def _attach(self, http: OpenAIClient) -> None:
        from openai_api._async._requester import AsyncRequester

        resources.AsyncResources.__init__(self, AsyncRequester(http))

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncOpenAI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
