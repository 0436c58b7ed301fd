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

KEY = "sk-bench"


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

    small = Path(path).with_name("warm.bin")
    small.write_bytes(b"x" * 1024)
    if client == "ours":
        import openai_api_overrides as oa

        if mode == "sync":
            c = oa.create_client(api_key=KEY, base_url=url, max_retries=0)
            oa.upload_file(c, small, purpose="assistants")
            before = peak_mib()
            oa.upload_file(c, path, purpose="assistants")
        else:
            ac = oa.create_async_client(api_key=KEY, base_url=url, max_retries=0)

            async def run() -> float:
                await oa.aupload_file(ac, small, purpose="assistants")
                peak = peak_mib()
                await oa.aupload_file(ac, path, purpose="assistants")
                return peak

            before = asyncio.run(run())
    elif client == "floor":
        import httpx

        if mode == "sync":
            with httpx.Client(base_url=url) as h:
                h.post("/files", files={"file": small.open("rb")}, data={"purpose": "assistants"})
                before = peak_mib()
                with open(path, "rb") as handle:
                    h.post("/files", files={"file": handle}, data={"purpose": "assistants"})
        else:

            async def run_httpx() -> float:
                async with httpx.AsyncClient(base_url=url) as h:
                    await h.post("/files", files={"file": small.open("rb")}, data={"purpose": "assistants"})
                    peak = peak_mib()
                    with open(path, "rb") as handle:
                        await h.post("/files", files={"file": handle}, data={"purpose": "assistants"})
                return peak

            before = asyncio.run(run_httpx())
    else:
        import openai

        if mode == "sync":
            o = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
            o.files.create(file=small, purpose="assistants")
            before = peak_mib()
            o.files.create(file=Path(path), purpose="assistants")
        else:
            ao = openai.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0)

            async def run_openai() -> float:
                await ao.files.create(file=small, purpose="assistants")
                peak = peak_mib()
                await ao.files.create(file=Path(path), purpose="assistants")
                return peak

            before = asyncio.run(run_openai())
    return peak_mib() - before


def download(client: str, url: str, size: str, target: str) -> float:
    file_id = f"file-size-{size}"
    warm = f"file-size-{1024}"
    if client == "ours":
        import openai_api_overrides as oa

        c = oa.create_client(api_key=KEY, base_url=url, max_retries=0)
        oa.download_file(c, warm, target)
        before = peak_mib()
        oa.download_file(c, file_id, target)
    elif client == "floor":
        import httpx

        with httpx.Client(base_url=url) as h:
            h.get(f"/files/{warm}/content")
            before = peak_mib()
            with h.stream("GET", f"/files/{file_id}/content") as response, open(target, "wb") as out:
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
    else:
        import openai

        o = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        o.files.content(warm).write_to_file(target)
        before = peak_mib()
        o.files.content(file_id).write_to_file(target)
    return peak_mib() - before


if __name__ == "__main__":
    kind, client, *rest = sys.argv[1:]
    result: Any
    if kind == "first":
        result = first_call(client, rest[0])
    elif kind == "upload":
        result = upload(client, rest[0], rest[1], rest[2])
    elif kind == "download":
        result = download(client, rest[0], rest[1], rest[2])
    else:
        raise SystemExit(f"unknown probe {kind}")
    print(json.dumps(result))
