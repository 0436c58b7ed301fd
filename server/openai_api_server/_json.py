"""Request JSON as the real API reads it: strict (``openai_api._validation.loads_json``, which reads the
lines of a training file too) and, for a request body, bounded in depth; every refusal a ``ValueError``, which the
server answers with the API's 400 "We could not parse the JSON body".
"""

from __future__ import annotations

import re
from typing import Any

from openai_api._validation import loads_json

# No request of the spec nests deeper than a handful of levels; 128 is serde_json's default limit, and far below the
# depth at which Python's parser (or openapi-core's parse of the same body, deeper in the stack) runs out of stack.
MAX_DEPTH = 128
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


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
    """The JSON value of a request body; ``ValueError`` for anything :func:`loads_json` refuses, and for arrays and
    objects nested deeper than :data:`MAX_DEPTH`."""
    if too_deep(data):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return loads_json(data)
