"""Error bodies as the real API writes them: a short sentence, the offending parameter, a type and a code.

``{"error": {"message": ..., "type": "invalid_request_error", "param": "order", "code": null}}``
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JSON = dict[str, Any]
_JSON_HINT = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


def error_body(message: str, param: str | None = None, code: str | None = None, type_: str | None = None) -> JSON:
    return {"error": {"message": message, "type": type_ or "invalid_request_error", "param": param, "code": code}}


def mask_key(key: str) -> str:
    """A key as the real API shows it back: its first 5 and last 2 characters (``sk-te***ab``); short ones, none."""
    return f"{key[:5]}***{key[-2:]}" if len(key) >= 12 else "***"


def invalid_key_message(key: str | None) -> str:
    if not key:
        return (
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    return (
        f"Incorrect API key provided: {mask_key(key)}. "
        "You can find your API key at https://platform.openai.com/account/api-keys."
    )


def model_not_found_message(model: str) -> str:
    return f"The model `{model}` does not exist or you do not have access to it."


def _path(parts: Sequence[Any]) -> str:
    """A JSON path as the real API names a field: ``messages[0].role``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_errors(error: BaseException) -> list[Any]:
    cause: BaseException | None = error
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        if details:
            return list(details)
        cause = cause.__cause__
    return []


def _cause_named(error: BaseException, name: str) -> BaseException | None:
    cause: BaseException | None = error
    while cause is not None and type(cause).__name__ != name:
        cause = cause.__cause__
    return cause


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def describe_request_error(error: BaseException) -> tuple[str, str | None]:
    """openapi-core's error for a request as the real API words it: a short sentence and the offending parameter.

    ``'sideways' is not one of ['asc', 'desc'] - 'order'`` with param ``order``; a body field is named by its path
    (``messages[0].role``); a required field that is missing is the param it names.
    """
    name = getattr(error, "name", None)  # openapi-core's parameter errors carry the parameter's name
    details = _schema_errors(error)
    if details:
        detail = min(details, key=lambda d: len(list(d.path)))  # the outermost problem is the one to fix first
        path = list(detail.path)
        if detail.validator == "required" and isinstance(detail.validator_value, list):
            missing = next((p for p in detail.validator_value if p in detail.message), None)
            path = [*path, missing] if missing else path
        if name:
            path = [name, *path]
        param = _path(path) or None
        return (f"{detail.message} - '{param}'" if param else detail.message), param
    kind = type(error).__name__
    if name:
        if kind == "MissingRequiredParameter":
            return f"Missing required parameter: '{name}'.", name
        cast = _cause_named(error, "CastError")  # openapi-core's CastError carries the value and the wanted type
        if cast is not None and hasattr(cast, "value") and hasattr(cast, "type"):
            return f"'{cast.value}' is not of type '{cast.type}' - '{name}'", name
        return f"Invalid value - '{name}'", name
    if kind in ("MissingRequestBody", "MissingRequiredRequestBody"):
        return "You must provide a request body.", None
    root = type(_root_cause(error)).__name__
    if root in ("MediaTypeDeserializeError", "JSONDecodeError", "DeserializeError", "RecursionError"):
        return _JSON_HINT, None
    if kind == "MediaTypeNotFound" or "media type" in str(error).lower():
        return f"Invalid Content-Type header ({_first_line(error)}).", None
    return _first_line(error), None


def _first_line(error: BaseException) -> str:
    text = str(_root_cause(error)) or type(error).__name__
    return text.splitlines()[0][:300]


def not_json_message() -> str:
    return _JSON_HINT


def unknown_argument_message(names: Sequence[str]) -> str:
    return "Unrecognized request argument supplied: " + ", ".join(names)
