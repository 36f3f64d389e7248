"""One decision rule for every engine: distances, cosine similarities, and no comparison across engines."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facegate.domain.openset import calibrate, plan_open_set
from facegate.domain.scores import (EngineId, EngineMismatch, Metric, distance, distance_for_similarity, is_match,
                                    shown, similarity_for_distance, to_distance)

DLIB, ARC = EngineId("dlib_resnet_v1", "1"), EngineId("insightface_arcface", "0123456789abcdef")


def test_cosine_threshold_is_the_unit_vector_distance() -> None:
    rng = np.random.default_rng(1)
    a, b = (v / np.linalg.norm(v) for v in rng.standard_normal((2, 512)))
    cos = float(a @ b)
    d = distance(ARC, a, ARC, b)
    assert d == pytest.approx(math.sqrt(2 - 2 * cos), abs=1e-5)
    assert similarity_for_distance(d) == pytest.approx(cos, abs=1e-5)
    # A similarity threshold and its distance decide alike on both sides of it.
    for s in (cos - 0.01, cos + 0.01):
        assert is_match(d, distance_for_similarity(s)) == (cos >= s)
    assert to_distance(Metric.COSINE, 0.4) == pytest.approx(math.sqrt(1.2))
    assert to_distance(Metric.EUCLIDEAN, 0.6) == 0.6
    assert shown(Metric.COSINE, d) == {"metric": "cosine", "distance": round(d, 4),
                                        "similarity": round(similarity_for_distance(d), 4)}
    assert "similarity" not in shown(Metric.EUCLIDEAN, 0.5)


def test_vectors_of_two_engines_or_two_model_versions_are_never_compared() -> None:
    v = np.zeros(128, np.float32)
    with pytest.raises(EngineMismatch, match="dlib_resnet_v1:1 probe cannot be compared"):
        distance(DLIB, v, ARC, np.zeros(512, np.float32))
    with pytest.raises(EngineMismatch):
        distance(ARC, v, EngineId(ARC.name, "fedcba9876543210"), v)
    assert distance(DLIB, v, EngineId("dlib_resnet_v1", "1"), v) == 0.0


def test_open_set_rule_works_on_a_cosine_engines_scale() -> None:
    """ArcFace-like scores (genuine similarity ~0.7, impostors ~0): calibration and the 1:N plan on distances."""
    rng = np.random.default_rng(3)
    people = rng.standard_normal((60, 64))
    vecs, labels = [], []
    for i, p in enumerate(people):
        for _ in range(3):
            v = p + 0.5 * rng.standard_normal(64)
            vecs.append(v / np.linalg.norm(v))
            labels.append(str(i))
    cal = calibrate(ARC.name, labels, np.stack(vecs), source="synthetic", engine_version=ARC.version)
    assert cal.engine_version == ARC.version and cal.impostor_le[-1] == cal.impostor_pairs  # all distances <= 2
    t11 = cal.threshold_for_far(0.001)
    assert 0.5 < t11 < 1.4  # a distance between genuine (~0.8) and impostor (~1.4) pairs
    plan = plan_open_set(cal, 100, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=t11)
    assert plan.reaches_target and plan.threshold <= t11 and plan.expected_fpir is not None
    assert plan.expected_fpir <= 0.01
