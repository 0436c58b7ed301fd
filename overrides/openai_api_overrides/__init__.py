"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here. ``create_client`` gives
the generated ``AuthenticatedClient`` with retries, timeouts and a hidden key; ``call`` turns any generated
function into one that raises typed errors; ``iter_files`` pages through every file, on the gateway too;
``stream_chat_completion`` and friends stream server-sent events as generated models; ``upload_file`` and
``download_file`` stream files of any size with progress, after checking them against the spec's limits.
"""

from openai_api_overrides._calls import acall, call, raise_for_status
from openai_api_overrides._client import (
    DEFAULT_BASE_URL,
    GATEWAY_HOST,
    OpenAIClient,
    create_async_client,
    create_client,
)
from openai_api_overrides._downloads import adownload_file, adownload_file_bytes, download_file, download_file_bytes
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

__all__ = [
    "DEFAULT_BASE_URL",
    "GATEWAY_HOST",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FileInput",
    "InternalServerError",
    "InvalidFileError",
    "MissingAPIKeyError",
    "NotFoundError",
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
