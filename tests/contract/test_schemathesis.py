"""schemathesis fuzzes the test server from the spec, stateful phase included (it follows the spec's links): no
failure, so the server matches the spec and the layer 3 tests mean something. Bounded by schemathesis.toml
(examples per operation) and --max-time, a budget schemathesis spends fuzzing until it runs out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openai_api_server import running
from tests.helpers.spec import REPO_ROOT, SPEC_PATH, operations


def test_schemathesis_finds_no_failure_in_the_test_server() -> None:
    with running() as api:
        env = {**os.environ, "SCHEMATHESIS_API_KEY": "sk-test-org-a", "NO_COLOR": "1"}
        schemathesis = Path(sys.executable).parent / "schemathesis"
        proc = subprocess.run(
            [str(schemathesis), "run", str(SPEC_PATH), "--url", api.url, "--seed", "20261121", "--max-time", "60"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output[-6000:]
        for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
            assert f"✅ {phase}" in output, output[-3000:]
        count = len(list(operations()))
        assert f"Selected: {count}/{count}" in output
        assert api.state.violations == [], api.state.violations
