"""One request on its way through the pipeline (``Context``) and what a step or a handler answers (``Answer``): what
the app (``app.py``) and the handlers (``_operations.py``) share, so that neither imports the other's module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.requests import Request

from openai_api._spec import JSON
from openai_api_server.errors import error_body
from openai_api_server.faults import Fault


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    text: str | None = None
    content: tuple[IO[bytes], int] | None = None  # an open file and its size, streamed
    events: AsyncIterator[Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str | None = None  # of the text (text/plain if None) or the content (application/octet-stream)
    checked: bool = True  # False: the request's path is not one of the spec's, so neither is the answer's
    example: bool = False  # the spec's example, not a handler's answer


def error(
    status: int, message: str, param: str | None = None, code: str | None = None, type_: str | None = None
) -> Answer:
    return Answer(status, error_body(message, param, code, type_))


@dataclass
class Context:
    """One request on its way through the pipeline. Handlers read ``org``, ``params`` (the path's, decoded once),
    ``query``, ``body`` (the parsed JSON) and ``form`` (a multipart body's parts), and ``op`` (the spec's)."""

    request: Request
    path: str  # the raw path, as sent on the wire
    target: str  # the raw path and query
    headers: dict[str, str]
    query: dict[str, str]
    op: JSON = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    org: str = ""
    fault: Fault | None = None
    raw: bytes = b""  # the body as validated (a multipart body without its files' content)
    body: Any = None
    form: dict[str, Any] = field(default_factory=dict)
    multipart: FormData | None = None  # a multipart body as read, every part in order (``form`` keeps the last)

    @classmethod
    def of(cls, request: Request) -> Context:
        path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        query = request.scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        headers = dict(request.headers.items())
        return cls(request, path, target, headers, dict(parse_qsl(query, keep_blank_values=True)))

    @property
    def operation_id(self) -> str:
        return str(self.op.get("operationId", ""))


Handler = Callable[[Context], Awaitable[Answer]]
