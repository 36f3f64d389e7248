"""Accuracy of the InsightFace engine with real model files, when the operator has them (never downloaded).

Set ``FACEGATE_TEST_INSIGHTFACE_DIR`` to a folder holding a detector (``det_*.onnx`` or
``scrfd*.onnx``) and a recogniser (``w600k*.onnx`` or ``glintr*.onnx``), e.g. an unpacked
InsightFace ``buffalo_l`` or ``antelopev2``. The LFW check also needs lfw-dev
(``FACEGATE_BENCH_FACES``, default ``../shared/faces/lfw-dev``). Skipped otherwise.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from facegate.adapters.face.insightface import InsightFaceEngine
from facegate.domain.scores import similarity_for_distance

ROOT = Path(__file__).resolve().parents[2]
MODELS = os.environ.get("FACEGATE_TEST_INSIGHTFACE_DIR", "")
LFW = Path(os.environ.get("FACEGATE_BENCH_FACES", str(ROOT.parent / "shared" / "faces" / "lfw-dev")))

pytestmark = pytest.mark.skipif(
    not MODELS, reason="no real InsightFace models: set FACEGATE_TEST_INSIGHTFACE_DIR to a folder with det_*.onnx "
    "and w600k*.onnx (e.g. an unpacked buffalo_l); facegate never downloads them")


def _one(folder: Path, patterns: tuple[str, ...]) -> Path:
    found = sorted(p for pattern in patterns for p in folder.glob(pattern))
    if not found:
        pytest.fail(f"FACEGATE_TEST_INSIGHTFACE_DIR={folder} holds no {' or '.join(patterns)}")
    return found[0]


@pytest.fixture(scope="module")
def engine() -> InsightFaceEngine:
    folder = Path(MODELS)
    det, rec = _one(folder, ("det_*.onnx", "scrfd*.onnx")), _one(folder, ("w600k*.onnx", "glintr*.onnx"))
    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (det, rec)}
    return InsightFaceEngine.from_files(det, sha[det], rec, sha[rec])


def test_same_person_matches_and_another_does_not(engine: InsightFaceEngine, face_images: dict[str, bytes]) -> None:
    v = {n: engine.embed(face_images[n]).vector for n in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")}
    same = float(v["obama.jpg"] @ v["obama2.jpg"])
    other = float(v["obama.jpg"] @ v["biden.jpg"])
    threshold = similarity_for_distance(engine.default_threshold)
    assert same >= threshold > other, (same, other)
    assert engine.dimension == 512


def _pairs() -> list[tuple[Path, Path, bool]]:
    lines = (LFW / "pairsDevTest.txt").read_text().split("\n")
    n = int(lines[0])

    def img(name: str, i: str) -> Path:
        return LFW / name / f"{name}_{int(i):04d}.jpg"

    pairs = [(img(a, i), img(a, j), True) for a, i, j in (ln.split() for ln in lines[1:1 + n])]
    return pairs + [(img(a, i), img(b, j), False) for a, i, b, j in (ln.split() for ln in lines[1 + n:1 + 2 * n])]


@pytest.mark.slow
@pytest.mark.skipif(not (LFW / "pairsDevTest.txt").is_file(), reason="lfw-dev not found (FACEGATE_BENCH_FACES)")
def test_lfw_dev_accuracy_at_the_default_threshold(engine: InsightFaceEngine) -> None:
    pairs = _pairs()
    paths = sorted({p for a, b, _ in pairs for p in (a, b)})
    vecs: dict[Path, np.ndarray] = {}
    for i in range(0, len(paths), 32):
        batch = paths[i:i + 32]
        for p, r in zip(batch, engine.embed_many([p.read_bytes() for p in batch]), strict=True):
            if not isinstance(r, Exception):
                vecs[p] = r.vector
    decided = [(a, b, s) for a, b, s in pairs if a in vecs and b in vecs]
    right = sum((float(vecs[a] @ vecs[b]) >= similarity_for_distance(engine.default_threshold)) == s
                for a, b, s in decided)
    assert len(decided) >= 0.95 * len(pairs), f"{len(pairs) - len(decided)} pairs had a refused photo"
    assert right / len(decided) >= 0.97, f"accuracy {right / len(decided):.3f} on {len(decided)} pairs"
