"""Server-sent events from bytes, as the WHATWG event-stream rules say.

Lines end only at CR, LF or CRLF; httpx's ``iter_lines`` also ends them at U+2028, U+2029 and U+0085, which may
appear raw inside a JSON string of a valid event, so lines are split here, on bytes. Each line is then decoded as
UTF-8 (strictly: a broken byte sequence is an error, never silently replaced), and lines become events: ``data``
lines joined with "\\n", ``event``, ``id``, comments (``:``) skipped, an event dispatched at each blank line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["LineDecoder", "SSEDecoder", "ServerSentEvent"]

_BOM = "\ufeff"


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str | None = None


class LineDecoder:
    """Splits chunks of bytes into lines at CR, LF or CRLF, also when a CRLF is split between two chunks."""

    def __init__(self) -> None:
        # A line longer than a chunk waits here in pieces, joined once when it ends (no quadratic copying).
        self._pending: list[bytes] = []
        self._after_cr = False
        self._first = True

    def feed(self, chunk: bytes) -> Iterator[str]:
        """The lines ``chunk`` completes, without their line endings, decoded one by one as they are taken (a line
        that is not UTF-8 raises UnicodeDecodeError when its turn comes, after the lines before it)."""
        if self._after_cr:
            self._after_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not chunk:
            return iter(())
        if b"\n" not in chunk and b"\r" not in chunk:
            self._pending.append(chunk)
            return iter(())
        self._after_cr = chunk[-1:] == b"\r"
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending = []
        # bytes.splitlines, unlike str.splitlines, ends lines only at CR, LF and CRLF: exactly the SSE rule.
        parts = chunk.splitlines(keepends=True)
        if parts[-1][-1:] not in (b"\n", b"\r"):
            self._pending.append(parts.pop())
        return (self._decode(part.rstrip(b"\r\n")) for part in parts)

    def flush(self) -> list[str]:
        """The last line, when the stream ends without a line ending."""
        pending, self._pending = b"".join(self._pending), []
        return [self._decode(pending)] if pending else []

    def _decode(self, raw: bytes) -> str:
        line = raw.decode("utf-8")
        if self._first:
            self._first = False
            line = line.removeprefix(_BOM)
        return line


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    decoder = LineDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()


class SSEDecoder:
    """Turns lines into events."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None

    def feed(self, line: str) -> ServerSentEvent | None:
        """Takes one line (without its line ending); returns the event a blank line completes."""
        if not line:
            if not self._data and not self._event:
                return None
            event = ServerSentEvent("\n".join(self._data), self._event or "message", self._id)
            self._data, self._event = [], ""
            return event
        if line[0] == ":":
            return None
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def flush(self) -> ServerSentEvent | None:
        """The event left when the stream ends without its final blank line."""
        return self.feed("") if self._data else None
