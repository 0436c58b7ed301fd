"""The server started as a user starts it: the installed console script, ``python -m``, the pytest plugin."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

import openai_api_server
from openai_api_server import RunningServer, free_port
from tests.api_server.uploads import TRAINING

BIN = Path(sys.executable).parent
USER_KEY = "sk-user-key-0123456789"


@contextmanager
def started(command: list[str], port: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The server in a process of its own; yields it and its first line of output once it answers."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        announced = proc.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server did not answer in 30 s"
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield proc, announced
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def _stop(proc: subprocess.Popen[str], signum: int) -> None:
    proc.send_signal(signum)
    assert proc.wait(timeout=15) == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_the_console_script_serves_and_removes_its_temporary_folder(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "train.jsonl").write_bytes(TRAINING)
    manifest = tmp_path / "preload.json"
    manifest.write_text(
        json.dumps({"models": ["my-model"], "files": [{"path": "train.jsonl", "purpose": "fine-tune"}]})
    )
    command = [str(BIN / "openai-api-server"), "--port", str(port), "--keys", f"{USER_KEY}=org-x", "--seed", "7"]
    command += ["--preload", str(manifest), "--fault", '{"operation": "retrieveModel", "status": 503}']
    with started(command, port) as (proc, announced):
        match = re.search(r"files in (\S+)\)", announced)
        assert match, announced
        folder = Path(match.group(1))
        assert folder.is_dir()
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=USER_KEY, max_retries=0)
        assert "gpt-3.5-turbo" in [m.id for m in client.models.list()]
        wrong = httpx.get(f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": "Bearer sk-test-org-a"})
        assert wrong.status_code == 401  # --keys replaced the default keys
        with pytest.raises(openai.InternalServerError):
            client.models.retrieve("my-model")  # the --fault, once
        assert client.models.retrieve("my-model").id == "my-model"  # --preload
        assert [f.filename for f in client.files.list()] == ["train.jsonl"]
        _stop(proc, signal.SIGTERM)
    assert not folder.exists(), "the temporary data folder was left behind"
    assert USER_KEY not in announced


def test_python_dash_m_keeps_a_given_data_dir(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    command = [sys.executable, "-m", "openai_api_server", "--port", str(port), "--data-dir", str(data)]
    with started(command, port) as (proc, _):
        headers = {"Authorization": "Bearer sk-test-org-a"}
        made = httpx.post(
            f"http://127.0.0.1:{port}/v1/files",
            headers=headers,
            files={"file": ("notes.txt", b"kept")},
            data={"purpose": "assistants"},
        )
        assert made.status_code == 200, made.text
        _stop(proc, signal.SIGINT)  # Ctrl-C
    assert (data / "files" / made.json()["id"]).read_bytes() == b"kept"


def test_bad_options_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args, says in [
        (["--fault", '{"operation": "listModels", "stauts": 429}'], "unknown fault option(s) ['stauts']"),
        (["--fault", "not json"], "bad --fault"),
        (["--preload", str(tmp_path / "missing.json")], "cannot read it as JSON"),
        (["--keys", ","], "give at least one key"),
        (["--spec", str(tmp_path / "missing.json")], "cannot read it as a spec"),
    ]:
        proc = subprocess.run([str(BIN / "openai-api-server"), *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and says in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_a_users_three_line_test_gets_the_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        "import openai\n"
        "def test_models(openai_server):\n"
        "    assert openai.OpenAI(base_url=openai_server.url, api_key=openai_server.key).models.list().data\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OPENAI_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


def test_the_fixture_here(openai_server: RunningServer) -> None:
    assert openai_server.base_url == openai_server.url and openai_server.url.endswith("/v1")
    assert httpx.get(f"{openai_server.url}/models", headers={"Authorization": f"Bearer {openai_server.key}"}).is_success


def test_the_distribution_declares_the_entry_points_and_the_extra() -> None:
    dist = importlib.metadata.distribution("openai-api-client")
    points = {(p.group, p.name): p.value for p in dist.entry_points}
    assert points[("console_scripts", "openai-api-server")] == "openai_api_server._cli:main"
    assert points[("pytest11", "openai_api_server")] == "openai_api_server.pytest_plugin"
    requires = dist.requires or []
    runtime = sorted(re.split(r"[<>=!~ ;\[]", r)[0] for r in requires if "extra ==" not in r)
    assert runtime == ["attrs", "httpx"]
    server = [r for r in requires if re.search(r"extra == .server.", r)]
    assert {r.split("==")[0] for r in server} == {"starlette", "uvicorn", "python-multipart", "openapi-core"}


def test_the_server_modules_import_one_another_without_a_cycle() -> None:
    """The handlers (``_operations``) and the app share ``_context`` and ``_config``; neither imports the other's
    module at run time but the app the handlers'. Each module imports first, in a fresh interpreter."""
    package = Path(openai_api_server.__file__).parent
    imports: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        found = imports.setdefault(path.stem, set())
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level: not lazy, not TYPE_CHECKING
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openai_api_server."):
                found.add(str(node.module).split(".")[1])

    def reach(name: str, seen: tuple[str, ...]) -> None:
        for other in imports.get(name, set()):
            assert other not in seen, f"import cycle: {' -> '.join((*seen, other))}"
            reach(other, (*seen, other))

    for name in imports:
        reach(name, (name,))
    assert "app" not in imports["_operations"] and "_operations" in imports["app"]
    for name in ("_operations", "_context", "app"):
        done = subprocess.run(
            [sys.executable, "-c", f"import openai_api_server.{name}"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
