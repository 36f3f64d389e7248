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
