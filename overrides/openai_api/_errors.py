"""The typed errors every call of this client can raise, in the spirit of the official SDK's hierarchy.

Messages say what was wrong and where (status, request id, field) and never carry the API key: every error tied
to an exchange passes its text through :func:`redact`, which masks the key the request carried wherever it appears
(a server may echo it in an error body or a stream event).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIRedirectError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidFileError",
    "LocalFileError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseValidationError",
    "StreamDecodeError",
    "StreamError",
    "StreamInterruptedError",
    "UnprocessableEntityError",
]


class OpenAIError(Exception):
    """The base of every error this client raises."""


class ConfigurationError(OpenAIError, ValueError):
    """The client cannot be built as asked (a missing or malformed key, a bad base URL, timeout or retry policy);
    the message names the setting. A ``ValueError`` too, as the settings' own checks raise."""


class ClientClosedError(OpenAIError, RuntimeError):
    """A call on a client that was closed; a ``RuntimeError`` too, as httpx raises for its own closed clients."""


class MissingAPIKeyError(ConfigurationError):
    """No API key was given."""


class InvalidAPIKeyError(ConfigurationError):
    """The API key cannot be sent as given; the message says why, never what the key is."""


class RequestValidationError(OpenAIError):
    """An argument cannot make a valid request; ``field`` names it. Nothing was sent."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class APIError(OpenAIError):
    """An error tied to one HTTP exchange; its message never shows the request's API key (``key`` names it where
    there is no request at hand)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None, key: str | None = None) -> None:
        message = redact(message, request, key)
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The request did not get an answer: connection refused, reset or closed."""


class APITimeoutError(APIConnectionError):
    """The request timed out; ``bound`` says which: "connect", "read", "write", "pool", or "deadline" (the total
    time one call may take, retries included)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None, bound: str = "read") -> None:
        super().__init__(message, request=request)
        self.bound = bound


_DETAILS = ("type", "param", "code")
"""The fields of the spec's ``ErrorResponse`` an error keeps as attributes, and names in its message."""


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status.

    ``message``, ``type``, ``param`` and ``code`` come from the spec's ``ErrorResponse`` when the body is one;
    otherwise ``message`` is the start of the raw body (a proxy's HTML page, say) and ``body_text`` holds it all.
    """

    def __init__(self, response: httpx.Response, body_text: str, note: str = "") -> None:
        request = _request_of(response)
        body_text = redact(body_text, request)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")
        self.body_text = body_text
        self.type: str | None = None
        self.param: str | None = None
        self.code: str | None = None
        self.body: Any = None
        detail = _error_detail(body_text)
        if detail is not None:
            self.body = detail
            self.type, self.param, self.code = (None if (v := detail.get(k)) is None else str(v) for k in _DETAILS)
            text = str(detail.get("message", ""))
        else:
            text = " ".join(body_text.split())[:200] or response.reason_phrase
        parts = [f"{self.status_code} {response.reason_phrase}: {text}"]
        parts += [f"{name}={getattr(self, name)}" for name in _DETAILS if getattr(self, name)]
        where = f"{request.method} {request.url}, " if request is not None else ""
        parts.append(f"({where}request id {self.request_id or 'none'})")
        if note:
            parts.append(note)
        super().__init__(" ".join(parts), request=request)


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: no API key, or an invalid one."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """5xx."""


class APIRedirectError(APIStatusError):
    """3xx that was not followed: to another origin (the key never goes there), for a method other than GET or HEAD,
    or one hop too many. ``location`` is where the server pointed."""

    def __init__(self, response: httpx.Response, body_text: str, note: str = "") -> None:
        location = response.headers.get("location")
        self.location = None if location is None else redact(location, _request_of(response))
        super().__init__(response, body_text, note)


class PaginationError(APIError):
    """A list's pages do not end: the server repeated a cursor or a page, so paging would loop forever."""


class ResponseValidationError(APIError):
    """A 2xx response did not match the spec; ``field`` names the part that did not."""

    def __init__(self, *, operation: str, response: httpx.Response, field: str, reason: str) -> None:
        self.operation = operation
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")
        self.field = field
        self.reason = reason
        super().__init__(
            f"the {response.status_code} response to {operation} does not match the spec at {field!r}: {reason} "
            f"(request id {self.request_id or 'none'})",
            request=_request_of(response),
        )


class StreamInterruptedError(APIConnectionError):
    """A stream ended, or broke, before its ``data: [DONE]``: what arrived is not the whole answer."""


class StreamError(APIError):
    """The server sent an error inside a stream (``event: error``, or an event holding an ``error`` object)."""

    def __init__(self, message: str, *, request: httpx.Request | None, type: str | None = None) -> None:
        super().__init__(message, request=request)
        self.type = type


class StreamDecodeError(APIError):
    """An event of a stream is not the JSON the spec describes; ``data`` is the event as it arrived."""

    def __init__(self, message: str, *, request: httpx.Request | None, data: str) -> None:
        super().__init__(message, request=request)
        self.data = redact(data, request)


class LocalFileError(OpenAIError, OSError):
    """A file of this machine could not be read or written (a missing folder, a full disk, a folder where a file
    should be); ``path`` names it and the OS error is the cause. An ``OSError`` too. Nothing was left half-written."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class InvalidFileError(OpenAIError):
    """A file failed the spec's checks before a byte was sent (size, type, shape, or training records), or could not
    be read at all (``skippable`` is then False: no option skips a missing file).

    ``problems`` lists the first problems found (for a training file: ``line N: reason``); ``more`` counts the rest.
    """

    def __init__(
        self, field: str, filename: str, problems: list[str], more: int = 0, *, skippable: bool = True
    ) -> None:
        self.field = field
        self.filename = filename
        self.problems = problems
        self.more = more
        self.skippable = skippable
        super().__init__(
            self.describe("the operation's generated function, through oa.call, sends a file without these checks")
        )

    def describe(self, hint: str) -> str:
        """The message, with ``hint`` saying how to skip the checks where the caller is (an argument, a flag)."""
        lines = [f"{self.field} {self.filename!r} was not sent:", *(f"  {p}" for p in self.problems)]
        if self.more:
            lines.append(f"  ... and {self.more} more")
        if self.skippable:
            lines.append(f"  ({hint})")
        return "\n".join(lines)


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, note: str = "") -> APIStatusError:
    """The typed error for a 4xx or 5xx ``response`` whose body has been read."""
    cls = _STATUS_ERRORS.get(response.status_code)
    if cls is None:
        if response.status_code >= 500:
            cls = InternalServerError
        elif 300 <= response.status_code < 400:
            cls = APIRedirectError
        else:
            cls = APIStatusError
    return cls(response, response.content.decode("utf-8", errors="replace"), note)


def redact(text: str, request: httpx.Request | None, key: str | None = None) -> str:
    """``text`` with the key masked, as the API itself masks keys (``sk-ab***yz``): the key ``request`` carries, or
    ``key``. Also where a server echoed it JSON-escaped (``\\u0073k-...``), so no parse of ``text`` reveals it."""
    if key is None and request is not None:
        key = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not key or len(key) < 8 or (key not in text and "\\" not in text):
        return text
    return _key_pattern(key).sub(f"{key[:3]}***{key[-2:]}", text)


@functools.lru_cache(maxsize=16)
def _key_pattern(key: str) -> re.Pattern[str]:
    """The key with each character as itself or as any JSON escape of it (``\\u0073``, ``\\u0053``, ``\\/``)."""
    parts = []
    for char in key:
        hex_digits = "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{ord(char):04x}")
        escaped = "|\\\\/" if char == "/" else ""
        parts.append(f"(?:{re.escape(char)}|\\\\u{hex_digits}{escaped})")
    return re.compile("".join(parts))


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built from a generated ``Response``, which keeps no request
        return None


def _error_detail(body_text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(body_text)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        detail: dict[str, Any] = data["error"]
        return detail
    return None
