"""``openai-api-server``: the server alone, for a user's tests or by hand."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openai_api_server._extra import hint, missing
from openai_api_server.faults import Fault

if TYPE_CHECKING:
    from openai_api_server._config import PreloadedFile

# The server's own modules (starlette, uvicorn) are imported once main() has found the [server] extra installed.


def _keys(text: str) -> dict[str, str]:
    """``sk-a=org-a,sk-b=org-b``; a key without ``=org`` gets an organization of its own (org-1, org-2, ...)."""
    keys = {}
    for index, item in enumerate(filter(None, (part.strip() for part in text.split(","))), start=1):
        key, _, org = item.partition("=")
        keys[key] = org or f"org-{index}"
    if not keys:
        raise argparse.ArgumentTypeError("give at least one key")
    return keys


def _fault(text: str) -> Fault:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a fault is a JSON object")
        return Fault.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"bad --fault {text!r}: {exc}") from exc


def parser() -> argparse.ArgumentParser:
    from openai_api_server._config import DEFAULT_KEYS
    from openai_api_server.run import BODY_TIMEOUT, HEADER_TIMEOUT

    p = argparse.ArgumentParser(
        prog="openai-api-server",
        description="A local OpenAI API (the client's spec, validated on every exchange) for your tests.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where files, fine-tune jobs and deleted models are kept, across restarts (default: a temp folder"
        " removed on exit)",
    )
    default_keys = ",".join(f"{k}={v}" for k, v in DEFAULT_KEYS.items())
    p.add_argument("--keys", type=_keys, default=dict(DEFAULT_KEYS), help=f"KEY[=ORG],... (default: {default_keys})")
    p.add_argument("--seed", type=int, default=None, help="deterministic ids and timestamps")
    p.add_argument("--fine-tune-step", type=float, default=1.0, help="seconds per fine-tune job state (0: at once)")
    p.add_argument("--stream-delay", type=float, default=0.0, help="seconds between streamed events")
    p.add_argument("--fault", type=_fault, action="append", default=[], help="a JSON fault, see the package docs")
    p.add_argument("--preload", type=Path, default=None, help="a JSON file or a directory of models and files")
    p.add_argument("--header-timeout", type=float, default=HEADER_TIMEOUT, help="seconds to send request headers")
    p.add_argument("--body-timeout", type=float, default=BODY_TIMEOUT, help="seconds to send a request's body")
    p.add_argument("--no-gateway-quirk", action="store_true", help="answer 404 on /v1/files%%2520_")
    p.add_argument("--spec", type=Path, default=None, help="serve this OpenAPI file (default: the client's own spec)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return p


def main(argv: Sequence[str] | None = None) -> int:
    gone = missing()
    if gone:  # installed without the [server] extra: say which to install, in one line
        print(f"openai-api-server: {hint(gone)}", file=sys.stderr)
        return 2
    from openai_api_server._preload import PreloadError, read_preload
    from openai_api_server._spec import Spec, SpecError

    args = parser().parse_args(argv)
    models: list[str] = []
    files: list[PreloadedFile] = []
    try:
        if args.preload is not None:
            models, files = read_preload(args.preload)
        if args.spec is not None:
            Spec.load(args.spec)
    except (PreloadError, SpecError) as exc:
        print(f"openai-api-server: {exc}", file=sys.stderr)
        return 2
    # uvicorn stops gracefully on SIGINT and SIGTERM, then raises the signal again: as an exception here, so that
    # the temporary data folder is removed and the exit is quiet, not a traceback or a kill.
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        _serve(args, models, files)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(args: argparse.Namespace, models: list[str], files: list[PreloadedFile]) -> None:
    from openai_api_server.run import serve

    serve(
        args.host,
        args.port,
        args.data_dir,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        log_level=args.log_level,
        announce=lambda line: print(line, flush=True),
        keys=args.keys,
        seed=args.seed,
        fine_tune_step=args.fine_tune_step,
        stream_delay=args.stream_delay,
        faults=args.fault,
        models=models,
        files=files,
        gateway_quirk=not args.no_gateway_quirk,
        spec_path=args.spec,
    )
