"""The approximate 1:N index for large galleries: FAISS IVF with 4-bit PQ "fast scan" lists.

Why IVF and not a graph (HNSW): decrypted templates never touch disk, so every
node rebuilds its index from sealed storage at each start. On this 2-core
machine an HNSW graph good enough for recall@5 0.99 builds at about 1,100
vectors/s (10M: hours); IVF trains centroids on a sample and then only files
each vector under its nearest centroid.

Why PQ fast scan and not 8-bit scalar codes (the first version): at 10M the
SQ8 lists needed 1,024 of 16,384 lists probed for recall@5 0.99 and that scan
alone took 16 ms. 4-bit PQ codes (64 sub-quantisers, 32 bytes a vector) are
scored from SIMD-register lookup tables, several times faster per code; their
distances are rough, so the index returns ``k * oversample`` candidates
(hundreds) and ``GalleryIndex`` re-ranks them by exact float32 distance, which
recovers the recall the probed lists hold.

Two things keep the build in minutes at 10M (flat k-means with 16,384
centroids and exhaustive assignment took over 25 minutes here):

- centroids come from two-level k-means: sqrt(nlist) coarse clusters, then
  each split in proportion to its size (seconds instead of many minutes);
- filing a vector asks a two-level index over the centroids for its one
  nearest list: sqrt(nlist) groups of centroids, the nearest ``ASSIGN_PROBE``
  groups searched (about 1,200 distances at 16,384 lists, not 16,384). Measured
  at 16,384 lists, one thread, CPU time: 15 us a vector against 50 for the HNSW
  graph over the centroids (efSearch 48) used before, and the exact nearest list
  as often (84% vs 83%; a near miss files a vector in a neighbouring list).

Finding the lists to *probe* is the other way round: a query needs hundreds
of lists, and a graph searched that wide costs more than scanning all the
centroids (16,384 x 128 floats, a fraction of a millisecond) and is only
approximately right, so searches rank the centroids exhaustively (the graph's
own flat storage: no second copy).

Where recall is lost: on the clustered face-like bench data (bench/face_like.py)
a query's true top 5 lie in lists ranked far down its probe order, while the
PQ ranking loses almost nothing once ``k * oversample`` candidates are re-ranked
exactly (1M, 4,096 lists: every true neighbour's list within the first 1,024;
recall after re-ranking equal to that list coverage from 50 candidates per result).
So the default probe count comes from a measured coverage curve (``probes_for``).

String template ids map to int64 keys. Fast-scan lists have no hash-table direct
map, so removal scans the lists (tens of ms at 10M, under the write lock).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from facegate.adapters.index_base import Match, RWLock, as_batch, as_matrix

TRAIN_PER_LIST = 40  # k-means sample size per list; FAISS warns below 39
ADD_CHUNK = 1 << 18  # vectors filed per step: bounds temporaries, and paces progress reports
PQ_SUBQUANTIZERS = 64  # 2 dimensions per 4-bit sub-quantiser: 32 bytes a vector
ASSIGN_PROBE = 8  # groups of centroids searched when filing a vector (its one nearest list)
PQ_TRAIN_MAX = 65_536  # PQ codebooks (16 centroids each) need far fewer samples than the lists


def lists_for(n: int) -> int:
    """Number of inverted lists for n vectors: about 4 sqrt(n), a power of two in [64, 65536]."""
    return int(min(65536, max(64, 2 ** round(math.log2(4 * math.sqrt(max(n, 1)))))))


def probes_for(nlist: int, factor: float = 12.0) -> int:
    """Lists to probe per query: factor * sqrt(nlist), from a measured coverage curve.

    Clustered face-like data (bench/face_like.py), lists ranked by exact centroid
    distance: the share of the true top 5 lying in the first p lists was 0.994 /
    0.997 / 1.000 at 10 / 12 / 16 sqrt(nlist) for 1M in 4,096 lists, and 0.998 /
    0.998 / 0.999 for 10M in 16,384 (issue 14). Re-ranking 500 candidates keeps
    almost all of it: recall@5 0.997 at 1M and 0.995 at 10M with 12 sqrt(nlist),
    which gives the smaller galleries the margin 10 lacks (0.994 at 1M). Probing
    costs CPU in proportion (10M, one thread: 5.0 ms a query at 1,280 lists, 5.5 at 1,536).
    """
    return int(min(nlist, max(1, math.ceil(factor * math.sqrt(nlist)))))


class ApproximateIndex:
    """IVF-PQ4 fast scan over the gallery; must be ``train``-ed on a sample before the first ``add``."""

    def __init__(self, dimension: int, *, nlist: int, nprobe: int = 0, threads: int = 0,
                 index: Any = None) -> None:
        import faiss

        self.dimension = dimension
        self.nlist = nlist
        self._faiss = faiss
        self._threads = threads or min(os.cpu_count() or 1, 8)
        faiss.omp_set_num_threads(self._threads)
        # kept alive here: the IVF index borrows whichever of the two it is given
        self._centroids = faiss.IndexFlatL2(dimension)  # ranked exhaustively for a search
        self._assigner: Any = None  # two-level index over the same centroids, for filing (``_index_centroids``)
        if index is None:
            subq = PQ_SUBQUANTIZERS if dimension % PQ_SUBQUANTIZERS == 0 else dimension  # one per dimension else
            index = faiss.IndexIVFPQFastScan(self._centroids, dimension, nlist, subq, 4)
        else:  # a saved index (``read``): its quantiser holds the centroids
            saved: Any = faiss.downcast_index(index.quantizer)
            self._index_centroids(saved.reconstruct_n(0, nlist))
            saved.this.acquire()  # freed with this Python object, not by the index it is swapped out of
            index.own_fields = False
            index.quantizer = self._centroids
        self._index = index
        self.nprobe = nprobe or probes_for(nlist)
        self._key_of: dict[str, int] = {}
        self._id_of: list[str | None] = []  # by key; None once removed
        self._lock = RWLock()

    def _index_centroids(self, centroids: np.ndarray) -> None:
        faiss, d = self._faiss, self.dimension
        self._centroids.add(centroids)
        groups = max(1, round(math.sqrt(self.nlist)))
        kmeans = faiss.Kmeans(d, groups, niter=20, seed=0, min_points_per_centroid=1,
                              max_points_per_centroid=1 << 30)
        kmeans.train(centroids)
        self._coarse = faiss.IndexFlatL2(d)  # kept alive: the assigner borrows it
        self._coarse.add(kmeans.centroids)
        self._assigner = faiss.IndexIVFFlat(self._coarse, d, groups)
        self._assigner.add(centroids)  # ids 0..nlist-1: a hit's id is its list number
        self._assigner.nprobe = min(groups, ASSIGN_PROBE)

    @property
    def nprobe(self) -> int:
        return int(self._index.nprobe)

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._index.nprobe = max(1, min(int(value), self.nlist))

    @property
    def is_trained(self) -> bool:
        return bool(self._index.is_trained)

    def train(self, vectors: np.ndarray, seed: int = 0) -> None:
        """Fit the centroids and the PQ codebooks on (a sample of) the gallery."""
        m, _ = as_matrix(vectors, self.dimension, len(vectors))
        want = TRAIN_PER_LIST * self.nlist
        if len(m) > want:
            m = m[np.sort(np.random.default_rng(seed).choice(len(m), want, replace=False))]
        if len(m) < self.nlist:
            raise ValueError(f"training needs at least {self.nlist} vectors, got {len(m)}")
        centroids = two_level_centroids(self._faiss, m, self.nlist, seed)
        with self._lock.write():
            self._index_centroids(centroids)
            # the quantizer is full, so this trains only the PQ codebooks
            self._index.train(m[:PQ_TRAIN_MAX])

    def add(self, ids: Sequence[str], vectors: np.ndarray,
            progress: Callable[[int], None] | None = None) -> None:
        """File ``vectors`` under their lists; ``progress(n)`` after every n vectors filed."""
        m, _ = as_batch(ids, vectors, self.dimension)
        if not self.is_trained:
            raise RuntimeError("train() the index before adding to it")
        with self._lock.write():
            self._remove_locked([i for i in ids if i in self._key_of])
            first = len(self._id_of)
            keys = np.arange(first, first + len(ids), dtype=np.int64)
            self._index.quantizer = self._assigner  # searches wait for the write lock meanwhile
            try:
                for s in range(0, len(ids), ADD_CHUNK):
                    self._index.add_with_ids(m[s:s + ADD_CHUNK], keys[s:s + ADD_CHUNK])
                    if progress is not None:
                        progress(len(keys[s:s + ADD_CHUNK]))
            finally:
                self._index.quantizer = self._centroids
            self._id_of.extend(ids)
            self._key_of.update(zip(ids, range(first, first + len(ids))))

    def _remove_locked(self, ids: Sequence[str]) -> int:
        keys = [self._key_of.pop(i) for i in ids if i in self._key_of]
        for key in keys:
            self._id_of[key] = None
        if keys:
            self._index.remove_ids(np.array(keys, dtype=np.int64))
        return len(keys)

    def remove(self, ids: Sequence[str]) -> int:
        with self._lock.write():
            return self._remove_locked(ids)

    def __len__(self) -> int:
        return len(self._key_of)

    def search(self, query: np.ndarray, k: int) -> list[Match]:
        return self.search_many(np.asarray(query).reshape(1, -1), k)[0]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[Match]]:
        """Approximate k nearest per query (distances from the 4-bit codes, so approximate too)."""
        q, _ = as_matrix(queries, self.dimension, len(queries))
        with self._lock.read():
            if not self._key_of or k <= 0:
                return [[] for _ in range(len(q))]
            dists, keys = self._index.search(q, min(k, len(self._key_of)))
            id_of = self._id_of
            return [[(str(id_of[key]), float(np.sqrt(max(float(d), 0.0))))
                     for key, d in zip(krow.tolist(), drow) if key >= 0]
                    for krow, drow in zip(keys, dists)]

    def write(self, path: str) -> None:
        """Save the FAISS index (codes and centroids, keys = positions in the ids as added).

        For benchmarks only: the codes are derived from plaintext templates, which
        never go to disk in service; a service rebuilds from sealed storage.
        """
        with self._lock.read():
            self._faiss.write_index(self._index, path)

    @classmethod
    def read(cls, path: str, ids: Sequence[str], *, nprobe: int = 0, threads: int = 0) -> ApproximateIndex:
        """An index saved by ``write`` whose keys 0, 1, ... are ``ids`` (the order they were added in)."""
        import faiss

        index: Any = faiss.read_index(path)
        ann = cls(index.d, nlist=index.nlist, nprobe=nprobe, threads=threads, index=index)
        ann._id_of = list(ids)
        ann._key_of = {id_: key for key, id_ in enumerate(ids)}
        return ann

    @property
    def nbytes(self) -> int:
        """Codes, keys, centroids and the key map's slots (FAISS does not report its own allocations)."""
        return len(self._key_of) * (int(self._index.code_size) + 8 + 8) + self.nlist * self.dimension * 4 * 2


def two_level_centroids(faiss: ModuleType, x: np.ndarray, nlist: int, seed: int = 0) -> np.ndarray:
    """``nlist`` k-means centroids of x in two levels: sqrt(nlist) clusters, each split by its size."""
    params = {"niter": 10, "seed": seed, "min_points_per_centroid": 1, "max_points_per_centroid": 1 << 30}
    coarse_k = max(1, round(math.sqrt(nlist)))
    coarse = faiss.Kmeans(x.shape[1], coarse_k, **params)
    coarse.train(x)
    _, group = coarse.index.search(x, 1)
    group = group[:, 0]
    sizes = np.bincount(group, minlength=coarse_k)
    share = np.maximum(1, np.floor(sizes / len(x) * nlist)).astype(int)
    share[sizes == 0] = 0
    for g in np.argsort(-sizes)[: max(0, nlist - int(share.sum()))]:  # hand out the rounding remainder
        share[g] += 1
    parts = []
    for g in np.flatnonzero(share):
        members = x[group == g]
        k = int(min(share[g], len(members)))
        if k == 1:
            parts.append(members.mean(axis=0, keepdims=True))
            continue
        fine = faiss.Kmeans(x.shape[1], k, **params)
        fine.train(members)
        parts.append(fine.centroids)
    centroids = np.concatenate(parts).astype(np.float32)[:nlist]
    if len(centroids) < nlist:  # tiny groups: top up with sample points so there are exactly nlist lists
        rng = np.random.default_rng(seed)
        extra = x[rng.choice(len(x), nlist - len(centroids), replace=False)]
        centroids = np.concatenate([centroids, extra])
    return np.ascontiguousarray(centroids)
