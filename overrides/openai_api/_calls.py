"""The raising style for any generated function, and ``raise_for_status`` for responses from other clients.

With this layer's client a generated ``sync()`` already returns the success model or raises (the transport ends
every exchange); ``call`` adds a typed signature to lean on and works with positional arguments as the generated
function takes them. It builds the request with the generated module's own ``request_kwargs`` and parses with its
``parse_response``, so the generated code stays the single place that knows each operation's URL and models.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import Any, ParamSpec, TypeVar, overload

import httpx

from openai_api._constants import CAPTURE
from openai_api._errors import ResponseValidationError, status_error
from openai_api._spec import operation
from openai_api_client import AuthenticatedClient, Client
from openai_api_client.models import ErrorResponse
from openai_api_client.types import APIObject, Response

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["acall", "call", "raise_for_status"]
# prepare, parse_response and with_options serve this layer's other modules: not exported.


# The overloads let a type checker see through the generated return type: errors raise, so ``call`` returns the
# success model alone.
@overload
def call(endpoint: Callable[P, Response[R | ErrorResponse | None]], *args: P.args, **kwargs: P.kwargs) -> R: ...
@overload
def call(endpoint: Callable[P, Response[R | ErrorResponse]], *args: P.args, **kwargs: P.kwargs) -> R: ...
def call(endpoint: Callable[P, Response[Any]], *args: P.args, **kwargs: P.kwargs) -> Any:
    """Calls a generated ``*_detailed`` function of one operation; returns the success model or raises.

    ``call(retrieve_file.sync_detailed, "file-abc", client=client)`` returns the ``OpenAIFile``, or raises an
    :class:`APIStatusError` subclass, an :class:`APIConnectionError`, or a :class:`ResponseValidationError` naming
    the field that does not match the spec.
    """
    module, client, request_kwargs = prepare(endpoint, args, kwargs)
    response = client.get_httpx_client().request(**request_kwargs)
    return parse_response(module, client, response)


@overload
async def acall(
    endpoint: Callable[P, Awaitable[Response[R | ErrorResponse | None]]], *args: P.args, **kwargs: P.kwargs
) -> R: ...
@overload
async def acall(
    endpoint: Callable[P, Awaitable[Response[R | ErrorResponse]]], *args: P.args, **kwargs: P.kwargs
) -> R: ...
async def acall(endpoint: Callable[P, Awaitable[Response[Any]]], *args: P.args, **kwargs: P.kwargs) -> Any:
    """The async twin of :func:`call`: ``await acall(list_files.asyncio_detailed, client=client)``."""
    module, client, request_kwargs = prepare(endpoint, args, kwargs)
    response = await client.get_async_httpx_client().request(**request_kwargs)
    return parse_response(module, client, response)


@overload
def raise_for_status(response: Response[R | ErrorResponse | None]) -> R: ...
@overload
def raise_for_status(response: Response[R | ErrorResponse]) -> R: ...
def raise_for_status(response: Response[Any]) -> Any:
    """The parsed body of a 2xx ``Response``, or the typed error for any other status.

    Only needed for responses got with a client other than this layer's (the generated ``AuthenticatedClient``,
    say): with ours, a non-2xx answer has raised before a ``Response`` exists.
    """
    if not 200 <= response.status_code < 300 or response.parsed is None or isinstance(response.parsed, ErrorResponse):
        raw = httpx.Response(response.status_code, headers=response.headers, content=response.content)
        raise status_error(raw)
    return response.parsed


@functools.cache
def _signature(endpoint: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(endpoint)


def prepare(
    endpoint: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[ModuleType, AuthenticatedClient | Client, dict[str, Any]]:
    module = sys.modules.get(endpoint.__module__)
    if module is None or not hasattr(module, "request_kwargs"):
        raise TypeError(f"{endpoint!r} is not a function of a generated openai_api_client.api module")
    if not args and "client" in kwargs:
        # Keywords only (the usual call): they are what binding would give, and request_kwargs rejects a stray one
        # itself. Binding costs as much as the rest of preparing a call.
        rest = dict(kwargs)
        client = rest.pop("client")
        return module, client, module.request_kwargs(**rest)
    # Bind as the generated function itself would (path parameters are positional), then hand everything but the
    # client to its request_kwargs.
    bound = _signature(endpoint).bind(*args, **kwargs).arguments
    client = bound.pop("client")
    return module, client, module.request_kwargs(**bound)


def parse_response(module: ModuleType, client: AuthenticatedClient | Client, response: httpx.Response) -> Any:
    """The generated parser's model for a 2xx ``response``; the typed error for anything else."""
    if not 200 <= response.status_code < 300:
        # Only a client other than this layer's lets a non-2xx answer get this far.
        raise status_error(response)
    try:
        parsed = module.parse_response(client=client, response=response)
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        # The transport holds JSON bodies to the spec first, so this is a gap between the spec's schema and the
        # generated model (or a client other than ours).
        raise ResponseValidationError(
            operation=str(operation(module.__name__).get("operationId")),
            response=response,
            field="(body)",
            reason=f"{type(exc).__name__}: {exc}",
        ) from exc
    if isinstance(parsed, APIObject):
        # The official package's results carry the request id of their answer.
        parsed._request_id = response.headers.get("x-request-id")
    return parsed


NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})
"""The options of a call that has none."""


def with_options(request_kwargs: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """A generated request's keyword arguments with one call's own options (``RequestOptions``): headers and query
    parameters added, body fields merged into a JSON body (a multipart body takes them as parts when it is built), a
    timeout for this request alone; and ``capture``, this layer's list that the answer is appended to."""
    if not options:
        return request_kwargs
    kwargs = dict(request_kwargs)
    if headers := options.get("headers"):
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **headers}
    if query := options.get("query"):
        kwargs["params"] = {**(kwargs.get("params") or {}), **query}
    body = options.get("body")
    if body is not None and "files" not in kwargs and "content" not in kwargs:
        kwargs["json"] = {**(kwargs.get("json") or {}), **body}
    if (timeout := options.get("timeout")) is not None:
        from openai_api._client import as_timeout  # the client's module imports this one

        kwargs["timeout"] = as_timeout(timeout)
    if (capture := options.get("capture")) is not None:
        kwargs["extensions"] = {**(kwargs.get("extensions") or {}), CAPTURE: capture}
    return kwargs
