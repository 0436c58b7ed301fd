"""One page of files for the facade's ``files.list``: on the gateway, its documented path with its fallback.

The facade's pages follow the ``after`` cursors; this module only says which path each page is asked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openai_api._calls import NO_OPTIONS, asend_call, send_call
from openai_api._client import OpenAIClient
from openai_api._errors import NotFoundError
from openai_api._logging import logger
from openai_api_client.api.files import list_files as _list_files
from openai_api_client.api.files import list_files_gateway as _list_files_gateway
from openai_api_client.models import ListFilesResponse, ListOrderKnown
from openai_api_client.types import UNSET, Unset

__all__: list[str] = []
# list_files and alist_files serve the facade's files.list: not exported.

_GATEWAY_PATH = "/files%2520_"
_CANONICAL_PATH = "/files"


def _use_gateway_path(
    client: OpenAIClient, after: str | Unset, limit: int | Unset, order: ListOrderKnown | str | Unset
) -> bool:
    # The gateway documents only `purpose` on its own path: paging goes to /files.
    plain = isinstance(after, Unset) and isinstance(limit, Unset) and isinstance(order, Unset)
    return client.gateway and plain and client.shared.gateway_list_path in (None, _GATEWAY_PATH)


def _remember(client: OpenAIClient, path: str) -> None:
    if client.shared.gateway_list_path != path:
        logger.info("gateway %s lists files at %s", client.base_url, path)
    client.shared.gateway_list_path = path


def list_files(
    client: OpenAIClient,
    *,
    purpose: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrderKnown | str | Unset = UNSET,
    after: str | Unset = UNSET,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> ListFilesResponse:
    """One page of files. On the api.mygptlife.com gateway the first call tries the documented path
    ``/v1/files%2520_`` byte for byte; when the gateway answers 404 there, it falls back once to ``/v1/files`` and
    the client remembers which path worked."""
    if _use_gateway_path(client, after, limit, order):
        try:
            page = send_call(_list_files_gateway.sync_detailed, client, options, {"purpose": purpose})
        except NotFoundError:
            _remember(client, _CANONICAL_PATH)
        else:
            _remember(client, _GATEWAY_PATH)
            return page  # type: ignore[no-any-return]
    arguments = {"purpose": purpose, "limit": limit, "order": order, "after": after}
    return send_call(_list_files.sync_detailed, client, options, arguments)  # type: ignore[no-any-return]


async def alist_files(
    client: OpenAIClient,
    *,
    purpose: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrderKnown | str | Unset = UNSET,
    after: str | Unset = UNSET,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> ListFilesResponse:
    """The async twin of :func:`list_files`."""
    if _use_gateway_path(client, after, limit, order):
        try:
            page = await asend_call(_list_files_gateway.asyncio_detailed, client, options, {"purpose": purpose})
        except NotFoundError:
            _remember(client, _CANONICAL_PATH)
        else:
            _remember(client, _GATEWAY_PATH)
            return page  # type: ignore[no-any-return]
    arguments = {"purpose": purpose, "limit": limit, "order": order, "after": after}
    return await asend_call(_list_files.asyncio_detailed, client, options, arguments)  # type: ignore[no-any-return]
