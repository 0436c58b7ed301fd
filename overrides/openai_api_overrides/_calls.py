"""The raising style: call a generated function, get the parsed body or a typed error.

It builds the request with the generated module's own ``_get_kwargs`` and parses with its ``_parse_response``, so
the generated code stays the single place that knows each operation's URL, parameters and models.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, ParamSpec, TypeVar, overload

import httpx

from openai_api_client import AuthenticatedClient, Client
from openai_api_client.models import ErrorResponse
from openai_api_client.types import Response
from openai_api_overrides import _spec
from openai_api_overrides._errors import ResponseValidationError, status_error
from openai_api_overrides._schema import mismatch

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["acall", "call", "raise_for_status"]


# The overloads let a type checker see through the generated return type: errors raise, so ``call`` returns the
# success model alone (some generated functions also return None for an undocumented status; they raise here).
@overload
def call(endpoint: Callable[P, Response[R | ErrorResponse | None]], *args: P.args, **kwargs: P.kwargs) -> R: ...
@overload
def call(endpoint: Callable[P, Response[R | ErrorResponse]], *args: P.args, **kwargs: P.kwargs) -> R: ...
def call(endpoint: Callable[P, Response[Any]], *args: P.args, **kwargs: P.kwargs) -> Any:
    """Calls a generated ``*_detailed`` (or any) function of one operation; raises instead of returning errors.

    ``call(list_files.sync_detailed, client=client, purpose="fine-tune")`` returns the ``ListFilesResponse``, or
    raises an :class:`APIStatusError` subclass, an :class:`APIConnectionError`, or a
    :class:`ResponseValidationError` naming the field that does not match the spec.
    """
    module, client, request_kwargs = _prepare(endpoint, args, kwargs)
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
    module, client, request_kwargs = _prepare(endpoint, args, kwargs)
    response = await client.get_async_httpx_client().request(**request_kwargs)
    return parse_response(module, client, response)


def raise_for_status(response: Response[R]) -> R | None:
    """For the ``*_detailed`` style: the parsed body of a 2xx ``Response``, or the typed error for the others."""
    if response.status_code >= 400:
        raw = httpx.Response(response.status_code, headers=response.headers, content=response.content)
        raise status_error(raw)
    return response.parsed


def _prepare(
    endpoint: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[ModuleType, AuthenticatedClient | Client, dict[str, Any]]:
    if args:
        raise TypeError("generated functions take keyword arguments only")
    module = sys.modules.get(endpoint.__module__)
    if module is None or not hasattr(module, "_get_kwargs"):
        raise TypeError(f"{endpoint!r} is not a function of a generated openai_api_client.api module")
    kwargs = dict(kwargs)
    client = kwargs.pop("client")
    return module, client, module._get_kwargs(**kwargs)


def parse_response(module: ModuleType, client: AuthenticatedClient | Client, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise status_error(response)
    try:
        parsed = module._parse_response(client=client, response=response)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise _validation_error(module, response, exc) from exc
    if getattr(client, "validate_responses", False) and "json" in response.headers.get("content-type", ""):
        error = _validation_error(module, response, None)
        if error is not None:
            raise error
    return parsed


@overload
def _validation_error(module: ModuleType, response: httpx.Response, exc: Exception) -> ResponseValidationError: ...
@overload
def _validation_error(module: ModuleType, response: httpx.Response, exc: None) -> ResponseValidationError | None: ...
def _validation_error(
    module: ModuleType, response: httpx.Response, exc: Exception | None
) -> ResponseValidationError | None:
    """Where the body breaks the spec; with ``exc`` (the generated parser's failure) always an error."""
    operation = _spec.operation(module.__name__)
    name = str(operation.get("operationId"))
    try:
        body = response.json()
    except ValueError:
        return ResponseValidationError(
            operation=name, response=response, field="(body)", reason=f"not JSON: {response.text[:120]!r}"
        )
    media = operation["responses"].get(str(response.status_code), {}).get("content", {}).get("application/json")
    where = mismatch(media["schema"], body) if media else None
    if where is None and exc is None:
        return None
    field, reason = where or ("(body)", f"{type(exc).__name__}: {exc}")
    return ResponseValidationError(operation=name, response=response, field=field, reason=reason)
