"""The spec's upload rules, one implementation: the client checks a file part before a byte is sent, the local server
(``openai_api_server``) every upload, as the real API does. Each rule is read from the spec's ``x-`` extensions:
``x-max-bytes``, ``x-file-extensions``, ``x-media-types``, ``x-square``, and the request's ``x-purpose-rules``.

:func:`refusal` decides; a :class:`Refusal` says why in the API's words (``message``, the server's answer) and in the
client's (``problems``). A training record is checked by the side's validator (:data:`RecordCheck`); the rest is here:
a name *ends with* an allowed extension, case aside; for a purpose, one named without an extension (openai 0.28 names
every upload ``file``) is judged by its content; a line is strict JSON (:func:`loads_json`), not blank, at most
:data:`MAX_RECORD_BYTES` long (held no longer); every line is read, the client lists the first ten bad ones and the
API names three; an image is a PNG (signature, ``IHDR``) "less than" its ``x-max-bytes``, another part at most that.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from openai_api import _spec
from openai_api_client.checks import STRICT_COMPONENT_CHECKS

if TYPE_CHECKING:
    from openai_api._inputs import Upload

MAX_LISTED_PROBLEMS, API_LISTED_PROBLEMS = 10, 3
MAX_RECORD_BYTES = 8 << 20  # far beyond any model's context, and the most the check holds in memory
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

RecordCheck = Callable[[Any], str | None]
"""Why a value is no training record, worded to follow its line number (``": prompt: required field is missing"``)."""

__all__ = ["check_part", "part_rules"]


@dataclass(frozen=True)
class FilePart:
    """A part to check; ``size`` None: known at its end only, ``source`` None: a one-shot stream (it cannot be read
    for a check and then sent). A check reads from where the source stands and leaves it there."""

    field: str
    filename: str
    size: int | None
    source: IO[bytes] | None


@dataclass(frozen=True)
class Refusal:
    """Why the rules refuse a part: as the API words it, and as ``InvalidFileError`` lists it (``more`` unlisted)."""

    message: str
    problems: list[str]
    more: int = 0


def part_rules(property_schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref`` target's keys under its own (a part refers to ``ImageFile``)."""
    return _spec.merged(property_schema)


def purpose_rules(request: dict[str, Any], purpose: object) -> dict[str, Any]:
    rules: dict[str, Any] = request.get("x-purpose-rules", {}).get(purpose, {}) if isinstance(purpose, str) else {}
    return rules


def default_extension(rules: dict[str, Any], request: dict[str, Any], purpose: object) -> str:
    """The extension a part given as bytes is named with: the one its rules take first."""
    for extensions in (purpose_rules(request, purpose).get("file-extensions"), rules.get("x-file-extensions")):
        if extensions:
            return str(extensions[0])
    return ".png" if "image/png" in rules.get("x-media-types", []) else ""


def check_part(upload: Upload, field: str, rules: dict[str, Any], request: dict[str, Any], purpose: object) -> None:
    """One file part against its rules (:func:`part_rules`) and the purpose's: ``InvalidFileError`` if refused."""
    upload.field = field
    for limit in (rules.get("x-max-bytes"), purpose_rules(request, purpose).get("max-bytes")):
        if limit is not None and (upload.limit is None or limit < upload.limit):
            upload.limit = limit  # enforced again while the bytes go out: a pipe's size is known at its end only
    part = FilePart(field, upload.filename, upload.size, upload.stream if upload.seekable else None)
    found = refusal(part, rules, request, purpose, _compiled_records)
    if found is not None:
        from openai_api._errors import InvalidFileError  # here: the server imports the rules, not httpx

        raise InvalidFileError(field, upload.filename, found.problems, more=found.more)


def _compiled_records(ref: str) -> RecordCheck:
    check = STRICT_COMPONENT_CHECKS[ref.removeprefix("#/components/schemas/")]
    return lambda record: None if (found := check(record)) is None else f": {found[0] or '(record)'}: {found[1]}"


def refusal(
    part: FilePart,
    rules: dict[str, Any],
    request: dict[str, Any],
    purpose: object,
    records: Callable[[str], RecordCheck],
) -> Refusal | None:
    """Why the rules refuse ``part`` (``rules``: its schema; ``request``: the request's), or None; ``records`` gives
    the check of a ``record-schema``."""
    limit = rules.get("x-max-bytes")
    if "image/png" in rules.get("x-media-types", []):
        found = _image(part, rules)
    else:
        found = _size(part, limit, f"File is larger than {limit} bytes.")
    found = found or _extension(part, rules.get("x-file-extensions"))
    specific = purpose_rules(request, purpose)
    return found or (_purpose(part, str(purpose), specific, records) if specific else None)


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024  # type: ignore[assignment]
    raise AssertionError


def _mb(size: int) -> str:
    return f"{size / (1 << 20):g} MB"


ONE_SHOT = Refusal("The file could not be read.", ["is a one-shot stream: it cannot be checked and then sent"])


def _size(part: FilePart, limit: int | None, message: str) -> Refusal | None:
    if limit is None or part.size is None or part.size <= limit:
        return None
    return Refusal(message, [f"is {_human(part.size)}; the API takes at most {_human(limit)}"])


def _image(part: FilePart, rules: dict[str, Any]) -> Refusal | None:
    if part.source is None:
        return ONE_SHOT
    start = part.source.tell()
    head = part.source.read(24)
    part.source.seek(start)
    invalid, limit = "Invalid input image -", rules.get("x-max-bytes")
    if len(head) < 24 or not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        got = f"got an image that is not a PNG ({part.field})."
        return Refusal(f"{invalid} format must be in ['RGBA', 'LA', 'L'], {got}", ["is not a PNG file"])
    if limit is not None and part.size is not None and part.size >= limit:
        message = f"{invalid} image must be less than {_mb(limit)}, got {part.size} bytes ({part.field})."
        takes = f"at most {_human(limit)}" if part.size > limit else "images smaller than that"
        return Refusal(message, [f"is {_human(part.size)}; the API takes {takes}"])
    width, height = struct.unpack(">II", head[16:24])
    if rules.get("x-square") and width != height:
        message = f"{invalid} image must be square, got {width}x{height} ({part.field})."
        return Refusal(message, [f"is {width}x{height}; the image must be square"])
    return None


def _named(filename: str, extensions: list[str]) -> bool:
    return filename.lower().endswith(tuple(e.lower() for e in extensions))


def _suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower() or "no extension"


def _extension(part: FilePart, extensions: list[str] | None) -> Refusal | None:
    if not extensions or _named(part.filename, extensions):
        return None
    local = f"is not a supported file type ({_suffix(part.filename)}); use one of {', '.join(extensions)}"
    return Refusal(f"Invalid file format. Supported formats: {[e.lstrip('.') for e in extensions]}", [local])


def _purpose(
    part: FilePart, purpose: str, rules: dict[str, Any], records: Callable[[str], RecordCheck]
) -> Refusal | None:
    """Its extensions (for a file named without one: its content), its size, then each training record."""
    extensions = [str(e).lower() for e in rules.get("file-extensions", [])]
    by_content = bool(extensions) and not _named(part.filename, extensions)
    checks = [_CONTENT_OF[e] for e in extensions if e in _CONTENT_OF]
    refused = f"Invalid file format for {purpose}. Expected one of {extensions}, got '{part.filename}'"
    takes = f"purpose {purpose!r} takes {', '.join(extensions)} files only"
    if by_content and (PurePath(part.filename).suffix or not checks):
        return Refusal(refused + ".", [f"{takes}, not {_suffix(part.filename)}"])
    limit = rules.get("max-bytes")
    found = _size(part, limit, f"File is larger than the {_mb(int(limit or 0))} allowed for purpose '{purpose}'.")
    if found is not None or (part.source is None and (by_content or "record-schema" in rules)):
        return found or ONE_SHOT
    if by_content and part.source is not None:  # read once the size is known to be within the limit
        unlike = [problem for check in checks if (problem := check(part.source))]
        if len(unlike) == len(checks):
            whose = " nor ".join(unlike)
            local = f"{takes}; this one is named without an extension, and its content is {whose}"
            return Refusal(f"{refused}, whose content is {whose}.", [local])
    if "record-schema" in rules and part.source is not None:
        return _records(part.source, records(str(rules["record-schema"])))
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    if not math.isfinite(value := float(text)):
        raise ValueError(f"{text} does not fit a float")
    return value


def loads_json(data: bytes) -> Any:
    """``data``'s JSON value as the real API reads JSON: ``ValueError`` for bytes that are not UTF-8 (a BOM aside),
    bad syntax, ``NaN``, ``Infinity``, a number too large for a float, or nesting the parser cannot follow."""
    text = data.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError as exc:
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


def _json_lines(stream: IO[bytes]) -> Iterator[tuple[int, Any, tuple[str, str] | None]]:
    """Each line from where the file stands: its number, its value, and why it is no JSON Lines line (the API's
    words, the client's) or None."""
    for number, raw in enumerate(_lines(stream), start=1):
        if raw is None:
            local = f"line {number}: longer than 8 MiB: no training record is that long"
            yield number, None, (f"line {number} is longer than 8 MiB", local)
            continue
        text = raw.rstrip(b"\r\n")
        if not text.strip():
            yield number, None, (f"line {number} is empty", f"line {number}: empty line")
            continue
        try:
            yield number, loads_json(text), None
        except UnicodeDecodeError:
            yield number, None, (f"line {number} is not JSON", f"line {number}: not UTF-8")
        except ValueError as exc:
            local = f"line {number}: not JSON ({str(exc).split(':')[0]}): {text[:60].decode('utf-8', 'replace')!r}"
            yield number, None, (f"line {number} is not JSON", local)


def _json_lines_problem(source: IO[bytes]) -> str | None:
    """Why the content is not JSON Lines (one JSON value a line), or None when it is."""
    start = source.tell()
    bad = next((why for _, _, why in _json_lines(source) if why is not None), None)
    source.seek(start)
    return None if bad is None else f"not JSON Lines: {bad[0]}"


# What a file named with each extension holds, for a file named without one: why its content is not that, or None.
_CONTENT_OF: dict[str, Callable[[IO[bytes]], str | None]] = {".jsonl": _json_lines_problem}


def _records(source: IO[bytes], check: RecordCheck) -> Refusal | None:
    """Each line of a JSON Lines file against the record schema, in bounded memory."""
    bad: list[tuple[str, str]] = []
    count = lines = 0
    start = source.tell()
    for lines, value, why in _json_lines(source):
        if why is None and (reason := check(value)) is not None:
            why = f"line {lines}{reason}", f"line {lines}{reason}"
        count += why is not None
        if why is not None and len(bad) < MAX_LISTED_PROBLEMS:
            bad.append(why)
    source.seek(start)
    if lines == 0:
        empty = "the file is empty: a training file needs at least one record"
        return Refusal("Invalid training file: it holds no training record.", [empty])
    message = "Invalid training file: " + "; ".join(api for api, _ in bad[:API_LISTED_PROBLEMS]) + "."
    return Refusal(message, [local for _, local in bad], more=count - len(bad)) if bad else None
