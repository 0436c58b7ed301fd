"""The hand-written layer over the generated ``openai_api_client``: import this one.

``OpenAI`` and ``AsyncOpenAI`` are the one way to call the API: every operation of the spec as
``client.<resource>.<method>(...)``, with retries, a deadline per call, typed errors, streams, pages, streamed
uploads checked against the spec's limits, and downloads. The public names are those, the errors, ``RetryPolicy``,
the stream classes and ``accumulate_chat``; ``call``, ``acall`` and ``raise_for_status`` type a generated function's
result (``oa.call(retrieve_model.sync_detailed, "davinci", client=client.http)``). Everything else is private.

Each public name is declared in its module's ``__all__`` and listed under that module in ``_PUBLIC`` (a test holds
the two equal); this package re-exports them all, each module loading on the first use of one of its names: a
program that only calls pays neither for the streams and uploads nor for the models they use.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from openai_api._calls import *  # noqa: F403
    from openai_api._errors import *  # noqa: F403
    from openai_api._facade import *  # noqa: F403
    from openai_api._retry import *  # noqa: F403
    from openai_api._streaming import *  # noqa: F403

_PUBLIC: dict[str, tuple[str, ...]] = {
    "_calls": ("acall", "call", "raise_for_status"),
    "_errors": (
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
    ),
    "_facade": ("AsyncOpenAI", "OpenAI"),
    "_retry": ("RetryPolicy",),
    "_streaming": ("AsyncStream", "Stream", "accumulate_chat"),
}
_HOME = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = [name for names in _PUBLIC.values() for name in names]


# Hidden from type checkers, which see the imports above: a misspelt name stays an error for them.
if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> _typing.Any:
        module = _HOME.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
