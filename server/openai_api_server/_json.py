"""Request JSON as the real API reads it: strict, bounded, and every refusal a ``ValueError``.

``json.loads`` alone raises ``RecursionError`` (not a ``ValueError``) on deep nesting, which the server answered with a
500 and a traceback, and accepts ``NaN``, ``Infinity`` and numbers that overflow to infinity, which are no JSON
(RFC 8259 has no such values, and the server could not write them back as JSON). :func:`loads` refuses all of these,
so that the caller has one exception to turn into the API's 400 "We could not parse the JSON body".
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# No request of the spec nests deeper than a handful of levels; 128 is serde_json's default limit, and far below the
# depth at which Python's parser (or openapi-core's parse of the same body, deeper in the stack) runs out of stack.
MAX_DEPTH = 128
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


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


def loads(data: bytes) -> Any:
    """The JSON value of ``data``; ``ValueError`` for anything that is not strict, bounded JSON: bytes that are not
    UTF-8 (a UTF-8 byte order mark is ignored, as RFC 8259 allows), bad syntax, ``NaN``, ``Infinity``, a number too
    large for a float, or arrays and objects nested deeper than :data:`MAX_DEPTH`."""
    text = data.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    if too_deep(data):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError as exc:  # not reached below MAX_DEPTH; kept so that no nesting can ever be a 500
        raise ValueError("nested too deeply") from exc
