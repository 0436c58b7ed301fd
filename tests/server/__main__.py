"""``python -m tests.server [--port 8000] [--data-dir DIR] [--no-gateway-quirk]``: the test server, alone.

It serves the spec under http://127.0.0.1:PORT/v1 and takes the API keys ``sk-test-org-a`` and ``sk-test-org-b``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import uvicorn

from tests.server.app import ServerConfig, create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.server", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", type=Path, default=None, help="where files are kept (default: a temp folder)")
    parser.add_argument("--no-gateway-quirk", action="store_true", help="answer 404 on /v1/files%%2520_")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="openai-test-server-"))
    config = ServerConfig(data_dir=data_dir, gateway_quirk=not args.no_gateway_quirk)
    print(f"test server: http://127.0.0.1:{args.port}/v1 (keys: {', '.join(config.keys)}; files in {data_dir})")
    uvicorn.run(create_app(config), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
