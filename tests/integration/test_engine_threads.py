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


def test_each_thread_has_its_own_detector(real_engine) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    start, done = threading.Barrier(3), threading.Barrier(3)

    def grab() -> None:
        start.wait()
        seen.append(id(real_engine._local.detector))
        done.wait()  # every thread (and so its detector) is alive until all ids are taken

    threads = [threading.Thread(target=grab) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 3 and id(real_engine._local.detector) not in seen
