"""The micro-batcher: concurrent callers share kernel calls and each gets its own exact answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from facegate.adapters.index import ExactIndex
from facegate.adapters.index_base import Match
from facegate.adapters.micro_batch import MicroBatcher
from facegate.adapters.scan_kernels import KernelPlan

D = 128


def _brute(x: np.ndarray, q: np.ndarray, k: int) -> list[str]:
    d = np.linalg.norm(x.astype(np.float64) - q.astype(np.float64), axis=1)
    return [f"t{i}" for i in np.argsort(d, kind="stable")[:k]]


@pytest.mark.parametrize("plan", [KernelPlan("columns", "rows", "test"), KernelPlan("rows", "rows", "test")])
def test_concurrent_callers_get_their_own_exact_results(plan: KernelPlan) -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(20_000, D)).astype(np.float32)
    index = ExactIndex(D, plan=plan, batch_window_s=0.002)
    index.add([f"t{i}" for i in range(len(x))], x)
    queries = x[rng.integers(0, len(x), 96)] + rng.normal(size=(96, D)).astype(np.float32) * 0.3
    ks = [1 + i % 7 for i in range(len(queries))]  # callers in one batch ask for different k
    start = threading.Barrier(8)

    def caller(worker: int) -> list[tuple[int, list[Match]]]:
        start.wait()
        return [(j, index.search(queries[j], ks[j])) for j in range(worker, len(queries), 8)]

    with ThreadPoolExecutor(8) as pool:
        answers = [a for part in pool.map(caller, range(8)) for a in part]
    assert len(answers) == len(queries)
    for j, got in answers:
        assert [m[0] for m in got] == _brute(x, queries[j], ks[j])
        want = np.linalg.norm(x[[int(m[0][1:]) for m in got]] - queries[j], axis=1)
        assert np.allclose([m[1] for m in got], want, atol=1e-5)
    assert index.batcher.calls < len(queries)  # some calls served several callers


def test_a_lone_caller_is_not_batched_and_waits_for_nothing() -> None:
    seen: list[int] = []

    def search_many(q: np.ndarray, k: int) -> list[list[Match]]:
        seen.append(len(q))
        return [[("a", 0.0)] * k for _ in q]

    batcher = MicroBatcher(search_many, window_s=10.0)  # a window it must not wait out
    for _ in range(3):
        assert batcher.search(np.zeros(D, np.float32), 2) == [("a", 0.0), ("a", 0.0)]
    assert seen == [1, 1, 1]


def test_an_error_reaches_every_caller_of_that_call_and_the_next_call_still_runs() -> None:
    release = threading.Event()
    calls: list[int] = []

    def search_many(q: np.ndarray, k: int) -> list[list[Match]]:
        calls.append(len(q))
        if len(calls) == 1:
            release.wait(5)  # hold the first call so the others queue behind it
            return [[("first", 0.0)]]
        if len(calls) == 2:
            raise RuntimeError("kernel failed")
        return [[("ok", 0.0)] for _ in q]

    batcher = MicroBatcher(search_many, window_s=0.0)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(batcher.search, np.zeros(D, np.float32), 1)
        while not calls:
            threading.Event().wait(0.001)
        queued = [pool.submit(batcher.search, np.zeros(D, np.float32), 1) for _ in range(3)]
        while len(batcher._queue) < 3:
            threading.Event().wait(0.001)
        release.set()
        assert first.result(5) == [("first", 0.0)]
        for f in queued:
            with pytest.raises(RuntimeError, match="kernel failed"):
                f.result(5)
    assert calls == [1, 3]
    assert batcher.search(np.zeros(D, np.float32), 1) == [("ok", 0.0)]


def test_bad_input_fails_only_its_caller() -> None:
    index = ExactIndex(D)
    index.add(["a"], np.ones((1, D), np.float32))
    with pytest.raises(ValueError):
        index.search(np.ones(D + 1, np.float32), 1)
    with pytest.raises(ValueError):
        index.search(np.full(D, np.nan, np.float32), 1)
    assert index.search(np.ones(D, np.float32), 1)[0][0] == "a"
