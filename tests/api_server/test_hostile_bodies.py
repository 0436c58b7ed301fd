"""Request bodies meant to break the server get the API's error JSON, never a 500, a traceback or a hang: bodies it
cannot parse (deep nesting, bytes that are not UTF-8, NaN), bodies that drip in too slowly (408, or the connection
closed, within the body deadline), and bodies too large to take (413, answered before the body is read whole).
Real uvicorn on 127.0.0.1, real sockets."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from openai_api_server import RunningServer, running
from openai_api_server._json import MAX_DEPTH
from openai_api_server.errors import not_json_message
from tests.api_server.uploads import TRAINING, png
from tests.helpers.spec import operations

BODY_TIMEOUT = 1.0
MARGIN = 4.0  # a loaded 2-core machine: the deadline is checked a little late, the close takes a moment
CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}]}
KEY = "sk-test-org-a"


class _Log(logging.Handler):
    """What the server's uvicorn logged while the test ran."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def problems(self) -> list[str]:
        """Errors and tracebacks: a hostile body must cause neither."""
        return [
            logging.Formatter().format(r) for r in self.records if r.levelno >= logging.ERROR or r.exc_info is not None
        ]


@contextmanager
def _serve(**options: Any) -> Iterator[tuple[RunningServer, httpx.Client, _Log]]:
    with running(body_timeout=BODY_TIMEOUT, **options) as api:
        # uvicorn configures its loggers as the server starts: the handler goes on after that.
        log = _Log()
        logger = logging.getLogger("uvicorn.error")
        logger.addHandler(log)
        try:
            with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=10) as web:
                yield api, web, log
        finally:
            logger.removeHandler(log)
        assert api.state.violations == [], api.state.violations


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[RunningServer, httpx.Client, _Log]]:
    with _serve() as server:
        yield server


@pytest.fixture
def api(served: tuple[RunningServer, httpx.Client, _Log]) -> RunningServer:
    return served[0]


@pytest.fixture
def web(served: tuple[RunningServer, httpx.Client, _Log]) -> httpx.Client:
    return served[1]


@pytest.fixture
def log(served: tuple[RunningServer, httpx.Client, _Log]) -> Iterator[_Log]:
    served[2].records.clear()
    yield served[2]
    assert served[2].problems() == []


def _post_json(web: httpx.Client, path: str, body: bytes) -> httpx.Response:
    return web.post(path, content=body, headers={"content-type": "application/json"})


def _assert_not_parsed(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": {"message": not_json_message(), "type": "invalid_request_error", "param": None, "code": None}
    }


def _nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


DEEP = 100_000
UNPARSEABLE = {
    "100,000 nested arrays": _nested(DEEP),
    "100,000 nested objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "100,000 levels inside a field": b'{"model": "gpt-3.5-turbo", "messages": ' + _nested(DEEP) + b"}",
    f"{MAX_DEPTH + 1} levels, one past the limit": b'{"model": "gpt-3.5-turbo", "stop": ' + _nested(MAX_DEPTH) + b"}",
    "bytes that are not UTF-8": b'{"model": "gpt-3.5-turbo\xff\xfe", "messages": []}',
    "UTF-16": json.dumps(CHAT).encode("utf-16"),
    "NaN": b'{"model": "gpt-3.5-turbo", "messages": [], "temperature": NaN}',
    "Infinity": b'{"model": "gpt-3.5-turbo", "messages": [], "temperature": Infinity}',
    "-Infinity": b'{"model": "gpt-3.5-turbo", "messages": [], "temperature": -Infinity}',
    "a number past a float": b'{"model": "gpt-3.5-turbo", "messages": [], "temperature": 1e999}',
    "cut short": b'{"model": "gpt-3.5-turbo", "messages": [',
}


@pytest.mark.parametrize("body", UNPARSEABLE.values(), ids=UNPARSEABLE.keys())
def test_a_body_json_cannot_parse_is_the_apis_400(web: httpx.Client, log: _Log, body: bytes) -> None:
    """400 invalid_request_error "We could not parse the JSON body of your request", nothing logged as an error."""
    _assert_not_parsed(_post_json(web, "/chat/completions", body))


JSON_OPERATIONS = [o for o in operations() if "application/json" in o.op.get("requestBody", {}).get("content", {})]


@pytest.mark.parametrize("path", [o.path for o in JSON_OPERATIONS], ids=[o.operation_id for o in JSON_OPERATIONS])
def test_deep_nesting_is_a_400_on_every_json_operation(web: httpx.Client, log: _Log, path: str) -> None:
    _assert_not_parsed(_post_json(web, path, _nested(DEEP)))


def test_deep_nesting_is_a_400_on_fine_tunes_too(web: httpx.Client, log: _Log) -> None:
    _assert_not_parsed(_post_json(web, "/fine-tunes", b'{"training_file": ' + _nested(DEEP) + b"}"))


def test_brackets_in_a_string_are_no_nesting_and_the_limit_itself_is_validated(web: httpx.Client, log: _Log) -> None:
    """A prompt of 100,000 brackets is a string: answered. Nesting at the limit is parsed, and refused by the spec
    with its own message, naming the field."""
    prompt = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "[{" * DEEP}]}
    assert web.post("/chat/completions", json=prompt).status_code == 200
    at_limit = b'{"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}], "stop": '
    answer = _post_json(web, "/chat/completions", at_limit + _nested(MAX_DEPTH - 1) + b"}")
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == "stop"


@pytest.mark.parametrize("field", ["training_file", "validation_file"])
def test_a_lone_surrogate_for_a_file_id_is_a_404(web: httpx.Client, log: _Log, field: str) -> None:
    """``"\\ud800"`` parses to a str SQLite cannot store or look up: no such file, not a 500."""
    training = web.post("/files", files={"file": ("t.jsonl", TRAINING)}, data={"purpose": "fine-tune"}).json()["id"]
    body = {"training_file": training, field: "\ud800"}  # a real lone surrogate, which json.dumps writes escaped
    answer = _post_json(web, "/fine-tunes", json.dumps(body).encode())
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["param"] == field


def test_a_training_line_nested_100000_deep_is_a_bad_line(web: httpx.Client, log: _Log) -> None:
    content = _nested(DEEP) + b"\n" + TRAINING
    answer = web.post("/files", files={"file": ("t.jsonl", content)}, data={"purpose": "fine-tune"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"].startswith("Invalid training file: line 1 is not JSON")


# --- bodies that take too long ----------------------------------------------------------------------------------


def _address(api: RunningServer) -> tuple[str, int]:
    host, port = api.root.removeprefix("http://").split(":")
    return host, int(port)


def _drip(api: RunningServer, head: bytes, start: bytes = b"") -> tuple[float, bytes, bool]:
    """Sends ``head`` and ``start``, then one byte of the body every 0.5 s (at most 100 bytes, at most 20 s) until the
    server answers; then reads until the server closes. Returns the seconds from the headers to the close (or to
    giving up), what the server sent, and whether it closed the connection."""
    received = b""
    closed = False
    with socket.create_connection(_address(api), timeout=5) as sock:
        sock.sendall(head + start)
        began = time.monotonic()
        for _ in range(100):
            if time.monotonic() - began > 20:
                break
            try:
                sock.sendall(b"x")
            except OSError:  # reset: the server has closed
                closed = True
                break
            sock.settimeout(0.5)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
            received += chunk
            break  # an answer, or the close (b""): stop sending
        if not closed:
            sock.settimeout(10)
            try:
                while chunk := sock.recv(65536):
                    received += chunk
                closed = True
            except TimeoutError:
                pass
            except OSError:
                closed = True
        return time.monotonic() - began, received, closed


def _head(path: str, content_type: str, length: int, key: str = KEY) -> bytes:
    return (
        f"POST /v1{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _status_and_body(received: bytes) -> tuple[int, bytes]:
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _answer(sock: socket.socket) -> tuple[int, bytes]:
    """One answer read off the socket (its status and body), the request's body still unsent or half sent."""
    received = b""
    while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
        received += chunk
    head = received.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
    while len(received.partition(b"\r\n\r\n")[2]) < length and (chunk := sock.recv(65536)):
        received += chunk
    return _status_and_body(received)


def test_a_json_body_dripping_a_byte_every_half_second_gets_a_408_within_the_deadline(
    api: RunningServer, log: _Log
) -> None:
    """Content-Length 100, a byte every 0.5 s: the server answers 408 in the API's shape and closes the connection,
    within the body deadline (1 s here) and a margin."""
    took, received, closed = _drip(api, _head("/chat/completions", "application/json", 100))
    assert closed and took <= BODY_TIMEOUT + MARGIN, (took, received)
    status, body = _status_and_body(received)
    assert status == 408, received
    assert json.loads(body)["error"]["type"] == "invalid_request_error"
    assert b"connection: close" in received.lower()


def test_a_body_dripping_after_an_early_answer_is_cut_off_within_the_deadline(api: RunningServer, log: _Log) -> None:
    """A wrong key is answered (401) before the body is read; the rest of the body must still come in time, or the
    connection is closed."""
    took, received, closed = _drip(api, _head("/chat/completions", "application/json", 100, key="sk-wrong-key-0000"))
    assert received.startswith(b"HTTP/1.1 401 ")
    assert closed and took <= BODY_TIMEOUT + MARGIN, (took, received)


def test_an_upload_dripping_a_byte_every_half_second_ends_within_the_deadline_and_stores_nothing(
    api: RunningServer, web: httpx.Client, log: _Log
) -> None:
    before = api.state.store.count()
    start = b'--B\r\nContent-Disposition: form-data; name="file"; filename="t.jsonl"\r\n\r\n'
    took, received, closed = _drip(api, _head("/files", "multipart/form-data; boundary=B", 1000), start)
    assert closed and took <= BODY_TIMEOUT + MARGIN, (took, received)
    assert received == b"" or _status_and_body(received)[0] == 408, received
    assert api.state.store.count() == before
    assert list((api.config.data_dir / "incoming").iterdir()) == []
    assert web.get("/models").status_code == 200  # the server goes on serving


def test_a_client_gone_mid_body_leaves_no_traceback(api: RunningServer, web: httpx.Client, log: _Log) -> None:
    for path, content_type in (
        ("/chat/completions", "application/json"),
        ("/files", "multipart/form-data; boundary=B"),
    ):
        with socket.create_connection(_address(api), timeout=5) as sock:
            sock.sendall(_head(path, content_type, 1000) + b"--B\r\n")
            time.sleep(0.2)  # the app is waiting for the rest when the client goes
    time.sleep(0.3)
    assert web.get("/models").status_code == 200


# --- bodies that are too large ----------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_413_before_it_is_read() -> None:
    """Content-Length past ``max_json_bytes``: 413 at once, though not one byte of the body was sent; a client that
    does send it all still reads the 413, and its next request is answered."""
    with _serve(max_json_bytes=1000) as (api, web, own_log):
        with socket.create_connection(_address(api), timeout=10) as sock:
            sock.sendall(_head("/chat/completions", "application/json", 10**12))
            status, body = _answer(sock)
        assert status == 413
        assert json.loads(body)["error"]["message"] == "The request body is larger than 1000 bytes."
        sent = _post_json(web, "/chat/completions", b'{"model": "' + b"x" * 2000 + b'"}')
        assert sent.status_code == 413, sent.text
        assert web.post("/chat/completions", json=CHAT).status_code == 200
        assert own_log.problems() == []


def test_a_chunked_json_body_is_a_413_as_soon_as_it_passes_the_limit() -> None:
    """No Content-Length: the server counts what arrives and answers 413 while the body is still coming."""
    with _serve(max_json_bytes=1000) as (api, web, own_log):
        with socket.create_connection(_address(api), timeout=10) as sock:
            head = (
                f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
            sock.sendall(head + b"800\r\n" + b" " * 0x800 + b"\r\n")  # and never the last chunk
            status, _ = _answer(sock)
        assert status == 413
        streamed = web.post("/chat/completions", content=iter([b" " * 600, b" " * 600]))
        assert streamed.status_code == 413, streamed.text
        assert own_log.problems() == []


def test_a_chunked_upload_over_the_limit_is_a_413_and_leaves_nothing_on_disk() -> None:
    with _serve(max_upload_bytes=1000) as (api, _, own_log):
        part = b'--B\r\nContent-Disposition: form-data; name="file"; filename="t.jsonl"\r\n\r\n' + b"x" * 100_000
        with socket.create_connection(_address(api), timeout=10) as sock:
            head = (
                f"POST /v1/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
                "Content-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
            sock.sendall(head + f"{len(part):x}\r\n".encode() + part + b"\r\n")
            status, body = _answer(sock)
        assert status == 413
        assert json.loads(body)["error"] == {
            "message": "File is larger than 1000 bytes.",
            "type": "invalid_request_error",
            "param": "file",
            "code": None,
        }
        assert api.state.store.count() == 0
        assert list((api.config.data_dir / "files").iterdir()) == []
        assert list((api.config.data_dir / "incoming").iterdir()) == []
        assert own_log.problems() == []


def test_an_image_over_the_limit_is_a_413_not_a_500() -> None:
    """The spec lists 413 for file uploads only; an image upload past the limit is still a 413 (it was a 500: the
    answer failed the server's own check against the spec)."""
    with _serve(max_upload_bytes=1000) as (_, web, own_log):
        image = png(64, 64) + b"\0" * 100_000
        answer = web.post("/images/variations", files={"image": ("i.png", image)})
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["message"] == "File is larger than 1000 bytes."
        assert own_log.problems() == []
