"""The ONNX conversion of dlib's face ResNet gives dlib's descriptors on real photos."""

from __future__ import annotations

import io
import json
from pathlib import Path

import dlib
import face_recognition_models as frm
import numpy as np
import pytest
from PIL import Image

from facegate.adapters.face.resnet_onnx import (
    MANIFEST_FILENAME,
    ResnetOnnxDescriber,
    convert,
    default_dat_path,
    ensure_model,
)

# ``face_images`` (the face_recognition 1.3.0 sdist photos) comes from tests/conftest.py.


@pytest.fixture(scope="module")
def describer(tmp_path_factory: pytest.TempPathFactory) -> ResnetOnnxDescriber:
    return ResnetOnnxDescriber(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def dlib_faces(face_images: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Chips of every detected face (5- and 68-point alignment) and dlib's descriptors."""
    detector = dlib.get_frontal_face_detector()
    predictors = [dlib.shape_predictor(frm.pose_predictor_model_location()),
                  dlib.shape_predictor(frm.pose_predictor_five_point_model_location())]
    rec = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    chips, refs = [], []
    for data in face_images.values():
        img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        for box in detector(img, 1):
            for predictor in predictors:
                shape = predictor(img, box)
                chips.append(dlib.get_face_chip(img, shape, size=150, padding=0.25))
                refs.append(np.asarray(rec.compute_face_descriptor(img, shape)))
    assert len(chips) >= 10
    return np.stack(chips), np.stack(refs)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_onnx_descriptors_match_dlib(describer: ResnetOnnxDescriber,
                                     dlib_faces: tuple[np.ndarray, np.ndarray]) -> None:
    chips, refs = dlib_faces
    got = describer.describe(chips)
    assert got.dtype == np.float32 and got.shape == (len(chips), 128)
    assert _cosine(got, refs).min() >= 0.9999
    assert np.linalg.norm(got - refs, axis=1).max() < 1e-3  # far below the 0.6 threshold


def test_batch_equals_one_by_one(describer: ResnetOnnxDescriber,
                                 dlib_faces: tuple[np.ndarray, np.ndarray]) -> None:
    chips, _ = dlib_faces
    batch = describer.describe(chips)
    single = np.concatenate([describer.describe(c[None]) for c in chips[:4]])
    np.testing.assert_allclose(single, batch[:4], atol=1e-5)
    assert describer.describe(np.zeros((0, 150, 150, 3), np.uint8)).shape == (0, 128)


def test_rejects_wrong_chip_shape(describer: ResnetOnnxDescriber) -> None:
    with pytest.raises(ValueError):
        describer.describe(np.zeros((1, 100, 100, 3), np.uint8))
    with pytest.raises(ValueError):
        describer.describe(np.zeros((1, 150, 150, 3), np.float32))


def test_conversion_is_deterministic() -> None:
    data = default_dat_path().read_bytes()
    assert convert(data) == convert(data)


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    path = ensure_model(tmp_path)
    good = path.read_bytes()
    manifest = json.loads((tmp_path / MANIFEST_FILENAME).read_text())
    path.write_bytes(good[: len(good) // 2])  # truncated download or disk error
    assert ensure_model(tmp_path).read_bytes() == good
    (tmp_path / MANIFEST_FILENAME).write_text("{not json")
    assert ensure_model(tmp_path).read_bytes() == good
    assert json.loads((tmp_path / MANIFEST_FILENAME).read_text()) == manifest
