"""Uploads that scale, for any multipart operation of the spec: each file part streamed from an open file.

:func:`prepare` takes the generated module and body model of the operation and the fields by their names in the
model; the facade's requester sends what it prepares, then calls :func:`finish` and :func:`close_all`. Which fields
are files, what limits they have, and whether the answer may be text all come from the spec (the request schema's
``format: binary`` parts and their ``x-`` extensions), so an operation the spec adds needs nothing here. The request
is built with the module's ``request_kwargs``; the transport gives every multipart body a random boundary.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Any, NamedTuple

import httpx

from openai_api import _spec
from openai_api._calls import parse_response, with_options
from openai_api._errors import status_error
from openai_api._inputs import Upload, open_upload
from openai_api._validation import check_part, default_extension, part_rules
from openai_api_client import AuthenticatedClient
from openai_api_client.resources import FileInput
from openai_api_client.types import Unset

__all__: list[str] = []
# prepare, finish and close_all serve the facade's requester: for any multipart operation, not exported.


def close_all(uploads: list[Upload]) -> None:
    for upload in uploads:
        upload.close()


class _Part(NamedTuple):
    """What the spec says of one field of a multipart request: its name there, and its limits if it is a file."""

    name: str
    rules: dict[str, Any]
    file: bool


_PARTS: dict[str, tuple[dict[str, Any], dict[str, _Part]]] = {}


def _parts(body_model: type[Any]) -> tuple[dict[str, Any], dict[str, _Part]]:
    """The request schema of a body model, and its fields by the model's attribute names (``input_`` for the spec's
    ``input``: the generator's rule, read back from the model's constructor)."""
    found = _PARTS.get(body_model.__name__)
    if found is not None:
        return found
    schema: dict[str, Any] = _spec.resolve(_spec.spec()["components"]["schemas"][body_model.__name__])
    properties = schema.get("properties", {})
    parts = {}
    for attribute in inspect.signature(body_model).parameters:
        name = attribute if attribute in properties else attribute.rstrip("_")
        if name in properties:
            rules = part_rules(properties[name])
            parts[attribute] = _Part(name, rules, rules.get("format") == "binary")
    found = _PARTS[body_model.__name__] = (schema, parts)
    return found


def _opened(value: FileInput, field: str, rules: dict[str, Any], request: dict[str, Any], purpose: object) -> Upload:
    upload = open_upload(value, f"{field}{default_extension(rules, request, purpose)}", field)
    try:
        check_part(upload, field, rules, request, purpose)
    except BaseException:
        upload.close()
        raise
    return upload


def prepare(
    module: ModuleType,
    body_model: type[Any],
    fields: dict[str, Any],
    arguments: dict[str, Any],
    options: Mapping[str, Any],
) -> tuple[list[Upload], dict[str, Any], bool]:
    """The uploads opened and checked, the arguments of ``httpx.Client.request``, and whether the answer is text."""
    request, parts = _parts(body_model)
    purpose = fields.get("purpose")
    uploads: list[Upload] = []
    values: dict[str, Any] = {}
    try:
        for attribute, value in fields.items():
            part = parts.get(attribute)
            if part is None or not part.file or value is None or isinstance(value, Unset):
                values[attribute] = value
                continue
            upload = _opened(value, part.name, part.rules, request, purpose)
            uploads.append(upload)
            values[attribute] = upload.as_file()
        body = body_model(**values)
        if extra := options.get("body"):
            # Fields the spec does not list yet: parts of their own, as the model sends additional properties.
            body.additional_properties.update(extra)
        request_kwargs = with_options(module.request_kwargs(body=body, **arguments), options)
    except BaseException:
        close_all(uploads)
        raise
    response_format = fields.get("response_format")
    format_rules = parts["response_format"].rules if "response_format" in parts else {}
    text = isinstance(response_format, str) and response_format in format_rules.get("x-text-formats", [])
    return uploads, request_kwargs, text


def finish(module: ModuleType, client: AuthenticatedClient, response: httpx.Response, text_answer: bool) -> Any:
    # The spec answers text/plain for the text formats: trust the answer's type as well as what was asked.
    if text_answer or response.headers.get("content-type", "").startswith("text/plain"):
        if not 200 <= response.status_code < 300:
            raise status_error(response)
        return response.text
    return parse_response(module, client, response)
