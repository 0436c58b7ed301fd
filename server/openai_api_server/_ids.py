"""Object ids and timestamps: random and real by default, the same on every run from a seed."""

from __future__ import annotations

import random
import string
import threading
import time

_ALPHABET = string.ascii_letters + string.digits
SEEDED_EPOCH = 1_700_000_000  # 2023-11-14: the clock of a seeded server starts here and ticks once per read


class Ids:
    def __init__(self, seed: int | None = None) -> None:
        self.seeded = seed is not None
        self._random: random.Random = random.Random(seed) if seed is not None else random.SystemRandom()
        self._tick = 0
        self._lock = threading.Lock()  # uploads make ids in worker threads

    def new(self, prefix: str, length: int = 24) -> str:
        with self._lock:
            return prefix + "".join(self._random.choice(_ALPHABET) for _ in range(length))

    def now(self) -> int:
        if not self.seeded:
            return int(time.time())
        with self._lock:
            self._tick += 1
            return SEEDED_EPOCH + self._tick

    def resume_after(self, latest: int) -> None:
        """A seeded clock goes on after ``latest`` (the newest timestamp a kept data dir holds), so that time never
        runs backwards across a restart; from a fresh data dir (``latest`` 0) it starts at the epoch as always."""
        if self.seeded:
            with self._lock:
                self._tick = max(self._tick, latest - SEEDED_EPOCH)
