"""List answers as the official package gives them: a page whose loop reads every item, page after page.

A page holds the generated list model (``data``, ``has_more``, ...) and how to fetch another page with the same
arguments; a list whose answers carry ``has_more`` pages by its cursor parameter (``after``: the last item's id).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from openai_api._errors import PaginationError

T = TypeVar("T")

__all__ = ["AsyncPage", "AsyncPaginator", "Cursors", "Page", "PageInfo", "apaginate", "paginate"]


class Cursors:
    """The cursors of one listing, and a typed stop when the server repeats one (it ignored the cursor, or answers
    the same page with ``has_more: true``), which would otherwise loop forever."""

    def __init__(self, key: str | None) -> None:
        self._seen: set[str] = set()
        self._key = key  # a server that echoes the key as a cursor must not show it in the message

    def next(self, answer: Any) -> str | None:
        """The cursor for the page after ``answer``, or None when it is the last."""
        if answer.has_more is not True or not answer.data:
            return None
        cursor = str(answer.data[-1].id)
        if cursor in self._seen:
            raise PaginationError(
                f"the list does not end: after {len(self._seen)} pages the server answered with cursor "
                f"{cursor!r} again (and has_more: true); stopped instead of asking forever",
                key=self._key,
            )
        self._seen.add(cursor)
        return cursor


@dataclass(frozen=True)
class PageInfo:
    params: dict[str, object]


class _PageBase(Generic[T]):
    def __init__(
        self,
        fetch: Callable[[dict[str, Any]], Any],
        arguments: dict[str, Any],
        cursor: str | None,
        answer: Any,
        cursors: Cursors,
    ) -> None:
        self._fetch = fetch
        self._arguments = arguments
        self._cursor = cursor
        self._answer = answer
        self._cursors = cursors
        self._next: str | bool | None = False  # not asked yet

    @property
    def data(self) -> list[T]:
        return self._answer.data  # type: ignore[no-any-return]

    @property
    def has_more(self) -> bool | None:
        has_more = self._answer.has_more if self._cursor else None
        return has_more if isinstance(has_more, bool) else None

    @property
    def object(self) -> str:
        return str(self._answer.object_)

    def __getattr__(self, name: str) -> Any:
        # The list model's other fields (first_id, last_id, _request_id, ...) and methods (to_json), as the page's.
        return getattr(self.__dict__["_answer"], name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._answer!r})"

    def has_next_page(self) -> bool:
        if self._next is False:  # asked once: the cursors stop a listing that repeats one
            self._next = self._cursors.next(self._answer) if self._cursor else None
        return self._next is not None

    def next_page_info(self) -> PageInfo | None:
        """The query parameters that ask for the next page, or None on the last."""
        return PageInfo({str(self._cursor): self._next}) if self.has_next_page() else None

    def _next_arguments(self) -> dict[str, Any]:
        if not self.has_next_page():
            raise RuntimeError("this is the last page: check has_next_page() first")
        return {**self._arguments, str(self._cursor): self._next}


class Page(_PageBase[T]):
    """One page; ``for item in page`` reads every item from here on, fetching the next pages as the loop asks."""

    def get_next_page(self) -> Page[T]:
        arguments = self._next_arguments()
        return Page(self._fetch, arguments, self._cursor, self._fetch(arguments), self._cursors)

    def iter_pages(self) -> Iterator[Page[T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


def paginate(
    fetch: Callable[[dict[str, Any]], Any], arguments: dict[str, Any], cursor: str | None, key: str | None
) -> Page[Any]:
    """A sync list's answer: its first page, fetched now (``key`` is the API key its cursors never show)."""
    return Page(fetch, arguments, cursor, fetch(arguments), Cursors(key))


def apaginate(
    fetch: Callable[[dict[str, Any]], Awaitable[Any]], arguments: dict[str, Any], cursor: str | None, key: str | None
) -> AsyncPaginator[Any]:
    """An async list's answer, at once: awaited, its first page; with ``async for``, every item."""
    return AsyncPaginator(fetch, arguments, cursor, key)


class AsyncPage(_PageBase[T]):
    """The async twin of :class:`Page`: ``async for item in page``, ``await page.get_next_page()``."""

    _fetch: Callable[[dict[str, Any]], Awaitable[Any]]

    async def get_next_page(self) -> AsyncPage[T]:
        arguments = self._next_arguments()
        return AsyncPage(self._fetch, arguments, self._cursor, await self._fetch(arguments), self._cursors)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[T]):
    """What an async list method returns at once: ``await`` it for the first page, ``async for`` for every item."""

    def __init__(
        self,
        fetch: Callable[[dict[str, Any]], Awaitable[Any]],
        arguments: dict[str, Any],
        cursor: str | None,
        key: str | None,
    ) -> None:
        self._fetch = fetch
        self._arguments = arguments
        self._cursor = cursor
        self._key = key

    async def _first(self) -> AsyncPage[T]:
        answer = await self._fetch(self._arguments)
        return AsyncPage(self._fetch, self._arguments, self._cursor, answer, Cursors(self._key))

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for item in await self._first():
            yield item
