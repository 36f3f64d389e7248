"""Exact k-NN candidates at a quarter of the memory traffic: an int8 scan with an error bound.

A float32 brute-force search over a million templates reads 512 MB per query
and is bound by memory bandwidth. ``Int8Codes`` keeps an int8 copy of every
template (symmetric quantisation, one scale per row) and scores queries against
all of them with an integer kernel (``scan_kernels``: 128 MB per million).

Quantisation only narrows the search; it never decides it. Write x^_i = s_i c_i
for row i's dequantised codes and q^ = s_q c_q for the query's. Then

    |q.x_i - q^.x^_i| <= |q| r_i + |q - q^| |x^_i| =: b_i      (Cauchy-Schwarz)

with r_i = |x_i - x^_i| kept per row, so every approximate squared distance
d~_i = |x_i|^2 - 2 q^.x^_i is within 2 b_i of the true d_i. The search then
(1) computes the exact d of the few rows the scan ranks first, whose k-th
smallest U bounds the true k-th distance from above, and (2) keeps only rows
with d~_i - 2 b_i <= U: every true neighbour passes, and at a million face-like
templates about 30 rows do (the earlier one-sided bound T + 4 max b kept ~1,000).
The caller ranks those in float32: the result is the exact top k, not a probable one.
"""

from __future__ import annotations

import os

import numpy as np

from facegate.adapters.scan_kernels import KernelName, KernelPlan, choose, session

BLOCK = 1 << 16  # gallery columns (or rows) per kernel call: amortises the call, keeps outputs in cache
_QUERY_LEVELS = 63  # query codes keep to 7 bits: see scan_kernels on int16 saturation under AVX2
_ZERO_POINT = 64  # ``columns``: queries go in as u8 c_q + 64
_ROW_ZERO_POINT = 128  # ``rows``: gallery codes go in as u8 c_i + 128
_EXACT_PROBES = 64  # rows ranked exactly to fix U, the upper bound on the k-th distance


def quantize(vectors: np.ndarray, levels: int = 127) -> tuple[np.ndarray, np.ndarray]:
    """(int8 codes, float32 per-row scales) with |codes| <= levels; an all-zero row gets scale 1."""
    peak = np.abs(vectors).max(axis=1)
    scale = np.where(peak > 0, peak / levels, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scale[:, None]), -levels, levels).astype(np.int8)
    return codes, scale


def _grown(old: np.ndarray, rows: int) -> np.ndarray:
    new = np.zeros((max(rows, 2 * len(old), 1024), *old.shape[1:]), dtype=old.dtype)
    new[:len(old)] = old
    return new


class Int8Codes:
    """Row-addressed int8 codes of a float32 matrix, in the layouts the kernel plan needs.

    ``columns`` (d, BLOCK) blocks serve plain AVX2; ``rows`` (n, d) u8 serves
    VNNI/AMX (or a forced setting). Not thread-safe on its
    own: ``ExactIndex`` calls it under its readers-writer lock.
    """

    def __init__(self, dimension: int, threads: int = 0, plan: KernelPlan | None = None) -> None:
        self.dimension = dimension
        self.plan = plan or choose()
        self._threads = threads or min(os.cpu_count() or 1, 4)
        self._has_columns = "columns" in (self.plan.single, self.plan.batch)
        self._has_rows = "rows" in (self.plan.single, self.plan.batch)
        self._blocks: list[np.ndarray] = []
        self._rows = np.zeros((0, dimension), dtype=np.uint8)
        self._scale = np.zeros(0, dtype=np.float32)
        self._zp_sum = np.zeros(0, dtype=np.float32)  # 64 * sum(c_i): undoes the query's zero point
        self._resid = np.zeros(0, dtype=np.float32)  # r_i = |x_i - s_i c_i|, rounded up
        self._cnorm = np.zeros(0, dtype=np.float32)  # |s_i c_i|, rounded up
        # Running maxima for the global bound. Removal never lowers them: a stale
        # maximum only widens the first filter, it never drops a true neighbour.
        self._max_resid = 0.0
        self._max_cnorm = 0.0
        self._max_sq_norm = 0.0  # scales the float32 rounding slack

    def _reserve(self, rows: int) -> None:
        if rows > len(self._scale):
            for name in ("_scale", "_zp_sum", "_resid", "_cnorm", *(("_rows",) if self._has_rows else ())):
                setattr(self, name, _grown(getattr(self, name), rows))
        # Column blocks: every block but the last is BLOCK wide, so row r lives at
        # (r // BLOCK, r % BLOCK); the last grows by doubling (a small gallery costs kilobytes).
        while self._has_columns and self._capacity() < rows:
            last = self._blocks[-1] if self._blocks else None
            if last is not None and last.shape[1] < BLOCK:
                need = rows - (len(self._blocks) - 1) * BLOCK
                grown = np.zeros((self.dimension, min(BLOCK, max(2 * last.shape[1], need))), dtype=np.int8)
                grown[:, :last.shape[1]] = last
                self._blocks[-1] = grown
            else:
                need = rows - len(self._blocks) * BLOCK
                self._blocks.append(np.zeros((self.dimension, min(BLOCK, max(1024, need))), dtype=np.int8))

    def _capacity(self) -> int:
        return (len(self._blocks) - 1) * BLOCK + self._blocks[-1].shape[1] if self._blocks else 0

    def write(self, start: int, vectors: np.ndarray, sq_norms: np.ndarray) -> None:
        """Store the codes of ``vectors`` (squared norms ``sq_norms``) at rows start, start+1, ..."""
        self.write_rows(np.arange(start, start + len(vectors)), vectors, sq_norms)

    def write_rows(self, rows: np.ndarray, vectors: np.ndarray, sq_norms: np.ndarray) -> None:
        """Store the codes of ``vectors[j]`` at row ``rows[j]`` (rows ascending or not)."""
        if not len(rows):
            return
        codes, scale = quantize(vectors)
        approx = codes.astype(np.float64) * scale[:, None].astype(np.float64)
        # float64 norms rounded up a little: the bound must never be below the truth.
        resid = (np.linalg.norm(vectors.astype(np.float64) - approx, axis=1) * (1 + 1e-6)).astype(np.float32)
        cnorm = (np.linalg.norm(approx, axis=1) * (1 + 1e-6)).astype(np.float32)
        self._max_sq_norm = max(self._max_sq_norm, float(sq_norms.max()))
        self._reserve(int(rows.max()) + 1)
        self._scale[rows], self._resid[rows], self._cnorm[rows] = scale, resid, cnorm
        self._zp_sum[rows] = _ZERO_POINT * codes.sum(axis=1, dtype=np.int32)
        self._max_resid = max(self._max_resid, float(resid.max()))
        self._max_cnorm = max(self._max_cnorm, float(cnorm.max()))
        if self._has_rows:
            self._rows[rows] = (codes.astype(np.int16) + _ROW_ZERO_POINT).astype(np.uint8)
        if self._has_columns:
            blocks, cols = np.divmod(rows, BLOCK)
            for b in np.unique(blocks):
                sel = blocks == b
                self._blocks[b][:, cols[sel]] = codes[sel].T

    def move(self, src: int, dst: int) -> None:
        """Copy row ``src`` over row ``dst`` (swap-with-last removal)."""
        for name in ("_scale", "_zp_sum", "_resid", "_cnorm", *(("_rows",) if self._has_rows else ())):
            arr = getattr(self, name)
            arr[dst] = arr[src]
        if self._has_columns:
            (bs, cs), (bd, cd) = divmod(src, BLOCK), divmod(dst, BLOCK)
            self._blocks[bd][:, cd] = self._blocks[bs][:, cs]

    def bytes_per_row(self) -> int:
        """Bytes of numeric state per stored row: codes in each layout, scale, sums and norms."""
        return self.dimension * (self._has_rows + self._has_columns) + 16

    def approximate_distances(self, queries: np.ndarray, norms: np.ndarray, n: int,
                              kernel: KernelName | None = None) -> tuple[np.ndarray, np.ndarray]:
        """((m, n) approximate |x_i|^2 - 2 q.x_i from the codes, the queries' scales)."""
        codes, sq = quantize(queries, _QUERY_LEVELS)
        kernel = kernel or self.plan.kernel_for(len(queries))
        if not (self._has_columns if kernel == "columns" else self._has_rows):
            raise ValueError(f"this plan keeps no {kernel} layout")
        run = session(kernel, self.dimension, self._threads).run
        out = np.empty((len(queries), n), dtype=np.float32)
        if kernel == "columns":
            a = (codes.astype(np.int16) + _ZERO_POINT).astype(np.uint8)
            for b in range((n + BLOCK - 1) // BLOCK):
                start, width = b * BLOCK, min(BLOCK, n - b * BLOCK)
                block = self._blocks[b]
                if width < block.shape[1]:  # the kernel needs a contiguous (d, width) matrix
                    block = np.ascontiguousarray(block[:, :width])
                out[:, start:start + width] = run(None, {"A": a, "B": block})[0]
            out -= self._zp_sum[:n]
        else:
            b_mat = np.ascontiguousarray(codes.T)
            zp = _ROW_ZERO_POINT * codes.sum(axis=1, dtype=np.int32)
            for start in range(0, n, BLOCK):  # row slices of a C-contiguous matrix are contiguous
                y = run(None, {"A": self._rows[start:min(n, start + BLOCK)], "B": b_mat})[0]
                out[:, start:start + len(y)] = y.T - zp[:, None]
        # int32 dot products below 2**24 are exact in float32, so these steps add
        # only rounding of the final multiply-adds (covered by the slack below).
        out *= self._scale[:n]
        out *= (-2.0 * sq)[:, None]
        out += norms[:n]
        return out, sq

    def query_terms(self, query: np.ndarray, query_scale: float) -> tuple[float, float]:
        """(|q|, |q - q^|) for the bound b_i = |q| r_i + |q - q^| |x^_i|."""
        q64 = query.astype(np.float64)
        codes = np.clip(np.rint(q64 / query_scale), -_QUERY_LEVELS, _QUERY_LEVELS)
        err = float(np.linalg.norm(q64 - codes * query_scale))
        return float(np.linalg.norm(q64)) * (1 + 1e-6), err * (1 + 1e-6)

    def bound(self, query: np.ndarray, query_scale: float) -> float:
        """Largest possible |q.x_i - approximate q.x_i| over all stored rows."""
        q_norm, q_err = self.query_terms(query, query_scale)
        return q_norm * self._max_resid + q_err * self._max_cnorm

    def row_bounds(self, query: np.ndarray, query_scale: float, rows: np.ndarray) -> np.ndarray:
        """b_i for the given rows: |q.x_i - approximate q.x_i| <= b_i."""
        q_norm, q_err = self.query_terms(query, query_scale)
        bounds: np.ndarray = q_norm * self._resid[rows].astype(np.float64) + q_err * self._cnorm[rows].astype(np.float64)
        return bounds

    def candidates(self, queries: np.ndarray, vectors: np.ndarray, norms: np.ndarray, n: int,
                   k: int) -> list[np.ndarray]:
        """For each query, row numbers that certainly include its k nearest rows (k <= n).

        ``vectors``/``norms`` are the float32 rows the codes were made from: the
        few rows ranked first are scored exactly to bound the k-th distance.
        """
        approx, scales = self.approximate_distances(queries, norms, n)
        out = []
        for q, sq, d in zip(queries, scales, approx):
            q_norm = float(np.sqrt(np.dot(q.astype(np.float64), q)))
            # float32 rounding of d~ and of the norms, relative to the magnitudes involved
            eps = 2e-5 * (1 + self._max_sq_norm + 2 * q_norm * np.sqrt(self._max_sq_norm))
            out.append(self._select(q, float(sq), d, vectors, norms, k, eps))
        return out

    def _select(self, q: np.ndarray, sq: float, d: np.ndarray, vectors: np.ndarray, norms: np.ndarray,
                k: int, eps: float) -> np.ndarray:
        # rough >= the k-th smallest d~ (the k-th of a 1-in-16 sample, or of all for small n).
        # A full selection over a million values costs ~5 ms; one comparison pass ~0.5 ms.
        sample = d[::16] if len(d) > 16 * 64 * k else d
        rough = float(np.partition(sample, k - 1)[k - 1])
        # Every row of the answer has d~ <= U + 2 b_i <= rough + 4 max b (U <= rough + 2 max b).
        wide = np.flatnonzero(d <= rough + 4 * self.bound(q, sq) + 2 * eps)
        dw = d[wide]
        first = wide[dw <= rough]  # at least k rows
        probes = max(_EXACT_PROBES, k)
        if len(first) > probes:
            first = first[np.argpartition(d[first], probes - 1)[:probes]]
        q64 = q.astype(np.float64)
        exact = norms[first].astype(np.float64) - 2 * vectors[first].astype(np.float64) @ q64
        upper = float(np.partition(exact, k - 1)[k - 1])  # >= the true k-th distance
        keep = dw - 2 * self.row_bounds(q, sq, wide) <= upper + 2 * eps
        chosen: np.ndarray = wide[keep]
        return chosen
