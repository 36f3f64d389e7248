"""Dominant face and quality codes (adapters/face/quality.py), on synthetic boxes and chips."""

from __future__ import annotations

import numpy as np
import pytest

from facegate.adapters.face.quality import check, measure, pick_dominant
from facegate.errors import ImageRejected
from facegate.ports import FaceOptions

V = FaceOptions()
FRONTAL = ((100.0, 60.0), (80.0, 60.0), (40.0, 60.0), (60.0, 60.0), (70.0, 90.0))  # dlib's 5 points


def test_one_face_is_used() -> None:
    assert pick_dominant([(0, 0, 10, 10)], 100, 100, V) == 0


def test_a_clearly_larger_central_face_is_used_over_a_bystander() -> None:
    boxes = [(5, 5, 25, 25), (30, 30, 70, 70)]  # small face in a corner, large one in the middle
    assert pick_dominant(boxes, 100, 100, V) == 1


@pytest.mark.parametrize("boxes", [
    [(0, 30, 40, 70), (60, 30, 100, 70)],             # two alike, side by side
    [(0, 0, 50, 50), (40, 40, 60, 60), (45, 45, 55, 55)],  # the largest is off-centre
])
def test_otherwise_multiple_faces_with_the_count(boxes: list[tuple[int, int, int, int]]) -> None:
    with pytest.raises(ImageRejected) as exc:
        pick_dominant(boxes, 100, 100, V)
    assert exc.value.code == "multiple_faces" and exc.value.detail["faces_found"] == len(boxes)
    assert pick_dominant(boxes, 100, 100, FaceOptions(allow_largest=True)) == 0


def test_enrolment_asks_more_than_verification() -> None:
    e = V.for_enrolment()
    assert e.min_face_px > V.min_face_px and e.dominant_area_ratio > V.dominant_area_ratio
    assert e.min_sharpness > V.min_sharpness and e.max_yaw < V.max_yaw
    assert e.min_brightness > V.min_brightness and e.max_brightness < V.max_brightness
    boxes = [(5, 5, 30, 30), (30, 30, 62, 62)]  # 1.6x the area: a bystander for verification, not enrolment
    assert pick_dominant(boxes, 100, 100, V) == 1
    with pytest.raises(ImageRejected):
        pick_dominant(boxes, 100, 100, e)


def _chip(level: float, texture: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(level + texture * rng.standard_normal((150, 150, 1)), 0, 255).repeat(3, axis=2).astype(np.uint8)


@pytest.mark.parametrize(("chip", "points", "code"), [
    (_chip(10, 5), FRONTAL, "face_too_dark"),
    (_chip(245, 5), FRONTAL, "face_too_bright"),
    (_chip(128, 0), FRONTAL, "face_blurred"),
    (_chip(128, 20), (*FRONTAL[:4], (100.0, 90.0)), "face_turned"),
])
def test_poor_faces_get_a_stable_code(chip: np.ndarray, points, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImageRejected) as exc:
        check(chip, points, V)
    assert exc.value.code == code and exc.value.message_zh and exc.value.detail


def test_a_good_face_passes_and_is_measured() -> None:
    m = measure(_chip(128, 20), FRONTAL)
    assert m["yaw"] < 0.05 and 120 < m["brightness"] < 136 and m["sharpness"] > 100
    check(_chip(128, 20), FRONTAL, V.for_enrolment())
