"""The knobs a user's test needs: faults per operation, slow streams, a seed, fine-tune speed, preloading."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_api_server import Fault, PreloadedFile, RunningServer, running
from openai_api_server._preload import PreloadError, read_preload
from tests.api_server.uploads import TRAINING

CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}]}


def _client(api: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {api.key}"}, timeout=10)


@pytest.fixture
def api() -> Iterator[RunningServer]:
    with running() as server:
        yield server
        assert server.state.violations == [], server.state.violations


def test_a_fault_hits_only_its_operation_and_only_times_times(api: RunningServer) -> None:
    api.inject(Fault(operation="createChatCompletion", status=503, times=2, body='{"error": {"message": "busy"}}'))
    with _client(api) as web:
        assert web.get("/models").status_code == 200  # another operation: untouched
        assert [web.post("/chat/completions", json=CHAT).status_code for _ in range(3)] == [503, 503, 200]


def test_a_cut_stream_ends_before_done_and_a_slow_one_drips(api: RunningServer) -> None:
    api.inject(Fault(operation="createChatCompletion", cut_stream=True))
    with _client(api) as web:
        cut = web.post("/chat/completions", json={**CHAT, "stream": True}).text
        # The last event, which finishes the choice, never comes: the answer is incomplete.
        assert cut.count("data: ") == 5 and "[DONE]" not in cut and '"finish_reason": "stop"' not in cut
        whole = web.post("/chat/completions", json={**CHAT, "stream": True}).text
        assert whole.endswith("data: [DONE]\n\n")
        api.inject(Fault(operation="createCompletion", slow_bytes=0.2))
        started = time.monotonic()
        slow = web.post("/completions", json={"model": "test-chunks-4", "prompt": "x", "stream": True}).text
        assert time.monotonic() - started >= 0.7 and slow.endswith("data: [DONE]\n\n")


def test_a_dropped_connection_sends_half_then_closes(api: RunningServer) -> None:
    api.inject(Fault(operation="listModels", drop_mid_body=True))
    with _client(api) as web:
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|peer closed"):
            web.get("/models")
        assert web.get("/models").status_code == 200


def test_a_connection_dropped_before_the_answer_sends_nothing(api: RunningServer) -> None:
    api.inject(Fault(operation="createChatCompletion", drop_connection=True))
    with _client(api) as web:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            web.post("/chat/completions", json=CHAT)
        assert web.post("/chat/completions", json=CHAT).status_code == 200  # once only


def test_stream_delay_slows_every_stream() -> None:
    with running(stream_delay=0.15) as api, _client(api) as web:
        started = time.monotonic()
        web.post("/completions", json={"model": "test-chunks-5", "prompt": "x", "stream": True})
        assert time.monotonic() - started >= 0.7


def _session(seed: int | None) -> list[Any]:
    with running(seed=seed) as api, _client(api) as web:
        chat = web.post("/chat/completions", json=CHAT)
        made = web.post("/files", files={"file": ("t.jsonl", TRAINING)}, data={"purpose": "fine-tune"}).json()
        return [chat.json()["id"], chat.json()["created"], chat.headers["x-request-id"], made["id"], made["created_at"]]


def test_a_seed_makes_ids_and_timestamps_repeat() -> None:
    first, again, other = _session(42), _session(42), _session(43)
    assert first == again
    assert first[0] != other[0] and first[3] != other[3]
    assert first[1] == 1_700_000_001 and first[4] == 1_700_000_002  # a clock that ticks once per timestamp
    unseeded = _session(None)
    assert abs(unseeded[1] - time.time()) < 60 and unseeded[0] != first[0]


@pytest.mark.parametrize("step", [0.0, 0.4])
def test_fine_tune_jobs_move_one_state_per_step(step: float) -> None:
    with running(fine_tune_step=step) as api, _client(api) as web:
        training = web.post("/files", files={"file": ("t.jsonl", TRAINING)}, data={"purpose": "fine-tune"}).json()
        job = web.post("/fine-tunes", json={"training_file": training["id"]}).json()
        assert job["status"] == "pending"
        seen = [web.get(f"/fine-tunes/{job['id']}").json()["status"]]
        if step:
            time.sleep(step * 1.2)
            seen.append(web.get(f"/fine-tunes/{job['id']}").json()["status"])
            time.sleep(step)
            seen.append(web.get(f"/fine-tunes/{job['id']}").json()["status"])
            assert seen == ["pending", "running", "succeeded"]
        else:
            assert seen == ["succeeded"]


def test_preloaded_models_and_files_from_json(tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_bytes(TRAINING)
    manifest = tmp_path / "preload.json"
    files = [
        {"path": "train.jsonl", "purpose": "fine-tune"},
        {"path": "train.jsonl", "purpose": "batch", "org": "org-b"},
    ]
    manifest.write_text(json.dumps({"models": ["my-model"], "files": files}))
    models, preloaded = read_preload(manifest)
    with running(models=models, files=preloaded) as api, _client(api) as web:
        assert "my-model" in [m["id"] for m in web.get("/models").json()["data"]]
        assert web.post("/chat/completions", json={**CHAT, "model": "my-model"}).status_code == 200
        mine = web.get("/files").json()["data"]
        assert [(f["filename"], f["purpose"]) for f in mine] == [("train.jsonl", "fine-tune")]
        assert web.get(f"/files/{mine[0]['id']}/content").content == TRAINING
        other = web.get("/files", headers={"Authorization": "Bearer sk-test-org-b"}).json()["data"]
        assert [f["purpose"] for f in other] == ["batch"]


def test_preloaded_files_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "fine-tune").mkdir()
    (tmp_path / "fine-tune" / "a.jsonl").write_bytes(TRAINING)
    (tmp_path / "assistants").mkdir()
    (tmp_path / "assistants" / "notes.txt").write_bytes(b"notes")
    models, files = read_preload(tmp_path)
    assert models == [] and {(f.path.name, f.purpose) for f in files} == {
        ("a.jsonl", "fine-tune"),
        ("notes.txt", "assistants"),
    }
    with running(files=files) as api, _client(api) as web:
        assert sorted(f["filename"] for f in web.get("/files").json()["data"]) == ["a.jsonl", "notes.txt"]


def test_a_bad_preload_says_what_is_wrong(tmp_path: Path) -> None:
    manifest = tmp_path / "p.json"
    manifest.write_text(json.dumps({"files": [{"path": "nope.jsonl", "purpose": "fine-tune"}]}))
    with pytest.raises(PreloadError, match=r"files\[0\]: no file"):
        read_preload(manifest)
    manifest.write_text(json.dumps({"modles": []}))
    with pytest.raises(PreloadError, match="expected an object"):
        read_preload(manifest)


def test_faults_from_json_are_checked() -> None:
    fault = Fault.from_dict({"operation": "listModels", "status": 429, "headers": {"Retry-After": "1"}, "times": 3})
    assert (fault.operation, fault.status, fault.times) == ("listModels", 429, 3)
    with pytest.raises(ValueError, match="at least 1"):
        Fault.from_dict({"times": 0})
    assert PreloadedFile(Path("x"), "batch").org is None
