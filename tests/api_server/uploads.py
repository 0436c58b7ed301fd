"""Bytes for the server's tests: real PNGs of any size, training files, audio."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int) -> bytes:
    """A valid RGBA PNG, all transparent."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\0\0\0\0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


TRAINING = b'{"prompt": "Say this is a test ->", "completion": " This is a test"}\n' * 10
AUDIO = b"ID3" + b"\0" * 64  # an mp3's first bytes: the server checks the format by the file's name, as the API does
