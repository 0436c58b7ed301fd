"""``python -m bench.count``'s arithmetic and the probes it runs under valgrind (valgrind itself is not run here)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bench.__main__ import Server
from bench.count import instructions, per_call
from tests.helpers.spec import REPO_ROOT

CALLGRIND_TAIL = """==123== Events    : Ir
==123== Collected : 1015177554
==123==
==123== I   refs:      1,015,177,554
"""


def test_the_total_is_read_from_callgrinds_summary() -> None:
    assert instructions(CALLGRIND_TAIL) == 1_015_177_554


def test_output_without_a_total_is_an_error_not_a_zero() -> None:
    with pytest.raises(RuntimeError, match="no instruction total"):
        instructions("==1== valgrind: failed to start tool 'callgrind'\n")


def test_one_call_is_the_difference_over_the_extra_calls() -> None:
    assert per_call(10_000_000, 110_000_000) == 2_000_000
    assert per_call(5_000, 105_000, 1_000, 6_000) == 20


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def _probe(*args: str) -> object:
    run = subprocess.run(
        [sys.executable, "-m", "bench.probes", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", ["floor", "ours", "facade"])
def test_the_counted_probes_make_the_calls_and_read_the_chunks_asked_for(server: Server, key: str) -> None:
    assert _probe("calls", key, server.url, "list files", "3") == 3
    assert _probe("stream", key, server.url, "7") == 7
