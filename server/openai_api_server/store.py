"""What the server keeps in its data dir, so that a server restarted on the same dir has it all: files on disk (named
by id, never by the client's filename) with their metadata, fine-tune jobs with their events, and the fine-tuned
models deleted, in SQLite (``meta.sqlite3``).

Nothing is lost or mixed up: an id is never handed out twice, not even across restarts
(:meth:`FileStore._fresh_id`), and a file's content is on disk under its id only once its record is stored
(:meth:`FileStore.add`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from openai_api_server._ids import Ids
from openai_api_server._spec import plausible_id

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_DRAWS = 1000  # a fresh id is found at the first or second draw; this many misses means the ids are broken
JSON = dict[str, Any]


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


@dataclass
class StoredJob:
    """A fine-tune job as the API shows it (``job``, its events included), its organization, and the wall-clock time
    it was created at (its progress is measured from it, so it goes on across restarts)."""

    org: str
    started: float
    job: JSON


class FileStore:
    def __init__(self, root: Path, ids: Ids | None = None) -> None:
        self.root = root
        self.ids = ids or Ids()
        self.blobs = root / "files"
        self.blobs.mkdir(parents=True, exist_ok=True)
        # Content being stored is written here first, and only linked into files/ once its record is in the database.
        self.incoming = root / "incoming"
        self.incoming.mkdir(exist_ok=True)
        for leftover in self.incoming.iterdir():  # a server killed mid-upload: content no record points to
            leftover.unlink(missing_ok=True)
        self._db = sqlite3.connect(root / "meta.sqlite3", check_same_thread=False)
        self._db.executescript(
            "CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, org TEXT, filename TEXT, purpose TEXT,"
            " bytes INTEGER, created_at INTEGER, seq INTEGER, sha256 TEXT);"
            # Every id handed out for a stored object, deleted ones too: an id is never given twice.
            "CREATE TABLE IF NOT EXISTS issued_ids (id TEXT PRIMARY KEY);"
            "INSERT OR IGNORE INTO issued_ids SELECT id FROM files;"  # a data dir from before this table
            "CREATE TABLE IF NOT EXISTS fine_tunes (id TEXT PRIMARY KEY, org TEXT, seq INTEGER, started REAL,"
            " latest INTEGER, job TEXT);"
            "CREATE TABLE IF NOT EXISTS deleted_models (id TEXT PRIMARY KEY);"
        )
        self._db.commit()
        # A data dir kept from an earlier run keeps its order: new files list after the old ones.
        start = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM files").fetchone()[0]
        self._lock = threading.Lock()
        self._seq = itertools.count(int(start) + 1)
        # ... and its clock: a seeded server's timestamps go on after the newest one kept, never back to the start.
        latest = self._db.execute(
            "SELECT MAX(COALESCE((SELECT MAX(created_at) FROM files), 0), COALESCE((SELECT MAX(latest) FROM"
            " fine_tunes), 0))"
        ).fetchone()[0]
        self.ids.resume_after(int(latest))
        self.jobs = JobStore(self)

    def _fresh_id(self, prefix: str) -> str:
        """A new id that no stored object has ever had (its lock held; recorded in ``issued_ids``, to be committed
        with the object's record, or rolled back with it).

        The ids of a seeded server come from a PRNG that starts over at each run, so a server restarted with the same
        seed on a kept data dir draws, in the same order, the ids it gave before. Rather than mix the stored count
        into the seed (which still repeats once files are deleted: the count goes down again), every id a data dir
        ever gave is kept, and a draw that hits one, or a name already in files/, is skipped: a fresh data dir gets
        exactly the ids it always got from a seed, and a kept one gets ids it never had, still the same on every
        run from the same dir and seed."""
        for _ in range(_MAX_DRAWS):
            candidate = self.ids.new(prefix)
            taken = self._db.execute("SELECT 1 FROM issued_ids WHERE id = ?", (candidate,)).fetchone()
            if taken is None and not (self.blobs / candidate).exists():
                self._db.execute("INSERT INTO issued_ids VALUES (?)", (candidate,))
                return candidate
        raise RuntimeError(f"no fresh {prefix!r} id in {_MAX_DRAWS} draws")

    def _insert(self, stored: StoredFile) -> None:
        self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tuple(vars(stored).values()))

    def add(self, org: str, filename: str, purpose: str, source: IO[bytes]) -> StoredFile:
        """Stores ``source`` as a new file. Its content goes to a temporary name; then, under the lock, the record is
        inserted and the content linked to its id (a link never replaces a file that exists), and the record is
        committed. Whatever fails, nothing is left behind: no record without content, no content without a record,
        and never another file's content overwritten."""
        handle, temporary = tempfile.mkstemp(dir=self.incoming, prefix="upload-")
        incoming = Path(temporary)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            with self._lock:
                try:
                    file_id = self._fresh_id("file-")
                    name = safe_filename(filename)
                    created = self.ids.now()
                    stored = StoredFile(file_id, org, name, purpose, size, created, next(self._seq), digest.hexdigest())
                    self._insert(stored)
                    _link(incoming, self.blobs / file_id)
                except BaseException:
                    self._db.rollback()
                    raise
                try:
                    self._db.commit()
                except BaseException:
                    (self.blobs / file_id).unlink(missing_ok=True)
                    self._db.rollback()
                    raise
        finally:
            incoming.unlink(missing_ok=True)
        return stored

    def find(self, org: str, filename: str, purpose: str, sha256: str) -> StoredFile | None:
        """A stored file with this name, purpose and content, if any (a preloaded file is stored once per data dir)."""
        query = "SELECT * FROM files WHERE org = ? AND filename = ? AND purpose = ? AND sha256 = ? ORDER BY seq"
        with self._lock:
            row = self._db.execute(query, (org, safe_filename(filename), purpose, sha256)).fetchone()
        return StoredFile(*row) if row else None

    def _get(self, org: str, file_id: str) -> StoredFile | None:
        if not plausible_id(file_id):  # no id looks like that (and SQLite cannot take every str, lone surrogates)
            return None
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


class JobStore:
    """Fine-tune jobs, with their events, and deleted fine-tuned models, in the file store's database."""

    def __init__(self, files: FileStore) -> None:
        self._files = files
        self._db = files._db
        self._lock = files._lock

    def new_id(self) -> str:
        """A job id no stored object ever had, reserved at once (a job that then fails to be saved burns its id)."""
        with self._lock:
            try:
                job_id = self._files._fresh_id("ft-")
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
        return job_id

    def save(self, org: str, started: float, job: JSON) -> None:
        """Stores a job as it is now (a new one lists after the others); it is written on every change of state."""
        latest = max([int(job["updated_at"]), *(int(event["created_at"]) for event in job["events"])])
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO fine_tunes VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM fine_tunes), ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET latest = excluded.latest, job = excluded.job",
                    (job["id"], org, started, latest, json.dumps(job)),
                )
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise

    def all(self) -> list[StoredJob]:
        """Every job, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT org, started, job FROM fine_tunes ORDER BY seq").fetchall()
        return [StoredJob(org, float(started), json.loads(job)) for org, started, job in rows]

    def delete_model(self, model: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO deleted_models VALUES (?)", (model,))
            self._db.commit()

    def deleted_models(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM deleted_models")}


def _link(source: Path, target: Path) -> None:
    """``target`` becomes ``source``'s content; raises ``FileExistsError`` rather than replace a file that exists."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: rename, which the lock and the check before make safe
        if target.exists():
            raise FileExistsError(target) from None
        os.replace(source, target)
