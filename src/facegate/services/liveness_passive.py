"""Passive presentation-attack measures that cost little: each is reported with what it achieves.

They run on pixels already decoded for the active check, in memory only.
docs/liveness.md has the figures; a measure refuses only where a figure
shows it separates (today: motion), the others are recorded as numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def motion_between(thumbs: Sequence[np.ndarray | None]) -> list[float]:
    """Mean absolute grey-level change between consecutive frames (64x48 thumbnails).

    A still image fed as a camera, or a photo on a stand, changes by well under
    one level; a person who turns their head changes by tens.
    """
    shown = [t for t in thumbs if t is not None]
    return [float(np.mean(np.abs(b - a))) for a, b in zip(shown, shown[1:])]


def _grey(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def moire_energy(face_rgb: np.ndarray) -> float:
    """Share of the face's spectral energy in the top half of frequencies (0.25-0.5 cycles/pixel).

    A screen or a halftone print filmed again adds a fine periodic pattern there;
    skin, camera noise and JPEG put comparatively little. Measured at the capture's
    own resolution: resizing first would blur the very pattern it looks for.
    """
    g = _grey(face_rgb)
    if min(g.shape) < 16:
        return 0.0
    g = (g - g.mean()) * np.outer(np.hanning(g.shape[0]), np.hanning(g.shape[1]))
    power = np.abs(np.fft.fft2(g)) ** 2
    fy = np.abs(np.fft.fftfreq(g.shape[0]))[:, None]
    fx = np.abs(np.fft.fftfreq(g.shape[1]))[None, :]
    high = np.maximum(fx, fy) >= 0.25
    total = float(power.sum()) or 1.0
    return float(power[high].sum()) / total


def specular_share(face_rgb: np.ndarray) -> float:
    """Share of face pixels blown out white in every channel: glare off glossy paper or glass."""
    return float(np.mean(np.min(face_rgb, axis=2) >= 250))


def border_strength(thumb: np.ndarray) -> float:
    """The strongest straight edge across the frame, as a share of the frame's height or width.

    A phone or a print held up shows a long, straight, high-contrast line (its edge
    or bezel); a face in a room rarely spans the whole frame with one. Works on the
    64x48 thumbnail: rows and columns whose step to the next one is large along
    most of their length.
    """
    if thumb.shape[0] < 3 or thumb.shape[1] < 3:
        return 0.0
    dy = np.abs(np.diff(thumb, axis=0)) >= 24  # grey levels: a hard edge
    dx = np.abs(np.diff(thumb, axis=1)) >= 24
    return float(max(dy.mean(axis=1).max(), dx.mean(axis=0).max()))


def passive_figures(faces_rgb: Sequence[np.ndarray], thumbs: Sequence[np.ndarray]) -> dict[str, float]:
    """The passive measures over a sequence (largest per frame), for the record: none refuses on its own."""
    return {
        "moire": round(max((moire_energy(f) for f in faces_rgb), default=0.0), 4),
        "specular": round(max((specular_share(f) for f in faces_rgb), default=0.0), 4),
        "border": round(max((border_strength(t) for t in thumbs), default=0.0), 3),
    }
