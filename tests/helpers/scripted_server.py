"""A raw-socket HTTP/1.1 server on 127.0.0.1 that answers a script: statuses, headers, delays, dropped connections.

It records every request as the bytes arrived (request line included), so tests see what went on the wire.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    cut_after: int | None = None
    chunks: list[bytes] | None = None
    chunk_delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Received:
    """One request as the server read it."""

    request_line: bytes
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


Handler = Callable[[Received], Reply]


def json_reply(body: dict[str, Any] | list[Any], status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, body=body, headers={"content-type": "application/json", **headers})


class ScriptedServer:
    """Answers each request with the next scripted :class:`Reply`, then with ``handler`` once the script is spent."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler: Handler = handler or (lambda _: json_reply({}))
        self.received: list[Received] = []
        self.closed_early = threading.Event()
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        reader = _Reader(conn)
        try:
            while not self._stop.is_set():
                request = reader.request()
                if request is None:
                    return
                with self._lock:
                    self.received.append(request)
                    reply = self._script.popleft() if self._script else None
                if reply is None:
                    reply = self.handler(request)
                if not self._answer(conn, reply):
                    return
        except (OSError, ValueError):
            return
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, reply: Reply) -> bool:
        """Sends ``reply``; False when the connection is to be closed."""
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            return False
        head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        try:
            if reply.chunks is not None:
                head.append("transfer-encoding: chunked")
                conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
                for chunk in reply.chunks:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                if reply.cut_after is not None:
                    return False
                conn.sendall(b"0\r\n\r\n")
                return True
            payload = reply.payload()
            head.append(f"content-length: {len(payload)}")
            conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if reply.cut_after is not None:
                conn.sendall(payload[: reply.cut_after])
                return False
            conn.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.closed_early.set()
            return False
        return True


class _Reader:
    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._buf = b""

    def _fill(self) -> bool:
        data = self._conn.recv(1 << 16)
        if not data:
            return False
        self._buf += data
        return True

    def _until(self, marker: bytes) -> bytes | None:
        while marker not in self._buf:
            if not self._fill():
                return None
        head, self._buf = self._buf.split(marker, 1)
        return head

    def _exactly(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise ValueError("connection closed mid-body")
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def _chunked(self) -> Iterator[bytes]:
        while True:
            size_line = self._until(b"\r\n")
            if size_line is None:
                raise ValueError("connection closed mid-body")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self._until(b"\r\n")
                return
            yield self._exactly(size)
            self._exactly(2)

    def request(self) -> Received | None:
        head = self._until(b"\r\n\r\n")
        if head is None:
            return None
        request_line, *header_lines = head.split(b"\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b"".join(self._chunked())
        else:
            body = self._exactly(int(headers.get("content-length", "0")))
        method, target, _ = request_line.decode("latin-1").split(" ", 2)
        return Received(request_line, method, target, headers, body)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
