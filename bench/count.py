"""``python -m bench.count [--out FILE]``: this client's instructions for a first call, per call and per streamed chunk,
beside the floor's.

Timings on these shared machines move by 10 to 30 % between runs; instruction counts (valgrind's callgrind, the client
process only) repeat to within a few thousand a call, so they show what a change gains. A call's count is
(I(M calls) - I(N calls)) / (M - N), each in a fresh process after the same warm-up, so start-up cancels out; the first
call's is the whole fresh process. The hash seed is fixed (it moves a call's count by up to 15,000) and bytecode is
cached as an installed package has it. Sockets' kernel time is not counted: time ratios of calls come out below these.
Needs ``valgrind`` on the PATH; a run takes a few minutes. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.__main__ import REPO, Server, with_bytecode
from bench.contestants import CALLS, CONTESTANTS, FLOOR, Contestant

FEW, MANY = 10, 60
"""The two numbers of calls whose difference is counted."""
FEW_CHUNKS, MANY_CHUNKS = 1000, 6000
"""The two lengths of a streamed chat completion whose difference is counted."""

_TOTAL = re.compile(r"refs:\s+([\d,]+)")


def instructions(callgrind_output: str) -> int:
    """The total instructions a callgrind run reports (its ``I refs`` line)."""
    found = _TOTAL.search(callgrind_output)
    if found is None:
        raise RuntimeError(f"no instruction total in valgrind's output: {callgrind_output[-500:]!r}")
    return int(found.group(1).replace(",", ""))


def per_call(few: int, many: int, count_few: int = FEW, count_many: int = MANY) -> int:
    """What one more call (or chunk) costs: the difference of two runs that differ only in how many they make."""
    return (many - few) // (count_many - count_few)


def _count(env: dict[str, str], *probe: str) -> int:
    command = [sys.executable, "-m", "bench.probes", *probe]
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, timeout=600)  # fills the cache
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    run = subprocess.run(valgrind, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-2000:])
    return instructions(run.stderr)


def _row(figure: str, contestant: Contestant, count: int, floor: int) -> str:
    return f"| {figure} | {contestant.label} | {count:,} | {floor:,} | {count / floor:.3f}× |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.count", description=__doc__)
    parser.add_argument("--out", type=Path, help="also write the table (markdown) here")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("python -m bench.count needs valgrind (its callgrind tool) on the PATH")
    contestants = [c for c in CONTESTANTS if c.targeted and c.available()]
    server = Server()
    lines = ["| figure | contestant | instructions | floor | ratio |", "|---|---|---|---|---|"]
    try:
        with tempfile.TemporaryDirectory(prefix="openai-count-") as tmp:
            env = dict(os.environ, PYTHONHASHSEED="0")
            with_bytecode(Path(tmp), env)
            floor = _count(env, "first", FLOOR.key, server.url)
            lines += [_row("import + client + first call", c, _count(env, "first", c.key, server.url), floor)
                      for c in contestants]  # fmt: skip
            for case in CALLS:

                def each(key: str, case: str = case) -> int:
                    few = _count(env, "calls", key, server.url, case, str(FEW))
                    return per_call(few, _count(env, "calls", key, server.url, case, str(MANY)))

                floor = each(FLOOR.key)
                lines += [_row(f"one call: {case}", c, each(c.key), floor) for c in contestants]

            def chunk(key: str) -> int:
                few = _count(env, "stream", key, server.url, str(FEW_CHUNKS))
                many = _count(env, "stream", key, server.url, str(MANY_CHUNKS))
                return per_call(few, many, FEW_CHUNKS, MANY_CHUNKS)

            floor = chunk(FLOOR.key)
            lines += [_row("one streamed chat chunk, sync", c, chunk(c.key), floor) for c in contestants]
    finally:
        server.close()
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
