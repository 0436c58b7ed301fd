"""Every Python block of the README runs verbatim, in order, against the local server, as a reader would paste it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openai_api_server import RunningServer
from tests.helpers.spec import REPO_ROOT

TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n' * 3


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_the_readme_has_python_blocks() -> None:
    assert len(python_blocks((REPO_ROOT / "README.md").read_text(encoding="utf-8"))) >= 6


def test_every_python_block_runs_in_order(
    openai_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.delenv("OPENAI_ORG_ID", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(TRAINING)
    (tmp_path / "speech.mp3").write_bytes(b"ID3 not really audio")
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks((REPO_ROOT / "README.md").read_text(encoding="utf-8")), start=1):
        try:
            exec(compile(block, f"README.md python block {number}", "exec"), namespace)
        except Exception as exc:  # the block's number and source make the failure findable
            pytest.fail(f"README python block {number} failed: {type(exc).__name__}: {exc}\n{block}")
    out = capsys.readouterr().out
    assert "404" in out and "model_not_found" in out
    assert (tmp_path / "copy.jsonl").read_bytes() == TRAINING
