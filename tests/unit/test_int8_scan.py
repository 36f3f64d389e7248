"""The int8 scan behind exact search: its error bound holds, so its candidates hold the true top k."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facegate.adapters import int8_scan
from facegate.adapters.index import ExactIndex
from facegate.adapters.int8_scan import Int8Codes, quantize
from facegate.adapters.scan_kernels import KernelPlan

D = 128
KERNELS = ("columns", "rows")  # both orientations of the scan, whatever this CPU picks
BOTH = KernelPlan("columns", "rows", "test: keep both layouts")


def _true_distances(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """|x_i|^2 - 2 q.x_i in float64, the quantity the scan approximates."""
    x64, q64 = x.astype(np.float64), q.astype(np.float64)
    return (x64 * x64).sum(1) - 2 * x64 @ q64


def _codes_for(x: np.ndarray) -> tuple[Int8Codes, np.ndarray]:
    codes = Int8Codes(x.shape[1], plan=BOTH)
    norms = np.einsum("ij,ij->i", x, x).astype(np.float32)
    codes.write(0, x, norms)
    return codes, norms


def _rounding(norms: np.ndarray, q: np.ndarray) -> float:
    """float32 rounding of the stored norms and of the kernel's multiply-adds."""
    return 1e-5 * (1 + float(norms.max()) + 2 * float(np.linalg.norm(q)) * float(np.sqrt(norms.max())))


def _assert_within_bound(x: np.ndarray, queries: np.ndarray) -> None:
    codes, norms = _codes_for(x)
    rows = np.arange(len(x))
    for kernel in KERNELS:
        approx, scales = codes.approximate_distances(queries, norms, len(x), kernel)
        for q, sq, got in zip(queries, scales, approx):
            err = np.abs(got - _true_distances(x, q))
            assert err.max() <= 2 * codes.bound(q, float(sq)) + _rounding(norms, q)
            # the per-row bound, which decides the candidate set, holds row by row
            assert (err <= 2 * codes.row_bounds(q, float(sq), rows) + _rounding(norms, q)).all()


def test_error_stays_within_the_bound_on_extreme_vectors() -> None:
    # Saturating vectors: every component at full scale, all the same sign. On AVX2
    # these overflow int16 pair sums unless the query codes keep to 7 bits.
    rng = np.random.default_rng(0)
    x = np.concatenate([
        np.ones((4, D), np.float32), -np.ones((4, D), np.float32),
        rng.normal(size=(200, D)).astype(np.float32),
        rng.normal(size=(50, D)).astype(np.float32) * 50,  # different norms
        np.zeros((2, D), np.float32),
    ])
    x[-10, 3] = 40.0  # one outlier component: a coarse scale for that row
    queries = np.concatenate([np.ones((1, D), np.float32), -np.ones((1, D), np.float32),
                              np.zeros((1, D), np.float32), rng.normal(size=(5, D)).astype(np.float32)])
    _assert_within_bound(x, queries)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), d=st.sampled_from([3, 16, 128]),
       spread=st.floats(1e-3, 1e3))
def test_bound_holds_for_random_data(seed: int, n: int, d: int, spread: float) -> None:
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, d)) * spread).astype(np.float32)
    q = (rng.normal(size=(3, d)) * spread).astype(np.float32)
    _assert_within_bound(x, q)


def _assert_candidates_hold_top_k(x: np.ndarray, queries: np.ndarray, k: int) -> None:
    codes, norms = _codes_for(x)
    for q, rows in zip(queries, codes.candidates(queries, x, norms, len(x), k)):
        exact = _true_distances(x, q)
        kth = np.sort(exact)[k - 1]
        must = np.flatnonzero(exact < kth - 1e-6)  # strictly inside: no float ties at the edge
        assert set(must.tolist()) <= set(rows.tolist())
        assert len(rows) >= k


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 400), k=st.integers(1, 5), m=st.sampled_from([3, 6]))
def test_candidates_contain_the_exact_top_k(seed: int, n: int, k: int, m: int) -> None:
    # m=3 runs the one-query orientation's path on AVX2, m=6 the batched (rows) one
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(max(1, n // 4), D)).astype(np.float32)
    # Clusters of near-duplicates make many near-ties, the hard case for any shortcut.
    x = (base[rng.integers(0, len(base), n)] + rng.normal(size=(n, D)) * 0.01).astype(np.float32)
    queries = (x[rng.integers(0, n, m)] + rng.normal(size=(m, D)) * 0.01).astype(np.float32)
    _assert_candidates_hold_top_k(x, queries, k)


@pytest.mark.parametrize("k", [1, 5, 70])
def test_candidates_on_a_gallery_large_enough_to_sample(k: int) -> None:
    # n > 16 * 64 * k: the k-th distance is first bounded from a 1-in-16 sample; k=70 also
    # exceeds the rows scored exactly by default, so the exact step must widen to k rows.
    rng = np.random.default_rng(k)
    base = rng.normal(size=(300, D)).astype(np.float32)
    x = (base[rng.integers(0, len(base), 80_000)] + rng.normal(size=(80_000, D)) * 0.05).astype(np.float32)
    queries = (x[rng.integers(0, len(x), 5)] + rng.normal(size=(5, D)) * 0.05).astype(np.float32)
    _assert_candidates_hold_top_k(x, queries, k)
    _assert_candidates_hold_top_k(x, queries[:1], k)


def test_candidate_set_is_small_on_face_like_data() -> None:
    # The point of the two-sided bound: a few dozen rows to rank, not the ~1,000 of the
    # one-sided T + 4 max b (issue 14). Unit vectors with a decaying spectrum, like dlib's.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((100_000, D), dtype=np.float32) * np.arange(1, D + 1, dtype=np.float32) ** -0.425
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    queries = x[:8] + 0.05 * rng.standard_normal((8, D), dtype=np.float32)
    codes, norms = _codes_for(x)
    sizes = [len(rows) for rows in codes.candidates(queries, x, norms, len(x), 5)]
    assert np.median(sizes) < 100


def test_query_codes_fit_the_saturation_limit() -> None:
    codes, _ = quantize(np.array([[1.0, -1.0, 0.5]], np.float32), int8_scan._QUERY_LEVELS)
    a = codes.astype(np.int16) + int8_scan._ZERO_POINT
    assert a.min() >= 0 and a.max() <= 127  # 2 * 127 * 127 < 2**15: int16 pair sums never clip


def test_blocks_grow_and_rows_cross_block_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(int8_scan, "BLOCK", 64)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, D)).astype(np.float32)
    ids = [f"t{i}" for i in range(len(x))]
    index = ExactIndex(D, capacity=8)
    for s in range(0, len(x), 37):  # uneven chunks straddle the 64-column blocks
        index.add(ids[s:s + 37], x[s:s + 37])
    gone = {f"t{i}" for i in range(0, 300, 7)}
    index.remove(sorted(gone))  # swap-with-last moves codes between blocks
    index.add(["t1"], x[2:3])  # a replacement rewrites its codes in place
    keep = [i for i in range(300) if f"t{i}" not in gone]
    truth_x = x.copy()
    truth_x[1] = x[2]
    for q in rng.normal(size=(10, D)).astype(np.float32):
        d = np.linalg.norm(truth_x[keep].astype(np.float64) - q, axis=1)
        want = [f"t{keep[i]}" for i in np.argsort(d)[:5]]
        assert [m[0] for m in index.search(q, 5)] == want


def test_small_gallery_costs_kilobytes() -> None:
    codes = Int8Codes(D)
    codes.write(0, np.ones((10, D), np.float32), np.full(10, D, np.float32))
    assert sum(b.nbytes for b in codes._blocks) <= 1024 * D
