"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here. ``create_client`` gives
the generated ``AuthenticatedClient`` with retries, timeouts and a hidden key; ``call`` turns any generated
function into one that raises typed errors; ``iter_files`` pages through every file, on the gateway too;
``stream_chat_completion`` and friends stream server-sent events as generated models; ``upload_file`` and
``download_file`` stream files of any size with progress, after checking them against the spec's limits.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai_api_overrides._calls import acall, call, raise_for_status
    from openai_api_overrides._client import (
        DEFAULT_BASE_URL,
        GATEWAY_HOST,
        OpenAIClient,
        create_async_client,
        create_client,
    )
    from openai_api_overrides._downloads import (
        adownload_file,
        adownload_file_bytes,
        download_file,
        download_file_bytes,
    )
    from openai_api_overrides._errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InternalServerError,
        InvalidFileError,
        MissingAPIKeyError,
        NotFoundError,
        OpenAIError,
        PermissionDeniedError,
        RateLimitError,
        ResponseValidationError,
        StreamDecodeError,
        StreamError,
        StreamInterruptedError,
        UnprocessableEntityError,
    )
    from openai_api_overrides._facade import AsyncOpenAI, OpenAI
    from openai_api_overrides._files import aiter_files, alist_files, iter_files, list_files
    from openai_api_overrides._inputs import FileInput, ProgressCallback
    from openai_api_overrides._logging import logger
    from openai_api_overrides._retry import RetryPolicy
    from openai_api_overrides._streaming import (
        AsyncStream,
        Stream,
        accumulate_chat,
        astream_chat_completion,
        astream_completion,
        astream_fine_tune_events,
        stream_chat_completion,
        stream_completion,
        stream_fine_tune_events,
    )
    from openai_api_overrides._uploads import (
        acreate_image_edit,
        acreate_image_variation,
        acreate_transcription,
        acreate_translation,
        aupload_file,
        create_image_edit,
        create_image_variation,
        create_transcription,
        create_translation,
        upload_file,
    )

# Names load on first use: `import openai_api_overrides` stays as cheap as `import httpx`, and the generated models
# (about 80 modules) load when a call first needs them.
_LOCATIONS: dict[str, str] = {
    "acall": "openai_api_overrides._calls",
    "call": "openai_api_overrides._calls",
    "raise_for_status": "openai_api_overrides._calls",
    "DEFAULT_BASE_URL": "openai_api_overrides._client",
    "GATEWAY_HOST": "openai_api_overrides._client",
    "OpenAIClient": "openai_api_overrides._client",
    "create_async_client": "openai_api_overrides._client",
    "create_client": "openai_api_overrides._client",
    "adownload_file": "openai_api_overrides._downloads",
    "adownload_file_bytes": "openai_api_overrides._downloads",
    "download_file": "openai_api_overrides._downloads",
    "download_file_bytes": "openai_api_overrides._downloads",
    "APIConnectionError": "openai_api_overrides._errors",
    "APIError": "openai_api_overrides._errors",
    "APIStatusError": "openai_api_overrides._errors",
    "APITimeoutError": "openai_api_overrides._errors",
    "AuthenticationError": "openai_api_overrides._errors",
    "BadRequestError": "openai_api_overrides._errors",
    "ConflictError": "openai_api_overrides._errors",
    "InternalServerError": "openai_api_overrides._errors",
    "InvalidFileError": "openai_api_overrides._errors",
    "MissingAPIKeyError": "openai_api_overrides._errors",
    "NotFoundError": "openai_api_overrides._errors",
    "OpenAIError": "openai_api_overrides._errors",
    "PermissionDeniedError": "openai_api_overrides._errors",
    "RateLimitError": "openai_api_overrides._errors",
    "ResponseValidationError": "openai_api_overrides._errors",
    "StreamDecodeError": "openai_api_overrides._errors",
    "StreamError": "openai_api_overrides._errors",
    "StreamInterruptedError": "openai_api_overrides._errors",
    "UnprocessableEntityError": "openai_api_overrides._errors",
    "AsyncOpenAI": "openai_api_overrides._facade",
    "OpenAI": "openai_api_overrides._facade",
    "aiter_files": "openai_api_overrides._files",
    "alist_files": "openai_api_overrides._files",
    "iter_files": "openai_api_overrides._files",
    "list_files": "openai_api_overrides._files",
    "FileInput": "openai_api_overrides._inputs",
    "ProgressCallback": "openai_api_overrides._inputs",
    "logger": "openai_api_overrides._logging",
    "RetryPolicy": "openai_api_overrides._retry",
    "AsyncStream": "openai_api_overrides._streaming",
    "Stream": "openai_api_overrides._streaming",
    "accumulate_chat": "openai_api_overrides._streaming",
    "astream_chat_completion": "openai_api_overrides._streaming",
    "astream_completion": "openai_api_overrides._streaming",
    "astream_fine_tune_events": "openai_api_overrides._streaming",
    "stream_chat_completion": "openai_api_overrides._streaming",
    "stream_completion": "openai_api_overrides._streaming",
    "stream_fine_tune_events": "openai_api_overrides._streaming",
    "acreate_image_edit": "openai_api_overrides._uploads",
    "acreate_image_variation": "openai_api_overrides._uploads",
    "acreate_transcription": "openai_api_overrides._uploads",
    "acreate_translation": "openai_api_overrides._uploads",
    "aupload_file": "openai_api_overrides._uploads",
    "create_image_edit": "openai_api_overrides._uploads",
    "create_image_variation": "openai_api_overrides._uploads",
    "create_transcription": "openai_api_overrides._uploads",
    "create_translation": "openai_api_overrides._uploads",
    "upload_file": "openai_api_overrides._uploads",
}

__all__ = [
    "DEFAULT_BASE_URL",
    "GATEWAY_HOST",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncOpenAI",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FileInput",
    "InternalServerError",
    "InvalidFileError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAI",
    "OpenAIClient",
    "OpenAIError",
    "PermissionDeniedError",
    "ProgressCallback",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "Stream",
    "StreamDecodeError",
    "StreamError",
    "StreamInterruptedError",
    "UnprocessableEntityError",
    "acall",
    "accumulate_chat",
    "acreate_image_edit",
    "acreate_image_variation",
    "acreate_transcription",
    "acreate_translation",
    "adownload_file",
    "adownload_file_bytes",
    "aiter_files",
    "alist_files",
    "astream_chat_completion",
    "astream_completion",
    "astream_fine_tune_events",
    "aupload_file",
    "call",
    "create_async_client",
    "create_client",
    "create_image_edit",
    "create_image_variation",
    "create_transcription",
    "create_translation",
    "download_file",
    "download_file_bytes",
    "iter_files",
    "list_files",
    "logger",
    "raise_for_status",
    "stream_chat_completion",
    "stream_completion",
    "stream_fine_tune_events",
    "upload_file",
]


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
