"""What an upload accepts (a path, a file object, bytes, or ``(filename, content, mime)``), opened for streaming."""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from openai_api_client.types import File

FileInput = str | os.PathLike[str] | bytes | IO[bytes] | tuple[str, bytes | IO[bytes], str]
ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None) as an upload or download moves on."""

__all__ = ["FileInput", "ProgressCallback", "Upload", "open_upload"]


@dataclass
class Upload:
    """An upload's content: read in chunks, never whole, and rewound when a retry sends it again."""

    filename: str
    stream: IO[bytes]
    mime: str
    size: int | None
    owned: bool

    @property
    def seekable(self) -> bool:
        try:
            return bool(self.stream.seekable())
        except (AttributeError, ValueError):
            return False

    def as_file(self, progress: ProgressCallback | None) -> File:
        payload: BinaryIO = self.stream  # type: ignore[assignment]
        if progress is not None:
            payload = _ProgressReader(self.stream, progress, self.size)  # type: ignore[assignment]
        return File(payload=payload, file_name=self.filename, mime_type=self.mime)

    def close(self) -> None:
        if self.owned:
            self.stream.close()


def _size(stream: IO[bytes]) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _mime(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def open_upload(value: FileInput, default_name: str = "upload") -> Upload:
    if isinstance(value, tuple):
        filename, content, mime = value
        stream: IO[bytes] = io.BytesIO(content) if isinstance(content, bytes) else content
        return Upload(filename, stream, mime, _size(stream), owned=isinstance(content, bytes))
    if isinstance(value, bytes):
        return Upload(default_name, io.BytesIO(value), _mime(default_name), len(value), owned=True)
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        stream = path.open("rb")
        return Upload(path.name, stream, _mime(path.name), os.fstat(stream.fileno()).st_size, owned=True)
    if isinstance(value, io.TextIOBase):
        raise TypeError("open the file in binary mode ('rb'): uploads send bytes")
    name = Path(str(getattr(value, "name", default_name))).name or default_name
    return Upload(name, value, _mime(name), _size(value), owned=False)


class _ProgressReader:
    """A file wrapper that reports each chunk httpx reads; a rewind (for a retry) starts the count again."""

    def __init__(self, stream: IO[bytes], callback: ProgressCallback, total: int | None) -> None:
        self._stream = stream
        self._callback = callback
        self._total = total
        self._done = 0
        self.name = getattr(stream, "name", "upload")

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data:
            self._done += len(data)
            self._callback(self._done, self._total)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self._stream.seek(offset, whence)
        if whence == io.SEEK_SET and offset == 0:
            self._done = 0
        return position

    def tell(self) -> int:
        return self._stream.tell()

    def seekable(self) -> bool:
        return bool(self._stream.seekable())

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
