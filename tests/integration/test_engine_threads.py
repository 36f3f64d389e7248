"""The face engine serves requests from many threads at once and answers exactly as it does from one.

Issue 17 item 4: there is no engine-wide lock any more; each thread has its own dlib detector and
landmark predictor, and the describer is shared (ONNX sessions are thread-safe; dlib's own network
is serialised inside its describer).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from facegate.errors import ImageRejected
from facegate.ports import FaceOptions


def _answer(engine, image: bytes):  # type: ignore[no-untyped-def]
    try:
        return engine.embed(image, FaceOptions(allow_largest=True, min_face_px=40)).vector
    except ImageRejected as exc:
        return exc.code


def test_parallel_requests_get_the_same_answers_as_sequential_ones(real_engine, face_images) -> None:  # type: ignore[no-untyped-def]
    photos = [face_images[name] for name in sorted(face_images)][:8]
    expected = [_answer(real_engine, p) for p in photos]
    assert any(isinstance(e, np.ndarray) for e in expected)
    work = photos * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda p: _answer(real_engine, p), work))
    for want, have in zip(expected * 3, got, strict=True):
        if isinstance(want, np.ndarray):
            assert isinstance(have, np.ndarray) and np.array_equal(want, have)
        else:
            assert have == want


def test_concurrent_lookups_get_pairs_of_their_own_and_pairs_are_reused(real_engine) -> None:  # type: ignore[no-untyped-def]
    pairs = real_engine._pairs
    held: list[int] = []
    inside, leave = threading.Barrier(3), threading.Barrier(3)

    def hold() -> None:
        with pairs.borrow() as pair:
            held.append(id(pair))
            inside.wait()  # all three hold a pair at once
            leave.wait()

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(held)) == 3  # never one detector for two lookups at once
    made = pairs.made

    def once() -> None:
        with pairs.borrow():
            pass

    for _ in range(5):  # new threads, one after another: they reuse the kept pairs
        t = threading.Thread(target=once)
        t.start()
        t.join()
    assert pairs.made == made
