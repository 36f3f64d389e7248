"""Which refused face operation was the gate's refusal and which a photo problem (issue 16 item 7; M-10.4).

A photo with no face, several faces or a blurred face is refused by the engine
before the gate is asked anything about consent or purpose; it says nothing
about whether anybody was forced. The console's figures, the "nobody forced"
chart and the impact assessment count the two apart, and alternatives apart
from both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

# The engine's and the upload layer's stable photo codes (adapters/face, web/uploads).
PHOTO_CODES = frozenset({
    "no_face", "multiple_faces", "face_too_small", "image_undecodable", "image_too_large",
    "image_too_many_pixels", "image_truncated", "face_blurred", "face_turned", "face_too_dark",
    "face_too_bright",
})
FACE_KINDS = ("enroll", "verify", "identify")

# A refused face operation as the store reports it: (deployment_id, day, kind, reason codes, stage).
Refusal = tuple[str, date, str, tuple[str, ...], str | None]


def is_photo_problem(codes: Iterable[str], stage: str | None) -> bool:
    """Recorded at the image stage (services.faces._embed_or_record), or carrying a photo code."""
    return stage == "image" or any(c in PHOTO_CODES for c in codes)


def photo_codes(refusals: Iterable[Refusal]) -> dict[str, dict[str, int]]:
    """deployment_id -> photo code -> number of photo problems."""
    out: dict[str, dict[str, int]] = {}
    for dep, _, kind, codes, stage in refusals:
        if kind in FACE_KINDS and is_photo_problem(codes, stage):
            code = next((c for c in codes if c in PHOTO_CODES), codes[0] if codes else "photo")
            slot = out.setdefault(dep, {})
            slot[code] = slot.get(code, 0) + 1
    return out


def photo_days(refusals: Iterable[Refusal]) -> dict[date, int]:
    """day -> number of photo problems (for the daily chart)."""
    out: dict[date, int] = {}
    for _, day, kind, codes, stage in refusals:
        if kind in FACE_KINDS and is_photo_problem(codes, stage):
            out[day] = out.get(day, 0) + 1
    return out


def total(by_code: Mapping[str, int]) -> int:
    return sum(by_code.values())
