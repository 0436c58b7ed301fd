"""A server restarted on its data dir keeps everything and mixes nothing: the same seed never hands out an id the
dir already had, files keep their bytes, a failed store leaves no content behind, and fine-tune jobs (with their
events) and deleted models come back. Real uvicorn on 127.0.0.1; a restart is a second server on the same dir."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_api_server import PreloadedFile, RunningServer, free_port, running
from tests.api_server.uploads import TRAINING

OTHER_ORG = {"Authorization": "Bearer sk-test-org-b"}


@contextmanager
def _server(data_dir: Path, **options: Any) -> Iterator[tuple[RunningServer, httpx.Client]]:
    with (
        running(data_dir=data_dir, **options) as api,
        httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {api.key}"}, timeout=10) as web,
    ):
        yield api, web
        assert api.state.violations == [], api.state.violations


def _upload(web: httpx.Client, content: bytes, name: str = "t.jsonl", purpose: str = "fine-tune") -> httpx.Response:
    return web.post("/files", files={"file": (name, content)}, data={"purpose": purpose})


def _contents(web: httpx.Client, ids: list[str]) -> list[bytes]:
    downloads = [web.get(f"/files/{file_id}/content") for file_id in ids]
    assert [d.status_code for d in downloads] == [200] * len(ids)
    return [d.content for d in downloads]


def _blobs(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "files").iterdir())


def _incoming(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "incoming").iterdir())


def test_a_restart_with_the_same_seed_and_data_dir_hands_out_new_ids_and_keeps_every_byte(tmp_path: Path) -> None:
    """Three runs on one dir, seed 7 each time: every upload gets an id no earlier one had (a deleted file's id
    included), every kept file downloads byte for byte, lists in upload order, and time never runs backwards."""
    data = tmp_path / "data"
    first, second, third = TRAINING, TRAINING * 2, TRAINING * 3
    with _server(data, seed=7) as (_, web):
        kept = _upload(web, first).json()
        doomed = _upload(web, b'{"prompt": "x", "completion": "y"}\n').json()
    with _server(data, seed=7) as (_, web):
        made = _upload(web, second)
        assert made.status_code == 200, made.text
        new = made.json()
        assert new["id"] not in (kept["id"], doomed["id"])
        assert new["created_at"] > max(kept["created_at"], doomed["created_at"])
        assert _contents(web, [kept["id"], new["id"]]) == [first, second]
        assert web.delete(f"/files/{doomed['id']}").status_code == 200
    with _server(data, seed=7) as (_, web):
        latest = _upload(web, third).json()
        assert latest["id"] not in (kept["id"], doomed["id"], new["id"])
        assert _contents(web, [kept["id"], new["id"], latest["id"]]) == [first, second, third]
        listed = web.get("/files", params={"order": "asc"}).json()["data"]
        assert [f["id"] for f in listed] == [kept["id"], new["id"], latest["id"]]
        assert [f["bytes"] for f in listed] == [len(first), len(second), len(third)]
    assert _blobs(data) == sorted([kept["id"], new["id"], latest["id"]])
    assert _incoming(data) == []


def test_a_seeded_server_is_deterministic_on_a_fresh_dir_and_on_copies_of_a_kept_one(tmp_path: Path) -> None:
    """Two fresh dirs, seed 3: the same ids. Two copies of a kept dir, restarted with seed 3: the same new ids,
    none of them one the dir had."""
    ids: dict[str, list[str]] = {}
    for name in ("fresh-a", "fresh-b"):
        with _server(tmp_path / name, seed=3) as (_, web):
            ids[name] = [_upload(web, TRAINING).json()["id"] for _ in range(3)]
    assert ids["fresh-a"] == ids["fresh-b"]
    shutil.copytree(tmp_path / "fresh-a", tmp_path / "copy")
    for name, folder in (("again-a", tmp_path / "fresh-a"), ("again-b", tmp_path / "copy")):
        with _server(folder, seed=3) as (_, web):
            ids[name] = [_upload(web, TRAINING).json()["id"] for _ in range(3)]
    assert ids["again-a"] == ids["again-b"]
    assert not set(ids["again-a"]) & set(ids["fresh-a"])
    assert len(set(ids["again-a"])) == 3


def test_content_already_on_disk_under_the_next_id_is_never_overwritten(tmp_path: Path) -> None:
    """A blob with no record (what the old blob-first store left after a failed insert) sits under the id the seed
    draws next: the upload takes another id and the blob keeps its bytes."""
    with _server(tmp_path / "probe", seed=11) as (_, web):
        next_id = _upload(web, TRAINING).json()["id"]
    data = tmp_path / "data"
    (data / "files").mkdir(parents=True)
    (data / "files" / next_id).write_bytes(b"someone else's bytes")
    with _server(data, seed=11) as (_, web):
        made = _upload(web, TRAINING).json()
        assert made["id"] != next_id
        assert _contents(web, [made["id"]]) == [TRAINING]
    assert (data / "files" / next_id).read_bytes() == b"someone else's bytes"


def test_a_store_whose_insert_fails_leaves_no_content_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database refuses the record (a full disk, say): the upload is a 500 in the API's shape, no blob and no
    temporary file stay on disk, and the file stored before still downloads whole."""
    with _server(tmp_path / "data") as (api, web):
        kept = _upload(web, TRAINING).json()

        def refuse(stored: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(api.state.store, "_insert", refuse)
        failed = _upload(web, TRAINING * 2)
        assert failed.status_code == 500
        assert failed.json()["error"]["type"] == "server_error"
        assert _blobs(api.config.data_dir) == [kept["id"]]
        assert _incoming(api.config.data_dir) == []
        assert api.state.store.count() == 1
        monkeypatch.undo()
        assert _contents(web, [kept["id"]]) == [TRAINING]
        again = _upload(web, TRAINING * 2).json()
        assert _contents(web, [kept["id"], again["id"]]) == [TRAINING, TRAINING * 2]


def test_an_id_drawn_twice_is_skipped_and_a_store_that_finds_no_fresh_id_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id source repeats a stored id once: the upload takes the next draw. It repeats it for ever: the upload is
    a 500, nothing is written, and the stored file keeps its bytes."""
    with _server(tmp_path / "data") as (api, web):
        kept = _upload(web, TRAINING).json()
        draw = api.state.ids.new
        repeats = [kept["id"]]

        def repeat_once(prefix: str, length: int = 24) -> str:
            return repeats.pop() if prefix == "file-" and repeats else draw(prefix, length)

        def repeat_for_ever(prefix: str, length: int = 24) -> str:
            return str(kept["id"]) if prefix == "file-" else draw(prefix, length)

        monkeypatch.setattr(api.state.ids, "new", repeat_once)
        fresh = _upload(web, TRAINING * 2).json()
        assert repeats == [] and fresh["id"] != kept["id"]
        monkeypatch.setattr(api.state.ids, "new", repeat_for_ever)
        failed = _upload(web, TRAINING * 3)
        assert failed.status_code == 500 and failed.json()["error"]["type"] == "server_error"
        monkeypatch.undo()
        assert _blobs(api.config.data_dir) == sorted([kept["id"], fresh["id"]])
        assert _incoming(api.config.data_dir) == []
        assert api.state.store.count() == 2
        assert _contents(web, [kept["id"], fresh["id"]]) == [TRAINING, TRAINING * 2]


def _job(web: httpx.Client, training: str) -> dict[str, Any]:
    made = web.post("/fine-tunes", json={"training_file": training})
    assert made.status_code == 200, made.text
    job: dict[str, Any] = made.json()
    return job


def _messages(web: httpx.Client, job_id: str) -> list[str]:
    events = web.get(f"/fine-tunes/{job_id}/events")
    assert events.status_code == 200, events.text
    return [e["message"] for e in events.json()["data"]]


def test_fine_tune_jobs_and_their_events_survive_restarts(tmp_path: Path) -> None:
    """A job that succeeded and one still pending come back after a restart: listed in order, retrieved with their
    events, the succeeded one's model still there; the pending one is cancelled after the restart, and a further
    restart shows it cancelled. The other organization sees none of them."""
    data = tmp_path / "data"
    with _server(data, fine_tune_step=0) as (_, web):
        training = _upload(web, TRAINING).json()["id"]
        done = _job(web, training)
        assert web.get(f"/fine-tunes/{done['id']}").json()["status"] == "succeeded"
        model = web.get(f"/fine-tunes/{done['id']}").json()["fine_tuned_model"]
    with _server(data, fine_tune_step=3600) as (_, web):
        pending = _job(web, training)
    with _server(data, fine_tune_step=3600) as (_, web):
        listed = web.get("/fine-tunes").json()["data"]
        assert [(j["id"], j["status"]) for j in listed] == [(done["id"], "succeeded"), (pending["id"], "pending")]
        assert web.get(f"/fine-tunes/{done['id']}").json()["fine_tuned_model"] == model
        assert model in [m["id"] for m in web.get("/models").json()["data"]]
        assert _messages(web, done["id"]) == [f"Created fine-tune: {done['id']}", "Job started.", "Job succeeded."]
        assert web.get(f"/fine-tunes/{pending['id']}").json() == pending
        assert _messages(web, pending["id"]) == [f"Created fine-tune: {pending['id']}"]
        cancelled = web.post(f"/fine-tunes/{pending['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert web.get("/fine-tunes", headers=OTHER_ORG).json()["data"] == []
        assert web.get(f"/fine-tunes/{pending['id']}", headers=OTHER_ORG).status_code == 404
    with _server(data, fine_tune_step=3600) as (_, web):
        again = web.get(f"/fine-tunes/{pending['id']}").json()
        assert again == cancelled.json()
        assert _messages(web, pending["id"]) == [f"Created fine-tune: {pending['id']}", "Job cancelled."]
        streamed = web.get(f"/fine-tunes/{pending['id']}/events", params={"stream": "true"}).text
        assert streamed.count("data: {") == 2 and streamed.endswith("data: [DONE]\n\n")
        assert [j["status"] for j in web.get("/fine-tunes").json()["data"]] == ["succeeded", "cancelled"]


def test_a_job_id_is_never_one_the_data_dir_had(tmp_path: Path) -> None:
    """Seed 5 twice on one dir: the second run's job gets an id of its own, and both jobs are there."""
    data = tmp_path / "data"
    with _server(data, seed=5, fine_tune_step=3600) as (_, web):
        first = _job(web, _upload(web, TRAINING).json()["id"])
    with _server(data, seed=5, fine_tune_step=3600) as (_, web):
        second = _job(web, _upload(web, TRAINING).json()["id"])
        assert second["id"] != first["id"]
        assert [j["id"] for j in web.get("/fine-tunes").json()["data"]] == [first["id"], second["id"]]


def test_a_deleted_fine_tuned_model_stays_deleted_after_a_restart(tmp_path: Path) -> None:
    """The job that made the model comes back with the restart; the model it made does not."""
    data = tmp_path / "data"
    with _server(data, fine_tune_step=0) as (_, web):
        job = _job(web, _upload(web, TRAINING).json()["id"])
        model = web.get(f"/fine-tunes/{job['id']}").json()["fine_tuned_model"]
        assert web.delete(f"/models/{model}").status_code == 200
    with _server(data, fine_tune_step=0) as (_, web):
        assert web.get(f"/fine-tunes/{job['id']}").json()["fine_tuned_model"] == model  # the job is back...
        assert web.get(f"/models/{model}").status_code == 404  # ... and its model still deleted
        assert model not in [m["id"] for m in web.get("/models").json()["data"]]


def test_preloaded_files_are_stored_once_per_data_dir(tmp_path: Path) -> None:
    """Restarted with the same preload on a kept dir, the server does not store the same file again."""
    (tmp_path / "train.jsonl").write_bytes(TRAINING)
    preload = [PreloadedFile(tmp_path / "train.jsonl", "fine-tune")]
    data = tmp_path / "data"
    for _ in range(3):
        with _server(data, files=preload) as (_, web):
            listed = web.get("/files").json()["data"]
            assert [f["filename"] for f in listed] == ["train.jsonl"]
    assert len(_blobs(data)) == 1


def test_an_upload_interrupted_by_a_kill_leaves_nothing_once_restarted(tmp_path: Path) -> None:
    """Content a killed server was still receiving (left in incoming/) is removed at the next start."""
    data = tmp_path / "data"
    with _server(data) as (_, web):
        kept = _upload(web, TRAINING).json()
    (data / "incoming" / "upload-left-by-a-kill").write_bytes(b"half a file")
    with _server(data) as (_, web):
        assert _contents(web, [kept["id"]]) == [TRAINING]
    assert _incoming(data) == []


@contextmanager
def _command(args: list[str], port: int) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "openai_api_server", "--port", str(port), "--log-level", "warning", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the server did not answer in 30 s"
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_the_command_restarted_with_the_same_seed_and_data_dir_keeps_files_apart(tmp_path: Path) -> None:
    """``openai-api-server --seed 1 --data-dir D`` (and ``--body-timeout``), stopped and started again: the second
    upload gets a new id, both files download byte for byte, and neither run logged a traceback."""
    data = tmp_path / "data"
    made: list[str] = []
    for content in (TRAINING, TRAINING * 2):
        port = free_port()
        with _command(["--seed", "1", "--data-dir", str(data), "--body-timeout", "5"], port) as proc:
            headers = {"Authorization": "Bearer sk-test-org-a"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/v1", headers=headers, timeout=10) as web:
                answer = _upload(web, content)
                assert answer.status_code == 200, answer.text
                made.append(answer.json()["id"])
                assert _contents(web, made) == [TRAINING, TRAINING * 2][: len(made)]
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=15)
            assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    assert made[0] != made[1]
