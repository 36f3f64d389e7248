"""LFW View 1 dev (``pairsDevTest.txt``): where the photos are, their pairs, and accuracy on them.

Shared by bench_engine.py and bench_openset.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def default_faces() -> str:
    """$FACEGATE_BENCH_FACES, or ../shared/faces/lfw-dev beside the repository."""
    return os.environ.get("FACEGATE_BENCH_FACES") or str(
        Path(__file__).resolve().parents[2] / "shared" / "faces" / "lfw-dev")


def read_pairs(faces: Path) -> list[tuple[Path, Path, bool]]:
    """The dev-test pairs: (photo, photo, same person)."""
    lines = (faces / "pairsDevTest.txt").read_text().split("\n")
    n = int(lines[0].strip())

    def img(name: str, i: str) -> Path:
        return faces / name / f"{name}_{int(i):04d}.jpg"

    pairs = [(img(a, i), img(a, j), True) for a, i, j in (ln.split() for ln in lines[1:1 + n])]
    pairs += [(img(a, i), img(b, j), False) for a, i, b, j in (ln.split() for ln in lines[1 + n:1 + 2 * n])]
    return pairs


def pair_accuracy(desc: dict[Path, np.ndarray], pairs: list[tuple[Path, Path, bool]],
                  threshold: float) -> tuple[float, float, float]:
    """(accuracy at threshold, best threshold, accuracy at best threshold)."""
    d = np.array([np.linalg.norm(desc[a] - desc[b]) for a, b, _ in pairs])
    same = np.array([s for _, _, s in pairs])
    acc = float(((d <= threshold) == same).mean())
    cands = np.sort(d)
    accs = [((d <= t) == same).mean() for t in cands]
    best = int(np.argmax(accs))
    return acc, float(cands[best]), float(accs[best])
