"""Exact k-NN candidates at a quarter of the memory traffic: an int8 scan with an error bound.

A float32 brute-force search over a million templates reads 512 MB per query
and is bound by memory bandwidth (about 30 ms on this machine whatever the
BLAS). ``Int8Codes`` keeps an int8 copy of every template (symmetric
quantisation, one scale per row), laid out as column blocks, and scores a
query against all of them with onnxruntime's u8 x s8 ``MatMulInteger`` (MLAS
kernels; 128 MB per million, about 8 ms on two cores).

Quantisation only narrows the search; it never decides it. For row i with
codes c_i and scale s_i, and the query q with codes c_q and scale s_q, the
approximate dot product s_q s_i (c_q . c_i) (query codes have 7 bits, see
``_QUERY_LEVELS``) differs from q . x_i by at most

    b = max_i s_i * |q|_1 / 2 + s_q / 2 * max_i (s_i |c_i|_1)

so every approximate squared distance is within 2b of the true one. If T is
the k-th smallest approximate distance, the true k nearest all lie within
T + 4b, and that candidate set (tens of rows at a million) is re-ranked in
float32 by the caller. The result is the exact top k, not a probable one.
"""

from __future__ import annotations

import functools
import os

import numpy as np

BLOCK = 1 << 16  # columns per block: large enough to amortise a kernel call, small to grow by
# Queries go in as uint8 (c_q + 64) because MLAS's fast path is u8 x s8. On AVX2 that
# path adds pairs of u8*s8 products in saturating int16 (vpmaddubsw), so query codes
# keep to 7 bits: 2 * 127 * 127 < 32767. With 8-bit query codes the sums clip and
# the scores are silently wrong (seen here: errors of 0.23 in squared distance).
_QUERY_LEVELS = 63
_ZERO_POINT = 64


@functools.lru_cache(maxsize=4)
def _kernel(dimension: int, threads: int):  # type: ignore[no-untyped-def]
    """An onnxruntime session computing Y = A @ B for uint8 A (m, d) and int8 B (d, n)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B"], ["Y"])], "int8_scan",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, [None, dimension]),
         helper.make_tensor_value_info("B", TensorProto.INT8, [dimension, None])],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [None, None])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def quantize(vectors: np.ndarray, levels: int = 127) -> tuple[np.ndarray, np.ndarray]:
    """(int8 codes, float32 per-row scales) with |codes| <= levels; an all-zero row gets scale 1."""
    peak = np.abs(vectors).max(axis=1)
    scale = np.where(peak > 0, peak / levels, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scale[:, None]), -levels, levels).astype(np.int8)
    return codes, scale


class Int8Codes:
    """Row-addressed int8 codes of a float32 matrix, stored as (dimension, BLOCK) column blocks.

    Not thread-safe on its own: ``ExactIndex`` calls it under its readers-writer lock.
    """

    def __init__(self, dimension: int, threads: int = 0) -> None:
        self.dimension = dimension
        self._threads = threads or min(os.cpu_count() or 1, 4)
        self._blocks: list[np.ndarray] = []
        self._scale = np.empty(0, dtype=np.float32)
        self._zp_sum = np.empty(0, dtype=np.float32)  # 64 * sum(c_i): undoes the query's zero point
        # Running maxima for the error bound. Removal never lowers them: a stale
        # maximum only widens the candidate set, it never drops a true neighbour.
        self._max_scale = 0.0
        self._max_l1 = 0.0
        self._max_sq_norm = 0.0  # scales the float32 rounding slack

    def _reserve(self, rows: int) -> None:
        # Every block but the last is BLOCK wide, so row r lives at (r // BLOCK, r % BLOCK);
        # the last one grows by doubling, so a small gallery costs kilobytes, not 8 MB.
        while self._capacity() < rows:
            last = self._blocks[-1] if self._blocks else None
            if last is not None and last.shape[1] < BLOCK:
                need = rows - (len(self._blocks) - 1) * BLOCK
                grown = np.zeros((self.dimension, min(BLOCK, max(2 * last.shape[1], need))), dtype=np.int8)
                grown[:, :last.shape[1]] = last
                self._blocks[-1] = grown
            else:
                need = rows - len(self._blocks) * BLOCK
                self._blocks.append(np.zeros((self.dimension, min(BLOCK, max(1024, need))), dtype=np.int8))
        if rows > len(self._scale):
            cap = max(rows, 2 * len(self._scale), 1024)
            for name in ("_scale", "_zp_sum"):
                grown_row = np.zeros(cap, dtype=np.float32)
                old = getattr(self, name)
                grown_row[:len(old)] = old
                setattr(self, name, grown_row)

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
        self._max_sq_norm = max(self._max_sq_norm, float(sq_norms.max()))
        self._reserve(int(rows.max()) + 1)
        self._scale[rows] = scale
        self._zp_sum[rows] = _ZERO_POINT * codes.sum(axis=1, dtype=np.int32)
        self._max_scale = max(self._max_scale, float(scale.max()))
        self._max_l1 = max(self._max_l1, float((scale * np.abs(codes).sum(axis=1, dtype=np.int32)).max()))
        blocks, cols = np.divmod(rows, BLOCK)
        for b in np.unique(blocks):
            sel = blocks == b
            self._blocks[b][:, cols[sel]] = codes[sel].T

    def move(self, src: int, dst: int) -> None:
        """Copy row ``src`` over row ``dst`` (swap-with-last removal)."""
        (bs, cs), (bd, cd) = divmod(src, BLOCK), divmod(dst, BLOCK)
        self._blocks[bd][:, cd] = self._blocks[bs][:, cs]
        self._scale[dst] = self._scale[src]
        self._zp_sum[dst] = self._zp_sum[src]

    def bytes_per_row(self) -> int:
        """Bytes of numeric state per stored row: the codes, a scale and a zero-point sum."""
        return self.dimension + 8

    def approximate_distances(self, queries: np.ndarray, norms: np.ndarray, n: int,
                              ) -> tuple[np.ndarray, np.ndarray]:
        """((m, n) approximate |x_i|^2 - 2 q.x_i from the codes, the queries' scales)."""
        codes, sq = quantize(queries, _QUERY_LEVELS)
        a = (codes.astype(np.int16) + _ZERO_POINT).astype(np.uint8)
        kernel = _kernel(self.dimension, self._threads)
        out = np.empty((len(queries), n), dtype=np.float32)
        for b in range((n + BLOCK - 1) // BLOCK):
            start, width = b * BLOCK, min(BLOCK, n - b * BLOCK)
            block = self._blocks[b]
            if width < block.shape[1]:  # the kernel needs a contiguous (d, width) matrix
                block = np.ascontiguousarray(block[:, :width])
            out[:, start:start + width] = kernel.run(None, {"A": a, "B": block})[0]
        # int32 dot products below 2**24 are exact in float32, so these steps add
        # only rounding of the final multiply-adds (covered by the slack below).
        out -= self._zp_sum[:n]
        out *= self._scale[:n]
        out *= (-2.0 * sq)[:, None]
        out += norms[:n]
        return out, sq

    def bound(self, query: np.ndarray, query_scale: float) -> float:
        """Largest possible |q.x_i - approximate q.x_i| over all stored rows."""
        return float(self._max_scale * np.abs(query).sum() / 2 + query_scale / 2 * self._max_l1)

    def candidates(self, queries: np.ndarray, norms: np.ndarray, n: int, k: int) -> list[np.ndarray]:
        """For each query, row numbers that certainly include its k nearest rows (k <= n)."""
        approx, scales = self.approximate_distances(queries, norms, n)
        max_sq_norm = self._max_sq_norm
        out = []
        for q, sq, d in zip(queries, scales, approx):
            q_norm = float(np.sqrt(np.dot(q, q)))
            # 4b from the bound; the relative term covers float32 rounding of d itself.
            slack = 4 * self.bound(q, float(sq)) + 1e-5 * (1 + max_sq_norm + 2 * q_norm * np.sqrt(max_sq_norm))
            out.append(_within(d, k, slack))
        return out


def _within(d: np.ndarray, k: int, slack: float) -> np.ndarray:
    """Rows with d <= (k-th smallest of d) + slack.

    A full selection over a million values costs ~5 ms; the k-th smallest of a
    1-in-16 sample is never below the true k-th, so it cuts the field to a few
    hundred rows in one comparison pass first.
    """
    if len(d) > 16 * 64 * k:
        rough = np.partition(d[::16], k - 1)[k - 1]
        rows = np.flatnonzero(d <= rough + slack)
    else:
        rows = np.arange(len(d))
    kth = np.partition(d[rows], k - 1)[k - 1]
    return rows[d[rows] <= kth + slack]
