"""512 MiB uploads and downloads keep memory flat; the test server hashes multipart parts as they stream."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.factories import upload_server
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, _MultipartHasher, parse_multipart
from tests.helpers.spec import REPO_ROOT

# --- big transfers: flat memory ------------------------------------------------------------------------------

BIG = 512 * 1024 * 1024


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("big") / "big.bin"
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for index in range(BIG // len(block)):
            piece = block[:8] + index.to_bytes(8, "big") + block[16:]
            handle.write(piece)
            digest.update(piece)
    return path, digest.hexdigest()


def run_probe(mode: str, base_url: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.helpers.rss_probe", mode, base_url, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["upload", "aupload"])
def test_a_512_mib_upload_keeps_memory_flat(big_file: tuple[Path, str], mode: str) -> None:
    path, sha = big_file
    with ScriptedServer(upload_server, store_bodies=False) as srv:
        result = run_probe(mode, srv.url + "/v1", path)
        received = srv.received[-1]
    assert received.part_sha256["file"] == sha
    assert result["last"] == BIG
    assert result["growth_mib"] < 32, result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["download", "adownload"])
def test_a_512_mib_download_keeps_memory_flat(big_file: tuple[Path, str], mode: str, tmp_path: Path) -> None:
    path, sha = big_file

    def handler(request: Received) -> Reply:
        if request.method == "POST":
            return upload_server(request)
        return Reply(body_file=path, headers={"content-type": "application/octet-stream"})

    target = tmp_path / "copy.bin"
    with ScriptedServer(handler, store_bodies=False) as srv:
        result = run_probe(mode, srv.url + "/v1", target)
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    assert digest.hexdigest() == sha
    assert result["growth_mib"] < 32, result


def test_the_servers_streaming_part_hash_matches_a_whole_parse() -> None:
    rng = random.Random(7)
    content = bytes(rng.randrange(256) for _ in range(50_000)) + b"\r\n--xyz"
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    hasher = _MultipartHasher(f"multipart/form-data; boundary={boundary}")
    position = 0
    while position < len(body):
        step = rng.randrange(1, 5000)
        hasher.feed(body[position : position + step])
        position += step
    parts = parse_multipart(body, f"multipart/form-data; boundary={boundary}")
    assert parts["file"] == ("f", content)
    assert hasher.finish() == {
        "purpose": hashlib.sha256(b"batch").hexdigest(),
        "file": hashlib.sha256(content).hexdigest(),
    }
