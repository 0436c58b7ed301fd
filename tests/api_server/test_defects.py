"""The defects of issue 14, item 4, and the real API's strictness (item 3), over real sockets."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_api_server import Fault, RunningServer, running
from tests.api_server.uploads import TRAINING, png


@pytest.fixture
def api() -> Iterator[RunningServer]:
    with running(header_timeout=1.0) as server:
        yield server
        assert server.state.violations == [], server.state.violations


@pytest.fixture
def web(api: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {api.key}"}, timeout=10) as client:
        yield client


def _raw(api: RunningServer, method: str, path: str) -> tuple[int, bytes]:
    """A request with its path exactly as given (httpx would resolve the dot segments)."""
    host, port = api.root.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, headers={"Authorization": f"Bearer {api.key}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_file_part_without_a_filename_is_a_400(web: httpx.Client) -> None:
    body, content_type = _multipart([("file", None, TRAINING), ("purpose", None, b"fine-tune")])
    response = web.post("/files", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "file"


def test_two_file_parts_are_a_400_not_the_last_one_kept(api: RunningServer, web: httpx.Client) -> None:
    parts = [("file", "a.jsonl", TRAINING), ("file", "b.jsonl", TRAINING), ("purpose", None, b"fine-tune")]
    body, content_type = _multipart(parts)
    response = web.post("/files", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "file"
    assert api.state.store.count() == 0


def test_an_unknown_form_field_is_refused(web: httpx.Client) -> None:
    body, content_type = _multipart([("file", "a.jsonl", TRAINING), ("purpose", None, b"fine-tune"), ("x", None, b"1")])
    response = web.post("/files", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Unrecognized request argument supplied: x"


@pytest.mark.parametrize("path", ["/v1/files/..", "/v1/files/../content", "/v1/files/.", "/v1/files/%2e%2e/content"])
def test_dot_segments_in_a_file_id_are_a_404(api: RunningServer, path: str) -> None:
    status, body = _raw(api, "GET", path)
    assert status == 404, body
    assert b'"error"' in body


def test_a_delete_racing_downloads_leaves_every_download_whole_or_404(api: RunningServer, web: httpx.Client) -> None:
    """Each round: two downloads have their first bytes when the delete lands, a third starts after it."""
    content = bytes(range(256)) * 8192  # 2 MiB: many chunks
    outcomes: list[str] = []
    deadline = time.monotonic() + 60
    headers = {"Authorization": f"Bearer {api.key}"}
    for _ in range(20):
        assert time.monotonic() < deadline, "the rounds took too long"
        made = web.post("/files", files={"file": ("d.bin", content)}, data={"purpose": "assistants"})
        file_id = made.json()["id"]
        results: list[tuple[int, bytes]] = []
        started = threading.Semaphore(0)

        def download(
            file_id: str = file_id, results: list[tuple[int, bytes]] = results, started: threading.Semaphore = started
        ) -> None:
            with (
                httpx.Client(base_url=api.url, headers=headers, timeout=10) as c,
                c.stream("GET", f"/files/{file_id}/content") as response,
            ):
                chunks = response.iter_raw(16384)
                first = next(chunks, b"")
                started.release()
                time.sleep(0.01)  # the delete lands now, mid-download
                results.append((response.status_code, first + b"".join(chunks)))

        threads = [threading.Thread(target=download) for _ in range(2)]
        for thread in threads:
            thread.start()
        for _ in threads:
            assert started.acquire(timeout=10)
        assert web.delete(f"/files/{file_id}").status_code == 200
        late = web.get(f"/files/{file_id}/content")
        for thread in threads:
            thread.join(timeout=20)
        for status, body in [*results, (late.status_code, late.content)]:
            assert (status, body == content) in ((200, True), (404, False)), (status, len(body))
            outcomes.append("whole" if status == 200 else "404")
    assert outcomes.count("whole") == 40 and outcomes.count("404") == 20, outcomes


def test_downloads_starting_as_a_delete_lands_are_whole_or_404(api: RunningServer, web: httpx.Client) -> None:
    """Each round: four downloads and a delete released together, the downloads spread over 0-12 ms."""
    content = bytes(range(256)) * 2048  # 512 KiB
    headers = {"Authorization": f"Bearer {api.key}"}
    seen: list[int] = []
    deadline = time.monotonic() + 60
    for _ in range(30):
        assert time.monotonic() < deadline, "the rounds took too long"
        file_id = web.post("/files", files={"file": ("d.bin", content)}, data={"purpose": "assistants"}).json()["id"]
        gate = threading.Barrier(5, timeout=10)
        results: list[tuple[int, bytes]] = []

        def download(
            delay: float, file_id: str = file_id, gate: threading.Barrier = gate, results: list[Any] = results
        ) -> None:
            with httpx.Client(base_url=api.url, headers=headers, timeout=10) as c:
                c.get("/models")  # connected before the gate: only the download itself races
                gate.wait()
                time.sleep(delay)
                response = c.get(f"/files/{file_id}/content")
                results.append((response.status_code, response.content))

        threads = [threading.Thread(target=download, args=(i * 0.004,)) for i in range(4)]
        for thread in threads:
            thread.start()
        gate.wait()
        time.sleep(0.006)
        assert web.delete(f"/files/{file_id}").status_code == 200
        for thread in threads:
            thread.join(timeout=20)
        assert len(results) == 4
        for status, body in results:
            assert (status, body == content) in ((200, True), (404, False)), (status, len(body))
            seen.append(status)
    print(f"downloads started as a delete landed: {seen.count(200)} whole, {seen.count(404)} 404")


def test_a_client_sending_headers_a_byte_at_a_time_is_cut_off(api: RunningServer) -> None:
    host, port = api.root.removeprefix("http://").split(":")
    request = b"GET /v1/models HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200
    started = time.monotonic()
    closed_after = None
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        for byte in request[:60]:  # at most 60 bytes, 0.1 s apart: 6 s, well past the 1 s header timeout
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(0.1)
                if sock.recv(1) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                continue
            except OSError:
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None, "the server kept a slow-header connection open"
    assert 0.9 <= closed_after <= 4.0, closed_after


def test_a_prompt_client_is_not_cut_off(api: RunningServer, web: httpx.Client) -> None:
    assert web.get("/models").status_code == 200
    time.sleep(1.5)  # longer than the header timeout, shorter than keep-alive: the pooled connection is reused
    assert web.get("/models").status_code == 200


def test_the_temporary_data_dir_is_removed_and_a_given_one_kept(tmp_path: Path) -> None:
    with running() as server:
        temporary = server.config.data_dir
        assert temporary.is_dir()
    assert not temporary.exists()
    with running(data_dir=tmp_path / "kept") as server:
        pass
    assert (tmp_path / "kept" / "meta.sqlite3").is_file()


def test_every_answer_has_a_request_id(api: RunningServer, web: httpx.Client) -> None:
    api.inject(Fault(operation="listFiles", status=429, headers={"Retry-After": "1"}))
    answers = [
        web.get("/models"),  # 200
        web.get("/files"),  # the fault's 429
        web.get("/files?limit=0"),  # 400
        web.get("/nowhere"),  # no route: 404
        web.put("/models"),  # 405
        httpx.get(f"{api.url}/models"),  # no key: 401
    ]
    assert [a.status_code for a in answers] == [200, 429, 400, 404, 405, 401]
    ids = [a.headers.get("x-request-id") for a in answers]
    assert all(ids) and len(set(ids)) == len(ids), ids
    assert answers[1].headers["retry-after"] == "1"


def test_uploads_follow_the_documents_rules(api: RunningServer, web: httpx.Client) -> None:
    def upload(name: str, content: bytes, purpose: str) -> httpx.Response:
        return web.post("/files", files={"file": (name, content)}, data={"purpose": purpose})

    assert upload("notes.txt", TRAINING, "fine-tune").status_code == 400
    assert upload("notes.txt", b"{}\n", "batch").status_code == 400
    assert upload("batch.jsonl", b'{"custom_id": "1"}\n', "batch").status_code == 200
    bad = upload("train.jsonl", b'{"prompt": "a", "completion": "b"}\nnot json\n{"prompt": "x"}\n', "fine-tune")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == (
        "Invalid training file: line 2 is not JSON; line 3: 'completion' is a required property."
    )
    assert upload("notes.txt", b"anything", "assistants").status_code == 200
    big = png(1100, 1100)  # too big once padded past 4 MB
    assert web.post("/images/variations", files={"image": ("i.png", png(64, 32))}).status_code == 400
    assert web.post("/images/variations", files={"image": ("i.png", b"not a png")}).status_code == 400
    padded = big + b"\0" * (4 * 1024 * 1024 - len(big))
    too_big = web.post("/images/variations", files={"image": ("i.png", padded)})
    assert too_big.status_code == 400 and "less than 4 MB" in too_big.json()["error"]["message"]
    ok = web.post(
        "/images/edits", files={"image": ("i.png", png(16, 16)), "mask": ("m.png", png(16, 16))}, data={"prompt": "x"}
    )
    assert ok.status_code == 200, ok.text


def test_an_image_cut_short_after_its_header_is_a_400_not_a_500(web: httpx.Client) -> None:
    """The PNG signature and ``IHDR``, but not the 8 bytes of the size after them: the server unpacked them anyway."""
    answer = web.post("/images/variations", files={"image": ("i.png", png(4, 4)[:20])})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"].endswith("got an image that is not a PNG (image).")
    assert answer.json()["error"]["param"] == "image"


def test_an_upload_named_without_an_extension_is_judged_by_its_content(web: httpx.Client) -> None:
    """openai 0.28 names every upload ``file``: the real API judged such a file by what it holds."""

    def upload(name: str, content: bytes, purpose: str) -> httpx.Response:
        return web.post("/files", files={"file": (name, content)}, data={"purpose": purpose})

    made = upload("file", TRAINING, "fine-tune")
    assert made.status_code == 200, made.text
    assert made.json()["filename"] == "file" and made.json()["bytes"] == len(TRAINING)
    assert upload("/home/me/data.d/train", TRAINING, "fine-tune").status_code == 200  # a dot in a folder's name
    assert upload("file", b'{"custom_id": "1"}\n', "batch").status_code == 200

    def refusal(name: str, content: bytes, purpose: str) -> str:
        answer = upload(name, content, purpose)
        assert answer.status_code == 400 and answer.json()["error"]["param"] == "file", answer.text
        message: str = answer.json()["error"]["message"]
        return message

    assert refusal("file", b"prompt,completion\na,b\n", "fine-tune") == (
        "Invalid file format for fine-tune. Expected one of ['.jsonl'], got 'file', whose content is not JSON Lines: "
        "line 1 is not JSON."
    )
    assert refusal("file", b'{"custom_id": "1"}\n{"custom_id": \n', "batch") == (
        "Invalid file format for batch. Expected one of ['.jsonl'], got 'file', whose content is not JSON Lines: "
        "line 2 is not JSON."
    )
    # JSON Lines, but not training records: the records are checked as in a .jsonl file.
    assert refusal("file", b'{"prompt": "a"}\n', "fine-tune") == (
        "Invalid training file: line 1: 'completion' is a required property."
    )
    assert refusal("file", b"", "fine-tune") == "Invalid training file: it holds no training record."
    # A name with another extension is refused by its name, whatever it holds.
    assert refusal("train.txt", TRAINING, "fine-tune") == (
        "Invalid file format for fine-tune. Expected one of ['.jsonl'], got 'train.txt'."
    )
