"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here. ``create_client`` gives
the generated ``AuthenticatedClient`` with retries, timeouts and a hidden key; ``call`` turns any generated
function into one that raises typed errors; ``iter_files`` pages through every file, on the gateway too.
"""

from openai_api_overrides._calls import acall, call, raise_for_status
from openai_api_overrides._client import (
    DEFAULT_BASE_URL,
    GATEWAY_HOST,
    OpenAIClient,
    create_async_client,
    create_client,
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
    MissingAPIKeyError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from openai_api_overrides._files import aiter_files, alist_files, iter_files, list_files
from openai_api_overrides._logging import logger
from openai_api_overrides._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "GATEWAY_HOST",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIClient",
    "OpenAIError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "UnprocessableEntityError",
    "acall",
    "aiter_files",
    "alist_files",
    "call",
    "create_async_client",
    "create_client",
    "iter_files",
    "list_files",
    "logger",
    "raise_for_status",
]
