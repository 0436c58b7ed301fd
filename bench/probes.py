"""One measurement in a fresh process, printed as JSON: ``python -m bench.probes KIND CLIENT URL [ARG]``.

Fresh processes keep one client's imports, pools and peak memory from colouring another's figure.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def peak_mib() -> float:
    """This process's peak RSS so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def first_call(client: str, url: str) -> list[float]:
    """Wall and CPU seconds from nothing imported to the first answer parsed (the process's own CPU only)."""
    from bench.contestants import by_key

    contestant = by_key(client)
    wall, cpu = time.perf_counter(), time.process_time()
    contestant.first_call(url)
    return [time.perf_counter() - wall, time.process_time() - cpu]


def upload(client: str, url: str, path: str, mode: str) -> float:
    """Peak RSS growth (MiB) of one upload of ``path``; the baseline follows a warm-up upload of 1 KiB."""
    import asyncio  # here: the first-call probe must not pay for it

    from bench.contestants import by_key

    small = Path(path).with_name("warm.bin")
    small.write_bytes(b"x" * 1024)
    contestant = by_key(client)
    if mode == "sync":
        send = contestant.upload(url)
        send(small)
        before = peak_mib()
        send(Path(path))
    else:
        loop = asyncio.new_event_loop()
        asend = contestant.aupload(url)
        loop.run_until_complete(asend(small))
        before = peak_mib()
        loop.run_until_complete(asend(Path(path)))
        loop.close()
    return peak_mib() - before


def download(client: str, url: str, size: str, target: str) -> float:
    """Peak RSS growth (MiB) of saving one file of ``size`` bytes to ``target``, after a warm-up of 1 KiB."""
    from bench.contestants import by_key

    save = by_key(client).download(url)
    save("file-size-1024", Path(target))
    before = peak_mib()
    save(f"file-size-{size}", Path(target))
    return peak_mib() - before


def calls(client: str, url: str, case: str, count: str) -> int:
    """Makes ``count`` calls of one case (after five that load what a first use loads): for counting instructions."""
    from bench.contestants import by_key

    call = by_key(client).calls(url)[case]
    for _ in range(5 + int(count)):
        call()
    return int(count)


def stream(client: str, url: str, chunks: str) -> int:
    """Reads one streamed chat completion of ``chunks`` chunks (after one of 100): for counting instructions."""
    from bench.contestants import by_key

    contestant = by_key(client)
    contestant.stream(url, 100)()
    return contestant.stream(url, int(chunks))()


if __name__ == "__main__":
    kind, client, *rest = sys.argv[1:]
    result: Any
    if kind == "first":
        result = first_call(client, rest[0])
    elif kind == "upload":
        result = upload(client, rest[0], rest[1], rest[2])
    elif kind == "download":
        result = download(client, rest[0], rest[1], rest[2])
    elif kind == "calls":
        result = calls(client, rest[0], rest[1], rest[2])
    elif kind == "stream":
        result = stream(client, rest[0], rest[1])
    else:
        raise SystemExit(f"unknown probe {kind}")
    print(json.dumps(result))
