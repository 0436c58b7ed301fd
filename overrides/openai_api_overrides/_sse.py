"""A server-sent events decoder over lines (WHATWG event-stream rules), fed by httpx's ``iter_lines``.

httpx already splits lines on CR, LF and CRLF; this turns lines into events: ``data`` lines joined with "\\n",
``event``, ``id``, comments (``:``) skipped, an event dispatched at each blank line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str | None = None


class SSEDecoder:
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
