"""The spec's upload rules, one implementation: the client checks a file part with them before a byte is sent, and
the local server (``openai_api_server``) checks every upload with them, as the real API does.

Every rule is read from the spec's ``x-`` extensions on the part's schema and on the request, never hard-coded and
never per operation: size (``x-max-bytes``), file types (``x-file-extensions``), images (``x-media-types``,
``x-square``), and the request's ``x-purpose-rules`` for the ``purpose`` it names (extensions, size, and the schema
of each training record).

:func:`refusal` decides; a :class:`Refusal` says why twice, once per reader: ``message``, the sentence the API
answers with (the server's answer), and ``problems`` and ``more``, what the client's ``InvalidFileError`` lists.
A training record is checked by the schema validator the side gives (:data:`RecordCheck`): the client's compiled
checks (``_schema``, no dependency), the server's jsonschema (the API's wording); which lines are read, and what a
line must be before it is a record, is decided here for both:

- a file named with one of the purpose's extensions (``train.JSONL``: the name *ends with* one, case aside) is judged
  as that kind of file; one named with another extension (``train.txt``) is refused by its name; one named without
  an extension (openai 0.28 names every upload ``file``) is judged by its content, as the real API judged it;
- a line is at most :data:`MAX_RECORD_BYTES` long (the check holds no more in memory); a blank line is a bad line
  (JSON Lines has none, and the API's own data-preparation guide parses every line); a line is strict JSON
  (:func:`loads_json`: no ``NaN``, no nesting deeper than :data:`MAX_DEPTH`);
- every line is read; the client lists the first :data:`MAX_LISTED_PROBLEMS` bad ones and counts the rest, the API's
  sentence names the first :data:`API_LISTED_PROBLEMS`;
- an image is a PNG (its signature and its ``IHDR`` header), smaller than its ``x-max-bytes`` ("less than 4 MB":
  one of exactly 4 MiB is refused), and square with ``x-square``; any other part takes at most its ``x-max-bytes``.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from openai_api_overrides import _spec
from openai_api_overrides._schema import compile_schema

if TYPE_CHECKING:
    from openai_api_overrides._inputs import Upload

MAX_LISTED_PROBLEMS = 10
API_LISTED_PROBLEMS = 3
# The longest training record checked: far beyond any model's context, and the most the check holds in memory.
MAX_RECORD_BYTES = 8 << 20
# No request of the spec nests deeper than a handful of levels; 128 is serde_json's default limit, and far below the
# depth at which Python's parser (or openapi-core's parse of the same body, deeper in the stack) runs out of stack.
MAX_DEPTH = 128
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")

RecordCheck = Callable[[Any], str | None]
"""Why a JSON value is no training record, worded by the side's validator to follow its line number
(``": completion: required field is missing"``, ``"['messages'][0]: 'robot' is not one of [...]"``); None for a
record."""

__all__ = ["check_part", "part_rules"]


@dataclass(frozen=True)
class FilePart:
    """A file part to check: its field, its filename, its size (None: known only at its end, a pipe's), and its
    content (None: a one-shot stream, which cannot be read for a check and then sent). A check reads the content
    from where it stands and leaves it there."""

    field: str
    filename: str
    size: int | None
    source: IO[bytes] | None


@dataclass(frozen=True)
class Refusal:
    """Why the rules refuse a part: ``message`` as the API words it, ``problems`` (and ``more`` unlisted) as the
    client lists them."""

    message: str
    problems: list[str]
    more: int = 0


def part_rules(property_schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref`` target's keys under its own (a part refers to ``ImageFile``)."""
    return _spec.merged(property_schema)


def purpose_rules(request: dict[str, Any], purpose: object) -> dict[str, Any]:
    """The request's ``x-purpose-rules`` for ``purpose``: empty for a purpose they do not name."""
    rules: dict[str, Any] = request.get("x-purpose-rules", {}).get(purpose, {}) if isinstance(purpose, str) else {}
    return rules


def default_extension(rules: dict[str, Any], request: dict[str, Any], purpose: object) -> str:
    """The extension a part given as bytes is named with: the one its rules take first."""
    for extensions in (purpose_rules(request, purpose).get("file-extensions"), rules.get("x-file-extensions")):
        if extensions:
            return str(extensions[0])
    return ".png" if "image/png" in rules.get("x-media-types", []) else ""


# --- the client's side --------------------------------------------------------------------------------------------


def check_part(upload: Upload, field: str, rules: dict[str, Any], request: dict[str, Any], purpose: object) -> None:
    """One file part against its schema's limits (``rules``, see :func:`part_rules`) and the request's purpose
    rules for ``purpose``: ``InvalidFileError`` with the problems of a part the rules refuse."""
    upload.field = field
    for limit in (rules.get("x-max-bytes"), purpose_rules(request, purpose).get("max-bytes")):
        if limit is not None and (upload.limit is None or limit < upload.limit):
            # Enforced again while the bytes go out: an unsized stream's size is known only at its end.
            upload.limit = limit
    part = FilePart(field, upload.filename, upload.size, upload.stream if upload.seekable else None)
    found = refusal(part, rules, request, purpose, _compiled_records)
    if found is not None:
        from openai_api_overrides._errors import InvalidFileError  # here: the server imports the rules, not httpx

        raise InvalidFileError(field, upload.filename, found.problems, more=found.more)


def _compiled_records(ref: str) -> RecordCheck:
    check = compile_schema({"$ref": ref})

    def record_problem(record: Any) -> str | None:
        found = check(record)
        return None if found is None else f": {found[0] or '(record)'}: {found[1]}"

    return record_problem


# --- the rules ----------------------------------------------------------------------------------------------------


def refusal(
    part: FilePart,
    rules: dict[str, Any],
    request: dict[str, Any],
    purpose: object,
    records: Callable[[str], RecordCheck],
) -> Refusal | None:
    """Why the spec's rules refuse ``part`` (``rules``: its schema, siblings merged; ``request``: the request
    schema), or None. ``records`` gives the check of a ``record-schema`` reference."""
    if "image/png" in rules.get("x-media-types", []):
        found = _image(part, rules)
    else:
        found = _size(part, rules.get("x-max-bytes"), f"File is larger than {rules.get('x-max-bytes')} bytes.")
    found = found or _extension(part, rules.get("x-file-extensions"))
    specific = purpose_rules(request, purpose)
    if found is None and specific:
        found = _purpose(part, str(purpose), specific, records)
    return found


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024  # type: ignore[assignment]
    raise AssertionError


def _mb(size: int) -> str:
    return f"{size / (1 << 20):g} MB"


def _one_shot() -> Refusal:
    return Refusal("The file could not be read.", ["is a one-shot stream: it cannot be checked and then sent"])


def _size(part: FilePart, limit: int | None, message: str) -> Refusal | None:
    if limit is None or part.size is None or part.size <= limit:
        return None
    return Refusal(message, [f"is {_human(part.size)}; the API takes at most {_human(limit)}"])


def _image(part: FilePart, rules: dict[str, Any]) -> Refusal | None:
    """A PNG (its signature, then the ``IHDR`` header with the size), smaller than ``x-max-bytes``, square with
    ``x-square``."""
    if part.source is None:
        return _one_shot()
    start = part.source.tell()
    head = part.source.read(24)
    part.source.seek(start)
    invalid = "Invalid input image -"
    if len(head) < 24 or not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        got = f"got an image that is not a PNG ({part.field})."
        return Refusal(f"{invalid} format must be in ['RGBA', 'LA', 'L'], {got}", ["is not a PNG file"])
    limit = rules.get("x-max-bytes")
    if limit is not None and part.size is not None and part.size >= limit:
        message = f"{invalid} image must be less than {_mb(limit)}, got {part.size} bytes ({part.field})."
        if part.size > limit:
            return Refusal(message, [f"is {_human(part.size)}; the API takes at most {_human(limit)}"])
        return Refusal(message, [f"is {_human(part.size)}; the API takes images smaller than that"])
    width, height = struct.unpack(">II", head[16:24])
    if rules.get("x-square") and width != height:
        message = f"{invalid} image must be square, got {width}x{height} ({part.field})."
        return Refusal(message, [f"is {width}x{height}; the image must be square"])
    return None


def _named(filename: str, extensions: list[str]) -> bool:
    """Whether the name ends with one of ``extensions``, case aside."""
    return filename.lower().endswith(tuple(e.lower() for e in extensions))


def _suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def _extension(part: FilePart, extensions: list[str] | None) -> Refusal | None:
    if not extensions or _named(part.filename, extensions):
        return None
    names = [e.lstrip(".") for e in extensions]
    listed = ", ".join(extensions)
    local = f"is not a supported file type ({_suffix(part.filename) or 'no extension'}); use one of {listed}"
    return Refusal(f"Invalid file format. Supported formats: {names}", [local])


def _purpose(
    part: FilePart, purpose: str, rules: dict[str, Any], records: Callable[[str], RecordCheck]
) -> Refusal | None:
    """The purpose's rules: its extensions (or, for a file named without one, its content), its size, and each
    training record."""
    extensions = [str(e).lower() for e in rules.get("file-extensions", [])]
    by_content = bool(extensions) and not _named(part.filename, extensions)
    checks = [_CONTENT_OF[e] for e in extensions if e in _CONTENT_OF]
    refused = f"Invalid file format for {purpose}. Expected one of {extensions}, got '{part.filename}'"
    takes = f"purpose {purpose!r} takes {', '.join(extensions)} files only"
    if by_content and (_suffix(part.filename) or not checks):
        return Refusal(refused + ".", [f"{takes}, not {_suffix(part.filename) or 'no extension'}"])
    limit = rules.get("max-bytes")
    found = _size(part, limit, f"File is larger than the {_mb(int(limit or 0))} allowed for purpose '{purpose}'.")
    if found is not None:
        return found
    if by_content:  # read only once the size is known to be within the limit
        if part.source is None:
            return _one_shot()
        unlike = [problem for check in checks if (problem := check(part.source))]
        if len(unlike) == len(checks):
            whose = " nor ".join(unlike)
            local = f"{takes}; this one is named without an extension, and its content is {whose}"
            return Refusal(f"{refused}, whose content is {whose}.", [local])
    if "record-schema" in rules:
        if part.source is None:
            return _one_shot()
        return _records(part.source, records(str(rules["record-schema"])))
    return None


# --- JSON Lines ---------------------------------------------------------------------------------------------------


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} does not fit a float")
    return value


def too_deep(data: bytes) -> bool:
    """Whether ``data``'s arrays and objects nest deeper than :data:`MAX_DEPTH` (brackets inside strings do not
    count), measured in a loop over its brackets, not by a recursion that a 100,000-level body would exhaust."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    for byte in _STRING.sub(b"", data).translate(None, _NOT_BRACKET):
        depth += 1 if byte in b"[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def loads_json(data: bytes) -> Any:
    """The JSON value of ``data``, read as the real API reads JSON (a request body, a line of a training file);
    ``ValueError`` for anything that is not strict, bounded JSON: bytes that are not UTF-8 (a UTF-8 byte order mark
    is ignored, as RFC 8259 allows), bad syntax, ``NaN``, ``Infinity``, a number too large for a float, or arrays and
    objects nested deeper than :data:`MAX_DEPTH`.

    ``json.loads`` alone raises ``RecursionError`` (not a ``ValueError``) on deep nesting, and accepts ``NaN``,
    ``Infinity`` and numbers that overflow to infinity, which are no JSON (RFC 8259 has no such values, and a server
    could not write them back as JSON): this refuses them all, so that a caller has one exception to catch.
    """
    text = data.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    if too_deep(data):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError as exc:  # not reached below MAX_DEPTH; kept so that no nesting can ever escape
        raise ValueError("nested too deeply") from exc


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The file's lines; None for a line longer than MAX_RECORD_BYTES, skipped without ever being held whole."""
    while raw := stream.readline(MAX_RECORD_BYTES + 1):
        if len(raw) <= MAX_RECORD_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while (rest := stream.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


_NOT_JSON = object()


def _json_lines(stream: IO[bytes]) -> Iterator[tuple[int, Any, tuple[str, str] | None]]:
    """Each line of the file, from where it stands: its number, its JSON value, and why it is no JSON Lines line
    (the API's wording, the client's) or None. The caller puts the file back where it was."""
    mib = MAX_RECORD_BYTES >> 20
    for number, raw in enumerate(_lines(stream), start=1):
        if raw is None:
            local = f"line {number}: longer than {mib} MiB: no training record is that long"
            yield number, _NOT_JSON, (f"line {number} is longer than {mib} MiB", local)
            continue
        text = raw.rstrip(b"\r\n")
        if not text.strip():
            yield number, _NOT_JSON, (f"line {number} is empty", f"line {number}: empty line")
            continue
        try:
            yield number, loads_json(text), None
        except UnicodeDecodeError:
            yield number, _NOT_JSON, (f"line {number} is not JSON", f"line {number}: not UTF-8")
        except ValueError as exc:
            snippet = text[:60].decode("utf-8", "replace")
            local = f"line {number}: not JSON ({str(exc).split(':')[0]}): {snippet!r}"
            yield number, _NOT_JSON, (f"line {number} is not JSON", local)


def _json_lines_problem(source: IO[bytes]) -> str | None:
    """Why the content is not JSON Lines (one JSON value a line), or None when it is."""
    start = source.tell()
    try:
        bad = next((why for _, _, why in _json_lines(source) if why is not None), None)
    finally:
        source.seek(start)
    return None if bad is None else f"not JSON Lines: {bad[0]}"


# What a file named with each extension holds, for a file named without one: why its content is not that, or None.
_CONTENT_OF: dict[str, Callable[[IO[bytes]], str | None]] = {".jsonl": _json_lines_problem}


def _records(source: IO[bytes], check: RecordCheck) -> Refusal | None:
    """Each line of a JSON Lines file against the record schema, in bounded memory: every line is read, the first
    bad ones listed."""
    bad: list[tuple[str, str]] = []
    count = lines = 0
    start = source.tell()
    try:
        for lines, value, why in _json_lines(source):
            if why is None:
                reason = check(value)
                why = None if reason is None else (f"line {lines}{reason}", f"line {lines}{reason}")
            if why is None:
                continue
            count += 1
            if len(bad) < MAX_LISTED_PROBLEMS:
                bad.append(why)
    finally:
        source.seek(start)
    if lines == 0:
        message = "Invalid training file: it holds no training record."
        return Refusal(message, ["the file is empty: a training file needs at least one record"])
    if not bad:
        return None
    message = "Invalid training file: " + "; ".join(api for api, _ in bad[:API_LISTED_PROBLEMS]) + "."
    return Refusal(message, [local for _, local in bad], more=count - len(bad))
