"""In-memory 1:N gallery indexes: exact (an int8 scan with a proof) and approximate (FAISS IVF).

One index per deployment and purpose. Vectors are plaintext templates, so an
index lives only in process memory and is rebuilt from sealed storage at start.

``ExactIndex`` keeps a contiguous float32 matrix with the squared norms, and an
int8 copy (``int8_scan``) that a query scans first: the scan returns a small
candidate set that provably holds the k nearest, which are then ranked in
float32. That reads a quarter of the bytes of a float32 product
(||a-b||^2 = ||a||^2 + ||b||^2 - 2 a.b), which is what bounds the speed.
Concurrent single searches are gathered into one scan (``micro_batch``); the
scan kernel is chosen by CPU features at start (``scan_kernels``).
Removal moves the last row into the hole (O(d), no rebuild). ``GalleryIndex``
always holds the exact index (the reference, and the source of exact distances)
and, above ``approximate_above`` templates, an IVF index (``ivf``) to pick
candidates.

Thread safety: any number of concurrent readers, one writer at a time
(``index_base.RWLock``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import numpy as np

from facegate.adapters.index_base import Match, RWLock, as_batch, as_matrix
from facegate.adapters.int8_scan import Int8Codes
from facegate.adapters.ivf import TRAIN_PER_LIST, ApproximateIndex, lists_for, probes_for
from facegate.adapters.micro_batch import MicroBatcher
from facegate.adapters.scan_kernels import KernelPlan

__all__ = ["ApproximateIndex", "ExactIndex", "GalleryIndex", "Match"]

log = logging.getLogger("facegate.index")


class _BuildLog:
    """Logs a background IVF build's progress every tenth (a 10M build takes minutes)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self._next, self._start = total, 0, total / 10, time.monotonic()

    def __call__(self, filed: int) -> None:
        self.done += filed
        if self.done >= self._next or self.done == self.total:
            self._next += self.total / 10
            log.info("IVF build: filed %d of %d templates in %.0f s", self.done, self.total,
                     time.monotonic() - self._start)


class ExactIndex:
    """Exact Euclidean k-NN: an int8 scan for candidates, float32 for the answer."""

    # Queries scored together in one search_many step: bounds the (m, n) score matrix.
    QUERY_CHUNK = 16

    def __init__(self, dimension: int, capacity: int = 1024, threads: int = 0,
                 plan: KernelPlan | None = None, batch_window_s: float = 0.001) -> None:
        self.dimension = dimension
        self._vecs = np.empty((max(capacity, 1), dimension), dtype=np.float32)
        self._norms = np.empty(max(capacity, 1), dtype=np.float32)
        self._codes = Int8Codes(dimension, threads, plan)
        self.plan = self._codes.plan
        self.batcher = MicroBatcher(self.search_many, window_s=batch_window_s, max_batch=self.QUERY_CHUNK)
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
        m, norms = as_batch(ids, vectors, self.dimension)
        with self._lock.write():
            pos = self._pos
            old = [j for j, id_ in enumerate(ids) if id_ in pos]
            if old:  # replacements overwrite their row
                rows = np.array([pos[ids[j]] for j in old])
                self._vecs[rows] = m[old]
                self._norms[rows] = norms[old]
                self._codes.write_rows(rows, m[old], norms[old])
            new = [j for j, id_ in enumerate(ids) if id_ not in pos] if old else range(len(ids))
            start = len(self._ids)
            self._reserve(start + len(new))
            end = start + len(new)
            self._vecs[start:end] = m[new] if old else m
            self._norms[start:end] = norms[new] if old else norms
            self._codes.write(start, self._vecs[start:end], self._norms[start:end])
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
        """The k nearest templates, ascending Euclidean distance (batched with concurrent callers)."""
        q, _ = as_matrix(np.asarray(query).reshape(1, -1), self.dimension, 1)  # bad input fails only its caller
        return self.batcher.search(q[0], k)

    def search_many(self, queries: np.ndarray, k: int) -> list[list[Match]]:
        q, _ = as_matrix(queries, self.dimension, len(queries))
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
                    cands = self._codes.candidates(chunk, self._vecs, self._norms, n, k)
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
        q = as_matrix(query, self.dimension, 1)[0][0]
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


class GalleryIndex:
    """The per-deployment gallery: exact below ``approximate_above`` templates, IVF above.

    Approximate search fetches ``k * oversample`` candidates from the IVF index
    and ranks them by exact distance from the reference matrix, so reported
    distances are always exact and only recall is approximate.

    Crossing ``approximate_above`` starts a background build (train on a sample,
    then add everything); searches stay exact until it is ready, and writes made
    meanwhile are replayed onto it before it is switched in, so nothing enrolled,
    deleted or withdrawn during the build is lost or resurrected.
    """

    def __init__(self, dimension: int = 128, *, approximate_above: int = 1_000_000, oversample: int = 100,
                 probe_factor: float = 12.0, threads: int = 0, plan: KernelPlan | None = None) -> None:
        self.dimension = dimension
        self.approximate_above = approximate_above
        self.oversample = max(1, oversample)
        self.probe_factor = probe_factor  # lists probed = probe_factor * sqrt(lists)
        self._threads = threads
        self.exact = ExactIndex(dimension, threads=threads, plan=plan)
        self.approximate: ApproximateIndex | None = None
        self.build_error: BaseException | None = None
        self._pending: list[tuple[str, list[str], np.ndarray | None]] | None = None  # writes during a build
        self._builder: threading.Thread | None = None
        self._write = threading.Lock()  # one writer keeps the structures in step

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        with self._write:
            self.exact.add(ids, vectors)
            if self.approximate is not None:
                self.approximate.add(ids, vectors)
            elif self._pending is not None:
                self._pending.append(("add", list(ids), np.array(vectors, dtype=np.float32)))
            elif len(self.exact) > self.approximate_above and self.build_error is None:
                self._start_build()

    def remove(self, ids: Sequence[str]) -> int:
        with self._write:
            if self.approximate is not None:
                self.approximate.remove(ids)
            elif self._pending is not None:
                self._pending.append(("remove", list(ids), None))
            return self.exact.remove(ids)

    def _start_build(self) -> None:
        self._pending = []
        ids, matrix = self.exact.vectors()
        self._builder = threading.Thread(target=self._build, args=(ids, matrix), daemon=True,
                                         name="facegate-ivf-build")
        self._builder.start()

    def _build(self, ids: list[str], matrix: np.ndarray) -> None:
        try:
            nlist = lists_for(len(ids))
            ann = ApproximateIndex(self.dimension, nlist=nlist, threads=self._threads,
                                   nprobe=probes_for(nlist, self.probe_factor))
            log.info("IVF build: training %d lists on up to %d of %d templates", nlist,
                     TRAIN_PER_LIST * nlist, len(ids))
            ann.train(matrix)
            ann.add(ids, matrix, progress=_BuildLog(len(ids)))
            del matrix
            while True:  # replay writes made during the build; the last (short) round under the lock
                with self._write:
                    ops, self._pending = self._pending or [], []
                    if not ops:
                        self.approximate, self._pending = ann, None
                        return
                for op, op_ids, vectors in ops:
                    if op == "add":
                        assert vectors is not None  # an add always carries its vectors
                        ann.add(op_ids, vectors)
                    else:
                        ann.remove(op_ids)
        except BaseException as exc:  # noqa: BLE001 - exact search keeps serving; the error is kept for status
            with self._write:
                self.build_error, self._pending = exc, None

    def wait_until_built(self, timeout: float | None = None) -> bool:
        """Block until a running background build has finished; True if an IVF index is in use."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
        return self.approximate is not None

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
