"""Listing files: the gateway's documented path with its fallback, and lazy pagination over ``after`` cursors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from openai_api_client.api.files import list_files as _list_files
from openai_api_client.api.files import list_files_gateway as _list_files_gateway
from openai_api_client.models import ListFilesResponse, ListOrderKnown, OpenAIFile
from openai_api_client.types import UNSET, Unset
from openai_api_overrides._calls import acall, call
from openai_api_overrides._client import OpenAIClient
from openai_api_overrides._errors import NotFoundError, PaginationError
from openai_api_overrides._logging import logger

__all__ = ["aiter_files", "alist_files", "iter_files", "list_files"]

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
) -> ListFilesResponse:
    """One page of files. On the api.mygptlife.com gateway the first call tries the documented path
    ``/v1/files%2520_`` byte for byte; when the gateway answers 404 there, it falls back once to ``/v1/files`` and
    the client remembers which path worked."""
    if _use_gateway_path(client, after, limit, order):
        try:
            page = call(_list_files_gateway.sync_detailed, client=client, purpose=purpose)
        except NotFoundError:
            _remember(client, _CANONICAL_PATH)
        else:
            _remember(client, _GATEWAY_PATH)
            return page
    return call(_list_files.sync_detailed, client=client, purpose=purpose, limit=limit, order=order, after=after)


async def alist_files(
    client: OpenAIClient,
    *,
    purpose: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrderKnown | str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> ListFilesResponse:
    """The async twin of :func:`list_files`."""
    if _use_gateway_path(client, after, limit, order):
        try:
            page = await acall(_list_files_gateway.asyncio_detailed, client=client, purpose=purpose)
        except NotFoundError:
            _remember(client, _CANONICAL_PATH)
        else:
            _remember(client, _GATEWAY_PATH)
            return page
    return await acall(
        _list_files.asyncio_detailed, client=client, purpose=purpose, limit=limit, order=order, after=after
    )


class _Cursors:
    """The ``after`` cursors of one listing: each page's next one, and a typed stop when the server repeats one
    (it ignored ``after``, or answers the same page with ``has_more: true``), which would otherwise loop forever."""

    def __init__(self, client: OpenAIClient) -> None:
        self._seen: set[str] = set()
        self._key = client.token  # a server that echoes the key as a cursor must not show it in the message

    def next(self, page: ListFilesResponse) -> str | None:
        """The cursor for the next page, or None when this page is the last."""
        if page.has_more is not True or not page.data:
            return None
        cursor = page.data[-1].id
        if cursor in self._seen:
            raise PaginationError(
                f"the file list does not end: after {len(self._seen)} pages the server answered with cursor "
                f"{cursor!r} again (and has_more: true); stopped instead of asking forever",
                key=self._key,
            )
        self._seen.add(cursor)
        return cursor


def iter_files(
    client: OpenAIClient,
    *,
    purpose: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrderKnown | str | Unset = UNSET,
) -> Iterator[OpenAIFile]:
    """Every file, page by page as the loop asks for them (``limit`` is the page size)."""
    after: str | Unset = UNSET
    cursors = _Cursors(client)
    while True:
        page = list_files(client, purpose=purpose, limit=limit, order=order, after=after)
        yield from page.data
        cursor = cursors.next(page)
        if cursor is None:
            return
        after = cursor


async def aiter_files(
    client: OpenAIClient,
    *,
    purpose: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrderKnown | str | Unset = UNSET,
) -> AsyncIterator[OpenAIFile]:
    """The async twin of :func:`iter_files`."""
    after: str | Unset = UNSET
    cursors = _Cursors(client)
    while True:
        page = await alist_files(client, purpose=purpose, limit=limit, order=order, after=after)
        for item in page.data:
            yield item
        cursor = cursors.next(page)
        if cursor is None:
            return
        after = cursor
