"""Runs the server with uvicorn: in a thread for tests (:func:`running`), or in the foreground (:func:`serve`)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from openai_api_server._protocol import protocol_with_timeouts
from openai_api_server.app import ApiServer, ServerConfig, create_app
from openai_api_server.faults import Fault

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
KEEP_ALIVE = 5


class ServerStartError(RuntimeError):
    """The server did not start listening (the port is taken, or the app failed to build)."""


@dataclass
class RunningServer:
    url: str  # the API root: the spec's base path (/v1)
    state: ApiServer
    config: ServerConfig

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def root(self) -> str:
        return self.url.removesuffix(self.state.spec.base)

    @property
    def keys(self) -> dict[str, str]:
        return self.config.keys

    @property
    def key(self) -> str:
        """The first key (of the first organization)."""
        return next(iter(self.config.keys))

    def inject(self, fault: Fault) -> None:
        """Queues a fault; it hits the next matching request(s)."""
        self.state.faults.append(fault)

    @property
    def violations(self) -> list[str]:
        """Every answer the server gave that breaks the spec, each naming its operation (``createFile: POST ...``);
        the client got a 500 for it."""
        return self.state.violations

    def check(self) -> None:
        """Raises AssertionError, listing them, if the server answered anything the spec does not allow."""
        if self.state.violations:
            lines = "\n".join(f"  {v}" for v in self.state.violations)
            raise AssertionError(f"the server answered what the spec does not allow:\n{lines}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _uvicorn_config(
    app: Any, host: str, port: int, header_timeout: float, body_timeout: float, log_level: str
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        loop="asyncio",
        http=protocol_with_timeouts(header_timeout, body_timeout),
        timeout_keep_alive=KEEP_ALIVE,
    )


@contextlib.contextmanager
def running(
    data_dir: Path | None = None,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    **options: Any,
) -> Iterator[RunningServer]:
    """Serves a fresh server on a free 127.0.0.1 port until the block ends; ``options`` are ServerConfig fields.

    Without ``data_dir``, files live in a temporary folder removed at the end; with it, a server started again on the
    same folder has the files, fine-tune jobs and deleted models the last one left.
    """
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="openai-api-server-")))
        config = ServerConfig(data_dir=data_dir, **options)
        app = create_app(config)
        stack.callback(app.state.server.store.close)
        port = free_port()
        server = uvicorn.Server(_uvicorn_config(app, "127.0.0.1", port, header_timeout, body_timeout, "warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                server.should_exit = True
                raise ServerStartError(f"the server did not start on 127.0.0.1:{port}")
            time.sleep(0.01)
        try:
            yield RunningServer(f"http://127.0.0.1:{port}{app.state.server.spec.base}", app.state.server, config)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | None = None,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    log_level: str = "info",
    announce: Any = print,
    **options: Any,
) -> None:
    """Serves in the foreground until interrupted. Without ``data_dir``, a temporary folder is used and removed."""
    temporary = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="openai-api-server-")) if data_dir is None else data_dir
    try:
        config = ServerConfig(data_dir=folder, **options)
        app = create_app(config)
        server = uvicorn.Server(_uvicorn_config(app, host, port, header_timeout, body_timeout, log_level))
        base = app.state.server.spec.base
        announce(f"openai-api-server: http://{host}:{port}{base} ({len(config.keys)} keys; files in {folder})")
        try:
            server.run()
        finally:
            app.state.server.store.close()
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
