"""A raw-socket HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, one scripted action per request.

Each request the server reads (its head, at least) is one attempt; the n-th attempt gets the n-th action, and the
last action answers every attempt after that. Actions write bytes straight to the socket, so they can lie: reset
the connection (an RST, not a FIN), drip bytes, never answer, claim a length or an encoding the body does not have,
stream events split anywhere, or answer an upload before it is whole.

The end of the module holds what every case of the matrix checks: the error's exact type, the key nowhere in its
message, repr or chain, and the call's time bound (``expect``/``aexpect``), with clients built the same way.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import attrs
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from tests.helpers.clients import FAST

__all__ = [
    "CHAT",
    "FAST",
    "KEY",
    "Action",
    "Conn",
    "HostileServer",
    "Request",
    "aclient",
    "aexpect",
    "assert_key_hidden",
    "chunked",
    "client",
    "close_during_upload",
    "drip",
    "error_chain",
    "expect",
    "file_object",
    "raw",
    "redirect",
    "reply",
    "reset",
    "reset_mid_body",
    "short_body",
    "silent",
    "status_during_upload",
    "upload_ok",
]

# Every wait of the server is bounded: a test that goes wrong fails, it does not hang.
_LONGEST_WAIT = 12.0
_POLL = 0.05

Body = bytes | str | dict[str, Any] | list[Any] | Callable[["Request"], bytes]


@dataclass
class Request:
    """One attempt as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""
    complete: bool = False

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")


Action = Callable[["Conn", Request], bool]
"""Answers one request; True keeps the connection open for the next one."""


class Conn:
    """One accepted connection: buffered reads that give up when the server stops, and the ways to end it."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock = sock
        self.server = server
        self._buf = b""
        sock.settimeout(_POLL)
        # Without it, a head and a body sent apiece wait on Nagle and the client's delayed ACK (40 ms each).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _fill(self, until: float) -> bool:
        """Reads more bytes; False at EOF, on a reset, when the server stops, or at ``until``."""
        while not self.server.stopping.is_set() and time.monotonic() < until:
            try:
                data = self.sock.recv(1 << 16)
            except TimeoutError:
                continue
            except OSError:
                return False
            if not data:
                return False
            self._buf += data
            return True
        return False

    def read_head(self) -> Request | None:
        until = time.monotonic() + _LONGEST_WAIT
        while b"\r\n\r\n" not in self._buf:
            if not self._fill(until):
                return None
        head, self._buf = self._buf.split(b"\r\n\r\n", 1)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Request(method, target, headers)

    def read_body(self, request: Request, limit: int | None = None) -> bool:
        """Reads the body (sized or chunked) into ``request.body``, at most ``limit`` bytes of it; True when whole."""
        until = time.monotonic() + _LONGEST_WAIT
        if request.headers.get("transfer-encoding", "").lower() == "chunked":
            return self._read_chunked(request, limit, until)
        size = int(request.headers.get("content-length", "0") or 0)
        want = size if limit is None else min(size, limit)
        while len(self._buf) < want:
            if not self._fill(until):
                request.body = self._buf
                self._buf = b""
                return False
        request.body, self._buf = self._buf[:want], self._buf[want:]
        request.complete = want == size
        return request.complete

    def _read_chunked(self, request: Request, limit: int | None, until: float) -> bool:
        body = bytearray()
        while limit is None or len(body) < limit:
            while b"\r\n" not in self._buf:
                if not self._fill(until):
                    request.body = bytes(body)
                    return False
            size_line, self._buf = self._buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self._buf) < size + 2:
                if not self._fill(until):
                    request.body = bytes(body + self._buf)
                    return False
            body += self._buf[:size]
            self._buf = self._buf[size + 2 :]
            if size == 0:
                request.body = bytes(body)
                request.complete = True
                return True
        request.body = bytes(body)
        return False

    def drain(self, seconds: float) -> None:
        """Reads and drops whatever the client still sends, for at most ``seconds`` or until it closes."""
        until = time.monotonic() + seconds
        while self._fill(until):
            self._buf = b""

    def hold(self, seconds: float = _LONGEST_WAIT) -> None:
        """Waits, answering nothing, until the client gives up (closes), the server stops, or ``seconds`` pass."""
        self.drain(seconds)

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def send_head(self, status: int, headers: Sequence[tuple[str, str]], reason: str = "") -> bool:
        lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def reset(self) -> None:
        """Closes with an RST: SO_LINGER on with a zero timeout drops the connection instead of ending it."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


class HostileServer:
    """Serves each attempt with the next action; counts attempts (requests whose head arrived)."""

    def __init__(self, *actions: Action) -> None:
        if not actions:
            raise ValueError("give at least one action")
        self.actions = list(actions)
        self.requests: list[Request] = []
        self.created = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(_POLL)
        self.port: int = self._sock.getsockname()[1]
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def attempts(self) -> int:
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self.stopping.set()
        # Shutting the sockets down wakes the threads blocked on them now, not at their next poll.
        with self._lock:
            sockets = [self._sock, *self._conns]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._accepting.join(timeout=2)
        for thread in list(self._threads):
            thread.join(timeout=2)
        self._sock.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            with self._lock:
                self._threads.append(thread)
                self._conns.append(sock)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        conn = Conn(sock, self)
        try:
            while not self.stopping.is_set():
                request = conn.read_head()
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    action = self.actions[min(len(self.requests), len(self.actions)) - 1]
                if not action(conn, request):
                    return
        except (OSError, ValueError):
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()


# --- actions -----------------------------------------------------------------------------------------------------


def _payload(body: Body, request: Request) -> bytes:
    if callable(body):
        return body(request)
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def _content_type(body: Body) -> str:
    return "application/json" if isinstance(body, dict | list) else "text/plain"


def reply(
    status: int = 200,
    body: Body = b"",
    headers: Sequence[tuple[str, str]] = (),
    *,
    content_type: str | None = None,
    close: bool = False,
) -> Action:
    """A whole answer with a true Content-Length."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        return _answer(conn, request, status, body, headers, content_type, close)

    return act


def _answer(
    conn: Conn,
    request: Request,
    status: int,
    body: Body,
    headers: Sequence[tuple[str, str]] = (),
    content_type: str | None = None,
    close: bool = False,
) -> bool:
    payload = _payload(body, request)
    head = [("content-type", content_type or _content_type(body)), *headers]
    head.append(("content-length", str(len(payload))))
    if close:
        head.append(("connection", "close"))
    return conn.send_head(status, head) and conn.send(payload) and not close


def raw(data: bytes) -> Action:
    """Sends ``data`` as the whole answer, whatever it is, then closes (a FIN)."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        conn.send(data)
        return False

    return act


def redirect(status: int, location: str) -> Action:
    return reply(status, b"", [("location", location)], content_type="text/plain")


def reset() -> Action:
    """No answer at all: the connection is reset once the request is in."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        conn.reset()
        return False

    return act


def reset_mid_body(status: int, body: Body, sent: int, content_type: str = "application/json") -> Action:
    """The head with the body's true length, ``sent`` bytes of the body, then a reset."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        payload = _payload(body, request)
        conn.send_head(status, [("content-type", content_type), ("content-length", str(len(payload)))])
        conn.send(payload[:sent])
        time.sleep(0.05)  # let the bytes leave before the RST discards the send queue
        conn.reset()
        return False

    return act


def short_body(status: int, body: Body, missing: int, content_type: str = "application/json") -> Action:
    """A Content-Length ``missing`` bytes longer than the body sent, then a clean close."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        payload = _payload(body, request)
        head = [("content-type", content_type), ("content-length", str(len(payload) + missing))]
        conn.send_head(status, head)
        conn.send(payload)
        return False

    return act


def drip(
    interval: float = 1.0, *, in_head: bool = False, status: int = 200, total: int = 64, lasts: float = _LONGEST_WAIT
) -> Action:
    """One byte every ``interval`` seconds, for ``lasts`` seconds at most: of the body (after a whole head), or of
    the head itself."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        if in_head:
            data = f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\nx-padding: ".encode() + b"a" * total
        else:
            head = [("content-type", "application/json"), ("content-length", str(total))]
            if not conn.send_head(status, head):
                return False
            data = b" " * total
        until = time.monotonic() + lasts
        for byte in data:
            if conn.server.stopping.is_set() or time.monotonic() > until or not conn.send(bytes([byte])):
                return False
            conn.server.stopping.wait(interval)
        return False

    return act


def silent() -> Action:
    """Reads the request and never answers, until the client gives up."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        conn.hold()
        return False

    return act


def chunked(
    pieces: Sequence[bytes],
    *,
    status: int = 200,
    content_type: str = "text/event-stream",
    delay: float = 0.0,
    end: str = "eof",
    stall: float = _LONGEST_WAIT,
    headers: Sequence[tuple[str, str]] = (),
) -> Action:
    """A chunked answer, one HTTP chunk per piece; then ``end``: "eof" (the last chunk), "reset", "close" (a FIN
    without the last chunk) or "stall" (nothing more, for ``stall`` seconds)."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request)
        head = [("content-type", content_type), ("transfer-encoding", "chunked"), *headers]
        if not conn.send_head(status, head):
            return False
        for piece in pieces:
            if piece and not conn.send(b"%x\r\n%s\r\n" % (len(piece), piece)):
                return False
            if delay:
                time.sleep(delay)
        if end == "eof":
            return conn.send(b"0\r\n\r\n")
        if end == "reset":
            time.sleep(0.05)
            conn.reset()
        elif end == "stall":
            conn.hold(stall)
        return False

    return act


def file_object(file_id: str = "file-1", filename: str = "data.jsonl", purpose: str = "assistants") -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": 3,
        "created_at": 1613779121,
        "filename": filename,
        "purpose": purpose,
    }


def _multipart_whole(request: Request) -> bool:
    boundary = request.headers.get("content-type", "").partition("boundary=")[2].strip('"')
    return bool(boundary) and request.body.rstrip(b"\r\n").endswith(f"--{boundary}--".encode())


def upload_ok() -> Action:
    """Creates a file, as the API would, only from a whole multipart body (its closing boundary included)."""

    def act(conn: Conn, request: Request) -> bool:
        if not conn.read_body(request) or not _multipart_whole(request):
            conn.reset()
            return False
        with conn.server._lock:
            conn.server.created += 1
        return _answer(conn, request, 200, file_object())

    return act


def close_during_upload(after: int, *, rst: bool = True) -> Action:
    """Reads ``after`` bytes of the body, then drops the connection without an answer."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request, limit=after)
        if rst:
            conn.reset()
        return False

    return act


def status_during_upload(status: int, after: int, body: Body) -> Action:
    """Answers ``status`` after ``after`` bytes of the body, then reads and drops the rest (as nginx does for a 413)
    so the answer is not lost to a reset."""

    def act(conn: Conn, request: Request) -> bool:
        conn.read_body(request, limit=after)
        payload = _payload(body, request)
        head = [("content-type", _content_type(body)), ("content-length", str(len(payload))), ("connection", "close")]
        conn.send_head(status, head)
        conn.send(payload)
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_WR)
        conn.drain(5.0)
        return False

    return act


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
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
    504: "Gateway Timeout",
}


# --- what every case checks --------------------------------------------------------------------------------------

KEY = "sk-hostile-SECRET-7d41c9a0e2f8b6"
CHAT: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def error_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it was raised from or while handling."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
    return seen


def assert_key_hidden(exc: BaseException, key: str = KEY) -> None:
    """The key shows in no message, repr or argument of ``exc`` or of any exception in its chain."""
    for error in error_chain(exc):
        texts = [str(error), repr(error), *(repr(a) for a in error.args)]
        texts += [str(getattr(error, name, "")) for name in ("message", "body_text")]
        for text in texts:
            assert key not in text, f"{type(error).__name__} shows the key: {text[:300]!r}"


# Loading the CA bundle takes about 70 ms per client; the matrix builds hundreds of clients, none of which uses TLS.
_TLS = ssl.create_default_context()


def client(server: HostileServer, **options: Any) -> OpenAIClient:
    """This layer's sync client for ``server``, with the fast retry policy unless told otherwise."""
    options.setdefault("retry_policy", FAST)
    built = _create_client(api_key=KEY, base_url=server.url + "/v1", **options)
    return attrs.evolve(built, verify_ssl=_TLS)


def aclient(server: HostileServer, **options: Any) -> OpenAIClient:
    options.setdefault("retry_policy", FAST)
    built = _create_client(is_async=True, api_key=KEY, base_url=server.url + "/v1", **options)
    return attrs.evolve(built, verify_ssl=_TLS)


def expect(kind: type[BaseException], run: Callable[[], object], within: float = 5.0, exact: bool = True) -> Any:
    """Runs ``run``: it must raise ``kind`` (exactly, unless ``exact`` is False), nothing that is not an
    OpenAIError, hide the key, and end within ``within`` seconds. Returns the error."""
    start = time.monotonic()
    with pytest.raises(oa.OpenAIError) as info:
        run()
    return _judge(info.value, kind, time.monotonic() - start, within, exact)


async def aexpect(
    kind: type[BaseException], run: Callable[[], Awaitable[object]], within: float = 5.0, exact: bool = True
) -> Any:
    start = time.monotonic()
    with pytest.raises(oa.OpenAIError) as info:
        await run()
    return _judge(info.value, kind, time.monotonic() - start, within, exact)


def _judge(exc: BaseException, kind: type[BaseException], elapsed: float, within: float, exact: bool) -> Any:
    assert isinstance(exc, kind), f"expected {kind.__name__}, got {type(exc).__name__}: {exc}"
    if exact:
        assert type(exc) is kind, f"expected exactly {kind.__name__}, got {type(exc).__name__}: {exc}"
    assert_key_hidden(exc)
    assert elapsed < within, f"took {elapsed:.2f} s, bound {within} s"
    return exc
