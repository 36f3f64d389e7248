"""The InsightFace-layout engine on onnxruntime, with small models the tests build (tests/synthetic_onnx.py).

Loading refuses a missing file, a missing checksum, a wrong checksum and a model
of the wrong layout, each with a stable code; the pipeline decodes SCRFD's
outputs, aligns by the 5-point similarity transform and embeds real photos.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facegate.adapters.face.arcface import ARCFACE_TEMPLATE, similarity_transform, warp
from facegate.adapters.face.insightface import InsightFaceEngine
from facegate.adapters.face.scrfd import letterbox
from facegate.errors import ConfigurationError, ImageRejected
from facegate.ports import FaceOptions
from tests import synthetic_onnx as synth


def _engine(cfg: dict[str, str]) -> InsightFaceEngine:
    return InsightFaceEngine.from_files(cfg["insightface_detector"], cfg["insightface_detector_sha256"],
                                        cfg["insightface_recognizer"], cfg["insightface_recognizer_sha256"])


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return synth.write_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def engine(models: dict[str, str]) -> InsightFaceEngine:
    return _engine(models)


def _jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=95)
    return buf.getvalue()


@pytest.mark.parametrize("change, code", [
    (lambda c: c.update(insightface_recognizer=c["insightface_recognizer"] + ".missing"), "engine_model_missing"),
    (lambda c: c.update(insightface_detector=None), "engine_model_missing"),
    (lambda c: c.update(insightface_detector_sha256=""), "engine_model_checksum_missing"),
    (lambda c: c.update(insightface_recognizer_sha256="0" * 64), "engine_model_checksum"),
])
def test_refuses_to_start_on_a_missing_or_mismatched_model(models: dict[str, str], change, code: str) -> None:  # type: ignore[no-untyped-def]
    cfg = dict(models)
    change(cfg)
    with pytest.raises(ConfigurationError) as err:
        _engine(cfg)
    assert err.value.code == code and err.value.message_zh
    assert "FACEGATE_INSIGHTFACE_" in err.value.message_en  # names the setting to fix


def test_refuses_models_of_the_wrong_layout(models: dict[str, str]) -> None:
    swapped = dict(models, insightface_detector=models["insightface_recognizer"],
                   insightface_detector_sha256=models["insightface_recognizer_sha256"])
    with pytest.raises(ConfigurationError) as err:
        _engine(swapped)
    assert err.value.code == "engine_model_invalid"


def test_engine_identity_is_the_recognisers_checksum(engine: InsightFaceEngine, models: dict[str, str]) -> None:
    assert engine.name == "insightface_arcface" and engine.metric.value == "cosine" and engine.dimension == 512
    assert engine.version == models["insightface_recognizer_sha256"][:16]
    assert engine.default_threshold == pytest.approx(np.sqrt(2 - 2 * 0.40))


def test_alignment_maps_the_landmarks_onto_the_arcface_template() -> None:
    rng = np.random.default_rng(0)
    angle, scale, shift = 0.3, 2.5, np.array([300.0, 120.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    points = (ARCFACE_TEMPLATE @ rot.T) * scale + shift + rng.normal(0, 0.01, (5, 2))
    m = similarity_transform(points)
    mapped = points @ m[:, :2].T + m[:, 2]
    assert np.abs(mapped - ARCFACE_TEMPLATE).max() < 0.05
    # The warp samples like cv2.warpAffine: a pure shift by whole pixels copies pixels exactly.
    img = rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)
    chip = warp(img, np.array([[1.0, 0, -10], [0, 1.0, -20]]))
    assert np.array_equal(chip, img[20:132, 10:122])


@pytest.mark.parametrize("batched", [False, True])
def test_decodes_scrfd_outputs_into_the_image_coordinates(tmp_path: Path, batched: bool) -> None:
    cfg = synth.write_models(tmp_path, batched=batched)
    engine = _engine(cfg)
    rgb = np.full((480, 640, 3), 128, np.uint8)  # letter-boxed at scale 1: input coordinates are image ones
    found = engine._detector.detect(rgb)
    box = synth.ONE_FACE[0]
    assert len(found.scores) == 1 and found.scores[0] == pytest.approx(0.9, abs=1e-3)
    assert np.allclose(found.boxes[0], box, atol=0.01)
    assert np.allclose(found.landmarks[0], synth.landmarks(box), atol=0.01)
    big = np.full((960, 1280, 3), 128, np.uint8)  # half scale into the input: twice the coordinates back
    assert np.allclose(engine._detector.detect(big).boxes[0], np.array(box) * 2, atol=0.05)
    blob, scale = letterbox(big)
    assert blob.shape == (1, 3, 640, 640) and scale == 0.5 and blob[0, 0, 0, 0] == pytest.approx((128 - 127.5) / 128)


def test_embeds_real_photos_deterministically_and_l2_normalised(engine: InsightFaceEngine,
                                                                face_images: dict[str, bytes]) -> None:
    names = ["obama.jpg", "biden.jpg", "obama2.jpg"]
    first = engine.embed_many([face_images[n] for n in names])
    again = engine.embed_many([face_images[n] for n in names])
    for a, b in zip(first, again, strict=True):
        assert not isinstance(a, Exception) and not isinstance(b, Exception)
        assert a.vector.shape == (512,) and np.linalg.norm(a.vector) == pytest.approx(1.0, abs=1e-5)
        assert np.array_equal(a.vector, b.vector)
    a, b = first[0], first[1]
    assert not isinstance(a, Exception) and not isinstance(b, Exception)
    assert not np.allclose(a.vector, b.vector)  # another photo, another embedding
    single = engine.embed(face_images["obama.jpg"])
    assert np.allclose(single.vector, a.vector, atol=1e-6)  # batching does not change the answer


def test_stable_refusal_codes(tmp_path: Path, engine: InsightFaceEngine, face_images: dict[str, bytes]) -> None:
    with pytest.raises(ImageRejected) as err:
        engine.embed(_jpeg(np.zeros((480, 640, 3), np.uint8)))  # the gated detector sees nothing in the dark
    assert err.value.code == "no_face"
    with pytest.raises(ImageRejected) as err:
        engine.embed(b"not an image")
    assert err.value.code == "image_undecodable"
    with pytest.raises(ImageRejected) as err:  # the synthetic face is 200 px in a 640-px input
        engine.embed(face_images["obama.jpg"], FaceOptions(min_face_px=400))
    assert err.value.code in ("face_too_small", "image_too_small")

    two_alike = _engine(synth.write_models(tmp_path / "two", faces=(synth.ONE_FACE[0], (340.0, 100.0, 540.0, 340.0))))
    with pytest.raises(ImageRejected) as err:
        two_alike.embed(face_images["obama.jpg"])
    assert err.value.code == "multiple_faces" and err.value.detail["faces_found"] == 2
    # A small face in the background beside a clearly larger, central one: the main face is used.
    bystander = _engine(synth.write_models(tmp_path / "by", faces=((200.0, 120.0, 440.0, 400.0),
                                                                   (560.0, 20.0, 620.0, 80.0))))
    emb = bystander.embed(face_images["obama.jpg"])
    assert emb.faces_found == 2


def test_observes_frames_for_liveness_with_the_eye_and_nose_points(engine: InsightFaceEngine,
                                                                   face_images: dict[str, bytes]) -> None:
    obs = engine.observe_many([face_images["obama.jpg"], b"junk"])
    assert obs[0].embedding is not None and obs[0].embedding.vector.shape == (512,)
    assert len(obs[0].landmarks) == 5 and obs[0].face_rgb is not None and obs[0].thumb is not None
    assert obs[1].embedding is None and obs[1].problem == "image_undecodable"
