"""One place to start: ``OpenAI`` and ``AsyncOpenAI``, every operation as ``client.<resource>.<method>(...)``.

The resources are generated from the spec (``openai_api_client.resources``, one per ``x-sdk-method``); this module
gives them a requester built on :func:`_create_client`: typed errors through :func:`call`, and one function for
each kind of operation a generated function cannot send alone (streamed uploads with the spec's checks, downloads,
server-sent event streams), each taking the operation's generated module: an operation the spec adds, of any kind,
needs nothing here.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Self, TypeVar

import httpx

from openai_api import _pages
from openai_api._calls import asend_call, send_call
from openai_api._client import OpenAIClient, _create_client
from openai_api._constants import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from openai_api._retry import RetryPolicy
from openai_api_client import resources
from openai_api_client.types import Response

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


def _load(module: str) -> Any:
    # The streams, uploads and downloads with their models took 35 ms to import, a fifth of what a fresh
    # `OpenAI(...).files.list()` cost in all: each loads when its first call is made.
    return importlib.import_module(f"openai_api.{module}")


Mode = Literal["raw", "streamed"] | None


def _sent(send: Callable[[Mapping[str, Any]], Any], options: Mapping[str, Any]) -> tuple[Any, httpx.Response]:
    """What ``send`` returns for ``options``, and the HTTP answer it came in (the final one: retries happen below
    the client that captures). Only the raw and streamed modes ask: a result notes its request id itself."""
    capture: list[httpx.Response] = []
    return send({**options, "capture": capture}), capture[-1]


async def _asent(
    send: Callable[[Mapping[str, Any]], Awaitable[Any]], options: Mapping[str, Any]
) -> tuple[Any, httpx.Response]:
    capture: list[httpx.Response] = []
    return await send({**options, "capture": capture}), capture[-1]


def _answer(mode: Mode, result: Any, response: httpx.Response, is_async: bool = False) -> Any:
    """The result as the requester's mode asks: itself, or the HTTP answer holding it."""
    if mode is None:
        return result
    if mode == "raw":
        return _load("_responses").APIResponse(response, lambda: result)
    if is_async:
        return _load("_responses").AsyncStreamedAPIResponse(response, lambda: result)
    return _load("_responses").StreamedAPIResponse(response, lambda: result)


class _Requester:
    """How the generated resources send: each kind of operation (JSON, multipart, binary, streamed, listed) by one
    function that takes the operation's generated module, so no operation is named here; ``mode`` answers with
    the HTTP response instead (``with_raw_response``, ``with_streaming_response``)."""

    def __init__(self, client: OpenAIClient, mode: Mode = None) -> None:
        self.client = client
        self.mode = mode

    def with_response(self, mode: Mode) -> _Requester:
        return _Requester(self.client, mode)

    def _send(self, send: Callable[[Mapping[str, Any]], Any], options: Mapping[str, Any]) -> Any:
        """What ``send`` returns for ``options``, as the mode asks."""
        if self.mode is None:
            return send(options)
        return _answer(self.mode, *_sent(send, options))

    def call(self, endpoint: Callable[..., Response[Any]], options: Mapping[str, Any], /, **kwargs: Any) -> Any:
        if self.mode is None:  # nearly every call: no closure to build
            return send_call(endpoint, self.client, options, kwargs)
        return self._send(lambda sent: send_call(endpoint, self.client, sent, kwargs), options)

    def upload(
        self,
        endpoint: ModuleType,
        arguments: dict[str, Any],
        body_model: Any,
        fields: dict[str, Any],
        options: Mapping[str, Any],
        /,
    ) -> Any:
        send_upload = _load("_uploads").send_upload
        return self._send(
            lambda sent: send_upload(self.client, endpoint, body_model, fields, arguments=arguments, options=sent),
            options,
        )

    def download(self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], /) -> Any:
        streamed = self.mode == "streamed"
        response = _load("_downloads").download_response(self.client, endpoint, arguments, options, streamed=streamed)
        if streamed:
            return _load("_responses").StreamedAPIResponse(
                response, lambda: _load("_responses").BinaryResponse(response)
            )
        return _answer(self.mode, _load("_responses").BinaryResponse(response), response)

    def stream(
        self, endpoint: ModuleType, arguments: dict[str, Any], item: Any, options: Mapping[str, Any], opened: bool, /
    ) -> Any:
        reader = _load("_events").reader(endpoint, arguments, item, options.get("read_idle_timeout"), options)
        stream = _load("_streaming").Stream(self.client, reader)
        if self.mode is None and not opened:
            return stream
        stream.__enter__()  # sends: the answer's status and headers are known from here
        return _answer(self.mode, stream, stream.response)

    def page(
        self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], cursor: str | None, /
    ) -> Any:
        """The first page of a list, and how to get the others (by the ``cursor`` argument)."""

        def fetch(sent: Mapping[str, Any], args: dict[str, Any]) -> Any:
            return send_call(endpoint.sync_detailed, self.client, sent, args)

        def first(sent: Mapping[str, Any]) -> _pages.Page[Any]:
            cursors = _pages.Cursors(self.client.token)
            return _pages.Page(lambda args: fetch(options, args), arguments, cursor, fetch(sent, arguments), cursors)

        return self._send(first, options)


class _AsyncRequester:
    def __init__(self, client: OpenAIClient, mode: Mode = None) -> None:
        self.client = client
        self.mode = mode

    def with_response(self, mode: Mode) -> _AsyncRequester:
        return _AsyncRequester(self.client, mode)

    async def _send(self, send: Callable[[Mapping[str, Any]], Awaitable[Any]], options: Mapping[str, Any]) -> Any:
        if self.mode is None:
            return await send(options)
        return _answer(self.mode, *await _asent(send, options), is_async=True)

    async def acall(
        self, endpoint: Callable[..., Awaitable[Response[Any]]], options: Mapping[str, Any], /, **kwargs: Any
    ) -> Any:
        if self.mode is None:
            return await asend_call(endpoint, self.client, options, kwargs)
        return await self._send(lambda sent: asend_call(endpoint, self.client, sent, kwargs), options)

    async def aupload(
        self,
        endpoint: ModuleType,
        arguments: dict[str, Any],
        body_model: Any,
        fields: dict[str, Any],
        options: Mapping[str, Any],
        /,
    ) -> Any:
        send_upload = _load("_uploads").asend_upload
        return await self._send(
            lambda sent: send_upload(self.client, endpoint, body_model, fields, arguments=arguments, options=sent),
            options,
        )

    async def adownload(self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], /) -> Any:
        streamed = self.mode == "streamed"
        downloads = _load("_downloads")
        response = await downloads.adownload_response(self.client, endpoint, arguments, options, streamed=streamed)
        if streamed:

            async def binary() -> Any:
                await response.aread()
                return _load("_responses").BinaryResponse(response)

            return _load("_responses").AsyncStreamedAPIResponse(response, binary)
        return _answer(self.mode, _load("_responses").BinaryResponse(response), response, is_async=True)

    def astream(
        self, endpoint: ModuleType, arguments: dict[str, Any], item: Any, options: Mapping[str, Any], opened: bool, /
    ) -> Any:
        reader = _load("_events").reader(endpoint, arguments, item, options.get("read_idle_timeout"), options)
        stream = _load("_streaming").AsyncStream(self.client, reader)
        if self.mode is None and not opened:
            return stream

        async def sent() -> Any:
            await stream.__aenter__()  # sends: the answer's status and headers are known from here
            return _answer(self.mode, stream, stream.response, is_async=True)

        return sent()

    def apage(
        self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], cursor: str | None, /
    ) -> Any:
        """A paginator at once (``await`` it for the first page); in a response mode, the first page's answer."""

        async def fetch(sent: Mapping[str, Any], args: dict[str, Any]) -> Any:
            return await asend_call(endpoint.asyncio_detailed, self.client, sent, args)

        async def page(args: dict[str, Any]) -> Any:
            return await fetch(options, args)

        if self.mode is None:
            return _pages.AsyncPaginator[Any](page, arguments, cursor, self.client.token)

        async def first(sent: Mapping[str, Any]) -> _pages.AsyncPage[Any]:
            answer = await fetch(sent, arguments)
            return _pages.AsyncPage(page, arguments, cursor, answer, _pages.Cursors(self.client.token))

        return self._send(first, options)


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
        resources.Resources.__init__(self, _Requester(http))

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
        resources.AsyncResources.__init__(self, _AsyncRequester(http))

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncOpenAI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
