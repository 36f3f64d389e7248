"""1:N gallery indexes: exact against brute force, add/remove, approximate recall."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from facegate.adapters.index import ApproximateIndex, ExactIndex, GalleryIndex

D = 128


def _unit(rng: np.random.Generator, n: int, d: int = D) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _brute(ids: list[str], x: np.ndarray, q: np.ndarray, k: int) -> list[tuple[str, float]]:
    d = np.linalg.norm(x.astype(np.float64) - q, axis=1)
    order = np.argsort(d, kind="stable")[:k]
    return [(ids[i], float(d[i])) for i in order]


def test_exact_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    x = _unit(rng, 2000)
    ids = [f"t{i}" for i in range(len(x))]
    index = ExactIndex(D, capacity=16)  # forces several reallocations
    index.add(ids[:700], x[:700])
    index.add(ids[700:], x[700:])
    assert len(index) == 2000
    for q in _unit(rng, 20):
        got, want = index.search(q, 5), _brute(ids, x, q, 5)
        assert [g[0] for g in got] == [w[0] for w in want]
        np.testing.assert_allclose([g[1] for g in got], [w[1] for w in want], rtol=1e-5)


def test_search_many_equals_search() -> None:
    rng = np.random.default_rng(1)
    x = _unit(rng, 300)
    index = ExactIndex(D)
    index.add([str(i) for i in range(300)], x)
    qs = _unit(rng, 7)
    assert index.search_many(qs, 3) == [index.search(q, 3) for q in qs]


def test_near_duplicates_get_exact_small_distances() -> None:
    rng = np.random.default_rng(2)
    x = _unit(rng, 100)
    index = ExactIndex(D)
    index.add([str(i) for i in range(100)], x)
    q = x[42] + np.float32(1e-4)
    (best, dist), *_ = index.search(q, 1)
    assert best == "42"
    assert dist == pytest.approx(1e-4 * np.sqrt(D), rel=1e-2)


def test_remove_swaps_with_last_and_stays_correct() -> None:
    rng = np.random.default_rng(3)
    x = _unit(rng, 500)
    ids = [f"s{i}" for i in range(500)]
    index = ExactIndex(D)
    index.add(ids, x)
    gone = set(ids[::3]) | {"s499", "s0"}
    assert index.remove([*sorted(gone), "unknown"]) == len(gone)
    assert len(index) == 500 - len(gone)
    assert "s0" not in index and "s1" in index
    keep = [i for i, id_ in enumerate(ids) if id_ not in gone]
    kept_ids, kept_x = [ids[i] for i in keep], x[keep]
    for q in _unit(rng, 10):
        assert [g[0] for g in index.search(q, 4)] == [w[0] for w in _brute(kept_ids, kept_x, q, 4)]
    # float32 rows and norms; int8 codes in each layout the plan uses; scale, sums, norms
    assert index.nbytes == len(index) * ((D + 1) * 4 + D * len({index.plan.single, index.plan.batch}) + 16)


def test_add_same_id_replaces_vector() -> None:
    rng = np.random.default_rng(4)
    x = _unit(rng, 3)
    index = ExactIndex(D)
    index.add(["a", "b"], x[:2])
    index.add(["a"], x[2:3])
    assert len(index) == 2
    assert index.search(x[2], 1)[0] == ("a", pytest.approx(0.0, abs=1e-6))


def test_edge_cases() -> None:
    index = ExactIndex(4)
    assert index.search(np.ones(4), 3) == []
    index.add(["a"], np.ones((1, 4)))
    assert [m[0] for m in index.search(np.ones(4), 10)] == ["a"]
    with pytest.raises(ValueError):
        index.add(["x", "y"], np.ones((1, 4)))
    with pytest.raises(ValueError):
        index.add(["x", "x"], np.ones((2, 4)))
    with pytest.raises(ValueError):
        index.add(["x"], np.full((1, 4), np.nan))


def _recall(index: ApproximateIndex | GalleryIndex, ids: list[str], x: np.ndarray,
            queries: np.ndarray, k: int) -> float:
    hits = 0
    for q in queries:
        want = {w[0] for w in _brute(ids, x, q, k)}
        hits += len(want & {g[0] for g in index.search(q, k)})
    return hits / (k * len(queries))


def _within(index: ApproximateIndex, ids: list[str], x: np.ndarray, queries: np.ndarray, k: int,
            fetched: int) -> float:
    """Share of the true top k found among the index's first ``fetched`` answers."""
    hits = 0
    for q in queries:
        want = {w[0] for w in _brute(ids, x, q, k)}
        hits += len(want & {g[0] for g in index.search(q, fetched)})
    return hits / (k * len(queries))


def test_approximate_recall_on_synthetic_gallery() -> None:
    rng = np.random.default_rng(5)
    x = _unit(rng, 5000)
    ids = [f"g{i}" for i in range(len(x))]
    # probes: an enrolled face seen again (small perturbation), as in identification
    probes = x[rng.choice(len(x), 50, replace=False)] + 0.05 * _unit(rng, 50)
    ann = ApproximateIndex(D, nlist=64, nprobe=8)
    ann.train(x)
    ann.add(ids, x)
    few = _within(ann, ids, x, probes, 5, 100)  # isotropic data has no clusters: few lists miss a lot
    ann.nprobe = 64  # every list: only the 4-bit PQ codes stand between this and exact,
    # and they are rough, so the true top 5 must be among the index's first 100 (what GalleryIndex re-ranks)
    assert _within(ann, ids, x, probes, 5, 100) >= 0.98 > few
    gallery = GalleryIndex(D, approximate_above=1000, probe_factor=1e6)  # every list
    gallery.add(ids[:800], x[:800])
    assert not gallery.is_approximate
    gallery.add(ids[800:], x[800:])
    assert gallery.wait_until_built(60)
    assert gallery.approximate is not None and len(gallery.approximate) == 5000
    assert _recall(gallery, ids, x, probes, 5) >= 0.98
    # distances from the gallery are exact even when candidates come from the IVF lists
    q = probes[0]
    got = gallery.search(q, 1)[0]
    assert got[1] == pytest.approx(_brute(ids, x, q, 1)[0][1], rel=1e-5)


def test_approximate_remove_and_replace() -> None:
    rng = np.random.default_rng(6)
    x = _unit(rng, 200)
    ids = [str(i) for i in range(200)]
    gallery = GalleryIndex(D, approximate_above=100, probe_factor=1e6)  # every list
    gallery.add(ids, x)
    assert gallery.wait_until_built(60)
    assert gallery.remove(["5", "6", "nope"]) == 2
    assert len(gallery) == 198 and len(gallery.approximate or []) == 198
    assert gallery.search(x[5], 1)[0][0] != "5"
    gallery.add(["7"], x[5:6])
    assert gallery.search(x[5], 1)[0] == ("7", pytest.approx(0.0, abs=1e-6))


def test_ivf_needs_training_and_enough_vectors() -> None:
    ann = ApproximateIndex(D, nlist=64)
    with pytest.raises(RuntimeError):
        ann.add(["a"], np.ones((1, D)))
    with pytest.raises(ValueError):
        ann.train(np.ones((10, D)))


def test_writes_during_a_background_build_are_replayed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enrolments and deletions made while the IVF index trains all reach it before it serves."""
    from facegate.adapters import index as index_module

    may_train = threading.Event()

    class SlowIndex(ApproximateIndex):
        def train(self, vectors: np.ndarray, seed: int = 0) -> None:
            assert may_train.wait(30)
            super().train(vectors, seed)

    monkeypatch.setattr(index_module, "ApproximateIndex", SlowIndex)
    rng = np.random.default_rng(8)
    x = _unit(rng, 1600)
    ids = [f"t{i}" for i in range(len(x))]
    gallery = GalleryIndex(D, approximate_above=1000, probe_factor=1e6)  # every list
    gallery.add(ids[:1200], x[:1200])  # crosses the threshold: the build starts and waits
    gallery.add(ids[1200:], x[1200:])  # enrolled during the build
    gallery.remove(ids[:100])  # deleted during the build, some of them in its snapshot
    gallery.add(["t1300"], x[0:1])  # replaced during the build
    assert not gallery.is_approximate
    assert gallery.search(x[1500], 1)[0][0] == "t1500"  # exact search serves meanwhile
    may_train.set()
    assert gallery.wait_until_built(60)
    ann = gallery.approximate
    assert ann is not None and len(ann) == len(gallery) == 1500
    assert gallery.search(x[1500], 1)[0][0] == "t1500"
    assert all(gallery.search(x[i], 1)[0][0] != f"t{i}" for i in range(1, 100))
    assert gallery.search(x[0], 1)[0] == ("t1300", pytest.approx(0.0, abs=1e-6))


def test_a_failed_build_leaves_exact_search_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    from facegate.adapters import index as index_module

    class BrokenIndex(ApproximateIndex):
        def train(self, vectors: np.ndarray, seed: int = 0) -> None:
            raise MemoryError("no room for the lists")

    monkeypatch.setattr(index_module, "ApproximateIndex", BrokenIndex)
    rng = np.random.default_rng(9)
    x = _unit(rng, 1100)
    gallery = GalleryIndex(D, approximate_above=1000)
    gallery.add([f"t{i}" for i in range(1100)], x)
    assert not gallery.wait_until_built(30)
    assert isinstance(gallery.build_error, MemoryError)
    gallery.add(["late"], x[:1])  # no retry storm, no pending log growing forever
    assert gallery._pending is None
    assert gallery.search(x[5], 1)[0][0] == "t5"


def test_concurrent_readers_and_one_writer() -> None:
    rng = np.random.default_rng(7)
    x = _unit(rng, 3000)
    index = ExactIndex(D)
    index.add([f"base{i}" for i in range(1000)], x[:1000])
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                res = index.search(x[0], 3)
                assert res[0][0] == "base0" and len(res) == 3
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(1000, 3000, 100):
        index.add([f"n{j}" for j in range(i, i + 100)], x[i:i + 100])
        index.remove([f"n{j}" for j in range(i, i + 50)])
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert len(index) == 1000 + 20 * 50
