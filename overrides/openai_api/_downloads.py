"""Binary answers (a file's content) for the facade, read whole or streamed; a broken download leaves no file."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import httpx

from openai_api._calls import with_options
from openai_api._errors import LocalFileError, OpenAIError
from openai_api._exchange import STREAMED

__all__: list[str] = []
# build_request and target serve the facade's binary answers: not exported.


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    module: ModuleType,
    arguments: dict[str, Any],
    options: Mapping[str, Any],
    streamed: bool,
) -> httpx.Request:
    # Error statuses and redirects end in the transport (typed errors), so only a 2xx body ever reaches a file.
    kwargs = with_options(module.request_kwargs(**arguments), options)
    if streamed:
        kwargs["extensions"] = {**kwargs.get("extensions", {}), STREAMED: True}
    return http.build_request(**kwargs)


@contextlib.contextmanager
def target(destination: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A temporary file beside ``destination``, renamed onto it once complete.

    A local failure (the folder gone, a folder at the path, a full disk) is a :class:`LocalFileError` naming the
    path; whatever fails, no temporary file is left behind.
    """
    if not isinstance(destination, str | os.PathLike):
        # An open file from a caller without type checks: pathlib's own message would not say what to do.
        raise TypeError(
            f"a path (str or os.PathLike) is needed, not {type(destination).__name__}: to fill an open file, "
            "write the answer's content or iter_bytes() into it"
        )
    path = Path(destination)
    tmp_name = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        # os.open with 0o666 lets the user's umask decide the mode (0644 typically), as any other file they
        # write; tempfile.mkstemp would make it 0600.
        fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as tmp:
            yield tmp
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and not isinstance(exc, OpenAIError):
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise LocalFileError(f"the download could not be written to {path}: {reason}", str(path)) from exc
        raise
