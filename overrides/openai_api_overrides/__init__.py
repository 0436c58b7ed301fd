"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here. ``create_client`` gives
the generated ``AuthenticatedClient`` with retries, a deadline, timeouts and a hidden key, and one owner of how
every exchange ends (a typed error for anything but a 2xx answer the spec describes); ``call`` types any generated
function's result; ``iter_files`` pages through every file, on the gateway too; ``stream_chat_completion`` and
friends stream server-sent events as generated models; ``upload_file`` and ``download_file`` stream files of any
size with progress, after checking them against the spec's limits.

Each public name is declared in its module's ``__all__`` and listed under that module in ``_PUBLIC`` (a test holds
the two equal); this package re-exports them all, each module loading on the first use of one of its names: a
program that only calls pays neither for the streams and uploads nor for the models they use.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from openai_api_overrides._calls import *  # noqa: F403
    from openai_api_overrides._client import *  # noqa: F403
    from openai_api_overrides._constants import *  # noqa: F403
    from openai_api_overrides._downloads import *  # noqa: F403
    from openai_api_overrides._errors import *  # noqa: F403
    from openai_api_overrides._facade import *  # noqa: F403
    from openai_api_overrides._files import *  # noqa: F403
    from openai_api_overrides._inputs import *  # noqa: F403
    from openai_api_overrides._logging import *  # noqa: F403
    from openai_api_overrides._retry import *  # noqa: F403
    from openai_api_overrides._streaming import *  # noqa: F403
    from openai_api_overrides._uploads import *  # noqa: F403

_PUBLIC: dict[str, tuple[str, ...]] = {
    "_calls": ("acall", "call", "raise_for_status"),
    "_client": ("OpenAIClient", "create_async_client", "create_client"),
    "_constants": ("DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_TIMEOUT", "GATEWAY_HOST"),
    "_downloads": ("adownload_file", "adownload_file_bytes", "download_file", "download_file_bytes"),
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
    "_files": ("aiter_files", "alist_files", "iter_files", "list_files"),
    "_inputs": ("FileInput", "ProgressCallback"),
    "_logging": ("logger",),
    "_retry": ("RetryPolicy",),
    "_streaming": (
        "AsyncStream",
        "Stream",
        "accumulate_chat",
        "astream_chat_completion",
        "astream_completion",
        "astream_fine_tune_events",
        "stream_chat_completion",
        "stream_completion",
        "stream_fine_tune_events",
    ),
    "_uploads": (
        "acreate_image_edit",
        "acreate_image_variation",
        "acreate_transcription",
        "acreate_translation",
        "aupload_file",
        "create_image_edit",
        "create_image_variation",
        "create_transcription",
        "create_translation",
        "upload_file",
    ),
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
