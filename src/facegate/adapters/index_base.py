"""Shared pieces of the in-memory indexes: input checks and a readers-writer lock.

numpy, onnxruntime and FAISS release the GIL, so concurrent searches really run
side by side; a writer waits for them and holds new readers back meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

Match = tuple[str, float]  # (template id, Euclidean distance)


class RWLock:
    """Many readers or one writer; a waiting writer blocks new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def as_matrix(vectors: np.ndarray, dimension: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(contiguous float32 matrix, squared row norms); rejects NaN and infinity."""
    m = np.ascontiguousarray(vectors, dtype=np.float32)
    if m.ndim == 1:
        m = m.reshape(1, -1)
    if m.shape != (rows, dimension):
        raise ValueError(f"expected vectors of shape ({rows}, {dimension}), got {np.shape(vectors)}")
    norms = np.einsum("ij,ij->i", m, m)
    if not np.isfinite(norms).all():  # a NaN or inf anywhere in a row makes its norm non-finite
        raise ValueError("vectors must be finite")
    return m, norms


def as_batch(ids: Sequence[str], vectors: np.ndarray, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """``as_matrix`` for an add(): one row per id, and no id twice."""
    m, norms = as_matrix(vectors, dimension, len(ids))
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate ids in one add()")
    return m, norms
