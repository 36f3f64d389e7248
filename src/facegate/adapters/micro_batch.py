"""Gather concurrent 1:N queries into one kernel call (the int8 scan reads the gallery once per call).

Leader/follower, no timer thread: a query that finds no search running runs at
once in its own thread, so a lone caller waits for nothing. Queries that arrive
while a search runs queue up; when it ends, one of them leads the next call with
everyone queued (up to ``max_batch``). Under concurrent load the leader also
waits ``window_s`` (1 ms) for stragglers, because the previous call was a batch.
Each caller gets its own rows back, cut to its own k; an error reaches every
caller of that call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from facegate.adapters.index_base import Match

SearchMany = Callable[[np.ndarray, int], list[list[Match]]]


@dataclass
class _Request:
    query: np.ndarray
    k: int
    done: threading.Event = field(default_factory=threading.Event)
    result: list[Match] | None = None
    error: BaseException | None = None
    lead: bool = False  # set when this waiting caller must run the next call


class MicroBatcher:
    """Runs ``search_many`` over the queries of concurrent ``search`` callers."""

    def __init__(self, search_many: SearchMany, *, window_s: float = 0.001, max_batch: int = 32) -> None:
        self._search_many = search_many
        self.window_s = window_s
        self.max_batch = max(1, max_batch)
        self._cond = threading.Condition(threading.Lock())
        self._queue: list[_Request] = []
        self._busy = False
        self._last_batch = 1  # size of the previous call: > 1 means callers are concurrent
        self.calls = 0  # kernel calls made (for tests and the benchmark)

    def search(self, query: np.ndarray, k: int) -> list[Match]:
        req = _Request(np.asarray(query, dtype=np.float32).reshape(-1), k)
        with self._cond:
            self._queue.append(req)
            if self._busy:
                self._cond.notify_all()  # a leader waiting out its window may now have a full batch
                while not (req.done.is_set() or req.lead):
                    self._cond.wait()
            else:
                self._busy = True
        if not req.done.is_set():
            self._lead()
        if req.error is not None:
            raise req.error
        assert req.result is not None
        return req.result

    def _lead(self) -> None:
        if self._last_batch > 1 and self.window_s > 0:
            deadline = time.monotonic() + self.window_s
            with self._cond:
                while len(self._queue) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                    self._cond.wait(left)
        with self._cond:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            self._last_batch = len(batch)
            self.calls += 1
        try:
            rows = self._search_many(np.stack([r.query for r in batch]), max(r.k for r in batch))
            for r, found in zip(batch, rows):
                r.result = found[:max(r.k, 0)]
        except BaseException as exc:  # noqa: BLE001 - handed to every caller of this call
            for r in batch:
                r.error = exc
        with self._cond:
            for r in batch:
                r.done.set()
            if self._queue:
                self._queue[0].lead = True  # hand over: the next call runs in a waiting caller's thread
            else:
                self._busy = False
            self._cond.notify_all()
