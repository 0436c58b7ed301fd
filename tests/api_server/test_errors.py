"""errors: openapi-core's errors for real requests, turned into the real API's short sentences and params."""

from __future__ import annotations

import json

import pytest

from openai_api_server._validation import Exchange, request_errors
from openai_api_server.errors import describe_request_error, invalid_key_message, mask_key


def _first_error(method: str, target: str, body: object = None, content_type: str = "application/json") -> Exception:
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    headers = {"content-type": content_type, "authorization": "Bearer sk-test"}
    errors = request_errors(Exchange(method, target, headers, raw))
    assert errors, "openapi-core found the request valid"
    return errors[0]


MULTIPART = (
    b'--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\nContent-Type: application/octet-stream\r\n'
    b'\r\nx\r\n--B\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbogus\r\n--B--\r\n'
)


@pytest.mark.parametrize(
    ("method", "target", "body", "content_type", "message", "param"),
    [
        ("GET", "/v1/files?order=sideways", None, "", "'sideways' is not one of ['asc', 'desc'] - 'order'", "order"),
        ("GET", "/v1/files?limit=0", None, "", "0 is less than the minimum of 1 - 'limit'", "limit"),
        ("GET", "/v1/files?limit=abc", None, "", "'abc' is not of type 'integer' - 'limit'", "limit"),
        (
            "POST",
            "/v1/chat/completions",
            {"model": "m"},
            "application/json",
            "'messages' is a required property - 'messages'",
            "messages",
        ),
        (
            "POST",
            "/v1/chat/completions",
            {"model": "m", "messages": [{"role": "robot", "content": "x"}]},
            "application/json",
            "'robot' is not one of ['system', 'user', 'assistant', 'tool', 'function', 'developer']"
            " - 'messages[0].role'",
            "messages[0].role",
        ),
        (
            "POST",
            "/v1/completions",
            {"model": "m", "temperature": 5},
            "application/json",
            "5 is greater than the maximum of 2 - 'temperature'",
            "temperature",
        ),
        (
            "POST",
            "/v1/files",
            MULTIPART,
            "multipart/form-data; boundary=B",
            "'bogus' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'",
            "purpose",
        ),
    ],
)
def test_schema_errors_become_one_sentence_naming_the_param(
    method: str, target: str, body: object, content_type: str, message: str, param: str
) -> None:
    assert describe_request_error(_first_error(method, target, body, content_type)) == (message, param)


def test_a_body_that_is_not_json_gets_the_real_apis_hint() -> None:
    message, param = describe_request_error(_first_error("POST", "/v1/completions", b"{not json"))
    assert message.startswith("We could not parse the JSON body of your request.") and param is None


def test_two_missing_fields_name_the_first() -> None:
    body = b"--B--\r\n"
    message, param = describe_request_error(_first_error("POST", "/v1/files", body, "multipart/form-data; boundary=B"))
    assert (message, param) == ("'file' is a required property - 'file'", "file")


def test_an_error_of_unknown_shape_is_its_first_line() -> None:
    assert describe_request_error(ValueError("something odd\nwith details")) == ("something odd", None)


@pytest.mark.parametrize(("key", "shown"), [("sk-test-abcdefghab", "sk-te***ab"), ("sk-short", "***"), ("", "***")])
def test_keys_are_masked(key: str, shown: str) -> None:
    assert mask_key(key) == shown


def test_the_401_message_never_holds_the_key() -> None:
    key = "sk-proj-secretsecretsecret99"
    message = invalid_key_message(key)
    assert key not in message and "sk-pr***99" in message
    assert "didn't provide an API key" in invalid_key_message(None)
