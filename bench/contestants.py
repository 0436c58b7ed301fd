"""The contestants: one class each, saying how it makes the benchmark's calls. The figures only call these methods.

To measure another way of using this client (the facade ``oa.OpenAI(...)`` of the surface work, say), add a class
here with the same methods and put it in :data:`CONTESTANTS`: it then gets its own row in every figure, with the
targets, beside the floor (the memory figures too: the probes call :meth:`Contestant.upload` and the others). Imports
happen inside the methods (asyncio too), so that a fresh process pays only for its own.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

KEY = "sk-bench"
CHAT = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Say this is a test!"}]}
CALLS = ("list files", "list models", "chat (not streamed)")
"""The sequential-call cases; every contestant answers each."""


def stream_body(chunks: int) -> dict[str, Any]:
    """A streamed chat request; the benchmark server streams as many chunks as ``user`` says."""
    return {**CHAT, "stream": True, "user": str(chunks)}


def _pool() -> dict[str, Any]:
    # Every async contestant gets this client's default pool and timeouts (the official SDK's), so that the
    # concurrent figure compares the clients, not their pool sizes: httpx's own defaults (100 connections, a 5 s
    # pool timeout) would queue and fail 1000 concurrent calls.
    from openai_api._constants import DEFAULT_LIMITS, DEFAULT_TIMEOUT

    return {"timeout": DEFAULT_TIMEOUT, "limits": DEFAULT_LIMITS}


class Contestant:
    """What every contestant answers. ``targeted`` contestants are held to the issue's targets."""

    key = ""
    label = ""
    targeted = True

    def available(self) -> bool:
        return True

    def first_call(self, url: str) -> object:
        """Imports, makes a client, and lists files once: what a user pays before the first answer."""
        raise NotImplementedError

    def calls(self, url: str) -> dict[str, Callable[[], object]]:
        """One call per case of :data:`CALLS`, each returning the parsed answer."""
        raise NotImplementedError

    def stream(self, url: str, chunks: int) -> Callable[[], int]:
        """Reads one streamed chat completion; returns how many chunks it parsed."""
        raise NotImplementedError

    def astream(self, url: str, chunks: int) -> Callable[[], Awaitable[int]]:
        raise NotImplementedError

    def concurrent(self, url: str, count: int) -> Callable[[], Awaitable[object]]:
        """``count`` list-files calls at once on one fresh async client."""
        raise NotImplementedError

    def upload(self, url: str) -> Callable[[Path], object]:
        """Uploads a file from a path (purpose ``assistants``), each call on the same client."""
        raise NotImplementedError

    def aupload(self, url: str) -> Callable[[Path], Awaitable[object]]:
        """The async upload; the calls run on one event loop."""
        raise NotImplementedError

    def download(self, url: str) -> Callable[[str, Path], object]:
        """Saves a file's content to a path, the way this contestant's own documentation shows."""
        raise NotImplementedError


class Floor(Contestant):
    """Raw httpx and ``json.loads``, events split correctly: what any client on httpx pays at least."""

    key = "floor"
    label = "raw httpx (the floor)"
    targeted = False

    def first_call(self, url: str) -> object:
        import httpx

        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"})
        return json.loads(client.get("/files").content)

    def calls(self, url: str) -> dict[str, Callable[[], object]]:
        import httpx

        raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"})
        return {
            "list files": lambda: json.loads(raw.get("/files").content),
            "list models": lambda: json.loads(raw.get("/models").content),
            "chat (not streamed)": lambda: json.loads(raw.post("/chat/completions", json=CHAT).content),
        }

    def stream(self, url: str, chunks: int) -> Callable[[], int]:
        import httpx

        raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"})
        body = stream_body(chunks)

        def run() -> int:
            lines = _FloorLines()
            with raw.stream("POST", "/chat/completions", json=body) as response:
                for chunk in response.iter_bytes():
                    lines.feed(chunk)
            return lines.events

        return run

    def astream(self, url: str, chunks: int) -> Callable[[], Awaitable[int]]:
        import httpx

        body = stream_body(chunks)

        async def run() -> int:
            lines = _FloorLines()
            headers = {"Authorization": f"Bearer {KEY}"}
            async with (
                httpx.AsyncClient(base_url=url, headers=headers) as raw,
                raw.stream("POST", "/chat/completions", json=body) as response,
            ):
                async for chunk in response.aiter_bytes():
                    lines.feed(chunk)
            return lines.events

        return run

    def concurrent(self, url: str, count: int) -> Callable[[], Awaitable[object]]:
        import asyncio

        import httpx

        async def run() -> object:
            headers = {"Authorization": f"Bearer {KEY}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, **_pool()) as client:

                async def one() -> Any:
                    return json.loads((await client.get("/files")).content)

                return await asyncio.gather(*(one() for _ in range(count)))

        return run

    def upload(self, url: str) -> Callable[[Path], object]:
        import httpx

        raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"})

        def send(path: Path) -> object:
            with path.open("rb") as handle:
                return raw.post("/files", files={"file": handle}, data={"purpose": "assistants"}).json()

        return send

    def aupload(self, url: str) -> Callable[[Path], Awaitable[object]]:
        import httpx

        raw = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {KEY}"})

        async def send(path: Path) -> object:
            with path.open("rb") as handle:
                return (await raw.post("/files", files={"file": handle}, data={"purpose": "assistants"})).json()

        return send

    def download(self, url: str) -> Callable[[str, Path], object]:
        import httpx

        raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"})

        def save(file_id: str, target: Path) -> object:
            with raw.stream("GET", f"/files/{file_id}/content") as response, target.open("wb") as out:
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
            return target

        return save


class _FloorLines:
    """The least a correct reader of an event stream does: split bytes at CR, LF or CRLF (``bytes.splitlines``;
    httpx's ``iter_lines`` also splits at U+2028 and friends, which JSON strings may hold raw) and ``json.loads``
    each ``data:`` line. A CRLF split between two chunks gives an extra empty line, which is harmless here."""

    def __init__(self) -> None:
        self.pending = b""
        self.events = 0

    def feed(self, chunk: bytes) -> None:
        lines = (self.pending + chunk).splitlines(keepends=True) if self.pending else chunk.splitlines(keepends=True)
        self.pending = lines.pop() if lines and lines[-1][-1:] not in (b"\n", b"\r") else b""
        for line in lines:
            if line.startswith(b"data: ") and not line.startswith(b"data: [DONE]"):
                json.loads(line[6:])
                self.events += 1


# The chat request as the facade's keyword arguments (typed Any: the generated parameters are precise TypedDicts).
_FACADE_CHAT: dict[str, Any] = dict(CHAT)


def _download(client: Any) -> Callable[[str, Path], object]:
    """A file's content streamed to a path through the facade's streamed answer."""

    def download(file_id: str, target: Path) -> None:
        with client.files.with_streaming_response.content(file_id) as response:
            response.stream_to_file(target)

    return download


class Generated(Contestant):
    """This client's generated functions, with ``oa.call`` for the calls and the facade on the same client for the
    streams, uploads and downloads (the generated functions read those whole)."""

    key = "ours"
    label = "this client (generated functions)"

    def first_call(self, url: str) -> object:
        import openai_api as oa
        from openai_api_client.api.files import list_files

        return oa.call(list_files.sync_detailed, client=oa.OpenAI(api_key=KEY, base_url=url).http)

    def calls(self, url: str) -> dict[str, Callable[[], object]]:
        import openai_api as oa
        from openai_api_client.api.chat import create_chat_completion
        from openai_api_client.api.files import list_files
        from openai_api_client.api.models import list_models
        from openai_api_client.models import CreateChatCompletionRequest

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0).http
        body = CreateChatCompletionRequest.from_dict(CHAT)
        return {
            "list files": lambda: oa.call(list_files.sync_detailed, client=client),
            "list models": lambda: oa.call(list_models.sync_detailed, client=client),
            "chat (not streamed)": lambda: oa.call(create_chat_completion.sync_detailed, client=client, body=body),
        }

    def stream(self, url: str, chunks: int) -> Callable[[], int]:
        import openai_api as oa

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda: sum(1 for _ in client.chat.completions.stream(**_FACADE_CHAT, user=str(chunks)))

    def astream(self, url: str, chunks: int) -> Callable[[], Awaitable[int]]:
        import openai_api as oa

        async def run() -> int:
            async with oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
                return sum([1 async for _ in client.chat.completions.stream(**_FACADE_CHAT, user=str(chunks))])

        return run

    def concurrent(self, url: str, count: int) -> Callable[[], Awaitable[object]]:
        import asyncio

        import openai_api as oa
        from openai_api_client.api.files import list_files

        async def run() -> object:
            async with oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
                calls = (oa.acall(list_files.asyncio_detailed, client=client.http) for _ in range(count))
                return await asyncio.gather(*calls)

        return run

    def upload(self, url: str) -> Callable[[Path], object]:
        import openai_api as oa

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def aupload(self, url: str) -> Callable[[Path], Awaitable[object]]:
        import openai_api as oa

        client = oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def download(self, url: str) -> Callable[[str, Path], object]:
        import openai_api as oa

        return _download(oa.OpenAI(api_key=KEY, base_url=url, max_retries=0))


class Facade(Contestant):
    """This client's one place to start: ``oa.OpenAI`` and ``oa.AsyncOpenAI``, as the README opens with."""

    key = "facade"
    label = "this client (oa.OpenAI)"

    def first_call(self, url: str) -> object:
        import openai_api as oa

        return oa.OpenAI(api_key=KEY, base_url=url).files.list()

    def calls(self, url: str) -> dict[str, Callable[[], object]]:
        import openai_api as oa

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return {
            "list files": lambda: client.files.list(),
            "list models": lambda: client.models.list(),
            "chat (not streamed)": lambda: client.chat.completions.create(**_FACADE_CHAT),
        }

    def stream(self, url: str, chunks: int) -> Callable[[], int]:
        import openai_api as oa

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda: sum(1 for _ in client.chat.completions.stream(**_FACADE_CHAT, user=str(chunks)))

    def astream(self, url: str, chunks: int) -> Callable[[], Awaitable[int]]:
        import openai_api as oa

        async def run() -> int:
            async with oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
                return sum([1 async for _ in client.chat.completions.stream(**_FACADE_CHAT, user=str(chunks))])

        return run

    def concurrent(self, url: str, count: int) -> Callable[[], Awaitable[object]]:
        import asyncio

        import openai_api as oa

        async def run() -> object:
            async with oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
                return await asyncio.gather(*(client.files.list() for _ in range(count)))

        return run

    def upload(self, url: str) -> Callable[[Path], object]:
        import openai_api as oa

        client = oa.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def aupload(self, url: str) -> Callable[[Path], Awaitable[object]]:
        import openai_api as oa

        client = oa.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def download(self, url: str) -> Callable[[str, Path], object]:
        import openai_api as oa

        # The README's streamed download (``files.content`` reads the bytes whole, as the official package's does).
        return _download(oa.OpenAI(api_key=KEY, base_url=url, max_retries=0))


class Official(Contestant):
    """The official ``openai`` package (the ``bench`` extra), for scale; held to no target."""

    key = "openai"
    label = "official openai"
    targeted = False

    def available(self) -> bool:
        return importlib.util.find_spec("openai") is not None

    def first_call(self, url: str) -> object:
        import openai

        return openai.OpenAI(api_key=KEY, base_url=url, max_retries=0).files.list()

    def calls(self, url: str) -> dict[str, Callable[[], object]]:
        import openai

        client: Any = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return {
            "list files": lambda: client.files.list(),
            "list models": lambda: client.models.list(),
            "chat (not streamed)": lambda: client.chat.completions.create(**CHAT),
        }

    def stream(self, url: str, chunks: int) -> Callable[[], int]:
        import openai

        client: Any = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda: sum(1 for _ in client.chat.completions.create(**CHAT, stream=True, user=str(chunks)))

    def astream(self, url: str, chunks: int) -> Callable[[], Awaitable[int]]:
        import openai

        async def run() -> int:
            client: Any = openai.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0)
            async with client:
                stream = await client.chat.completions.create(**CHAT, stream=True, user=str(chunks))
                return sum([1 async for _ in stream])

        return run

    def concurrent(self, url: str, count: int) -> Callable[[], Awaitable[object]]:
        import asyncio

        import openai

        async def run() -> object:
            async with openai.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
                return await asyncio.gather(*(client.files.list() for _ in range(count)))

        return run

    def upload(self, url: str) -> Callable[[Path], object]:
        import openai

        client: Any = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def aupload(self, url: str) -> Callable[[Path], Awaitable[object]]:
        import openai

        client: Any = openai.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda path: client.files.create(file=path, purpose="assistants")

    def download(self, url: str) -> Callable[[str, Path], object]:
        import openai

        client: Any = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        return lambda file_id, target: client.files.content(file_id).write_to_file(target)


FLOOR = Floor()
CONTESTANTS: list[Contestant] = [Generated(), Facade(), Official()]
"""Measured against :data:`FLOOR`, one row each per figure."""


def by_key(key: str) -> Contestant:
    return next(c for c in [FLOOR, *CONTESTANTS] if c.key == key)
