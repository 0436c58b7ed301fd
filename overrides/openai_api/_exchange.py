"""How one HTTP exchange ends: the single owner of that decision for every call this client makes.

The generated functions, ``call``, the streams, the uploads, the downloads and the CLI all send through the
transport, and the transport asks an :class:`Exchange` what each attempt's outcome means: try again (and when),
follow a redirect, give the answer back, or raise the typed error. So a non-2xx answer ends the same way whatever
its body and whoever called, and a 2xx answer is held to the spec before any generated parser sees it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from openai_api._constants import MAX_REDIRECTS
from openai_api._deadline import Deadline, retries_text
from openai_api._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    OpenAIError,
    ResponseValidationError,
    status_error,
)
from openai_api._logging import logger
from openai_api._retry import RetryPolicy, replay_problem, should_retry_status
from openai_api._routes import Route, route_of
from openai_api_client.checks import Check

STREAMED = "openai_api.streamed"
"""The request extension that marks an answer read by its caller as it arrives (events, downloads)."""
ONGOING = "openai_api.exchange"
"""The request extension holding its :class:`Exchange`, where the sender asks for it (set to None): another request
given it carries the same call on, with its deadline and retries (a gateway's fallback)."""

_SAFE_METHODS = frozenset({"GET", "HEAD"})
_TIMEOUT_BOUNDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}

__all__ = ["ONGOING", "STREAMED", "CheckedResponse", "Exchange", "connection_error"]


def connection_error(
    exc: BaseException, request: httpx.Request, note: str = "", *, deadline_passed: bool = False
) -> APIConnectionError:
    """The typed error for an exchange that got no (whole) answer; ``exc`` is chained as the cause."""
    if isinstance(exc, httpx.TimeoutException) or deadline_passed:
        kind = next((name for cls, name in _TIMEOUT_BOUNDS.items() if isinstance(exc, cls)), "read")
        bound = "deadline" if deadline_passed else kind
        message = f"{request.method} {request.url} timed out ({bound}): {_cause(exc)}"
        error: APIConnectionError = APITimeoutError(_with(message, note), request=request, bound=bound)
    else:
        message = f"{request.method} {request.url} failed: {_cause(exc)}"
        error = APIConnectionError(_with(message, note), request=request)
    error.__cause__ = exc
    return error


def _cause(exc: BaseException) -> str:
    # httpx's timeouts often carry no text: "ReadTimeout", not "ReadTimeout: ".
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _with(message: str, note: str) -> str:
    return f"{message}. {note}" if note else message


class CheckedResponse(httpx.Response):
    """A successful answer whose ``json()`` raises :class:`ResponseValidationError`, naming the field, where the body
    is not JSON or not the spec's shape: the generated parsers would otherwise fail with a bare ``KeyError``."""

    _check: Check | None
    _operation: str

    def json(self, **kwargs: Any) -> Any:
        try:
            data = json.loads(self.content, **kwargs)
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
            raise ResponseValidationError(
                operation=self._operation, response=self, field="(body)", reason=f"not JSON ({reason})"
            ) from exc
        if self._check is not None:
            found = self._check(data)
            if found is not None:
                raise ResponseValidationError(
                    operation=self._operation, response=self, field=found[0] or "(body)", reason=found[1]
                )
        return data


class Exchange:
    """One call's attempts: the deadline, retries and their waits, redirects, and how the call ends.

    The sync and async transports share it; they differ only in how they wait and do I/O.
    """

    def __init__(
        self,
        request: httpx.Request,
        policy: RetryPolicy,
        deadline: float,
        strict: bool,
        timeouts: dict[str, float | None],
    ) -> None:
        self.request = request
        self.policy = policy
        self.retries = 0
        self.hops = 0
        self.strict = strict
        self.streamed = bool(request.extensions.get(STREAMED))
        self.deadline = Deadline(deadline)
        """The call's one deadline, from the client's setting (in seconds): the transport and sockets ask it."""
        self._timeouts = timeouts
        """The socket timeouts asked for: never changed, each attempt gets its own copy when capped."""

    def start_attempt(self) -> httpx.Request:
        """The request to send now, its timeouts (the wait for a connection too) capped by the deadline."""
        if self.deadline.passed:
            raise self.deadline.error(self.request, self.retries)
        self.request.extensions["timeout"] = self.deadline.cap_all(self._timeouts)
        return self.request

    # --- what an attempt's outcome means ---------------------------------------------------------------------

    def after_send_error(self, exc: Exception) -> float:
        """The wait before the next attempt after the exchange broke; raises the typed error when there is none."""
        if isinstance(exc, OpenAIError):
            raise exc
        # A socket wait capped by the deadline ran out: the deadline is what fired.
        passed = self.deadline.passed
        if not isinstance(exc, httpx.TransportError):
            # h11's protocol errors (an upload whose length changed), an encoding error in a header: not the
            # network's fault, so not retried.
            raise connection_error(exc, self.request, "The request could not be sent.") from exc
        if passed:
            raise connection_error(exc, self.request, self._gave_up(), deadline_passed=True) from exc
        if self.retries >= self.policy.max_retries:
            raise connection_error(exc, self.request, self._gave_up()) from exc
        problem = replay_problem(self.request)
        if problem is not None:
            raise connection_error(exc, self.request, f"Not retried: {problem}.") from exc
        delay = self._next(None, type(exc).__name__)
        if delay >= self.deadline.left():
            raise connection_error(exc, self.request, self._gave_up("the next retry would pass the deadline"))
        return delay

    def after_status(self, response: httpx.Response) -> float:
        """The wait before retrying a non-2xx answer whose body has been read; raises its typed error otherwise."""
        if 300 <= response.status_code < 400 or not should_retry_status(response):
            raise self.status_error(response, "")
        if self.retries >= self.policy.max_retries:
            raise self.status_error(response, self._gave_up())
        problem = replay_problem(self.request)
        if problem is not None:
            raise self.status_error(response, f"Not retried: {problem}." if self.policy.max_retries else "")
        delay = self._next(response, str(response.status_code))
        if delay >= self.deadline.left():
            raise self.status_error(response, self._gave_up("the next retry would pass the deadline"))
        return delay

    def redirect(self, response: httpx.Response) -> httpx.Request | None:
        """The request that follows a 3xx, or None when it must not be followed (the caller raises then).

        Only GET and HEAD to the same origin are followed: the key never travels to another origin, and a body is
        never sent twice.
        """
        location = response.headers.get("location")
        if location is None or self.request.method not in _SAFE_METHODS or self.hops >= MAX_REDIRECTS:
            return None
        url = self.request.url.join(location)
        if (url.scheme, url.host, url.port) != (self.request.url.scheme, self.request.url.host, self.request.url.port):
            return None
        self.hops += 1
        logger.info("%s %s: %d, following to %s", self.request.method, self.request.url, response.status_code, url)
        self.request = httpx.Request(
            self.request.method, url, headers=self.request.headers, extensions=self.request.extensions
        )
        return self.request

    def redirect_note(self, response: httpx.Response) -> str:
        if self.hops >= MAX_REDIRECTS:
            return f"Not followed: more than {MAX_REDIRECTS} redirects."
        if self.request.method not in _SAFE_METHODS:
            return f"Not followed: a {self.request.method} is never redirected (its body would be sent again)."
        if "location" not in response.headers:
            return "Not followed: the answer names no location."
        return "Not followed: it leads to another origin, where the API key is never sent."

    def status_error(self, response: httpx.Response, note: str) -> APIError:
        response.request = self.request
        if 300 <= response.status_code < 400 and not note:
            note = self.redirect_note(response)
        return status_error(response, note)

    def success(self, response: httpx.Response) -> httpx.Response:
        """A whole 2xx answer, checked against the statuses and shape the spec documents for its operation."""
        route = self._route()
        response.request = self.request
        if route is not None and route.statuses and response.status_code not in route.statuses:
            documented = ", ".join(str(s) for s in sorted(route.statuses))
            raise ResponseValidationError(
                operation=route.operation_id,
                response=response,
                field="(status)",
                reason=f"{response.status_code} is not a status the spec documents (it documents {documented})",
            )
        response.__class__ = CheckedResponse
        checked: CheckedResponse = response  # type: ignore[assignment]
        checked._check = None if route is None else route.check(response.status_code, self.strict)
        checked._operation = route.operation_id if route is not None else f"{self.request.method} {self.request.url}"
        return checked

    def undecodable(self, response: httpx.Response, problem: Exception) -> APIError:
        """The typed error for a body that cannot be decoded: it claims a content-encoding it does not have, is
        cut short inside it, or uses one the request never offered."""
        if response.status_code >= 300:
            response.request = self.request
            error: APIError = status_error(response, f"(its body cannot be decoded: {problem})")
        else:
            route = self._route()
            error = ResponseValidationError(
                operation=route.operation_id if route else f"{self.request.method} {self.request.url}",
                response=response,
                field="(body)",
                reason=f"the body cannot be decoded: {problem}",
            )
        error.__cause__ = problem
        return error

    def _route(self) -> Route | None:
        return route_of(self.request)

    def _next(self, response: httpx.Response | None, what: str) -> float:
        delay = self.policy.delay(self.retries, response)
        self.retries += 1
        logger.info(
            "%s %s: %s, retry %d of %d in %.2f s",
            self.request.method,
            self.request.url,
            what,
            self.retries,
            self.policy.max_retries,
            delay,
        )
        return delay

    def _gave_up(self, why: str = "") -> str:
        done = f"Gave up after {retries_text(self.retries)}" if self.retries else ""
        if why:
            return f"{done}: {why}." if done else f"Not retried: {why}."
        return f"{done}." if done else ""
