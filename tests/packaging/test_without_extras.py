"""The wheel installed without extras, in a fresh venv: the pytest plugin it registers leaves pytest working, and the
server's fixture and console script, and the command line, say in one line which extra to install."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_api_server import running

SERVER_HINT = "pip install 'openai-api-client[server]'"
CLI_HINT = "pip install 'openai-api-client[cli]'"


def _run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def bare(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin folder of a fresh venv holding the wheel without extras (httpx and attrs from the package index)
    and pytest, the one this repository pins."""
    root = tmp_path_factory.mktemp("bare")
    made = _run([sys.executable, "-m", "venv", str(root / "venv")], root)
    assert made.returncode == 0, made.stderr
    bin_dir = root / "venv" / "bin"
    (wheel,) = dist.glob("*.whl")
    pytest_pin = f"pytest=={importlib.metadata.version('pytest')}"
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = _run([*pip, str(wheel), pytest_pin], root, timeout=600)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    absent = _run([str(bin_dir / "python"), "-c", "import openai_api_client, starlette"], root)
    assert "No module named 'starlette'" in absent.stderr, "the bare venv has the server's dependencies"
    yield bin_dir


def _pytest(bin_dir: Path, folder: Path, test: str) -> subprocess.CompletedProcess[str]:
    (folder / "test_it.py").write_text(test, encoding="utf-8")
    return _run([str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_it.py"], folder)


def test_pytest_runs_with_the_plugin_registered_and_no_server_installed(bare: Path, tmp_path: Path) -> None:
    plugins = _run([str(bare / "python"), "-m", "pytest", "--version", "--version"], tmp_path)
    assert "openai-api-client" in plugins.stdout + plugins.stderr, plugins.stdout + plugins.stderr
    done = _pytest(bare, tmp_path, "def test_plain():\n    assert 1 + 1 == 2\n")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_the_fixture_fails_its_test_with_the_line_to_install_the_extra(bare: Path, tmp_path: Path) -> None:
    done = _pytest(bare, tmp_path, "def test_models(openai_server):\n    pass\n\ndef test_other():\n    pass\n")
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "1 passed, 1 error" in done.stdout, output
    said = [line for line in output.splitlines() if SERVER_HINT in line]
    assert said and all("[server] extra" in line for line in said), output
    assert "Traceback" not in output and "ModuleNotFoundError" not in output, output


@pytest.mark.parametrize("args", [["--help"], [], ["--port", "0"]])
def test_the_server_command_says_which_extra_to_install(bare: Path, tmp_path: Path, args: list[str]) -> None:
    done = _run([str(bare / "openai-api-server"), *args], tmp_path, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1 and SERVER_HINT in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_command_line_says_which_extra_to_install(bare: Path, tmp_path: Path) -> None:
    with running() as server:
        base = [str(bare / "openai-api"), "--base-url", server.url, "--api-key", server.key]
        listed = _run([*base, "models", "list"], tmp_path, timeout=60)  # piped: plain lines, no rich needed
        assert listed.returncode == 0 and "gpt-3.5-turbo" in listed.stdout, listed.stdout + listed.stderr
        shown = _run([*base, "models", "get", "gpt-3.5-turbo"], tmp_path, timeout=60)  # rich prints it
        server.check()
    assert shown.returncode == 2, shown.stdout + shown.stderr
    assert shown.stderr.count("\n") == 1 and CLI_HINT in shown.stderr and "Traceback" not in shown.stderr
