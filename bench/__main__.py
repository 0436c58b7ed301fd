"""``python -m bench [--quick] [--out bench/RESULTS.md]``: every figure, each contestant of ``bench.contestants``
(this client, the official openai package) beside the floor (raw httpx and ``json.loads``), in one run against one
loopback server in a separate process.

Times are the median of the repeats (min-max beside it), wall time and this process's CPU time (the server runs in
another process, so CPU time is the client's alone, and less noisy on a shared machine); ratios compare medians of
the same repeats, where the floor and the contestants take turns (in blocks of 40 calls, 5,000 streamed chunks or
two rounds of concurrent calls, in reverse order every other round, each after a garbage collection), so the noise
of a shared machine cancels out. The official package, held to no target, runs in every third repeat.
A figure is met when its wall-time ratio is within the issue's target. Memory is the peak RSS growth of one transfer
in a fresh process. Every loop is bounded in count and time, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.contestants import CALLS, CONTESTANTS, FLOOR, Contestant
from openai_api_server import free_port

REPO = Path(__file__).resolve().parent.parent
TIME_BUDGET = 180.0  # seconds a figure may take before its remaining repeats are dropped
CALL_TARGET = "≤ 1.10× the floor"


@dataclass
class Row:
    """One figure for one contestant: wall and CPU seconds of each repeat, beside the floor's in the same repeats."""

    figure: str
    contestant: Contestant
    target: str
    ratio_limit: float | None = None
    """The most the wall-time ratio to the floor may be; None for figures held to no ratio."""
    limit: Callable[[float], bool] | None = None
    """For figures held to an absolute bound (memory): whether the median meets it."""
    unit: str = "s"
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    floor_wall: list[float] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)

    def ratio(self, ours: list[float], floor: list[float]) -> float | None:
        """Of medians, for times only: the floor's peak memory growth is often 0."""
        if self.unit != "s" or not ours or not floor or not statistics.median(floor):
            return None
        return statistics.median(ours) / statistics.median(floor)

    def met(self) -> str:
        if not self.contestant.targeted or not self.wall:
            return "—"
        if self.ratio_limit is not None:
            ratio = self.ratio(self.wall, self.floor_wall)
            return "—" if ratio is None else "yes" if ratio <= self.ratio_limit else "**no**"
        if self.limit is not None:
            return "yes" if self.limit(statistics.median(self.wall)) else "**no**"
        return "—"

    def cells(self) -> list[str]:
        wall_ratio, cpu_ratio = self.ratio(self.wall, self.floor_wall), self.ratio(self.cpu, self.floor_cpu)
        return [
            self.figure,
            self.contestant.label,
            _spread(self.wall),
            _spread(self.floor_wall),
            f"{wall_ratio:.2f}×" if wall_ratio is not None else "—",
            _spread(self.cpu),
            _spread(self.floor_cpu),
            f"{cpu_ratio:.2f}×" if cpu_ratio is not None else "—",
            self.target if self.contestant.targeted else "—",
            self.met(),
        ]


def _spread(values: list[float]) -> str:
    if not values:
        return "—"
    mid = statistics.median(values)
    return f"{mid:.3g}" if len(values) == 1 else f"{mid:.3g} ({min(values):.3g}–{max(values):.3g})"


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process = subprocess.Popen([sys.executable, "-m", "bench.server", str(self.port)], cwd=REPO)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(self.url + "/models", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.1)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


PROBE_ENV = dict(os.environ)
"""The fresh processes' environment: see :func:`with_bytecode`."""


def with_bytecode(workdir: Path, env: dict[str, str] = PROBE_ENV) -> None:
    """Lets the fresh processes run with ``env`` cache bytecode, in ``workdir``, for every contestant alike.

    An installed package has its bytecode (pip compiles it on install); a machine that sets
    ``PYTHONDONTWRITEBYTECODE`` would otherwise make this repository's sources compile in every fresh process
    while the site-packages contestants load theirs: 30 ms of an import that the user never pays. A warm-up probe
    of each contestant fills the cache before anything is timed.
    """
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")


def _probe(*args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "bench.probes", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=PROBE_ENV,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _contestants() -> list[Contestant]:
    return [c for c in CONTESTANTS if c.available()]


Measure = Callable[[], tuple[float, float]]
"""One repeat of a figure: its (wall, CPU) seconds."""


SCALE_EVERY = 3
"""Contestants held to no target (the official package, for scale) run in every third repeat only: one repeat of
theirs takes as long as the others' together, and more repeats of the targeted ones narrow what the targets see."""


def _repeat(rows: list[Row], repeats: int, floor: Measure, runs: list[Measure], blocks: int = 1) -> list[Row]:
    """Interleaves the floor and the contestants, so that a slow moment of the machine hits all.

    Each repeat is ``blocks`` rounds in which each takes one turn, in reverse order every other round (so that none
    always follows the same neighbour); a repeat's time is the sum of its turns. The more rounds, the shorter the
    moment a turn can be unlucky alone: on these shared machines the speed drifts within seconds. Each takes one
    untimed turn first, so that no repeat pays for what a first use loads (modules, compiled checks, connections).
    """
    for run in [floor, *runs]:
        run()
    start = time.monotonic()
    # What exists now (modules, clients, the official package's models) is never garbage: frozen, it is not walked
    # again by the collection before each turn (which took longer than a turn of 40 calls) nor by one inside a turn.
    gc.collect()
    gc.freeze()
    try:
        _rounds(rows, repeats, floor, runs, blocks, start)
    finally:
        gc.unfreeze()
    return rows


def _rounds(rows: list[Row], repeats: int, floor: Measure, runs: list[Measure], blocks: int, start: float) -> None:
    for index in range(repeats):
        turns = [
            (row, run)
            for row, run in zip(rows, runs, strict=True)
            if row.contestant.targeted or index % SCALE_EVERY == 0
        ]
        floor_total = [0.0, 0.0]
        totals = [[0.0, 0.0] for _ in turns]
        order: list[tuple[list[float], Measure]] = [(floor_total, floor)] + [
            (total, run) for total, (_, run) in zip(totals, turns, strict=True)
        ]
        if index % 2:
            order.reverse()
        for _ in range(blocks):
            for total, run in order:
                wall, cpu = run()
                total[0] += wall
                total[1] += cpu
            order.reverse()
        for (row, _), (wall, cpu) in zip(turns, totals, strict=True):
            row.wall.append(wall)
            row.cpu.append(cpu)
            row.floor_wall.append(floor_total[0])
            row.floor_cpu.append(floor_total[1])
        if time.monotonic() - start > TIME_BUDGET:
            break


def _timed(fn: Callable[[], object]) -> Measure:
    """Times ``fn`` in this process: wall (perf_counter) and this process's CPU (the server runs elsewhere).

    The garbage of the turn before is collected first, so that no contestant pays for another's."""

    def run() -> tuple[float, float]:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - wall, time.process_time() - cpu

    return run


def _expect(fn: Callable[[], int], count: int) -> Callable[[], None]:
    def run() -> None:
        got = fn()
        if got != count:
            raise RuntimeError(f"a stream gave {got} chunks, not {count}")

    return run


def figure_first_call(server: Server, repeats: int) -> list[Row]:
    """From nothing imported to the first list of files parsed, each in a fresh process."""

    def probe(key: str) -> Measure:
        return lambda: tuple(_probe("first", key, server.url))

    rows = [
        Row("import + client + first call (s)", c, "≤ 1.25× `import httpx` + the same call", ratio_limit=1.25)
        for c in _contestants()
    ]
    return _repeat(rows, repeats, probe(FLOOR.key), [probe(c.key) for c in _contestants()])


def figure_calls(server: Server, count: int, repeats: int, blocks: int) -> list[Row]:
    """``count`` calls one after another on one client, in ``blocks`` interleaved blocks."""
    floor = FLOOR.calls(server.url)
    contestants = _contestants()
    made = [c.calls(server.url) for c in contestants]
    rows = []
    for case in CALLS:

        def loop(call: Callable[[], object]) -> Callable[[], object]:
            return lambda: [call() for _ in range(count // blocks)]

        case_rows = [
            Row(f"{count} sequential calls: {case} (s)", c, f"{CALL_TARGET} + `json.loads`", ratio_limit=1.10)
            for c in contestants
        ]
        runs = [_timed(loop(m[case])) for m in made]
        rows += _repeat(case_rows, repeats, _timed(loop(floor[case])), runs, blocks)
    return rows


def figure_stream(server: Server, chunks: int, repeats: int, blocks: int) -> list[Row]:
    """Sync: ``blocks`` streams of ``chunks // blocks`` chunks on one client, interleaved. Async: one stream of
    ``chunks`` on a client made for it in a fresh event loop (a new client per block would weigh on the figure)."""
    contestants = _contestants()
    target = "≤ 1.3× the floor: httpx + a correct SSE line split + `json.loads`"
    each = chunks // blocks
    sync_name = f"{chunks} streamed chat chunks, sync{f' ({blocks} streams of {each})' if blocks > 1 else ''} (s)"
    sync_rows = [Row(sync_name, c, target, ratio_limit=1.3) for c in contestants]
    _repeat(
        sync_rows,
        repeats,
        _timed(_expect(FLOOR.stream(server.url, each), each)),
        [_timed(_expect(c.stream(server.url, each), each)) for c in contestants],
        blocks,
    )

    def in_loop(make: Callable[[], Awaitable[int]]) -> Callable[[], int]:
        return lambda: asyncio.run(make())  # type: ignore[arg-type]

    async_rows = [Row(f"{chunks} streamed chat chunks, async (s)", c, target, ratio_limit=1.3) for c in contestants]
    _repeat(
        async_rows,
        repeats,
        _timed(_expect(in_loop(FLOOR.astream(server.url, chunks)), chunks)),
        [_timed(_expect(in_loop(c.astream(server.url, chunks)), chunks)) for c in contestants],
    )
    return sync_rows + async_rows


def figure_transfers(server: Server, size: int, workdir: Path) -> list[Row]:
    """Peak RSS growth of one transfer, each in a fresh process (the probes know each contestant's upload)."""
    source = workdir / "upload.bin"
    with source.open("wb") as handle:
        block = os.urandom(1 << 20)
        for _ in range(size // len(block)):
            handle.write(block)
    mib = size // (1 << 20)
    probes: list[tuple[str, tuple[str, ...]]] = [
        (f"upload {mib} MiB from a path, {mode}: peak RSS growth (MiB)", ("upload", server.url, str(source), mode))
        for mode in ("sync", "async")
    ]
    probes.append(
        (
            f"download {mib} MiB to a path: peak RSS growth (MiB)",
            ("download", server.url, str(size), str(workdir / "copy.bin")),
        )
    )
    rows = []
    for name, (kind, *args) in probes:
        floor = float(_probe(kind, FLOOR.key, *args))
        for c in _contestants():
            row = Row(name, c, "≤ 16 MiB", limit=lambda median: median <= 16, unit="MiB")
            row.wall, row.floor_wall = [float(_probe(kind, c.key, *args))], [floor]
            rows.append(row)
    source.unlink()
    return rows


def figure_concurrency(server: Server, count: int, repeats: int, blocks: int) -> list[Row]:
    """``count`` calls at once on a fresh async client in a fresh event loop, ``blocks`` times a repeat."""

    def in_loop(make: Callable[[], Awaitable[object]]) -> Callable[[], object]:
        return lambda: asyncio.run(make())  # type: ignore[arg-type]

    contestants = _contestants()
    rows = [
        Row(f"{count} concurrent list calls, async (s)", c, "≤ 1.10× raw `httpx.AsyncClient`", ratio_limit=1.10)
        for c in contestants
    ]
    floor = _timed(in_loop(FLOOR.concurrent(server.url, count)))
    runs = [_timed(in_loop(c.concurrent(server.url, count))) for c in contestants]
    return _repeat(rows, repeats, floor, runs, blocks)


def figure_regenerate(workdir: Path) -> list[Row]:
    row = Row("regenerate everything from the spec (s)", CONTESTANTS[0], "seconds, reported")
    row.wall.append(_timed(lambda: _regenerate(workdir))()[0])
    return [row]


def _regenerate(workdir: Path) -> None:
    command = [sys.executable, "-m", "generator", "--dest", str(workdir / "generated")]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)


HEADER = "| figure | contestant | median (min–max) | floor | ratio | CPU s | floor CPU s | CPU ratio | target | met |"


def render(rows: list[Row], quick: bool) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    lines = [
        f"Benchmarks of {when} on {machine}{' (quick smoke run)' if quick else ''}.",
        "",
        HEADER,
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    missing = [c.label for c in CONTESTANTS if not c.available()]
    if missing:
        lines += ["", f"Not installed here, so not measured: {', '.join(missing)} (the `bench` extra installs it)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run that the test suite makes")
    parser.add_argument("--out", type=Path, help="also write the table (markdown) here")
    args = parser.parse_args()
    quick = args.quick
    calls, chunks, concurrent = (20, 200, 50) if quick else (2000, 50_000, 1000)
    size = (8 if quick else 300) << 20
    # (repeats, rounds in a repeat) of each timed figure: as many as keep each within its time budget.
    call_turns, stream_turns, concurrent_turns = [(1, 1)] * 3 if quick else [(15, 50), (11, 10), (9, 2)]
    server = Server()
    try:
        with tempfile.TemporaryDirectory(prefix="openai-bench-") as tmp:
            with_bytecode(Path(tmp))
            rows = figure_first_call(server, 3 if quick else 41)
            rows += figure_calls(server, calls, *call_turns)
            rows += figure_stream(server, chunks, *stream_turns)
            rows += figure_transfers(server, size, Path(tmp))
            rows += figure_concurrency(server, concurrent, *concurrent_turns)
            rows += figure_regenerate(Path(tmp))
    finally:
        server.close()
    table = render(rows, quick)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
