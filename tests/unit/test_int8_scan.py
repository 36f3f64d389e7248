"""The int8 scan behind exact search: its error bound holds, so its candidates hold the true top k."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facegate.adapters import int8_scan
from facegate.adapters.index import ExactIndex
from facegate.adapters.int8_scan import Int8Codes, quantize

D = 128


def _true_distances(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """|x_i|^2 - 2 q.x_i in float64, the quantity the scan approximates."""
    x64, q64 = x.astype(np.float64), q.astype(np.float64)
    return (x64 * x64).sum(1) - 2 * x64 @ q64


def _codes_for(x: np.ndarray) -> tuple[Int8Codes, np.ndarray]:
    codes = Int8Codes(x.shape[1])
    norms = np.einsum("ij,ij->i", x, x).astype(np.float32)
    codes.write(0, x, norms)
    return codes, norms


def _assert_within_bound(x: np.ndarray, queries: np.ndarray) -> None:
    codes, norms = _codes_for(x)
    approx, scales = codes.approximate_distances(queries, norms, len(x))
    for q, sq, got in zip(queries, scales, approx):
        err = np.abs(got - _true_distances(x, q))
        assert err.max() <= 2 * codes.bound(q, float(sq)) + 1e-4


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
    codes, norms = _codes_for(x)
    approx, scales = codes.approximate_distances(q, norms, n)
    for qq, sq, got in zip(q, scales, approx):
        err = np.abs(got - _true_distances(x, qq))
        scale = 1 + float(norms.max()) + 2 * float(np.linalg.norm(qq)) * float(np.sqrt(norms.max()))
        assert err.max() <= 2 * codes.bound(qq, float(sq)) + 1e-5 * scale


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 400), k=st.integers(1, 5))
def test_candidates_contain_the_exact_top_k(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(max(1, n // 4), D)).astype(np.float32)
    # Clusters of near-duplicates make many near-ties, the hard case for any shortcut.
    x = (base[rng.integers(0, len(base), n)] + rng.normal(size=(n, D)) * 0.01).astype(np.float32)
    codes, norms = _codes_for(x)
    queries = (x[rng.integers(0, n, 3)] + rng.normal(size=(3, D)) * 0.01).astype(np.float32)
    for q, rows in zip(queries, codes.candidates(queries, norms, n, k)):
        exact = _true_distances(x, q)
        kth = np.sort(exact)[k - 1]
        must = np.flatnonzero(exact < kth - 1e-6)  # strictly inside: no float ties at the edge
        assert set(must.tolist()) <= set(rows.tolist())
        assert len(rows) >= k


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
