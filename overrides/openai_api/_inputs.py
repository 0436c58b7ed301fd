"""What an upload accepts (a path, a file object, bytes, or ``(filename, content, mime)``), opened for streaming."""

from __future__ import annotations

import io
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from openai_api._errors import InvalidFileError
from openai_api_client.resources import FileInput
from openai_api_client.types import File

__all__: list[str] = []


@dataclass
class Upload:
    """An upload's content: read in chunks, never whole, and rewound when a retry sends it again.

    ``size`` is None for an unsized stream (a pipe, a socket): httpx then sends the body chunked, and the upload
    cannot be retried. ``limit``, set by the local checks, is enforced again as the bytes go out, since an unsized
    stream's size is only known at its end.
    """

    filename: str
    stream: IO[bytes]
    mime: str
    size: int | None
    owned: bool
    field: str = "file"
    limit: int | None = None

    @property
    def seekable(self) -> bool:
        if self.size is None:
            return False
        try:
            return bool(self.stream.seekable())
        except (AttributeError, ValueError):
            return False

    def as_file(self) -> File:
        reader_class = _SizedReader if self.seekable else _OneShotReader
        payload: BinaryIO = reader_class(self)  # type: ignore[assignment]
        return File(payload=payload, file_name=self.filename, mime_type=self.mime)

    def close(self) -> None:
        if self.owned:
            self.stream.close()


def _size(stream: IO[bytes]) -> int | None:
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    else:
        # A pipe's or a socket's st_size is 0 (or what happens to be buffered): not the size of what will come.
        if not stat.S_ISREG(status.st_mode):
            return None
        return status.st_size
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _mime(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _unreadable(field: str, name: str, problem: str) -> InvalidFileError:
    return InvalidFileError(field, name, [problem], skippable=False)


def open_upload(value: FileInput, default_name: str = "upload", field: str = "file") -> Upload:
    """``value`` opened for streaming; a path that cannot be read, or a file open in text mode, is an
    :class:`InvalidFileError` naming it (nothing is sent)."""
    if isinstance(value, tuple):
        # (filename, content) takes its type from the name, as the official package's uploads do.
        filename, content, mime = value if len(value) == 3 else (*value, _mime(value[0]))
        stream: IO[bytes] = io.BytesIO(content) if isinstance(content, bytes) else content
        return Upload(filename, stream, mime, _size(stream), owned=isinstance(content, bytes), field=field)
    if isinstance(value, bytes):
        return Upload(default_name, io.BytesIO(value), _mime(default_name), len(value), owned=True, field=field)
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise _unreadable(field, str(path), f"cannot be read: {exc.strerror or exc}") from exc
        return Upload(path.name, stream, _mime(path.name), os.fstat(stream.fileno()).st_size, owned=True, field=field)
    if isinstance(value, io.TextIOBase):
        name = str(getattr(value, "name", default_name))
        raise _unreadable(field, name, "is open in text mode: open it in binary mode ('rb'), uploads send bytes")
    name = Path(str(getattr(value, "name", default_name))).name or default_name
    return Upload(name, value, _mime(name), _size(value), owned=False, field=field)


class _OneShotReader:
    """What httpx reads an upload through: it counts the bytes and stops at the upload's limit.

    It has no ``fileno``, ``seek`` or ``tell``, so httpx cannot take a pipe's length for 0: the body goes chunked.
    """

    def __init__(self, upload: Upload) -> None:
        self._upload = upload
        self._done = 0
        self.name = upload.filename

    def read(self, size: int = -1) -> bytes:
        data = self._upload.stream.read(size)
        if data:
            self._done += len(data)
            limit = self._upload.limit
            if limit is not None and self._done > limit:
                raise InvalidFileError(
                    self._upload.field,
                    self._upload.filename,
                    [f"is larger than the API's limit of {limit} bytes: the upload was stopped, nothing was created"],
                )
        return data


class _SizedReader(_OneShotReader):
    """A sized, seekable upload: httpx reads its length, and seeks to 0 to send it again on a retry."""

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self._upload.stream.seek(offset, whence)
        if whence == io.SEEK_SET and offset == 0:
            self._done = 0
        return position

    def tell(self) -> int:
        return self._upload.stream.tell()

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._upload.stream.fileno()
