"""Uploads that scale: files, image edits and variations, audio transcriptions and translations.

Each builds the generated request body (``File`` parts over an open file, read in chunks by httpx) and sends it
with the generated module's ``request_kwargs``; the transport gives every multipart body a random boundary. The
spec's limits are checked first (``validate=False`` skips that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx

from openai_api_client import AuthenticatedClient
from openai_api_client.api.audio import create_transcription as _transcription_op
from openai_api_client.api.audio import create_translation as _translation_op
from openai_api_client.api.files import create_file as _file_op
from openai_api_client.api.images import create_image_edit as _image_edit_op
from openai_api_client.api.images import create_image_variation as _image_variation_op
from openai_api_client.models import (
    CreateFileRequest,
    CreateImageEditRequest,
    CreateImageVariationRequest,
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    CreateTranslationRequest,
    CreateTranslationResponse,
    ImagesResponse,
    OpenAIFile,
)
from openai_api_client.types import UNSET, Unset
from openai_api_overrides import _spec
from openai_api_overrides._calls import parse_response
from openai_api_overrides._errors import status_error
from openai_api_overrides._inputs import FileInput, ProgressCallback, Upload, open_upload
from openai_api_overrides._validation import check_audio, check_image, check_upload

__all__ = [
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
]


@dataclass
class _Prepared:
    module: ModuleType
    uploads: list[Upload]
    body: Callable[[], Any]
    text_answer: bool = False

    def request_kwargs(self) -> dict[str, Any]:
        return self.module.request_kwargs(body=self.body())  # type: ignore[no-any-return]

    def close(self) -> None:
        for upload in self.uploads:
            upload.close()


def _finish(prepared: _Prepared, client: AuthenticatedClient, response: httpx.Response) -> Any:
    # The spec answers text/plain for the text formats: trust the answer's type as well as what was asked.
    if prepared.text_answer or response.headers.get("content-type", "").startswith("text/plain"):
        if not 200 <= response.status_code < 300:
            raise status_error(response)
        return response.text
    return parse_response(prepared.module, client, response)


def _send(client: AuthenticatedClient, prepared: _Prepared) -> Any:
    try:
        response = client.get_httpx_client().request(**prepared.request_kwargs())
        return _finish(prepared, client, response)
    finally:
        prepared.close()


async def _asend(client: AuthenticatedClient, prepared: _Prepared) -> Any:
    try:
        response = await client.get_async_httpx_client().request(**prepared.request_kwargs())
        return _finish(prepared, client, response)
    finally:
        prepared.close()


def _opened(value: FileInput, default_name: str, check: Callable[[Upload], None] | None, field: str = "file") -> Upload:
    upload = open_upload(value, default_name, field)
    if check is not None:
        try:
            check(upload)
        except BaseException:
            upload.close()
            raise
    return upload


def _prepare_file(file: FileInput, purpose: str, progress: ProgressCallback | None, validate: bool) -> _Prepared:
    upload = _opened(file, "upload.jsonl", (lambda u: check_upload(u, purpose)) if validate else None)
    return _Prepared(_file_op, [upload], lambda: CreateFileRequest(file=upload.as_file(progress), purpose=purpose))


def upload_file(
    client: AuthenticatedClient,
    file: FileInput,
    *,
    purpose: str,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> OpenAIFile:
    """Uploads ``file`` (a path, file object, bytes or ``(filename, content, mime)``), streamed in chunks.

    With ``validate`` (the default) the spec's limits are checked first: the size, and for purpose
    ``fine-tune`` the ``.jsonl`` extension and every line against the training-record schema.
    """
    return _send(client, _prepare_file(file, purpose, progress, validate))  # type: ignore[no-any-return]


async def aupload_file(
    client: AuthenticatedClient,
    file: FileInput,
    *,
    purpose: str,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> OpenAIFile:
    """The async twin of :func:`upload_file`."""
    return await _asend(client, _prepare_file(file, purpose, progress, validate))  # type: ignore[no-any-return]


def _image_options(
    n: int | Unset, size: str | Unset, response_format: str | Unset, user: str | Unset
) -> dict[str, Any]:
    return {
        "n": n,
        # Open enums: a value the spec does not list yet is sent as it is, and the API decides.
        "size": size,
        "response_format": response_format,
        "user": user,
    }


def _prepare_image_edit(
    image: FileInput,
    prompt: str,
    mask: FileInput | None,
    options: dict[str, Any],
    progress: ProgressCallback | None,
    validate: bool,
) -> _Prepared:
    main = _opened(image, "image.png", (lambda u: check_image(u, "image")) if validate else None, "image")
    uploads = [main]
    if mask is not None:
        uploads.append(_opened(mask, "mask.png", (lambda u: check_image(u, "mask")) if validate else None, "mask"))

    def body() -> CreateImageEditRequest:
        mask_part = uploads[1].as_file(None) if len(uploads) > 1 else UNSET
        return CreateImageEditRequest(image=main.as_file(progress), prompt=prompt, mask=mask_part, **options)

    return _Prepared(_image_edit_op, uploads, body)


def create_image_edit(
    client: AuthenticatedClient,
    *,
    image: FileInput,
    prompt: str,
    mask: FileInput | None = None,
    n: int | Unset = UNSET,
    size: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    user: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> ImagesResponse:
    """Edits ``image`` (a square PNG under 4 MB, checked first unless ``validate=False``)."""
    options = _image_options(n, size, response_format, user)
    return _send(client, _prepare_image_edit(image, prompt, mask, options, progress, validate))  # type: ignore[no-any-return]


async def acreate_image_edit(
    client: AuthenticatedClient,
    *,
    image: FileInput,
    prompt: str,
    mask: FileInput | None = None,
    n: int | Unset = UNSET,
    size: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    user: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> ImagesResponse:
    options = _image_options(n, size, response_format, user)
    prepared = _prepare_image_edit(image, prompt, mask, options, progress, validate)
    return await _asend(client, prepared)  # type: ignore[no-any-return]


def _prepare_variation(
    image: FileInput, options: dict[str, Any], progress: ProgressCallback | None, validate: bool
) -> _Prepared:
    main = _opened(image, "image.png", (lambda u: check_image(u, "image")) if validate else None, "image")
    return _Prepared(
        _image_variation_op, [main], lambda: CreateImageVariationRequest(image=main.as_file(progress), **options)
    )


def create_image_variation(
    client: AuthenticatedClient,
    *,
    image: FileInput,
    n: int | Unset = UNSET,
    size: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    user: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> ImagesResponse:
    """Variations of ``image`` (a square PNG under 4 MB, checked first unless ``validate=False``)."""
    prepared = _prepare_variation(image, _image_options(n, size, response_format, user), progress, validate)
    return _send(client, prepared)  # type: ignore[no-any-return]


async def acreate_image_variation(
    client: AuthenticatedClient,
    *,
    image: FileInput,
    n: int | Unset = UNSET,
    size: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    user: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> ImagesResponse:
    prepared = _prepare_variation(image, _image_options(n, size, response_format, user), progress, validate)
    return await _asend(client, prepared)  # type: ignore[no-any-return]


def _text_formats() -> list[str]:
    formats: list[str] = _spec.spec()["components"]["schemas"]["AudioResponseFormat"].get("x-text-formats", [])
    return formats


def _prepare_audio(
    module: ModuleType,
    request_model: Any,
    file: FileInput,
    fields: dict[str, Any],
    progress: ProgressCallback | None,
    validate: bool,
) -> _Prepared:
    upload = _opened(file, "audio.mp3", (lambda u: check_audio(u, "file")) if validate else None)
    response_format = fields.get("response_format", UNSET)
    text = isinstance(response_format, str) and response_format in _text_formats()
    return _Prepared(module, [upload], lambda: request_model(file=upload.as_file(progress), **fields), text)


def create_transcription(
    client: AuthenticatedClient,
    *,
    file: FileInput,
    model: str,
    prompt: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    temperature: float | Unset = UNSET,
    language: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> str | CreateTranscriptionResponse:
    """Transcribes audio. ``text``, ``srt`` and ``vtt`` come back as ``str``; ``json`` and ``verbose_json`` as the
    ``CreateTranscriptionResponse`` model."""
    fields = {"model": model, "prompt": prompt, "response_format": response_format, "temperature": temperature}
    fields["language"] = language
    prepared = _prepare_audio(_transcription_op, CreateTranscriptionRequest, file, fields, progress, validate)
    return _send(client, prepared)  # type: ignore[no-any-return]


async def acreate_transcription(
    client: AuthenticatedClient,
    *,
    file: FileInput,
    model: str,
    prompt: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    temperature: float | Unset = UNSET,
    language: str | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> str | CreateTranscriptionResponse:
    fields = {"model": model, "prompt": prompt, "response_format": response_format, "temperature": temperature}
    fields["language"] = language
    prepared = _prepare_audio(_transcription_op, CreateTranscriptionRequest, file, fields, progress, validate)
    return await _asend(client, prepared)  # type: ignore[no-any-return]


def create_translation(
    client: AuthenticatedClient,
    *,
    file: FileInput,
    model: str,
    prompt: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    temperature: float | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> str | CreateTranslationResponse:
    """Translates audio into English; text formats come back as ``str``, JSON ones as the model."""
    fields = {"model": model, "prompt": prompt, "response_format": response_format, "temperature": temperature}
    prepared = _prepare_audio(_translation_op, CreateTranslationRequest, file, fields, progress, validate)
    return _send(client, prepared)  # type: ignore[no-any-return]


async def acreate_translation(
    client: AuthenticatedClient,
    *,
    file: FileInput,
    model: str,
    prompt: str | Unset = UNSET,
    response_format: str | Unset = UNSET,
    temperature: float | Unset = UNSET,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> str | CreateTranslationResponse:
    fields = {"model": model, "prompt": prompt, "response_format": response_format, "temperature": temperature}
    prepared = _prepare_audio(_translation_op, CreateTranslationRequest, file, fields, progress, validate)
    return await _asend(client, prepared)  # type: ignore[no-any-return]
