"""The installed ``openai-api`` console script, run in a subprocess against the test server."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openai_api_server import Fault, RunningServer, running

SCRIPT = Path(sys.executable).parent / "openai-api"
KEY = "sk-test-org-a"
TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n' * 20


@pytest.fixture
def api() -> Iterator[RunningServer]:
    with running() as server:
        yield server
        assert server.state.violations == []


def env_for(api: RunningServer, key: str | None = KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["OPENAI_BASE_URL"] = api.url
    if key:
        env["OPENAI_API_KEY"] = key
    return env


def run(
    api: RunningServer, *args: str, key: str | None = KEY, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), "pip install -e . installs the openai-api console script"
    return subprocess.run(
        [str(SCRIPT), *args], env=env_for(api, key), capture_output=True, text=True, timeout=60, cwd=cwd
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(proc))


def clean_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert lines and lines[0].startswith("openai-api"), proc.stderr
    assert "Traceback" not in proc.stderr and KEY not in proc.stderr + proc.stdout
    return proc.stderr


def upload(
    api: RunningServer, tmp_path: Path, name: str = "train.jsonl", content: bytes = TRAINING, purpose: str = "fine-tune"
) -> Any:
    path = tmp_path / name
    path.write_bytes(content)
    return as_json(run(api, "--json", "files", "upload", str(path), "--purpose", purpose))


def test_models(api: RunningServer) -> None:
    human = ok(run(api, "models", "list"))
    # Piped, a table is tab-separated lines under a header, never wrapped.
    assert human.splitlines()[0] == "ID\tOwner" and "gpt-3.5-turbo\topenai" in human.splitlines()
    assert {m["id"] for m in as_json(run(api, "--json", "models", "list"))} >= {"gpt-3.5-turbo", "davinci"}
    assert "owner: openai" in ok(run(api, "models", "get", "davinci"))
    assert as_json(run(api, "--json", "models", "get", "davinci"))["id"] == "davinci"
    assert "NotFoundError" in clean_error(run(api, "models", "get", "nope"), 1)


def test_files_upload_list_get_download_delete(api: RunningServer, tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(TRAINING)
    human = ok(run(api, "files", "upload", str(path), "--purpose", "fine-tune"))
    assert "uploaded" in human and "train.jsonl" in human and "1.3 KiB" in human
    made = upload(api, tmp_path, "second.jsonl")
    assert made["purpose"] == "fine-tune" and made["bytes"] == len(TRAINING)

    table = ok(run(api, "files", "list", "--purpose", "fine-tune", "--order", "asc"))
    assert "train.jsonl" in table and "second.jsonl" in table and "KiB" in table
    paged = as_json(run(api, "--json", "files", "list", "--limit", "1", "--all"))
    assert [f["filename"] for f in paged] == ["second.jsonl", "train.jsonl"]
    assert len(as_json(run(api, "--json", "files", "list", "--limit", "1"))) == 1

    assert f"id:       {made['id']}" in ok(run(api, "files", "get", made["id"]))
    assert as_json(run(api, "--json", "files", "get", made["id"]))["filename"] == "second.jsonl"

    target = tmp_path / "copy.jsonl"
    assert "saved 1.3 KiB" in ok(run(api, "files", "download", made["id"], "-o", str(target)))
    assert target.read_bytes() == TRAINING
    assert "exists; pass --force" in clean_error(run(api, "files", "download", made["id"], "-o", str(target)), 2)
    assert as_json(run(api, "--json", "files", "download", made["id"], "-o", str(target), "--force"))["bytes"] == len(
        TRAINING
    )
    ok(run(api, "files", "download", made["id"], cwd=tmp_path / ".."))
    assert (tmp_path.parent / "second.jsonl").read_bytes() == TRAINING

    assert f"deleted {made['id']}" in ok(run(api, "files", "delete", made["id"]))
    assert "NotFoundError" in clean_error(run(api, "--json", "files", "get", made["id"]), 1)
    assert as_json(run(api, "--json", "files", "delete", upload(api, tmp_path)["id"]))["deleted"] is True


def test_a_bad_jsonl_line_is_reported_and_nothing_is_sent(api: RunningServer, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"prompt": "a", "completion": "b"}\n{"prompt": "no completion"}\n')
    error = clean_error(run(api, "files", "upload", str(path), "--purpose", "fine-tune"), 1)
    assert "line 2: completion: required field is missing" in error
    assert api.state.store.count() == 0
    # Unchecked, the server refuses it as the real API does, naming the line.
    refused = clean_error(run(api, "files", "upload", str(path), "--purpose", "fine-tune", "--no-validate"), 1)
    assert "BadRequestError" in refused and "line 2: 'completion' is a required property" in refused, refused
    assert api.state.store.count() == 0


def test_chat(api: RunningServer) -> None:
    assert ok(run(api, "chat", "Say this is a test!")) == "This is a test!\n"
    assert ok(run(api, "chat", "Hi", "--system", "Be brief.", "--no-stream")).strip() == "This is a test!"
    streamed = as_json(run(api, "--json", "chat", "Hi"))
    assert streamed["choices"][0]["message"]["content"] == "This is a test!"
    assert as_json(run(api, "--json", "chat", "Hi", "--no-stream"))["object"] == "chat.completion"


def test_fine_tunes(tmp_path: Path) -> None:
    # Jobs move one state per fine_tune_step seconds: slow enough that the second job is still running when
    # cancelled, even with each command a process of its own.
    with running(fine_tune_step=3.0) as api:
        training = upload(api, tmp_path)["id"]
        job = as_json(run(api, "--json", "fine-tunes", "create", "--training-file", training, "--n-epochs", "2"))
        assert job["status"] == "pending" and job["hyperparams"]["n_epochs"] == 2
        assert job["id"] in ok(run(api, "fine-tunes", "list"))
        assert [j["id"] for j in as_json(run(api, "--json", "fine-tunes", "list"))] == [job["id"]]
        followed = ok(run(api, "fine-tunes", "events", job["id"], "--follow"))
        assert "Job started." in followed and followed.strip().endswith("Job succeeded.")
        events = [json.loads(line) for line in ok(run(api, "--json", "fine-tunes", "events", job["id"])).splitlines()]
        assert events[-1]["message"] == "Job succeeded."
        assert "status:  succeeded" in ok(run(api, "fine-tunes", "get", job["id"]))
        second = as_json(run(api, "--json", "fine-tunes", "create", "--training-file", training))
        assert "status:  cancelled" in ok(run(api, "fine-tunes", "cancel", second["id"]))
        assert as_json(run(api, "--json", "fine-tunes", "get", second["id"]))["status"] == "cancelled"
        assert "NotFoundError" in clean_error(run(api, "fine-tunes", "create", "--training-file", "file-nope"), 1)
        assert api.state.violations == []


def test_usage_errors_exit_2(api: RunningServer) -> None:
    for args in ((), ("files",), ("files", "list", "--order", "sideways"), ("files", "upload", "x")):
        proc = run(api, *args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "no file at" in clean_error(run(api, "files", "upload", "/no/such.jsonl", "--purpose", "batch"), 2)
    assert "OPENAI_API_KEY" in clean_error(run(api, "models", "list", key=None), 2)


def test_api_errors_exit_1_without_the_key(api: RunningServer) -> None:
    error = clean_error(run(api, "models", "list", key="sk-wrong-SECRET"), 1)
    assert "AuthenticationError" in error and "sk-wrong-SECRET" not in error
    error = clean_error(run(api, "--api-key", "sk-wrong-SECRET", "--max-retries", "0", "models", "list"), 1)
    assert "sk-wrong-SECRET" not in error


def test_verbose_logs_debug_without_the_key(api: RunningServer) -> None:
    proc = run(api, "-v", "models", "list")
    assert proc.returncode == 0 and "DEBUG" in proc.stderr and "GET" in proc.stderr
    assert KEY not in proc.stderr


def test_gateway_flag_uses_the_gateway_path(api: RunningServer, tmp_path: Path) -> None:
    upload(api, tmp_path)
    assert "train.jsonl" in ok(run(api, "--gateway", "-v", "files", "list"))
    assert "files%2520_" in run(api, "--gateway", "-v", "files", "list").stderr


def test_an_upload_in_a_terminal_draws_a_progress_bar(api: RunningServer, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * 1024 * 1024))
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [str(SCRIPT), "files", "upload", str(path), "--purpose", "assistants"],
        env={**env_for(api), "TERM": "xterm", "COLUMNS": "120"},
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=child,
    )
    os.close(child)
    screen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 10)
        if not ready:
            break
        try:
            data = os.read(main, 4096)
        except OSError:
            break
        if not data:
            break
        screen += data
    stdout, _ = proc.communicate(timeout=30)
    os.close(main)
    assert proc.returncode == 0, screen
    text = screen.decode("utf-8", "replace")
    assert "uploading big.bin" in text and "3.0/3.0 MiB" in text and "━" in text, text
    assert b"uploaded" in stdout


def test_ctrl_c_during_a_download_leaves_no_partial_file(api: RunningServer, tmp_path: Path) -> None:
    made = upload(api, tmp_path, "data.bin", os.urandom(4000), purpose="assistants")
    api.state.faults.append(Fault(path=f"/v1/files/{made['id']}/content", slow_bytes=0.05))
    target = tmp_path / "out" / "copy.bin"
    target.parent.mkdir()
    proc = subprocess.Popen(
        [str(SCRIPT), "files", "download", made["id"], "-o", str(target)],
        env=env_for(api),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 10
    while not any(target.parent.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # the temporary file appears once bytes arrive
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert list(target.parent.iterdir()) == []


def test_global_options_work_after_the_command_too(api: RunningServer, tmp_path: Path) -> None:
    uploaded = upload(api, tmp_path)
    listed = as_json(run(api, "files", "list", "--json", "--max-retries", "0"))
    assert [f["id"] for f in listed] == [uploaded["id"]]


def test_missing_subcommand_is_named_for_people(api: RunningServer) -> None:
    text = clean_error(run(api, "files"), 2)
    assert "SUBCOMMAND" in text and "group" not in text and "command" not in text.split(":", 2)[-1]


def test_limit_zero_is_sent_and_refused_by_the_server(api: RunningServer) -> None:
    text = clean_error(run(api, "files", "list", "--limit", "0"), 1)
    assert "BadRequestError" in text and "400" in text


def test_dash_output_writes_the_content_to_stdout(api: RunningServer, tmp_path: Path) -> None:
    uploaded = upload(api, tmp_path)
    proc = subprocess.run(
        [str(SCRIPT), "files", "download", uploaded["id"], "-o", "-"],
        env=env_for(api),
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == TRAINING
    assert not (tmp_path / "-").exists()


def test_a_bad_training_file_names_the_flag_that_skips_the_checks(api: RunningServer, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"not json\n")
    text = clean_error(run(api, "files", "upload", str(path), "--purpose", "fine-tune"), 1)
    assert "line 1" in text and "--no-validate" in text and "validate=False" not in text


def test_embeddings_images_and_audio(api: RunningServer, tmp_path: Path) -> None:
    vectors = as_json(run(api, "--json", "embeddings", "create", "one", "two"))
    assert [item["index"] for item in vectors["data"]] == [0, 1]
    assert "0: " in ok(run(api, "embeddings", "create", "one")) and "dimensions" in ok(
        run(api, "embeddings", "create", "x")
    )
    urls = ok(run(api, "images", "generate", "an otter", "--n", "2", "--size", "256x256")).splitlines()
    assert len(urls) == 2 and all(url.startswith("http") for url in urls)
    speech = tmp_path / "speech.mp3"
    speech.write_bytes(b"ID3 audio")
    assert ok(run(api, "audio", "transcribe", str(speech), "--response-format", "text")).strip()
    assert as_json(run(api, "--json", "audio", "translate", str(speech)))["text"]
    text = clean_error(run(api, "audio", "transcribe", str(tmp_path / "notes.txt")), 2)
    assert "no file at" in text
