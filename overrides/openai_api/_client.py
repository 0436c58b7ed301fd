"""The client factory: a generated ``AuthenticatedClient`` with retries, timeouts and a key that never shows."""

from __future__ import annotations

import dataclasses
import math
import os
import threading
from collections.abc import Mapping
from typing import Any

import httpx
from attrs import define, evolve, field, setters

from openai_api import _gateway
from openai_api._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
)
from openai_api._errors import (
    ClientClosedError,
    ConfigurationError,
    InvalidAPIKeyError,
    MissingAPIKeyError,
)
from openai_api._logging import setup_logging_from_env
from openai_api._retry import RetryPolicy
from openai_api_client import AuthenticatedClient

__all__ = ["OpenAIClient"]


class _SharedState:
    """What copies of one client share: the connection pools, and the paths a gateway answered at (``_gateway``).

    ``lock`` makes each pool, and each copy's httpx client, once: 32 threads making a fresh client's first call at
    once would otherwise build 32 pools, each with its own connections, and ``close()`` would close one of them.
    """

    def __init__(self) -> None:
        self.transport: httpx.BaseTransport | None = None
        self.async_transport: httpx.AsyncBaseTransport | None = None
        self.gateway_paths: dict[str, str] = {}
        self.lock = threading.Lock()


# Read once, when the httpx clients are built: a setting changed afterwards would do nothing, so it cannot be
# changed (with_options makes a copy with another one).
_READ_ONLY = setters.frozen


@define(repr=False)
class OpenAIClient(AuthenticatedClient):
    """The generated ``AuthenticatedClient``, so every generated function takes it, built with this layer's transport.

    Its ``repr`` never shows the key (the generated one shows ``token`` and the ``Authorization`` header). Made by
    :func:`_create_client`, which checks what it is given; copies for some calls
    come from :meth:`with_options` (``attrs.evolve``: a copy shares ``shared``, so its pools and their lock).
    """

    token: str = field(repr=False, kw_only=True)
    # Never None here, unlike the generated client's: typed so once more.
    _timeout: httpx.Timeout = field(default=DEFAULT_TIMEOUT, kw_only=True, alias="timeout")
    retry_policy: RetryPolicy = field(factory=RetryPolicy, kw_only=True, on_setattr=_READ_ONLY)
    # The total seconds one call may take, retries and their waits included.
    deadline: float = field(default=DEFAULT_DEADLINE, kw_only=True, on_setattr=_READ_ONLY)
    # Whether this client talks to a gateway the spec gives paths of its own (``_gateway``).
    gateway: bool = field(default=False, kw_only=True, on_setattr=_READ_ONLY)
    _transport: httpx.BaseTransport | None = field(default=None, kw_only=True, alias="transport")
    _async_transport: httpx.AsyncBaseTransport | None = field(default=None, kw_only=True, alias="async_transport")
    _proxy: str | None = field(default=None, kw_only=True, alias="proxy")
    _limits: httpx.Limits | None = field(default=None, kw_only=True, alias="limits")
    _user_client: httpx.Client | None = field(default=None, kw_only=True, alias="http_client")
    _user_async_client: httpx.AsyncClient | None = field(default=None, kw_only=True, alias="async_http_client")
    shared: _SharedState = field(factory=_SharedState, kw_only=True, on_setattr=_READ_ONLY)
    # Whether ``call`` checks every 2xx JSON body against the spec (types, required fields, enums).
    validate_responses: bool = field(default=False, kw_only=True, on_setattr=_READ_ONLY)

    def __repr__(self) -> str:
        return f"OpenAIClient(base_url={self._base_url!r}, gateway={self.gateway}, token='***')"

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    def _auth_headers(self) -> dict[str, str]:
        return {**self._headers, self.auth_header_name: f"{self.prefix} {self.token}" if self.prefix else self.token}

    def _pool_options(self) -> dict[str, Any]:
        proxy = self._proxy if self._proxy is not None else _environment_proxy(self._base_url)
        return {"proxy": proxy, "limits": self._limits or DEFAULT_LIMITS, "verify": self._verify_ssl}

    def _client_options(self) -> dict[str, Any]:
        """What the sync and async httpx clients are built with, besides their transport."""
        return {
            "base_url": self._base_url,
            "headers": self._auth_headers(),
            "cookies": self._cookies,
            "timeout": self._timeout,
            "follow_redirects": self._follow_redirects,
            **self._httpx_args,
        }

    def _transport_options(self) -> dict[str, Any]:
        return {
            "policy": self.retry_policy,
            "timeout": self._timeout,
            "deadline": self.deadline,
            "strict": self.validate_responses,
        }

    def _user_client_options(self, user: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
        """A user's httpx client's own settings, for a client of this layer's that sends through its transport:
        the user's object keeps its headers and base URL, and the key goes only where this client sends."""
        return {
            "base_url": self._base_url,
            "headers": {**user.headers, **self._auth_headers()},
            "cookies": user.cookies,
            "timeout": self._timeout,
            "event_hooks": user.event_hooks,
            "params": self._httpx_args.get("params"),
        }

    def get_httpx_client(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self.shared.lock:
                if self._client is None:
                    # Each half loads with its first client: a sync program never imports the async one.
                    from openai_api._sync._http import build_client

                    self._client = build_client(self)
            client = self._client
        if client.is_closed:
            raise ClientClosedError(f"this client for {self._base_url} was closed; make a new one")
        return client

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        client = self._async_client
        if client is None:
            with self.shared.lock:
                if self._async_client is None:
                    from openai_api._async._http import build_async_client

                    self._async_client = build_async_client(self)
            client = self._async_client
        if client.is_closed:
            raise ClientClosedError(f"this client for {self._base_url} was closed; make a new one")
        return client

    def close(self) -> None:
        """Closes the sync pool (a user's own httpx client stays open: it is the user's); calls then raise
        :class:`ClientClosedError`. Closing twice is fine."""
        if self._client is None or not self._client.is_closed:
            self.get_httpx_client().close()

    async def aclose(self) -> None:
        if self._async_client is None or not self._async_client.is_closed:
            await self.get_async_httpx_client().aclose()

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> OpenAIClient:
        """A copy for some calls, with another timeout, deadline or retry policy, sharing this client's pool."""
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = as_timeout(timeout)
        if deadline is not None:
            changes["deadline"] = _as_deadline(deadline)
        if retry_policy is not None:
            changes["retry_policy"] = retry_policy
        if max_retries is not None:
            changes["retry_policy"] = dataclasses.replace(
                changes.get("retry_policy", self.retry_policy), max_retries=max_retries
            )
        return evolve(self, **changes)


def _environment_proxy(base_url: str) -> str | None:
    """The proxy httpx's own environment variables (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) name
    for the base URL, as an httpx client would choose it: this layer builds its pool itself, which httpx then leaves
    to the caller (httpx is pinned below 0.29 for its helpers used here)."""
    from httpx._utils import URLPattern, get_environment_proxies

    url = httpx.URL(base_url)
    patterns = sorted(
        ((URLPattern(key), proxy) for key, proxy in get_environment_proxies().items()), key=lambda p: p[0]
    )
    return next((proxy for pattern, proxy in patterns if pattern.matches(url)), None)


def as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    if not isinstance(timeout, int | float | httpx.Timeout) and all(
        hasattr(timeout, name) for name in ("connect", "read", "write", "pool")
    ):
        # Another httpx generation's Timeout (the official package's own, say): the same four bounds.
        timeout = httpx.Timeout(connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool)
    if isinstance(timeout, httpx.Timeout):
        bounds = timeout.as_dict()
        if set(bounds.values()) == {None}:
            raise ConfigurationError("timeout: a timeout that is all None switches timeouts off; give numbers")
        for name, value in bounds.items():
            if value is not None:
                _check_seconds(f"timeout ({name})", value)
        return timeout
    _check_seconds("timeout", timeout)
    return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_TIMEOUT.connect or timeout))


def _check_seconds(setting: str, value: object) -> None:
    # Zero or less would fail every call, later and far from here; NaN compares false with everything.
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not value > 0:
        raise ConfigurationError(f"{setting} must be a positive number of seconds, not {value!r}")


def _as_deadline(deadline: float) -> float:
    _check_seconds("deadline", deadline)
    return float(deadline)


_KEY_PROBLEMS = (
    ("\n", "a line break (\\n)"),
    ("\r", "a carriage return (\\r)"),
    ("\t", "a tab"),
    (" ", "a space"),
)


def _check_header_value(
    value: str, what: str, source: str, error: type[ConfigurationError] = InvalidAPIKeyError
) -> None:
    """Refuses a value httpx could not send as a header (or would send wrongly), naming the problem, not the value."""
    for char, name in _KEY_PROBLEMS:
        if char in value:
            at = value.index(char)
            where = "at its end" if value.rstrip() != value and at >= len(value.rstrip()) else f"at position {at}"
            hint = " (keys read from a file or a CRLF .env keep their line ending: strip it)" if char in "\r\n" else ""
            raise error(f"the {what} from {source} contains {name} {where}{hint}")
    for at, char in enumerate(value):
        if not 0x21 <= ord(char) <= 0x7E:
            kind = "a non-ASCII character" if ord(char) > 0x7E else "a control character"
            raise error(
                f"the {what} from {source} contains {kind} at position {at}: keys are printable ASCII "
                "(check for a curly quote or a look-alike letter pasted into it)"
            )


def _settings(
    api_key: str | None,
    base_url: str | None,
    organization: str | None,
    project: str | None,
    gateway: bool | None,
    user_client: httpx.Client | httpx.AsyncClient | None,
) -> tuple[str, str, dict[str, str], bool]:
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    if not key:
        raise MissingAPIKeyError(
            "No API key: pass api_key=... or set the OPENAI_API_KEY environment variable "
            "(the key from your OpenAI account's API keys page)."
        )
    _check_header_value(key, "API key", "api_key" if api_key is not None else "OPENAI_API_KEY")
    # A user's own httpx client may carry the base URL; an explicit argument wins, then the client's, then the env.
    user_url = str(user_client.base_url) if user_client is not None and str(user_client.base_url) else None
    source = "base_url" if base_url else "http_client's base_url" if user_url else "OPENAI_BASE_URL"
    url = _checked_base_url(base_url or user_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL, source)
    headers: dict[str, str] = {}
    for header, value, setting, variable in (
        ("OpenAI-Organization", organization, "organization", "OPENAI_ORG_ID"),
        ("OpenAI-Project", project, "project", "OPENAI_PROJECT_ID"),
    ):
        given = value if value is not None else os.environ.get(variable)
        if given:
            _check_header_value(given, setting, setting if value is not None else variable, ConfigurationError)
            headers[header] = given
    is_gateway = gateway if gateway is not None else httpx.URL(url).host in _gateway.HOSTS
    return key, url, headers, is_gateway


def _checked_base_url(url: str, source: str) -> str:
    """The base URL without its trailing slash, or a ConfigurationError that names the problem and never shows the
    URL (it may hold a password)."""
    for at, char in enumerate(url):
        if char.isspace() or not char.isprintable():
            raise ConfigurationError(
                f"the base URL from {source} contains {char!r} at position {at}: "
                "a URL has no spaces or control characters (strip what was read from a file or .env)"
            )
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"the base URL from {source} is not a URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"the base URL from {source} must be an http(s) URL with a host, such as {DEFAULT_BASE_URL}"
        )
    if parsed.userinfo:
        raise ConfigurationError(
            f"the base URL from {source} holds a user name or password: the API key goes in api_key (or "
            "OPENAI_API_KEY), a proxy's credentials in proxy="
        )
    if parsed.query or parsed.fragment or "?" in url or "#" in url:
        raise ConfigurationError(
            f"the base URL from {source} has a query or fragment (?... or #...): every path is joined to it, "
            "so give the URL up to its path, such as https://api.openai.com/v1"
        )
    return url.rstrip("/")


def _create_client(
    *,
    is_async: bool = False,
    api_key: str | None = None,
    base_url: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    gateway: bool | None = None,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    max_retries: int | None = None,
    retry_policy: RetryPolicy | None = None,
    http_client: httpx.Client | httpx.AsyncClient | None = None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
    limits: httpx.Limits | None = None,
    headers: Mapping[str, str] | None = None,
    validate_responses: bool = False,
    default_query: Mapping[str, str] | None = None,
) -> OpenAIClient:
    """The client the facade sends through, checked here; ``is_async`` makes ``http_client`` and ``transport`` the
    async calls' (``asyncio``, ``asyncio_detailed``), not the sync ones'.

    Arguments win over the environment: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` (default
    ``https://api.openai.com/v1``), ``OPENAI_ORG_ID`` (sent as ``OpenAI-Organization``) and ``OPENAI_PROJECT_ID``
    (``project``, sent as ``OpenAI-Project``); ``default_query`` is added to every request's query. ``gateway``
    defaults to whether the base URL's host is a gateway of the spec's. ``timeout`` bounds each wait on the socket
    (default 10 minutes, 5 s to connect); ``deadline`` bounds one whole call, retries and their waits included
    (default 30 minutes; for a streamed answer, until its headers arrive). A malformed key (a trailing newline, a
    space, non-ASCII) raises :class:`InvalidAPIKeyError` here, never later.
    ``validate_responses`` makes :func:`call` check every 2xx JSON body against the spec, not only the ones the
    generated models fail to parse.
    """
    setup_logging_from_env()
    key, url, org_headers, is_gateway = _settings(api_key, base_url, organization, project, gateway, http_client)
    policy = retry_policy or RetryPolicy()
    if max_retries is not None:
        policy = dataclasses.replace(policy, max_retries=max_retries)
    if timeout is DEFAULT_TIMEOUT and http_client is not None and set(http_client.timeout.as_dict().values()) != {None}:
        # No timeout asked for: the user's client's own is the one meant (a timeout asked for here, or by
        # with_options, wins over it; one that is all None is never taken: this layer keeps timeouts on).
        timeout = http_client.timeout
    prefix = "async_" if is_async else ""
    sends_through: dict[str, Any] = {f"{prefix}http_client": http_client, f"{prefix}transport": transport}
    return OpenAIClient(
        base_url=url,
        token=key,
        headers={**org_headers, **(headers or {})},
        timeout=as_timeout(timeout),
        deadline=_as_deadline(deadline),
        retry_policy=policy,
        gateway=is_gateway,
        httpx_args={"params": dict(default_query)} if default_query else {},
        proxy=proxy,
        limits=limits,
        validate_responses=validate_responses,
        **sends_through,
    )
