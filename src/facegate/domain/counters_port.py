"""The counter port behind rate limits and intrusion locks, and the sliding-window arithmetic (M-14.5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Counters(Protocol):
    """Windowed counters and expiring locks, shared by every node that enforces the same limits."""

    def hit(self, key: str, window_s: int, amount: int = 1) -> int:
        """Add ``amount`` and return the count over the last ``window_s`` seconds (sliding estimate)."""
        ...

    def hit_many(self, hits: Sequence[tuple[str, int]]) -> list[int]:
        """``hit(key, window_s)`` for each pair, in order, in one go: one round trip to a shared store."""
        ...

    def get(self, key: str, window_s: int) -> int: ...

    def set_lock(self, key: str, ttl_s: int) -> bool:
        """Lock ``key`` for ``ttl_s`` seconds; False if it was already locked (the first lock stands)."""
        ...

    def is_locked(self, key: str) -> bool: ...

    def clear_lock(self, key: str) -> None: ...


def bucket_of(now_s: float, window_s: int) -> int:
    return int(now_s // window_s)


def sliding_count(current: int, previous: int, now_s: float, window_s: int) -> int:
    """Current fixed window plus the overlapping share of the previous one.

    A plain fixed window lets an attacker spend two windows' allowance around a
    boundary (4 failures before, 4 after); weighting the previous window closes
    that. Rounded up in integer milliseconds, so it errs towards counting more.
    """
    window_ms = window_s * 1000
    elapsed_ms = int(now_s * 1000) % window_ms
    return current + -(-previous * (window_ms - elapsed_ms) // window_ms)
