"""Counter backends for rate limits and locks: in-process memory, or Redis shared by several nodes (M-14.5)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from facegate.domain.counters_port import bucket_of, sliding_count
from facegate.errors import Unavailable

P = ParamSpec("P")
R = TypeVar("R")

FloatClock = Callable[[], float]

# Atomic: the increment and its expiry land together, so a crash cannot leave an immortal counter.
_HIT = """
local c = redis.call('INCRBY', KEYS[1], ARGV[1])
if c == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local p = redis.call('GET', KEYS[2])
return {c, tonumber(p) or 0}
"""


class MemoryCounters:
    """Thread-safe, in-process counters for one node, tests and the embedded default."""

    def __init__(self, clock: FloatClock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int, int], int] = {}
        self._locks: dict[str, float] = {}
        self._hits = 0

    def __repr__(self) -> str:
        return f"MemoryCounters(counters={len(self._counts)}, locks={len(self._locks)})"

    def _read(self, key: str, window_s: int, now: float) -> int:
        b = bucket_of(now, window_s)
        cur = self._counts.get((key, window_s, b), 0)
        prev = self._counts.get((key, window_s, b - 1), 0)
        return sliding_count(cur, prev, now, window_s)

    def hit(self, key: str, window_s: int, amount: int = 1) -> int:
        with self._lock:
            now = self._clock()
            slot = (key, window_s, bucket_of(now, window_s))
            self._counts[slot] = self._counts.get(slot, 0) + amount
            self._hits += 1
            if self._hits % 1024 == 0:
                self._prune(now)
            return self._read(key, window_s, now)

    def hit_many(self, hits: Sequence[tuple[str, int]]) -> list[int]:
        return [self.hit(key, window_s) for key, window_s in hits]

    def get(self, key: str, window_s: int) -> int:
        with self._lock:
            return self._read(key, window_s, self._clock())

    def set_lock(self, key: str, ttl_s: int) -> bool:
        with self._lock:
            now = self._clock()
            if self._locks.get(key, 0.0) > now:
                return False
            self._locks[key] = now + ttl_s
            return True

    def is_locked(self, key: str) -> bool:
        with self._lock:
            return self._locks.get(key, 0.0) > self._clock()

    def clear_lock(self, key: str) -> None:
        with self._lock:
            self._locks.pop(key, None)

    def _prune(self, now: float) -> None:
        # Keep memory bounded: a window older than the previous one never counts again.
        self._counts = {s: c for s, c in self._counts.items() if s[2] >= bucket_of(now, s[1]) - 1}
        self._locks = {k: t for k, t in self._locks.items() if t > now}


def _fail_closed(fn: Callable[P, R]) -> Callable[P, R]:
    """Redis down: refuse with 503 rather than let guesses go uncounted (M-14.5), and never a 500."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import redis  # loaded by RedisCounters already; imported here so one-node starts never load it

        try:
            return fn(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise Unavailable(
                "dependency_unavailable",
                "A service this node depends on (the shared counter store) is unavailable; try again shortly.",
                "本节点依赖的服务（共享计数存储）暂不可用，请稍后重试。",
                article_id="M-14.5", detail={"dependency": "redis", "retry_after_s": 5},
            ) from exc
    return wrapper


class RedisCounters:
    """Counters in Redis, so every node behind a load balancer enforces one limit."""

    def __init__(self, url: str, *, prefix: str = "facegate:", clock: FloatClock = time.time,
                 timeout_s: float = 2) -> None:
        import redis

        # Short timeouts: a hung Redis must turn into a quick 503, not a request that never ends.
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        self._prefix = prefix
        self._clock = clock
        self._hit = self._redis.register_script(_HIT)

    def __repr__(self) -> str:  # the URL may carry a password
        return f"RedisCounters(prefix={self._prefix!r})"

    def _keys(self, key: str, window_s: int, now: float) -> tuple[str, str]:
        b = bucket_of(now, window_s)
        base = f"{self._prefix}c:{key}:{window_s}:"
        return base + str(b), base + str(b - 1)

    @_fail_closed
    def hit(self, key: str, window_s: int, amount: int = 1) -> int:
        now = self._clock()
        cur_key, prev_key = self._keys(key, window_s, now)
        cur, prev = self._hit(keys=[cur_key, prev_key], args=[amount, 2 * window_s + 1])
        return sliding_count(int(cur), int(prev), now, window_s)

    @_fail_closed
    def hit_many(self, hits: Sequence[tuple[str, int]]) -> list[int]:
        """One pipeline for a request's limits (per client, key and subject): one round trip, not three."""
        from redis.exceptions import NoScriptError

        now = self._clock()
        for attempt in (1, 2):
            pipe = self._redis.pipeline(transaction=False)
            for key, window_s in hits:
                pipe.evalsha(self._hit.sha, 2, *self._keys(key, window_s, now), 1, 2 * window_s + 1)
            try:
                replies = pipe.execute()
                break
            except NoScriptError:  # Redis restarted or its scripts were flushed: load the script, send again
                if attempt == 2:
                    raise
                self._redis.script_load(_HIT)
        return [sliding_count(int(cur), int(prev), now, window_s) for (cur, prev), (_, window_s) in zip(replies, hits)]

    @_fail_closed
    def get(self, key: str, window_s: int) -> int:
        now = self._clock()
        cur, prev = self._redis.mget(self._keys(key, window_s, now))
        return sliding_count(int(cur or 0), int(prev or 0), now, window_s)

    @_fail_closed
    def set_lock(self, key: str, ttl_s: int) -> bool:
        return bool(self._redis.set(f"{self._prefix}lock:{key}", b"1", nx=True, ex=ttl_s))

    @_fail_closed
    def is_locked(self, key: str) -> bool:
        return bool(self._redis.exists(f"{self._prefix}lock:{key}"))

    @_fail_closed
    def clear_lock(self, key: str) -> None:
        self._redis.delete(f"{self._prefix}lock:{key}")

    def close(self) -> None:
        self._redis.close()
