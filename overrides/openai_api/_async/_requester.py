"""How the generated resources send: each kind of operation (JSON, multipart, binary, streamed, listed) by one method
that takes the operation's generated module, so no operation is named here. ``mode`` answers with the HTTP response
instead (``with_raw_response``, ``with_streaming_response``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Literal

import httpx

from openai_api import _pages
from openai_api._calls import parse_response, prepare, with_options
from openai_api._client import OpenAIClient
from openai_api_client import AuthenticatedClient, Client

__all__ = ["AsyncRequester", "Mode"]

Mode = Literal["raw", "streamed"] | None


def _load(module: str) -> Any:
    # The streams, uploads and downloads with their models took 35 ms to import, a fifth of what a fresh
    # `OpenAI(...).files.list()` cost in all: each loads when its first call is made.
    return importlib.import_module(f"openai_api.{module}")


def _answer(mode: Mode, result: Any, response: httpx.Response) -> Any:
    """The result as the requester's mode asks: itself, or the HTTP answer holding it."""
    if mode is None:
        return result
    if mode == "raw":
        return _load("_responses").APIResponse(response, lambda: result)
    return _load("_responses").AsyncStreamedAPIResponse(response, lambda: result)


async def _send_call(
    endpoint: Callable[..., Any],
    client: AuthenticatedClient | Client,
    options: Mapping[str, Any],
    kwargs: dict[str, Any],
) -> Any:
    """What ``call`` does, with one call's options (keyword arguments only)."""
    module, client, request_kwargs = prepare(endpoint, (), {"client": client, **kwargs})
    response = await client.get_async_httpx_client().request(**with_options(request_kwargs, options))
    return parse_response(module, client, response)


class AsyncRequester:
    def __init__(self, client: OpenAIClient, mode: Mode = None) -> None:
        self.client = client
        self.mode = mode

    def with_response(self, mode: Mode) -> AsyncRequester:
        return AsyncRequester(self.client, mode)

    async def _send(self, send: Callable[[Mapping[str, Any]], Any], options: Mapping[str, Any]) -> Any:
        """What ``send`` returns for ``options``, as the mode asks: with it, the HTTP answer it came in (the final
        one: retries happen below the client that captures)."""
        if self.mode is None:
            return await send(options)
        capture: list[httpx.Response] = []
        result = await send({**options, "capture": capture})
        return _answer(self.mode, result, capture[-1])

    async def acall(self, endpoint: Callable[..., Any], options: Mapping[str, Any], /, **kwargs: Any) -> Any:
        if self.mode is None:  # nearly every call: no closure to build
            return await _send_call(endpoint, self.client, options, kwargs)
        return await self._send(lambda sent: _send_call(endpoint, self.client, sent, kwargs), options)

    async def aupload(
        self,
        endpoint: ModuleType,
        arguments: dict[str, Any],
        body_model: Any,
        fields: dict[str, Any],
        options: Mapping[str, Any],
        /,
    ) -> Any:
        uploads = _load("_uploads")

        async def send(sent: Mapping[str, Any]) -> Any:
            files, request_kwargs, text_answer = uploads.prepare(endpoint, body_model, fields, arguments, sent)
            try:
                response = await self.client.get_async_httpx_client().request(**request_kwargs)
                return uploads.finish(endpoint, self.client, response, text_answer)
            finally:
                uploads.close_all(files)

        return await self._send(send, options)

    async def adownload(self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], /) -> Any:
        streamed = self.mode == "streamed"
        http = self.client.get_async_httpx_client()
        request = _load("_downloads").build_request(http, endpoint, arguments, options, streamed)
        response = await http.send(request, stream=streamed)
        responses = _load("_responses")
        if streamed:
            return responses.AsyncStreamedAPIResponse(response, lambda: responses.astreamed_binary(response))
        return _answer(self.mode, responses.BinaryResponse(response), response)

    def astream(
        self, endpoint: ModuleType, arguments: dict[str, Any], item: Any, options: Mapping[str, Any], opened: bool, /
    ) -> Any:
        reader = _load("_events").reader(endpoint, arguments, item, options.get("read_idle_timeout"), options)
        stream = _load("_streaming").AsyncStream(self.client, reader)
        if self.mode is None and not opened:
            return stream

        async def sent() -> Any:
            await stream.__aenter__()  # sends: the answer's status and headers are known from here
            return _answer(self.mode, stream, stream.response)

        return sent()

    def apage(
        self, endpoint: ModuleType, arguments: dict[str, Any], options: Mapping[str, Any], cursor: str | None, /
    ) -> Any:
        """A list's answer (``_pages.paginate``, ``apaginate``): its first page, and how to get the others by the
        ``cursor`` argument."""

        async def fetch(sent: Mapping[str, Any], args: dict[str, Any]) -> Any:
            return await _send_call(endpoint.asyncio_detailed, self.client, sent, args)

        async def page(args: dict[str, Any]) -> Any:
            return await fetch(options, args)

        if self.mode is None:
            return _pages.apaginate(page, arguments, cursor, self.client.token)

        async def first(sent: Mapping[str, Any]) -> _pages.AsyncPage[Any]:
            answer = await fetch(sent, arguments)
            return _pages.AsyncPage(page, arguments, cursor, answer, _pages.Cursors(self.client.token))

        return self._send(first, options)
