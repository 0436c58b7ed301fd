"""Runs the test server with uvicorn on 127.0.0.1, in a thread for tests or in the foreground alone."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from tests.server.app import ServerConfig, TestServer, create_app


@dataclass
class RunningServer:
    url: str  # the API root, ending in /v1
    state: TestServer
    config: ServerConfig
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return self.url.removesuffix("/v1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(data_dir: Path | None = None, **options: Any) -> Iterator[RunningServer]:
    """Serves a fresh test server on a free 127.0.0.1 port until the block ends."""
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="openai-test-server-")))
        config = ServerConfig(data_dir=data_dir, **options)
        app = create_app(config)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", loop="asyncio")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        try:
            yield RunningServer(f"http://127.0.0.1:{port}/v1", app.state.server, config, config.keys)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            app.state.server.store.close()
