"""A small site for the console's everyday tests: the hotel desk on the real engine with a record of each kind.

Unlike console_server's module fixture (100,000 people for the filing page), this
one is quick: a few consents, a face completion, a gate refusal, one photo problem of
each kind (no_face, multiple_faces, image_undecodable, face_too_dark) and an alternative.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageEnhance

from facegate.bootstrap import AppContext, build_context
from facegate.errors import ImageRejected
from facegate.services import consent, faces, subjects
from facegate.services.deployments import get_deployment
from facegate.testing import FixedClock
from tests.browser.console_server import HOTEL, apply, ensure_workbench_tables, example, fixed_clock
from tests.browser.kiosk_setup import ensure_person_tables
from tests.conftest import make_settings

PURPOSE = "check_in"
PHOTO_PROBLEMS = ("image_undecodable", "no_face", "multiple_faces", "face_too_dark")


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def bad_photos(face_images: dict[str, bytes]) -> dict[str, bytes]:
    """One photo per problem, made from the real test photos."""
    obama = Image.open(io.BytesIO(face_images["obama.jpg"])).convert("RGB")
    pair = Image.new("RGB", (800, 400), "white")  # two alike faces, equally off-centre: nobody is the main one
    pair.paste(obama.resize((400, 400)), (0, 0))
    pair.paste(obama.resize((400, 400)).transpose(Image.Transpose.FLIP_LEFT_RIGHT), (400, 0))
    return {
        "image_undecodable": b"this is not an image",
        "no_face": _jpeg(Image.new("RGB", (400, 400), (128, 128, 128))),
        "multiple_faces": _jpeg(pair),
        "face_too_dark": _jpeg(ImageEnhance.Brightness(obama).enhance(0.15)),
    }


@dataclass
class Site:
    ctx: AppContext
    clock: FixedClock


def hotel_site(tmp_path: Path, engine: Any, face_images: dict[str, bytes]) -> Site:
    """The hotel desk with one record of each kind (issue 16 item 7)."""
    clock = fixed_clock("2025-09-26")
    ctx = build_context(make_settings(tmp_path), clock=clock, engine=engine)
    ensure_workbench_tables(ctx)
    ensure_person_tables(ctx)
    apply(ctx, example("hotel-front-desk-check-in"))
    s = ctx.services
    notice = get_deployment(s, HOTEL).notice_version
    for ref in ("guest-1", "guest-2"):
        consent.give_consent(s, consent.ConsentRequest(HOTEL, ref, PURPOSE, notice, age_attested_by="desk"))
    faces.enroll(s, HOTEL, "guest-1", PURPOSE, face_images["obama.jpg"])  # a face completion
    faces.verify(s, HOTEL, "nobody-asked", PURPOSE, face_images["biden.jpg"])  # the gate refuses: no consent
    for code, photo in bad_photos(face_images).items():
        try:
            faces.enroll(s, HOTEL, "guest-2", PURPOSE, photo)
        except ImageRejected as exc:
            assert exc.code == code, (code, exc.code)
        else:
            raise AssertionError(f"{code}: the photo was accepted")
    subjects.use_alternative(s, HOTEL, PURPOSE, "staff-id-check", True, "walk-in-1")
    return Site(ctx, clock)
