"""``python -m bench [--quick] [--out bench/RESULTS.md]``: every figure, this client beside raw httpx and the
official openai package, in one run against one loopback server in a separate process.

Times are the median of the repeats (min-max beside it); ratios compare medians in the same run, so the noise of a
shared machine cancels out. Memory is the peak RSS growth of one transfer in a fresh process. Every loop is bounded
in count and time, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import openai_api_overrides as oa
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.api.files import list_files
from openai_api_client.api.models import list_models
from openai_api_client.models import CreateChatCompletionRequest
from openai_api_overrides._client import DEFAULT_LIMITS
from openai_api_overrides._transport import DEFAULT_TIMEOUT

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-bench"
HAS_OPENAI = importlib.util.find_spec("openai") is not None
CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Say this is a test!"}]}
TIME_BUDGET = 180.0  # seconds a figure may take before its remaining repeats are dropped


@dataclass
class Row:
    figure: str
    unit: str
    target: str
    values: dict[str, list[float]] = field(default_factory=dict)
    limit: Callable[[dict[str, float]], bool] | None = None

    def median(self, client: str) -> float | None:
        found = self.values.get(client)
        return statistics.median(found) if found else None

    def cell(self, client: str) -> str:
        found = self.values.get(client)
        if not found:
            return "—"
        mid = statistics.median(found)
        return f"{mid:.3g}" if len(found) == 1 else f"{mid:.3g} ({min(found):.3g}–{max(found):.3g})"

    def ratio(self, client: str) -> str:
        ours, base = self.median(client), self.median("httpx")
        return f"{ours / base:.2f}×" if ours is not None and base else "—"

    def met(self) -> str:
        medians = {c: m for c in ("ours", "httpx", "openai") if (m := self.median(c)) is not None}
        if self.limit is None or "ours" not in medians:
            return "—"
        return "yes" if self.limit(medians) else "**no**"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self) -> None:
        self.port = _free_port()
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


def _probe(*args: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "bench.probes", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def _clients() -> list[str]:
    return ["ours", "httpx", "openai"] if HAS_OPENAI else ["ours", "httpx"]


def _repeat(row: Row, repeats: int, runs: dict[str, Callable[[], float]]) -> Row:
    """Interleaves the clients in each repeat, so that a slow moment of the machine hits all of them."""
    start = time.monotonic()
    for _ in range(repeats):
        for client, run in runs.items():
            row.values.setdefault(client, []).append(run())
        if time.monotonic() - start > TIME_BUDGET:
            break
    return row


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figure_import(repeats: int) -> list[Row]:
    """Import time in fresh processes: the package alone (its names load lazily), and ready for a first call."""
    rows = []
    for kind, name in (("import", "import time (s)"), ("ready", "import + client ready for a first call (s)")):
        row = Row(name, "s", "≤ 1.5× `import httpx`", limit=lambda m: m["ours"] <= 1.5 * m["httpx"])
        rows.append(_repeat(row, repeats, {c: (lambda c=c, k=kind: _probe(k, c)) for c in _clients()}))
    return rows


def figure_calls(server: Server, count: int, repeats: int) -> list[Row]:
    ours = oa.create_client(api_key=KEY, base_url=server.url, max_retries=0)
    raw = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"})
    body = CreateChatCompletionRequest.from_dict(CHAT)
    official: Any = None
    if HAS_OPENAI:
        import openai

        official = openai.OpenAI(api_key=KEY, base_url=server.url, max_retries=0)
    rows = []
    cases: list[tuple[str, dict[str, Callable[[], object]]]] = [
        (
            "list files",
            {
                "ours": lambda: oa.call(list_files.sync_detailed, client=ours),
                "httpx": lambda: json.loads(raw.get("/files").content),
                "openai": lambda: official.files.list(),
            },
        ),
        (
            "list models",
            {
                "ours": lambda: oa.call(list_models.sync_detailed, client=ours),
                "httpx": lambda: json.loads(raw.get("/models").content),
                "openai": lambda: official.models.list(),
            },
        ),
        (
            "chat (not streamed)",
            {
                "ours": lambda: oa.call(create_chat_completion.sync_detailed, client=ours, body=body),
                "httpx": lambda: json.loads(raw.post("/chat/completions", json=CHAT).content),
                "openai": lambda: official.chat.completions.create(**CHAT),
            },
        ),
    ]
    for name, calls in cases:
        row = Row(f"{count} sequential calls: {name} (s)", "s", "≤ 1.25× raw httpx + `json.loads`")
        row.limit = lambda m: m["ours"] <= 1.25 * m["httpx"]
        runs = {
            client: (lambda call=call: _timed(lambda: [call() for _ in range(count)]))
            for client, call in calls.items()
            if client in _clients()
        }
        rows.append(_repeat(row, repeats, runs))
    return rows


def figure_stream(server: Server, chunks: int, repeats: int) -> Row:
    ours = oa.create_client(api_key=KEY, base_url=server.url, max_retries=0)
    raw = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"})
    body = {**CHAT, "stream": True, "user": str(chunks)}

    def run_ours() -> None:
        received = sum(1 for _ in oa.stream_chat_completion(ours, body))
        assert received == chunks

    def run_raw() -> None:
        received = 0
        with raw.stream("POST", "/chat/completions", json=body) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    received += 1
        assert received == chunks

    runs: dict[str, Callable[[], float]] = {"ours": lambda: _timed(run_ours), "httpx": lambda: _timed(run_raw)}
    if HAS_OPENAI:
        import openai

        official = openai.OpenAI(api_key=KEY, base_url=server.url, max_retries=0)

        def run_official() -> None:
            stream = official.chat.completions.create(**CHAT, stream=True, user=str(chunks))
            assert sum(1 for _ in stream) == chunks

        runs["openai"] = lambda: _timed(run_official)
    row = Row(f"{chunks} streamed chat chunks (s)", "s", "≤ 2× raw httpx `iter_lines` + `json.loads`")
    row.limit = lambda m: m["ours"] <= 2 * m["httpx"]
    return _repeat(row, repeats, runs)


def figure_transfers(server: Server, size: int, workdir: Path) -> list[Row]:
    source = workdir / "upload.bin"
    with source.open("wb") as handle:
        block = os.urandom(1 << 20)
        for _ in range(size // len(block)):
            handle.write(block)
    mib = size // (1 << 20)
    rows = []
    for mode in ("sync", "async"):
        row = Row(f"upload {mib} MiB from a path, {mode}: peak RSS growth (MiB)", "MiB", "≤ 16 MiB")
        row.limit = lambda m: m["ours"] <= 16
        for client in _clients():
            row.values[client] = [_probe("upload", client, server.url, str(source), mode)]
        rows.append(row)
    source.unlink()
    row = Row(
        f"download {mib} MiB to a path: peak RSS growth (MiB)", "MiB", "≤ 16 MiB", limit=lambda m: m["ours"] <= 16
    )
    for client in _clients():
        row.values[client] = [_probe("download", client, server.url, str(size), str(workdir / "copy.bin"))]
    rows.append(row)
    return rows


def figure_concurrency(server: Server, count: int, repeats: int) -> Row:
    async def ours() -> None:
        client = oa.create_async_client(api_key=KEY, base_url=server.url, max_retries=0)
        async with client:
            await asyncio.gather(*(oa.acall(list_files.asyncio_detailed, client=client) for _ in range(count)))

    async def raw() -> None:
        # The same pool and timeouts as this client's defaults (the official SDK's), so that the figure compares
        # the clients and not their pool sizes: httpx's own defaults (100 connections, a 5 s pool timeout) would
        # queue and fail 1000 concurrent calls.
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx.AsyncClient(
            base_url=server.url, headers=headers, timeout=DEFAULT_TIMEOUT, limits=DEFAULT_LIMITS
        ) as client:

            async def one() -> Any:
                return json.loads((await client.get("/files")).content)

            await asyncio.gather(*(one() for _ in range(count)))

    row = Row(f"{count} concurrent list calls, async (s)", "s", "≤ 1.3× raw `httpx.AsyncClient`")
    row.limit = lambda m: m["ours"] <= 1.3 * m["httpx"]
    runs = {"ours": lambda: _timed(lambda: asyncio.run(ours())), "httpx": lambda: _timed(lambda: asyncio.run(raw()))}
    return _repeat(row, repeats, runs)


def figure_regenerate(workdir: Path) -> Row:
    row = Row("regenerate everything from the spec (s)", "s", "seconds, reported")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "--dest", str(workdir / "generated")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    row.values["ours"] = [time.perf_counter() - start]
    return row


def render(rows: list[Row], quick: bool) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    lines = [
        f"Benchmarks of {when} on {machine}{' (quick smoke run)' if quick else ''}.",
        "",
        "| figure | this client | raw httpx | official openai | ours / httpx | openai / httpx | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [row.cell("ours"), row.cell("httpx"), row.cell("openai"), row.ratio("ours"), row.ratio("openai")]
        lines.append(f"| {row.figure} | {' | '.join(cells)} | {row.target} | {row.met()} |")
    if not HAS_OPENAI:
        lines += [
            "",
            "The official openai package is not installed here (it is in `tox -e bench`): its column is empty.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run that the test suite makes")
    parser.add_argument("--out", type=Path, help="also write the table (markdown) here")
    args = parser.parse_args()
    quick = args.quick
    calls, chunks, concurrent = (20, 200, 50) if quick else (2000, 50_000, 1000)
    size = (8 if quick else 300) << 20
    repeats = 1 if quick else 5
    server = Server()
    try:
        with tempfile.TemporaryDirectory(prefix="openai-bench-") as tmp:
            rows = figure_import(3 if quick else 11)
            rows += figure_calls(server, calls, repeats)
            rows.append(figure_stream(server, chunks, repeats))
            rows += figure_transfers(server, size, Path(tmp))
            rows.append(figure_concurrency(server, concurrent, repeats))
            rows.append(figure_regenerate(Path(tmp)))
    finally:
        server.close()
    table = render(rows, quick)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
