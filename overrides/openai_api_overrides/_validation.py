"""Checks an upload's file parts against the spec's limits before a byte is sent.

Every limit is read from the spec's ``x-`` extensions on the part's schema (bundled as
``openai_api_client/openapi.json``), never hard-coded and never per operation: size (``x-max-bytes``), file
types (``x-file-extensions``), images (``x-media-types``, ``x-square``), and the request's ``x-purpose-rules``
(extensions, size, training-record schema) for the ``purpose`` the request names.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from openai_api_overrides import _spec
from openai_api_overrides._errors import InvalidFileError
from openai_api_overrides._inputs import Upload
from openai_api_overrides._schema import Check, compile_schema

MAX_LISTED_PROBLEMS = 10
# The longest training record checked: far beyond any model's context, and the most the check holds in memory.
MAX_RECORD_BYTES = 8 << 20
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

__all__ = ["check_part", "part_rules"]


def part_rules(property_schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref`` target's keys under its own (a part refers to ``ImageFile``)."""
    return _spec.merged(property_schema)


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024  # type: ignore[assignment]
    raise AssertionError


def _check_size(upload: Upload, field: str, limit: int | None) -> None:
    upload.field = field
    if limit is not None and (upload.limit is None or limit < upload.limit):
        # Enforced again while the bytes go out: an unsized stream's size is known only at its end.
        upload.limit = limit
    if limit is not None and upload.size is not None and upload.size > limit:
        raise InvalidFileError(
            field, upload.filename, [f"is {_human(upload.size)}; the API takes at most {_human(limit)}"]
        )


def _require_seekable(upload: Upload, field: str) -> None:
    if not upload.seekable:
        raise InvalidFileError(field, upload.filename, ["is a one-shot stream: it cannot be checked and then sent"])


def _purpose_rules(request: dict[str, Any], purpose: object) -> dict[str, Any]:
    rules: dict[str, Any] = request.get("x-purpose-rules", {}).get(purpose, {}) if isinstance(purpose, str) else {}
    return rules


def _check_extension(upload: Upload, field: str, extensions: list[str] | None, refusal: str) -> None:
    suffix = PurePath(upload.filename).suffix.lower()
    if extensions and suffix not in extensions:
        # Replaced, not str.format: the refusal may quote the caller's purpose, braces and all.
        text = refusal.replace("{suffix}", suffix or "no extension").replace("{listed}", ", ".join(extensions))
        raise InvalidFileError(field, upload.filename, [text])


def check_part(upload: Upload, field: str, rules: dict[str, Any], request: dict[str, Any], purpose: object) -> None:
    """One file part against its schema's limits (``rules``, see :func:`part_rules`) and the request's purpose
    rules for ``purpose``."""
    _check_size(upload, field, rules.get("x-max-bytes"))
    refusal = "is not a supported file type ({suffix}); use one of {listed}"
    _check_extension(upload, field, rules.get("x-file-extensions"), refusal)
    if "image/png" in rules.get("x-media-types", []):
        _check_png(upload, field, square=bool(rules.get("x-square")))
    purpose_rules = _purpose_rules(request, purpose)
    if not purpose_rules:
        return
    refusal = f"purpose {purpose!r} takes {{listed}} files only, not {{suffix}}"
    _check_extension(upload, field, purpose_rules.get("file-extensions"), refusal)
    _check_size(upload, field, purpose_rules.get("max-bytes"))
    if "record-schema" in purpose_rules:
        _require_seekable(upload, field)
        _check_records(upload, field, {"$ref": purpose_rules["record-schema"]})


def default_extension(rules: dict[str, Any], request: dict[str, Any], purpose: object) -> str:
    """The extension a part given as bytes is named with: the one its rules take first."""
    for extensions in (_purpose_rules(request, purpose).get("file-extensions"), rules.get("x-file-extensions")):
        if extensions:
            return str(extensions[0])
    return ".png" if "image/png" in rules.get("x-media-types", []) else ""


def _lines(stream: Any) -> Iterator[bytes | None]:
    """The file's lines; None for a line longer than MAX_RECORD_BYTES, skipped without ever being held whole."""
    while raw := stream.readline(MAX_RECORD_BYTES + 1):
        if len(raw) <= MAX_RECORD_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while (rest := stream.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


def _check_records(upload: Upload, field: str, schema: dict[str, Any]) -> None:
    """Each line of a JSONL file against the record schema, in bounded memory."""
    problems: list[str] = []
    bad = 0
    stream = upload.stream
    start = stream.tell()
    check = compile_schema(schema)
    try:
        lines = 0
        for number, raw in enumerate(_lines(stream), start=1):
            lines = number
            reason = (
                f"longer than {MAX_RECORD_BYTES >> 20} MiB: no training record is that long"
                if raw is None
                else _record_problem(raw, check)
            )
            if reason is None:
                continue
            bad += 1
            if len(problems) < MAX_LISTED_PROBLEMS:
                problems.append(f"line {number}: {reason}")
        if lines == 0:
            problems.append("the file is empty: a training file needs at least one record")
    finally:
        stream.seek(start)
    if problems:
        raise InvalidFileError(field, upload.filename, problems, more=max(0, bad - len(problems)))


def _record_problem(raw: bytes, check: Check) -> str | None:
    text = raw.rstrip(b"\r\n")
    if not text.strip():
        return "empty line"
    try:
        record = json.loads(text)
    except RecursionError:
        return "nested too deeply"
    except UnicodeDecodeError:
        return "not UTF-8"
    except ValueError as exc:
        return f"not JSON ({exc.args[0].split(':')[0]}): {text[:60].decode('utf-8', 'replace')!r}"
    found = check(record)
    if found is None:
        return None
    field, reason = found
    return f"{field or '(record)'}: {reason}"


def _check_png(upload: Upload, field: str, square: bool) -> None:
    _require_seekable(upload, field)
    start = upload.stream.tell()
    head = upload.stream.read(24)
    upload.stream.seek(start)
    if len(head) < 24 or not head.startswith(_PNG_SIGNATURE):
        raise InvalidFileError(field, upload.filename, ["is not a PNG file"])
    width, height = struct.unpack(">II", head[16:24])
    if square and width != height:
        raise InvalidFileError(field, upload.filename, [f"is {width}x{height}; the image must be square"])
