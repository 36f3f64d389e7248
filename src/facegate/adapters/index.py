"""In-memory 1:N gallery indexes: exact (an int8 scan with a proof) and approximate (usearch HNSW).

One index per deployment and purpose. Vectors are plaintext templates, so an
index lives only in process memory and is rebuilt from sealed storage at start.

``ExactIndex`` keeps a contiguous float32 matrix with the squared norms, and an
int8 copy (``int8_scan``) that a query scans first: the scan returns a small
candidate set that provably holds the k nearest, which are then ranked in
float32. That reads a quarter of the bytes of a float32 product
(||a-b||^2 = ||a||^2 + ||b||^2 - 2 a.b), which is what bounds the speed.
Removal moves the last row into the hole (O(d), no rebuild). ``GalleryIndex``
always holds the exact index (the reference, and the source of exact distances)
and, above ``approximate_above`` templates, an HNSW graph to pick candidates.

Thread safety: any number of concurrent readers, one writer at a time
(a writer-preferring readers-writer lock; numpy and usearch release the GIL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from facegate.adapters.int8_scan import Int8Codes

Match = tuple[str, float]


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


def _as_matrix(vectors: np.ndarray, dimension: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
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


class ExactIndex:
    """Exact Euclidean k-NN: an int8 scan for candidates, float32 for the answer."""

    # Queries scored together in one search_many step: bounds the (m, n) score matrix.
    QUERY_CHUNK = 16

    def __init__(self, dimension: int, capacity: int = 1024, threads: int = 0) -> None:
        self.dimension = dimension
        self._vecs = np.empty((max(capacity, 1), dimension), dtype=np.float32)
        self._norms = np.empty(max(capacity, 1), dtype=np.float32)
        self._codes = Int8Codes(dimension, threads)
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._lock = RWLock()

    # --- writes -------------------------------------------------------------------

    def _reserve(self, n: int) -> None:
        if n <= len(self._vecs):
            return
        cap = max(n, 2 * len(self._vecs))
        vecs = np.empty((cap, self.dimension), dtype=np.float32)
        norms = np.empty(cap, dtype=np.float32)
        size = len(self._ids)
        vecs[:size] = self._vecs[:size]
        norms[:size] = self._norms[:size]
        self._vecs, self._norms = vecs, norms

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Insert or replace (same id) templates."""
        m, norms = _as_matrix(vectors, self.dimension, len(ids))
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in one add()")
        with self._lock.write():
            pos = self._pos
            old = [j for j, id_ in enumerate(ids) if id_ in pos]
            if old:  # replacements overwrite their row
                rows = np.array([pos[ids[j]] for j in old])
                self._vecs[rows] = m[old]
                self._norms[rows] = norms[old]
                self._codes.write_rows(rows, m[old])
            new = [j for j, id_ in enumerate(ids) if id_ not in pos] if old else range(len(ids))
            start = len(self._ids)
            self._reserve(start + len(new))
            end = start + len(new)
            self._vecs[start:end] = m[new] if old else m
            self._norms[start:end] = norms[new] if old else norms
            self._codes.write(start, self._vecs[start:end])
            new_ids = [ids[j] for j in new]
            self._ids.extend(new_ids)
            pos.update(zip(new_ids, range(start, end)))

    def remove(self, ids: Sequence[str]) -> int:
        """Drop templates by id (unknown ids are ignored); returns how many were removed."""
        removed = 0
        with self._lock.write():
            for id_ in ids:
                row = self._pos.pop(id_, None)
                if row is None:
                    continue
                last = len(self._ids) - 1
                if row != last:  # swap-with-last keeps the matrix dense without a rebuild
                    moved = self._ids[last]
                    self._vecs[row] = self._vecs[last]
                    self._norms[row] = self._norms[last]
                    self._codes.move(last, row)
                    self._ids[row] = moved
                    self._pos[moved] = row
                self._ids.pop()
                removed += 1
        return removed

    # --- reads --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._pos

    def search(self, query: np.ndarray, k: int) -> list[Match]:
        """The k nearest templates, ascending Euclidean distance."""
        return self.search_many(np.asarray(query).reshape(1, -1), k)[0]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[Match]]:
        q, _ = _as_matrix(queries, self.dimension, len(queries))
        with self._lock.read():
            n = len(self._ids)
            if n == 0 or k <= 0:
                return [[] for _ in range(len(q))]
            k = min(k, n)
            out: list[list[Match]] = []
            for s in range(0, len(q), self.QUERY_CHUNK):
                chunk = q[s:s + self.QUERY_CHUNK]
                if k == n:
                    cands = [np.arange(n)] * len(chunk)
                else:
                    cands = self._codes.candidates(chunk, self._norms, n, k)
                out.extend(self._exact_rank(qq, rows)[:k] for qq, rows in zip(chunk, cands))
            return out

    def _exact_rank(self, q: np.ndarray, rows: np.ndarray) -> list[Match]:
        # Recompute the few winners directly: the expanded form loses precision
        # when two faces are nearly identical.
        diff = self._vecs[rows] - q
        dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        order = np.argsort(dist, kind="stable")
        return [(self._ids[rows[i]], float(dist[i])) for i in order]

    def distances_for(self, query: np.ndarray, ids: Sequence[str]) -> list[Match]:
        """Exact distances from ``query`` to the given ids that are present, ascending."""
        q = _as_matrix(query, self.dimension, 1)[0][0]
        with self._lock.read():
            rows = np.array([self._pos[i] for i in ids if i in self._pos], dtype=np.int64)
            return self._exact_rank(q, rows) if len(rows) else []

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """A copy of (ids, matrix), e.g. to build an approximate index."""
        with self._lock.read():
            n = len(self._ids)
            return list(self._ids), self._vecs[:n].copy()

    @property
    def nbytes(self) -> int:
        """Bytes of the numeric state in use (vectors, norms, int8 codes), not counting ids."""
        return len(self._ids) * ((self.dimension + 1) * 4 + self._codes.bytes_per_row())


class ApproximateIndex:
    """usearch HNSW over the same vectors; squared-L2 metric, string ids mapped to integer keys."""

    def __init__(self, dimension: int, *, connectivity: int = 16, expansion_add: int = 128,
                 expansion_search: int = 64, dtype: str = "f32", threads: int = 0) -> None:
        from usearch.index import Index

        self.dimension = dimension
        self._index = Index(ndim=dimension, metric="l2sq", dtype=dtype, connectivity=connectivity,
                            expansion_add=expansion_add, expansion_search=expansion_search)
        self._threads = threads
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._next_key = 0
        self._lock = RWLock()

    @property
    def expansion_search(self) -> int:
        return int(self._index.expansion_search)

    @expansion_search.setter
    def expansion_search(self, value: int) -> None:
        with self._lock.write():
            self._index.expansion_search = value

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        m, _ = _as_matrix(vectors, self.dimension, len(ids))
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in one add()")
        with self._lock.write():
            self._remove_locked([i for i in ids if i in self._key_of])
            keys = np.arange(self._next_key, self._next_key + len(ids), dtype=np.uint64)
            self._next_key += len(ids)
            if len(ids):
                self._index.add(keys, m, threads=self._threads)
            for id_, key in zip(ids, keys.tolist()):
                self._key_of[id_] = key
                self._id_of[key] = id_

    def _remove_locked(self, ids: Sequence[str]) -> int:
        keys = [self._key_of.pop(i) for i in ids if i in self._key_of]
        for key in keys:
            del self._id_of[key]
        if keys:
            self._index.remove(np.array(keys, dtype=np.uint64))
        return len(keys)

    def remove(self, ids: Sequence[str]) -> int:
        with self._lock.write():
            return self._remove_locked(ids)

    def __len__(self) -> int:
        return len(self._key_of)

    def search(self, query: np.ndarray, k: int) -> list[Match]:
        return self.search_many(np.asarray(query).reshape(1, -1), k)[0]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[Match]]:
        q, _ = _as_matrix(queries, self.dimension, len(queries))
        with self._lock.read():
            if not self._key_of or k <= 0:
                return [[] for _ in range(len(q))]
            res = self._index.search(q, min(k, len(self._key_of)), threads=self._threads)
            keys, dists = np.asarray(res.keys), np.asarray(res.distances)
            if keys.ndim == 1:  # a single query comes back as Matches, not BatchMatches
                keys, dists, counts = keys[None], dists[None], np.array([keys.size])
            else:
                counts = np.asarray(res.counts)
            id_of = self._id_of
            return [[(id_of[int(key)], float(np.sqrt(max(float(d), 0.0))))
                     for key, d in zip(keys[row][:counts[row]], dists[row][:counts[row]])]
                    for row in range(len(q))]

    @property
    def nbytes(self) -> int:
        return int(self._index.memory_usage)


class GalleryIndex:
    """The per-deployment gallery: exact below ``approximate_above`` templates, HNSW above.

    Approximate search fetches ``k * oversample`` candidates from the graph and
    ranks them by exact distance from the reference matrix, so reported
    distances are always exact and only recall is approximate.
    """

    # Graph settings measured in bench/bench_index.py: M=16 never reached recall@5 0.99 on
    # face-like data at 1M; M=32 with ef 256 did at 200k.
    def __init__(self, dimension: int = 128, *, approximate_above: int = 1_000_000, oversample: int = 4,
                 connectivity: int = 32, expansion_add: int = 256, expansion_search: int = 256,
                 threads: int = 0) -> None:
        self.dimension = dimension
        self.approximate_above = approximate_above
        self.oversample = max(1, oversample)
        self._hnsw_args = {"connectivity": connectivity, "expansion_add": expansion_add,
                           "expansion_search": expansion_search, "threads": threads}
        self.exact = ExactIndex(dimension)
        self.approximate: ApproximateIndex | None = None
        self._write = threading.Lock()  # one writer keeps the two structures in step

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        with self._write:
            self.exact.add(ids, vectors)
            if self.approximate is not None:
                self.approximate.add(ids, vectors)
            elif len(self.exact) > self.approximate_above:
                ann = ApproximateIndex(self.dimension, **self._hnsw_args)  # type: ignore[arg-type]
                all_ids, matrix = self.exact.vectors()
                ann.add(all_ids, matrix)
                self.approximate = ann

    def remove(self, ids: Sequence[str]) -> int:
        with self._write:
            if self.approximate is not None:
                self.approximate.remove(ids)
            return self.exact.remove(ids)

    def __len__(self) -> int:
        return len(self.exact)

    def __contains__(self, id_: object) -> bool:
        return id_ in self.exact

    @property
    def is_approximate(self) -> bool:
        return self.approximate is not None

    def search(self, query: np.ndarray, k: int) -> list[Match]:
        ann = self.approximate
        if ann is None:
            return self.exact.search(query, k)
        candidates = ann.search(query, k * self.oversample)
        return self.exact.distances_for(query, [c[0] for c in candidates])[:k]

    @property
    def nbytes(self) -> int:
        return self.exact.nbytes + (self.approximate.nbytes if self.approximate is not None else 0)
