"""Runs one big transfer in this process and prints its peak RSS growth as JSON (run by the tests in a subprocess).

``python -m tests.helpers.rss_probe upload|aupload|download|adownload BASE_URL PATH``
"""

from __future__ import annotations

import asyncio
import io
import json
import sys

import openai_api_overrides as oa
from bench.probes import peak_mib

API_KEY = "sk-probe"


def main(mode: str, base_url: str, path: str) -> None:
    client = oa.create_client(api_key=API_KEY, base_url=base_url)
    aclient = oa.create_async_client(api_key=API_KEY, base_url=base_url)
    # Warm up every code path on a small body so the baseline holds the machinery, not the transfer.
    oa.upload_file(client, ("warm.bin", io.BytesIO(b"x" * 1024), "application/octet-stream"), purpose="assistants")
    before = peak_mib()
    progress: list[int] = []
    if mode == "upload":
        oa.upload_file(client, path, purpose="assistants", progress=lambda done, total: progress.append(done))
    elif mode == "aupload":
        asyncio.run(oa.aupload_file(aclient, path, purpose="assistants", progress=lambda d, t: progress.append(d)))
    elif mode == "download":
        oa.download_file(client, "file-big", path, progress=lambda done, total: progress.append(done))
    elif mode == "adownload":
        asyncio.run(oa.adownload_file(aclient, "file-big", path, progress=lambda d, t: progress.append(d)))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps({"growth_mib": peak_mib() - before, "progress_calls": len(progress), "last": progress[-1]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
