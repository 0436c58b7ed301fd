# Written from ../_async/_http.py by `python -m generator` (generator/_unasync.py): edit that file.
"""The httpx client this layer sends through, and how an :class:`~openai_api._client.OpenAIClient` builds it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from openai_api import _gateway
from openai_api._constants import CAPTURE
from openai_api._routes import refuse_unnormalized_path
from openai_api._sync._transport import RetryTransport

if TYPE_CHECKING:
    from openai_api._client import OpenAIClient

__all__ = ["build_client"]


def _captured(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    capture = request.extensions.get(CAPTURE)
    if capture is not None:
        capture.append(response)
    return response


class _HTTPClient(httpx.Client):
    """Every request's path is checked before it is built, a gateway client asks at the gateway's own path first
    (``gateway_paths``), and the answer is handed to the request's ``capture`` list when it has one (the facade
    reads headers and request ids there, whichever of this layer's functions sent the request)."""

    gateway_paths: dict[str, str] | None = None

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        refuse_unnormalized_path(url, kwargs.get("extensions"))
        return super().build_request(method, url, **kwargs)

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if self.gateway_paths is not None and (alternate := _gateway.alternate(request, self.gateway_paths)):
            with _gateway.trying(request, alternate, self.gateway_paths):
                return _captured(alternate, super().send(alternate, **kwargs))
        return _captured(request, super().send(request, **kwargs))


def build_client(client: OpenAIClient) -> httpx.Client:
    """The httpx client of ``client``: through this layer's transport, over the pool its copies share, or over the
    transport the user's own httpx client would use for the base URL (its proxy, limits and pool, not closed when
    this client is)."""
    shared = client.shared
    user = client._user_client
    if user is not None:
        inner = user._transport_for_url(httpx.URL(client.base_url))
        transport = RetryTransport(inner, owned=False, **client._transport_options())
        http = _HTTPClient(transport=transport, **client._user_client_options(user))
    else:
        if shared.transport is None:
            shared.transport = client._transport or httpx.HTTPTransport(**client._pool_options())
        transport = RetryTransport(shared.transport, **client._transport_options())
        http = _HTTPClient(transport=transport, **client._client_options())
    http.gateway_paths = shared.gateway_paths if client.gateway else None
    return http
