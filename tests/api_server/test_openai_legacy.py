"""The server driven by the legacy official package, openai 0.28 (module-level resources: ``openai.File.create``),
as its users' code drives it: every operation it documents for this API, each result asserted
(tests/api_server/legacy_openai_calls.py). The package cannot be installed beside the current one, so the calls run
in its own environment, .venv-legacy, which scripts/setup.sh makes from pinned versions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from openai_api_server import running
from tests.api_server.uploads import AUDIO, TRAINING, png

ROOT = Path(__file__).resolve().parents[2]
LEGACY_PYTHON = ROOT / ".venv-legacy" / "bin" / "python"
CALLS = Path(__file__).with_name("legacy_openai_calls.py")
SAMPLES = {
    "train.jsonl": TRAINING,
    "records.jsonl": b'{"text": "JSON, but no training record"}\n',
    "notes.txt": b"Some notes, not JSON Lines.\n",
    "otter.png": png(4, 4),
    "mask.png": png(4, 4),
    "wide.png": png(64, 32),
    "speech.mp3": AUDIO,
    "speech.txt": b"words",
}


def test_every_documented_operation_of_openai_0_28(tmp_path: Path) -> None:
    assert LEGACY_PYTHON.exists(), "scripts/setup.sh makes .venv-legacy, with openai 0.28.1"
    for name, content in SAMPLES.items():
        (tmp_path / name).write_bytes(content)
    # The requests library would send 127.0.0.1's requests through a proxy of the environment.
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    env = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}  # openai 0.28 reads them on import
    with running(fine_tune_step=0.5) as server:
        done = subprocess.run(
            [str(LEGACY_PYTHON), str(CALLS), server.url, server.key, str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        violations = list(server.state.violations)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    failed = {r["call"]: f"{r['error']}\n{r['where']}" for r in results if r["error"]}
    assert failed == {}, "\n".join(f"{call}: {why}" for call, why in failed.items())
    assert len(results) >= 32, [r["call"] for r in results]
    assert violations == [], violations
