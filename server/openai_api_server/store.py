"""Files on disk (named by id, never by the client's filename) with their metadata in SQLite."""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from openai_api_server._ids import Ids

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(name: str) -> str:
    """The last path component, without control characters: ``../../etc/passwd\\x00`` is stored as ``passwd``."""
    base = PurePosixPath(_CONTROL.sub("", name).replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "upload"


@dataclass
class StoredFile:
    id: str
    org: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    seq: int
    sha256: str

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


class FileStore:
    def __init__(self, root: Path, ids: Ids | None = None) -> None:
        self.root = root
        self.ids = ids or Ids()
        self.blobs = root / "files"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(root / "meta.sqlite3", check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, org TEXT, filename TEXT, purpose TEXT,"
            " bytes INTEGER, created_at INTEGER, seq INTEGER, sha256 TEXT)"
        )
        # A data dir kept from an earlier run keeps its order: new files list after the old ones.
        start = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM files").fetchone()[0]
        self._lock = threading.Lock()
        self._seq = itertools.count(int(start) + 1)

    def add(self, org: str, filename: str, purpose: str, source: IO[bytes]) -> StoredFile:
        file_id = self.ids.new("file-")
        digest = hashlib.sha256()
        size = 0
        target = self.blobs / file_id
        with target.open("wb") as out:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        with self._lock:
            name = safe_filename(filename)
            stored = StoredFile(file_id, org, name, purpose, size, self.ids.now(), next(self._seq), digest.hexdigest())
            self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tuple(vars(stored).values()))
            self._db.commit()
        return stored

    def _get(self, org: str, file_id: str) -> StoredFile | None:
        row = self._db.execute("SELECT * FROM files WHERE id = ? AND org = ?", (file_id, org)).fetchone()
        return StoredFile(*row) if row else None

    def get(self, org: str, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._get(org, file_id)

    def open(self, org: str, file_id: str) -> tuple[StoredFile, IO[bytes]] | None:
        """The file and an open handle on its content, or None. Taken under the lock that delete takes: once open,
        the content stays whole to the last byte even if the file is deleted meanwhile (POSIX keeps an unlinked
        file's data until its last handle closes)."""
        with self._lock:
            stored = self._get(org, file_id)
            if stored is None:
                return None
            try:
                return stored, (self.blobs / stored.id).open("rb")
            except FileNotFoundError:
                return None

    def list(
        self, org: str, purpose: str | None, order: str, after: str | None, limit: int
    ) -> tuple[list[StoredFile], bool]:
        query = "SELECT * FROM files WHERE org = ?"
        args: list[Any] = [org]
        if purpose:
            query += " AND purpose = ?"
            args.append(purpose)
        if after:
            anchor = self.get(org, after)
            if anchor is not None:
                query += " AND seq > ?" if order == "asc" else " AND seq < ?"
                args.append(anchor.seq)
        query += f" ORDER BY seq {'ASC' if order == 'asc' else 'DESC'} LIMIT ?"
        args.append(limit + 1)
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [StoredFile(*row) for row in rows[:limit]], len(rows) > limit

    def path(self, stored: StoredFile) -> Path:
        return self.blobs / stored.id

    def delete(self, org: str, file_id: str) -> bool:
        with self._lock:
            stored = self._get(org, file_id)
            if stored is None:
                return False
            self._db.execute("DELETE FROM files WHERE id = ?", (file_id,))
            self._db.commit()
            self.path(stored).unlink(missing_ok=True)
        return True

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    def close(self) -> None:
        self._db.close()
