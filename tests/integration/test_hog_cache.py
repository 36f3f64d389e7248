"""The HOG detector saved in dlib's format is dlib's frontal face detector: same boxes, scores, sub-detectors."""

from __future__ import annotations

import io
import json

import dlib
import numpy as np
import pytest
from PIL import Image

from facegate.adapters.face.dlib import DlibFaceEngine
from facegate.adapters.face.hog_cache import MANIFEST_FILENAME, cached_detector_path, frontal_face_detector

# ``face_images`` (the face_recognition 1.3.0 sdist photos) comes from tests/conftest.py.


def test_saved_detector_finds_what_dlibs_finds(tmp_path, face_images: dict[str, bytes]) -> None:
    built, saved = dlib.get_frontal_face_detector(), frontal_face_detector(cached_detector_path(tmp_path))
    for data in face_images.values():
        img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        for upsample in (0, 1):
            a, b = built.run(img, upsample, -0.5), saved.run(img, upsample, -0.5)
            assert [str(r) for r in a[0]] == [str(r) for r in b[0]]
            assert a[1] == b[1] and a[2] == b[2]


@pytest.mark.parametrize("damage", ["file", "version", "manifest"])
def test_a_damaged_or_stale_cache_is_rebuilt(tmp_path, damage: str) -> None:
    path = cached_detector_path(tmp_path)
    good = path.read_bytes()
    manifest = tmp_path / MANIFEST_FILENAME
    if damage == "file":
        path.write_bytes(good[:-10] + b"0" * 10)
    elif damage == "version":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "dlib_version": "0.0"}))
    else:
        manifest.write_text("{not json")
    assert cached_detector_path(tmp_path).read_bytes() == good
    assert json.loads(manifest.read_text())["dlib_version"] == dlib.__version__


def test_engine_with_a_cache_embeds_like_without(tmp_path, face_images: dict[str, bytes]) -> None:
    image = next(iter(face_images.values()))
    cached = DlibFaceEngine(cache_dir=tmp_path).embed(image)
    plain = DlibFaceEngine().embed(image)
    assert cached.box == plain.box
    np.testing.assert_allclose(cached.vector, plain.vector, atol=1e-6)
