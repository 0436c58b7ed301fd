"""Runs one big transfer through the facade in this process and prints its peak RSS growth as JSON (run by the tests
in a subprocess).

``python -m tests.helpers.rss_probe upload|aupload|download|adownload BASE_URL PATH``
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path

import openai_api as oa
from bench.probes import peak_mib

API_KEY = "sk-probe"


class _Positions(io.BufferedReader):
    """The file uploaded, noting its position after each read: the upload's progress as a caller sees it."""

    def __init__(self, path: str, seen: list[int]) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._seen = seen

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self._seen.append(self.tell())
        return data


async def _adownload(aclient: oa.AsyncOpenAI, path: str) -> None:
    async with aclient.files.with_streaming_response.content("file-big") as response:
        await response.stream_to_file(path)


def main(mode: str, base_url: str, path: str) -> None:
    client = oa.OpenAI(api_key=API_KEY, base_url=base_url)
    aclient = oa.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
    # Warm up every code path on a small body so the baseline holds the machinery, not the transfer.
    client.files.create(file=("warm.bin", io.BytesIO(b"x" * 1024), "application/octet-stream"), purpose="assistants")
    before = peak_mib()
    progress: list[int] = [0]
    if mode == "upload":
        with _Positions(path, progress) as file:
            client.files.create(file=file, purpose="assistants")
    elif mode == "aupload":
        with _Positions(path, progress) as file:
            asyncio.run(aclient.files.create(file=file, purpose="assistants"))
    elif mode == "download":
        with client.files.with_streaming_response.content("file-big") as response:
            response.stream_to_file(path)
        progress.append(Path(path).stat().st_size)
    elif mode == "adownload":
        asyncio.run(_adownload(aclient, path))
        progress.append(Path(path).stat().st_size)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps({"growth_mib": peak_mib() - before, "progress_calls": len(progress), "last": progress[-1]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
