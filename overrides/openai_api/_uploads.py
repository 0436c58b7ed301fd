"""Uploads that scale, for any multipart operation of the spec: each file part streamed from an open file.

:func:`send_upload` takes the generated module and body model of the operation and the fields by their names in
the model. Which fields are files, what limits they have, and whether the answer may be text all come from the
spec (the request schema's ``format: binary`` parts and their ``x-`` extensions), so an operation the spec adds
needs nothing here. The request is built with the module's ``request_kwargs``; the transport gives every multipart
body a random boundary. ``validate=False`` skips the local checks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx

from openai_api import _spec
from openai_api._calls import NO_OPTIONS, parse_response, with_options
from openai_api._errors import status_error
from openai_api._inputs import FileInput, ProgressCallback, Upload, open_upload
from openai_api._validation import check_part, default_extension, part_rules
from openai_api_client import AuthenticatedClient
from openai_api_client.types import Unset

__all__: list[str] = []
# send_upload and asend_upload serve the facade: for any multipart operation, not exported.


@dataclass
class _Prepared:
    module: ModuleType
    uploads: list[Upload]
    body: Callable[[], Any]
    text_answer: bool = False
    arguments: dict[str, Any] | None = None
    """The operation's other arguments: its path parameters."""

    def request_kwargs(self, options: Mapping[str, Any]) -> dict[str, Any]:
        body = self.body()
        if extra := options.get("body"):
            # Fields the spec does not list yet: parts of their own, as the model sends additional properties.
            body.additional_properties.update(extra)
        return with_options(self.module.request_kwargs(body=body, **(self.arguments or {})), options)

    def close(self) -> None:
        for upload in self.uploads:
            upload.close()


class _Part:
    """What the spec says of one field of a multipart request: its name there, and its limits if it is a file."""

    __slots__ = ("file", "name", "rules")

    def __init__(self, name: str, rules: dict[str, Any]) -> None:
        self.name = name
        self.rules = rules
        self.file = rules.get("format") == "binary"


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
            parts[attribute] = _Part(name, part_rules(properties[name]))
    found = _PARTS[body_model.__name__] = (schema, parts)
    return found


def _opened(
    value: FileInput, field: str, rules: dict[str, Any], request: dict[str, Any], purpose: object, validate: bool
) -> Upload:
    upload = open_upload(value, f"{field}{default_extension(rules, request, purpose)}", field)
    if validate:
        try:
            check_part(upload, field, rules, request, purpose)
        except BaseException:
            upload.close()
            raise
    return upload


def _prepare(
    module: ModuleType,
    body_model: type[Any],
    fields: dict[str, Any],
    progress: ProgressCallback | None,
    validate: bool,
    arguments: dict[str, Any] | None = None,
) -> _Prepared:
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
            upload = _opened(value, part.name, part.rules, request, purpose, validate)
            uploads.append(upload)
            values[attribute] = upload
    except BaseException:
        for upload in uploads:
            upload.close()
        raise
    # Progress follows the first file part: the one the caller thinks of as "the upload".
    first = uploads[0] if uploads else None

    def body() -> Any:
        built = {
            name: value.as_file(progress if value is first else None) if isinstance(value, Upload) else value
            for name, value in values.items()
        }
        return body_model(**built)

    response_format = fields.get("response_format")
    format_rules = parts["response_format"].rules if "response_format" in parts else {}
    text = isinstance(response_format, str) and response_format in format_rules.get("x-text-formats", [])
    return _Prepared(module, uploads, body, text, arguments)


def _finish(prepared: _Prepared, client: AuthenticatedClient, response: httpx.Response) -> Any:
    # The spec answers text/plain for the text formats: trust the answer's type as well as what was asked.
    if prepared.text_answer or response.headers.get("content-type", "").startswith("text/plain"):
        if not 200 <= response.status_code < 300:
            raise status_error(response)
        return response.text
    return parse_response(prepared.module, client, response)


def send_upload(
    client: AuthenticatedClient,
    module: ModuleType,
    body_model: type[Any],
    fields: dict[str, Any],
    *,
    progress: ProgressCallback | None = None,
    validate: bool = True,
    arguments: dict[str, Any] | None = None,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> Any:
    """Sends the multipart operation of generated ``module``: ``fields`` by ``body_model``'s attribute names, a
    file part as a path, file object, bytes or ``(filename, content, mime)``, streamed in chunks; ``arguments``
    are its path parameters."""
    prepared = _prepare(module, body_model, fields, progress, validate, arguments)
    try:
        response = client.get_httpx_client().request(**prepared.request_kwargs(options))
        return _finish(prepared, client, response)
    finally:
        prepared.close()


async def asend_upload(
    client: AuthenticatedClient,
    module: ModuleType,
    body_model: type[Any],
    fields: dict[str, Any],
    *,
    progress: ProgressCallback | None = None,
    validate: bool = True,
    arguments: dict[str, Any] | None = None,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> Any:
    """The async twin of :func:`send_upload`."""
    prepared = _prepare(module, body_model, fields, progress, validate, arguments)
    try:
        response = await client.get_async_httpx_client().request(**prepared.request_kwargs(options))
        return _finish(prepared, client, response)
    finally:
        prepared.close()
