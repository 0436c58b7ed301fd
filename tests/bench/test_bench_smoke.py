"""A tiny run of the benchmark suite, so that it keeps working (figures are not asserted: tests never time)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.spec import REPO_ROOT


def test_the_benchmarks_run_and_print_every_figure() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for figure in (
        "import + client + first call",
        "sequential calls: list files",
        "sequential calls: list models",
        "sequential calls: chat",
        "streamed chat chunks, sync",
        "streamed chat chunks, async",
        "upload 8 MiB from a path, sync",
        "upload 8 MiB from a path, async",
        "download 8 MiB",
        "concurrent list calls",
        "regenerate everything",
    ):
        assert figure in proc.stdout, figure
    # Every targeted row says whether its target is met.
    rows = [line for line in proc.stdout.splitlines() if "this client" in line]
    assert rows and all(line.endswith(("| yes |", "| **no** |", "| — |")) for line in rows), rows
