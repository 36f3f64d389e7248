"""Which face of a photo to use, and whether it is good enough: stable refusal codes.

Dominant face: with several faces, the largest is used only when it is clearly
larger (``dominant_area_ratio``) *and* nearer the centre than every other one; a
bystander in the background then no longer refuses the photo, and a photo where
the faces are alike in size, or the largest is off-centre, still does
(``multiple_faces`` with the count): guessing there picks the wrong person.

Quality, measured on the aligned 150x150 chip and the 5 landmarks (thresholds in
``FaceOptions``; enrolment uses stricter ones, see ``FaceOptions.for_enrolment``):
``face_blurred`` (variance of the Laplacian of the central face), ``face_turned``
(nose offset from the eyes' midline over the eye distance, a yaw proxy),
``face_too_dark`` / ``face_too_bright`` (mean luminance of the central face).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from facegate.errors import ImageRejected
from facegate.ports import FaceOptions

Box = tuple[int, int, int, int]  # left, top, right, bottom


def pick_dominant(boxes: Sequence[Box], height: int, width: int, options: FaceOptions) -> int:
    """Index of the face to use, or ``multiple_faces`` with the count."""
    if len(boxes) == 1:
        return 0
    areas = [max(r - l, 0) * max(b - t, 0) for l, t, r, b in boxes]
    off = [np.hypot((l + r) / 2 - width / 2, (t + b) / 2 - height / 2) for l, t, r, b in boxes]
    order = sorted(range(len(boxes)), key=lambda i: -areas[i])
    best, runner = order[0], order[1]
    if options.allow_largest:
        return best
    if areas[best] >= options.dominant_area_ratio * areas[runner] and all(off[best] < off[i] for i in order[1:]):
        return best
    n = len(boxes)
    raise ImageRejected("multiple_faces", f"{n} faces were found and none is clearly the main one; the image "
                        "must show one person.", f"检测到{n}张人脸，且无法确定主要人脸，图像中只能有一个人。",
                        detail={"faces_found": n})


def _central_grey(chip: np.ndarray) -> np.ndarray:
    grey = chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return grey[30:120, 30:120]  # the face inside the 0.25 padding of a 150-px chip


def yaw_of(eye_a: np.ndarray, eye_b: np.ndarray, nose: np.ndarray) -> float:
    """Nose offset from the eyes' midline over the eye distance: 0 frontal, ~0.5 at a half profile."""
    eyes = float(np.linalg.norm(eye_b - eye_a))
    if eyes <= 0:
        return 0.0
    return float(abs(np.dot(nose - (eye_a + eye_b) / 2, (eye_b - eye_a) / eyes)) / eyes)


def grey_measures(face_grey: np.ndarray, yaw: float) -> dict[str, float]:
    """Sharpness (variance of the Laplacian) and brightness of the central face, with the yaw proxy."""
    g = face_grey
    lap = g[1:-1, 2:] + g[1:-1, :-2] + g[2:, 1:-1] + g[:-2, 1:-1] - 4 * g[1:-1, 1:-1]
    return {"sharpness": float(lap.var()), "yaw": yaw, "brightness": float(g.mean())}


def measure(chip: np.ndarray, points: Sequence[tuple[float, float]]) -> dict[str, float]:
    """Sharpness, yaw proxy and brightness of one aligned chip (dlib's 5 points: eyes 0-3, nose 4)."""
    yaw = 0.0
    if len(points) >= 5:
        p = np.asarray(points[:5], dtype=np.float64)
        yaw = yaw_of((p[0] + p[1]) / 2, (p[2] + p[3]) / 2, p[4])
    return grey_measures(_central_grey(chip), yaw)


def check(chip: np.ndarray, points: Sequence[tuple[float, float]], options: FaceOptions) -> None:
    """Raise ``ImageRejected`` with a stable code when the face is too poor for ``options``."""
    judge(measure(chip, points), options)


def judge(m: dict[str, float], options: FaceOptions) -> None:
    """The refusal codes for measured figures (any engine's chip)."""
    if m["brightness"] < options.min_brightness:
        raise ImageRejected("face_too_dark", "The face is too dark; add light in front of the person.",
                            "人脸过暗，请增加正面光线。", detail={"brightness": round(m["brightness"], 1)})
    if m["brightness"] > options.max_brightness:
        raise ImageRejected("face_too_bright", "The face is overexposed; reduce the light or the backlight.",
                            "人脸过亮，请减弱光线或避免逆光。", detail={"brightness": round(m["brightness"], 1)})
    if m["yaw"] > options.max_yaw:
        raise ImageRejected("face_turned", "The face is turned too far; look straight at the camera.",
                            "人脸偏转过大，请正视镜头。", detail={"yaw": round(m["yaw"], 2)})
    if m["sharpness"] < options.min_sharpness:
        raise ImageRejected("face_blurred", "The face is blurred; hold still and try again.",
                            "人脸模糊，请保持不动后重试。", detail={"sharpness": round(m["sharpness"], 1)})
