"""Checked API keys held for a moment, so a request authenticates without a database read (issue 14).

Revocation must still take effect at once (M-14.4). How each case is covered:

- in this process (the API, the console, the kiosk pairing): every change of a key goes
  through services.access, which drops the key here before it returns;
- on other nodes sharing the store: the change is rung over the change feed (Redis), and
  each node drops the key when the message arrives (milliseconds);
- whatever is missed (no Redis, a CLI in another process on the same SQLite file, a lost
  message): an entry is used for at most ``ttl_s`` seconds (default 1) before the key is
  read again, so that is the longest a revoked key can be used anywhere.

A generation counter stops a read that started before a revocation from putting the old
row back after the revocation dropped it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from facegate.domain.access import ApiKey


class KeyCache:
    """Key rows by key id, each for at most ``ttl_s`` seconds; ``ttl_s == 0`` turns the cache off."""

    def __init__(self, ttl_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._keys: dict[str, tuple[float, ApiKey]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._listeners: list[Callable[[str | None], None]] = []

    def __repr__(self) -> str:
        return f"KeyCache(ttl_s={self.ttl_s}, held={len(self._keys)})"

    def generation(self) -> int:
        """Take before reading a key from the store; hand it to ``put``."""
        return self._generation

    def get(self, key_id: str) -> ApiKey | None:
        entry = self._keys.get(key_id)
        if entry is None or self._clock() - entry[0] >= self.ttl_s:
            return None
        return entry[1]

    def put(self, key: ApiKey, generation: int) -> None:
        """Hold ``key`` unless a key changed since ``generation`` was taken (the row may be stale)."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if generation == self._generation:
                self._keys[key.key_id] = (self._clock(), key)

    def drop(self, key_id: str | None = None, *, ring: bool = True) -> None:
        """Forget one key (None: all); ``ring`` tells the other nodes too (not when the ring came from them)."""
        with self._lock:
            self._generation += 1
            if key_id is None:
                self._keys.clear()
            else:
                self._keys.pop(key_id, None)
        if ring:
            for listener in self._listeners:
                listener(key_id)

    def on_drop(self, listener: Callable[[str | None], None]) -> None:
        """Call ``listener(key_id)`` after each local drop (bootstrap: publish it on the change feed)."""
        self._listeners.append(listener)
