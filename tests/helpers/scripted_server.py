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
from pathlib import Path
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
    body_file: Path | None = None

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
    body_length: int = 0
    part_sha256: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def parts(self) -> dict[str, tuple[str | None, bytes]]:
        """The multipart body's parts, by name: (filename, content)."""
        return parse_multipart(self.body, self.headers.get("content-type", ""))


Handler = Callable[[Received], Reply]


def json_reply(body: dict[str, Any] | list[Any], status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, body=body, headers={"content-type": "application/json", **headers})


class ScriptedServer:
    """Answers each request with the next scripted :class:`Reply`, then with ``handler`` once the script is spent."""

    def __init__(self, handler: Handler | None = None, store_bodies: bool = True) -> None:
        self.handler: Handler = handler or (lambda _: json_reply({}))
        self.store_bodies = store_bodies
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
        reader = _Reader(conn, self.store_bodies)
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
            size = reply.body_file.stat().st_size if reply.body_file is not None else len(payload)
            head.append(f"content-length: {size}")
            conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if reply.body_file is not None:
                return self._send_file(conn, head, reply)
            if reply.cut_after is not None:
                conn.sendall(payload[: reply.cut_after])
                return False
            conn.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.closed_early.set()
            return False
        return True

    def _send_file(self, conn: socket.socket, head: list[str], reply: Reply) -> bool:
        assert reply.body_file is not None
        sent = 0
        with reply.body_file.open("rb") as source:
            while chunk := source.read(1 << 20):
                if reply.cut_after is not None and sent + len(chunk) > reply.cut_after:
                    conn.sendall(chunk[: reply.cut_after - sent])
                    return False
                conn.sendall(chunk)
                sent += len(chunk)
        return True


class _Reader:
    def __init__(self, conn: socket.socket, store: bool) -> None:
        self._conn = conn
        self._buf = b""
        self._store = store

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

    def _sized(self, n: int) -> Iterator[bytes]:
        """``n`` bytes of body in pieces, without gathering them (bodies here can be 512 MiB)."""
        while n > 0:
            if not self._buf and not self._fill():
                raise ValueError("connection closed mid-body")
            piece, self._buf = self._buf[:n], self._buf[n:]
            n -= len(piece)
            yield piece

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
            pieces = self._chunked()
        else:
            pieces = self._sized(int(headers.get("content-length", "0")))
        parts = _MultipartHasher(headers.get("content-type", ""))
        stored = bytearray()
        length = 0
        for piece in pieces:
            parts.feed(piece)
            length += len(piece)
            if self._store:
                stored += piece
        method, target, _ = request_line.decode("latin-1").split(" ", 2)
        return Received(request_line, method, target, headers, bytes(stored), length, parts.finish())


class _MultipartHasher:
    """The sha256 of each part of a multipart body, computed as the body streams in."""

    def __init__(self, content_type: str) -> None:
        boundary = content_type.partition("boundary=")[2].strip('"')
        self._delimiter = b"\r\n--" + boundary.encode() if boundary else b""
        self._buf = b"\r\n"  # the first delimiter has no CRLF before it
        self._name: str | None = None
        self._hash: Any = None
        self._in_headers = False
        self.result: dict[str, str] = {}

    def feed(self, data: bytes) -> None:
        if not self._delimiter:
            return
        self._buf += data
        while True:
            if self._in_headers:
                end = self._buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                header_text = self._buf[:end].decode("utf-8", "replace")
                self._name = header_text.partition('name="')[2].partition('"')[0]
                self._hash = hashlib.sha256()
                self._buf = self._buf[end + 4 :]
                self._in_headers = False
            at = self._buf.find(self._delimiter)
            if at < 0:
                keep = len(self._delimiter) + 4
                if self._hash is not None and len(self._buf) > keep:
                    self._hash.update(self._buf[:-keep])
                    self._buf = self._buf[-keep:]
                return
            if self._hash is not None and self._name is not None:
                self._hash.update(self._buf[:at])
                self.result[self._name] = self._hash.hexdigest()
            self._hash = None
            self._buf = self._buf[at + len(self._delimiter) :]
            self._in_headers = True

    def finish(self) -> dict[str, str]:
        return self.result


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Splits a multipart/form-data body on the boundary its Content-Type names, as a server would."""
    boundary = content_type.partition("boundary=")[2].strip('"').encode()
    parts: dict[str, tuple[str | None, bytes]] = {}
    for chunk in (b"\r\n" + body).split(b"\r\n--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        text = head.decode("utf-8", "replace")
        name = text.partition('name="')[2].partition('"')[0]
        filename = text.partition('filename="')[2].partition('"')[0] if 'filename="' in text else None
        parts[name] = (filename, content)
    return parts


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
