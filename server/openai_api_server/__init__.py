"""A local OpenAI API on 127.0.0.1 for your tests: every operation of the client's spec, with state (files on disk,
metadata in SQLite, fine-tune jobs), openapi-core validating every exchange against the bundled spec, and the real
API's error bodies and strictness.

The spec drives it: its paths and methods are the routes, and an operation the server has no handler for (one a
newer spec adds) answers the spec's example for its first 2xx response, or an instance of its schema (an event
stream when the request asks for one), after the same checks as every request. An answer of a handler that the spec
does not allow (a field it renamed) is a 500, recorded with its operation id in ``server.violations``; the pytest
fixture fails the test on any.

Install with ``pip install 'openai-api-client[server]'``. Start it:

- ``openai-api-server --port 8000 [--host 127.0.0.1] [--data-dir DIR] [--keys sk-a=org-a,sk-b=org-b]``
  (or ``python -m openai_api_server``); without ``--data-dir`` files go to a temporary folder removed on exit. A
  server started again on the same ``--data-dir`` has the files, fine-tune jobs (with their events) and deleted
  models the last one left, and never hands out an id one of them had (with the same ``--seed`` too).
- ``with openai_api_server.running() as server:`` serves on a free port in a thread: ``server.url`` (ending in
  ``/v1``), ``server.key``, ``server.state``.
- the pytest fixture ``openai_server`` (registered by the package; no conftest needed) does the same per test;
  override the fixture ``openai_server_options`` (keyword arguments of ``running()``) to configure it.

Default keys: ``sk-test-org-a`` (org ``org-a``) and ``sk-test-org-b`` (org ``org-b``); each organization sees only
its own files, jobs and fine-tuned models. Models: ``gpt-3.5-turbo``, ``text-davinci-003``,
``text-davinci-edit-001``, ``text-embedding-ada-002``, ``whisper-1``, ``ada``, ``babbage``, ``curie``, ``davinci``,
and ``test-chunks-N`` (streams N one-character chunks); any other model is a 404 ``model_not_found``.

Knobs (``ServerConfig`` fields, keyword arguments of ``running()``, and command-line options):

- **Faults** (``faults=[Fault(...)]``, ``server.inject(Fault(...))``, ``--fault JSON``, repeatable): on the next
  ``times`` requests to an operation id (``Fault(operation="createChatCompletion", ...)``) or a path prefix:
  ``status=429, headers={"Retry-After": "2"}`` (or any 5xx, ``body=...``, ``content_type=...``) answers that at once;
  ``drop_connection=True`` drops the connection before answering; ``drop_mid_body=True`` sends the headers and
  half the body, then drops the connection; ``cut_stream=True`` ends an event stream cleanly before its last
  event (the one finishing its choices) and ``data: [DONE]``; ``slow_bytes=0.5`` drips the answer (one event of a
  stream) every 0.5 s; ``delay=2`` waits first.
  E.g. ``--fault '{"operation": "listModels", "status": 503, "times": 2}'``.
- **Slow streaming for every stream**: ``stream_delay`` / ``--stream-delay`` seconds between events.
- **Deterministic ids and timestamps**: ``seed`` / ``--seed N``: object ids and request ids come from a PRNG seeded
  with N, and timestamps from a clock that starts at 1700000000 and ticks one second per timestamp it gives. On a
  kept data dir, ids the dir already had are skipped and the clock goes on after its newest timestamp.
- **Fine-tune progression**: ``fine_tune_step`` / ``--fine-tune-step`` seconds per state of a job (pending, running,
  succeeded), measured from its creation; 0 makes a job succeed by the first time it is read.
- **Preloaded models and files**: ``models=[...]``, ``files=[PreloadedFile(path, purpose, org)]``, or
  ``--preload PATH``: a directory with one folder per purpose (``fine-tune/train.jsonl``) or a JSON file
  ``{"models": ["my-model"], "files": [{"path": "train.jsonl", "purpose": "fine-tune", "org": "org-a"}]}``; on a
  kept data dir, a file already stored (same organization, name, purpose and content) is not stored again.
- **Slow clients**: ``header_timeout`` / ``--header-timeout`` (10 s) closes a connection whose request headers are
  not complete in time; ``body_timeout`` / ``--body-timeout`` (30 s, from the end of the headers; time the server
  itself is not reading does not count) answers 408 to a request whose body is not complete in time, and closes its
  connection; an idle keep-alive connection closes after 5 s.
- **Body sizes**: an upload over the spec's limit (512 MB; ``max_upload_bytes``), or a JSON body over
  ``max_json_bytes`` (32 MiB), is a 413 as soon as its Content-Length, or the bytes that arrived, pass the limit:
  it is never read whole.
- ``gateway_quirk=False`` / ``--no-gateway-quirk``: 404 on the api.mygptlife.com gateway's ``/v1/files%2520_`` (a
  path the spec marks ``x-gateway-quirk``).
- **Another spec**: ``spec_path`` / ``--spec PATH``, an OpenAPI 3.1 file (JSON, or YAML with PyYAML installed) to
  serve and validate against instead of the client's own.

What the server refuses as the real API does, with ``{"error": {"message", "type", "param", "code"}}``: a bad or
missing key (401, ``invalid_api_key``; the key is masked), a JSON body it cannot parse (400, ``We could not parse the
JSON body of your request``: bad syntax, bytes that are not UTF-8, ``NaN`` or ``Infinity``, nesting deeper than 128
levels), an unknown model (404, ``model_not_found``), an unknown request argument (400, ``Unrecognized request
argument supplied: ...``), a value the spec does not allow (400, ``'sideways' is not one of ['asc', 'desc'] -
'order'``, param ``order``), image uploads that are not square PNGs under 4 MB, ``fine-tune`` and ``batch`` uploads
that are not ``.jsonl`` (fine-tune: with valid training records; a file named without an extension, as openai 0.28
names every upload, is judged by its content: JSON Lines), audio of an unknown format, a file part without a
filename, a part sent twice. Every answer has ``x-request-id``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from openai_api_server import _extra

if TYPE_CHECKING:
    from openai_api_server.app import ApiServer, PreloadedFile, ServerConfig, create_app
    from openai_api_server.faults import Fault
    from openai_api_server.run import RunningServer, ServerStartError, free_port, running, serve

__all__ = [
    "ApiServer",
    "Fault",
    "PreloadedFile",
    "RunningServer",
    "ServerConfig",
    "ServerStartError",
    "create_app",
    "free_port",
    "running",
    "serve",
]

# Each public name and the module that has it, imported on first use (PEP 562): importing the package (as pytest
# does, for the plugin) needs neither starlette nor uvicorn, which only the [server] extra installs.
_MODULES = {
    "ApiServer": "app",
    "PreloadedFile": "app",
    "ServerConfig": "app",
    "create_app": "app",
    "Fault": "faults",
    "RunningServer": "run",
    "ServerStartError": "run",
    "free_port": "run",
    "running": "run",
    "serve": "run",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    except ModuleNotFoundError as exc:
        gone = _extra.missing()
        if not gone:
            raise
        raise ModuleNotFoundError(_extra.hint(gone), name=exc.name) from None
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
