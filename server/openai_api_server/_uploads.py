"""The documents' upload rules, enforced as the real API enforces them (read from the spec's ``x-`` extensions: a
file part's ``x-media-types``, ``x-square``, ``x-max-bytes``, ``x-file-extensions``, and a request's
``x-purpose-rules``).

Each check returns the sentence the API answers with, or None when the upload is acceptable.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import IO, Any

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

from openai_api_overrides._spec import JSON
from openai_api_server import _json
from openai_api_server._spec import Spec

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_BAD_LINES = 3


def _mb(size: int) -> str:
    return f"{size / (1 << 20):g} MB"


def image_problem(field: str, head: bytes, size: int, rules: JSON) -> str | None:
    """A square PNG under the size limit; ``head`` holds at least the file's first 24 bytes."""
    limit = int(rules.get("x-max-bytes", 4 << 20))
    if not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return f"Invalid input image - format must be in ['RGBA', 'LA', 'L'], got an image that is not a PNG ({field})."
    if size >= limit:
        return f"Invalid input image - image must be less than {_mb(limit)}, got {size} bytes ({field})."
    width, height = struct.unpack(">II", head[16:24])
    if rules.get("x-square") and width != height:
        return f"Invalid input image - image must be square, got {width}x{height} ({field})."
    return None


def audio_problem(filename: str, rules: JSON) -> str | None:
    extensions = rules.get("x-file-extensions", [])
    if extensions and not filename.lower().endswith(tuple(extensions)):
        names = [e.lstrip(".") for e in extensions]
        return f"Invalid file format. Supported formats: {names}"
    return None


def purpose_problem(spec: Spec, request: JSON, purpose: str, filename: str, source: IO[bytes], size: int) -> str | None:
    """The purpose's rules (the request's ``x-purpose-rules``): file extension, size, and every training record.

    A file named without an extension (openai 0.28 names every upload ``file``) is judged by its content, as the
    real API judged it: it passes for one of the extensions when its content is what that extension holds
    (:data:`_CONTENT_OF`); a file named with another extension is refused by its name.
    """
    rules = request.get("x-purpose-rules", {}).get(purpose)
    if not rules:
        return None
    extensions = [str(e).lower() for e in rules.get("file-extensions", [])]
    by_content = bool(extensions) and not filename.lower().endswith(tuple(extensions))
    checks = [_CONTENT_OF[e] for e in extensions if e in _CONTENT_OF]
    refusal = f"Invalid file format for {purpose}. Expected one of {extensions}, got '{filename}'"
    if by_content and (PurePath(filename).suffix or not checks):
        return refusal + "."
    limit = rules.get("max-bytes")
    if limit is not None and size > int(limit):
        return f"File is larger than the {_mb(int(limit))} allowed for purpose '{purpose}'."
    if by_content:  # read only once the size is known to be within the limit
        unlike = [problem for check in checks if (problem := check(source))]
        if len(unlike) == len(checks):
            return f"{refusal}, whose content is {' nor '.join(unlike)}."
    schema_ref = rules.get("record-schema")
    if schema_ref:
        return _records_problem(source, spec.schema_validator({"$ref": schema_ref}))
    return None


_NOT_JSON = object()


def _json_lines(source: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Each line of the file that is not blank, from its start: the line's number and its JSON value (``_NOT_JSON``
    when it is not JSON). The caller rewinds the file when it is done."""
    source.seek(0)
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            yield number, _json.loads(raw)
        except ValueError:  # bad syntax, not UTF-8, NaN, nested too deep
            yield number, _NOT_JSON


def _json_lines_problem(source: IO[bytes]) -> str | None:
    """Why the content is not JSON Lines (one JSON value a line), or None when it is."""
    bad = next((number for number, value in _json_lines(source) if value is _NOT_JSON), None)
    source.seek(0)
    return None if bad is None else f"not JSON Lines: line {bad} is not JSON"


# What a file named with each extension holds, for a file named without one: why its content is not that, or None.
_CONTENT_OF: dict[str, Callable[[IO[bytes]], str | None]] = {".jsonl": _json_lines_problem}


def _records_problem(source: IO[bytes], validator: Validator) -> str | None:
    bad: list[str] = []
    lines = 0
    for number, record in _json_lines(source):
        lines += 1
        if record is _NOT_JSON:
            bad.append(f"line {number} is not JSON")
        else:
            error = best_match(validator.iter_errors(record))
            while error is not None and error.context:  # an anyOf: the branch the record came closest to
                error = best_match(error.context)
            if error is not None:
                where = "".join(f"[{p!r}]" for p in error.path)
                bad.append(f"line {number}{where}: {error.message}")
        if len(bad) >= _MAX_BAD_LINES:
            break
    source.seek(0)
    if bad:
        return "Invalid training file: " + "; ".join(bad) + "."
    if lines == 0:
        return "Invalid training file: it holds no training record."
    return None
