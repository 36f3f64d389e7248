"""Which engine made a template, how its vectors compare, and the one rule that says "match".

Every decision in facegate is taken on one scale: the Euclidean distance between
two vectors of the *same* engine, lower is closer, a match at or below the
threshold (``is_match``; the open-set rule in ``openset`` uses the same scale).
Engines differ only in how their scores read to people:

- ``euclidean`` (dlib): the distance is the score; 0.6 is dlib's usual threshold.
- ``cosine`` (ArcFace): vectors are L2-normalised, so the distance is
  sqrt(2 - 2 cos) and a cosine similarity threshold s is the distance threshold
  sqrt(2 - 2 s); higher similarity is closer. Calibration, the index and the
  open-set rule work unchanged on distances in [0, 2]; the similarity is what
  the API, the CLI and the docs show beside it.

Templates of two engines (or two versions of one) live in different spaces:
comparing them gives a number that means nothing, so ``distance`` refuses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads where a distance is computed, not with the module (issue 14: start-up)
    import numpy as np


class Metric(str, Enum):
    EUCLIDEAN = "euclidean"
    COSINE = "cosine"


@dataclass(frozen=True, order=True)
class EngineId:
    """A template's embedding space: the engine's name and the version of its model."""

    name: str
    version: str

    @property
    def key(self) -> str:
        return f"{self.name}:{self.version}" if self.version else self.name

    def __str__(self) -> str:
        return self.key


class EngineMismatch(ValueError):
    """Two vectors of different engines were about to be compared."""

    def __init__(self, probe: EngineId, template: EngineId) -> None:
        super().__init__(f"a {probe.key} probe cannot be compared with a {template.key} template")
        self.probe = probe
        self.template = template


def distance_for_similarity(similarity: float) -> float:
    """The distance threshold of unit vectors equal to a cosine similarity threshold."""
    return math.sqrt(max(0.0, 2.0 - 2.0 * similarity))


def similarity_for_distance(distance: float) -> float:
    """Cosine similarity of two unit vectors at this Euclidean distance."""
    return 1.0 - distance * distance / 2.0


def to_distance(metric: Metric, score: float) -> float:
    """A threshold in the engine's own scale (distance, or similarity for cosine) as a distance."""
    return distance_for_similarity(score) if metric is Metric.COSINE else score


def shown(metric: Metric, distance: float) -> dict[str, float | str]:
    """What people see for a distance: the distance, and the similarity for cosine engines."""
    out: dict[str, float | str] = {"metric": metric.value, "distance": round(distance, 4)}
    if metric is Metric.COSINE:
        out["similarity"] = round(similarity_for_distance(distance), 4)
    return out


def distance(probe_engine: EngineId, probe: np.ndarray, template_engine: EngineId, template: np.ndarray) -> float:
    """The distance of two vectors of the same engine; ``EngineMismatch`` for different engines."""
    if probe_engine != template_engine:
        raise EngineMismatch(probe_engine, template_engine)
    import numpy as np

    return float(np.linalg.norm(np.asarray(probe, np.float32) - np.asarray(template, np.float32)))


def is_match(distance: float, threshold: float) -> bool:
    """The 1:1 rule, for every engine: at or below the threshold distance."""
    return distance <= threshold
