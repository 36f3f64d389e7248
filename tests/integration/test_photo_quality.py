"""A bystander no longer refuses a photo; poor photos are refused with stable codes, more strictly at enrolment."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from facegate.errors import ImageRejected
from facegate.ports import FaceOptions

V = FaceOptions()
E = V.for_enrolment()


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_a_small_bystander_in_a_corner_is_left_out(real_engine, face_images: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    scene = _open(face_images["obama.jpg"]).resize((800, 1000))
    bystander = _open(face_images["biden.jpg"]).resize((200, 455)).crop((0, 0, 200, 260))
    scene.paste(bystander, (0, 0))
    photo = _jpeg(scene)
    emb = real_engine.embed(photo, V)
    assert emb.faces_found == 2
    # The face used is the person in front, not the bystander.
    own = real_engine.embed(face_images["obama2.jpg"], V).vector
    other = real_engine.embed(face_images["biden.jpg"], V).vector
    assert np.linalg.norm(emb.vector - own) < 0.6 < np.linalg.norm(emb.vector - other)
    # Before issue 13 this photo was refused (multiple_faces) unless the caller asked for the largest face.
    assert real_engine.embed(photo, E).faces_found == 2


@pytest.mark.parametrize(("change", "verify_code", "enrol_code"), [
    (lambda im: im.filter(ImageFilter.GaussianBlur(5)), None, "face_blurred"),
    (lambda im: im.filter(ImageFilter.GaussianBlur(9)), "face_blurred", "face_blurred"),
    (lambda im: ImageEnhance.Brightness(im).enhance(0.3), None, "face_too_dark"),
    (lambda im: ImageEnhance.Brightness(im).enhance(0.15), "face_too_dark", "face_too_dark"),
    (lambda im: ImageEnhance.Brightness(im).enhance(3.0), "face_too_bright", "face_too_bright"),
])
def test_poor_photos_are_refused_with_stable_codes(real_engine, face_images, change, verify_code, enrol_code) -> None:  # type: ignore[no-untyped-def]
    photo = _jpeg(change(_open(face_images["obama.jpg"])))
    for options, code in ((V, verify_code), (E, enrol_code)):
        if code is None:
            real_engine.embed(photo, options)
        else:
            with pytest.raises(ImageRejected) as exc:
                real_engine.embed(photo, options)
            assert exc.value.code == code


def test_the_test_photos_pass_enrolment(real_engine, face_images: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    for name in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"):
        real_engine.embed(face_images[name], E)
