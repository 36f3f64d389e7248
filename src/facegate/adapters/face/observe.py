"""Liveness frames, measured the same way by every engine: landmarks, face pixels and a thumbnail per
frame, then all the descriptors in one batch. Frames stay in memory for one request (docs/liveness.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from facegate.adapters.face.imaging import decode_rgb, thumbnail
from facegate.errors import ImageRejected
from facegate.ports import Embedding, FaceObservation, FaceOptions

Points = tuple[tuple[float, float], ...]
# An engine's face finder: the aligned chip, the box, how many faces were seen, the landmarks (dlib's layout).
Locate = Callable[[np.ndarray, FaceOptions], tuple[np.ndarray, tuple[int, int, int, int], int, Points]]


def observe_frames(images: Sequence[bytes], options: FaceOptions, locate: Locate,
                   describe: Callable[[np.ndarray], np.ndarray]) -> list[FaceObservation]:
    """One observation per frame; a frame without one usable face carries its refusal code instead."""
    out: list[FaceObservation] = []
    chips: list[np.ndarray] = []
    for data in images:
        try:
            rgb = decode_rgb(data)
        except ImageRejected as exc:
            out.append(FaceObservation(None, problem=exc.code))
            continue
        thumb = thumbnail(rgb)
        try:
            chip, box, found, points = locate(rgb, options)
        except ImageRejected as exc:
            out.append(FaceObservation(None, thumb=thumb, problem=exc.code))
            continue
        left, top, right, bottom = (max(0, v) for v in box)
        chips.append(chip)
        out.append(FaceObservation(Embedding(np.zeros(0, np.float32), box, found), points,
                                   np.ascontiguousarray(rgb[top:bottom, left:right]), thumb))
    vectors = iter(describe(np.stack(chips)) if chips else [])
    return [FaceObservation(Embedding(next(vectors), o.embedding.box, o.embedding.faces_found), o.landmarks,
                            o.face_rgb, o.thumb) if o.embedding is not None else o for o in out]
