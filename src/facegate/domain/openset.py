"""Open-set 1:N decisions: an engine's calibration and the threshold it gives for a gallery size.

A 1:1 threshold answers "is this the claimed person?" with one comparison. A 1:N
search makes one comparison per template, so a stranger's chance of matching
*somebody* grows with the gallery: FPIR(t, N) = 1 - (1 - FAR(t))^N. This pooled
estimate is conservative (FPIR averaged over probes is lower, by Jensen's
inequality), which is the side to err on when the error is naming a stranger
(M-4.2, M-4.4). The FAR is never taken below one impostor pair in the
calibration: a calibration of P impostor pairs cannot show a FAR under 1/P.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads where it computes: listing deployments never does (issue 14: start-up)
    import numpy as np

GRID_STEP = 0.005
GRID_MAX = 2.0  # Euclidean distances of unit vectors end at 2; dlib's stay under ~1.3


def default_grid() -> np.ndarray:
    import numpy as np

    return np.round(np.arange(0.0, GRID_MAX + GRID_STEP / 2, GRID_STEP), 3)


@dataclass(frozen=True)
class Calibration:
    """Genuine and impostor distance counts of one engine on a labelled photo set.

    ``genuine_le[i]`` / ``impostor_le[i]``: pairs at distance <= ``thresholds[i]``.
    No vectors and no photos: only counts, so it ships as data and prints safely.
    """

    engine: str
    source: str
    thresholds: tuple[float, ...]
    genuine_le: tuple[int, ...]
    impostor_le: tuple[int, ...]
    genuine_pairs: int
    impostor_pairs: int
    people: int = 0
    photos: int = 0
    engine_version: str = "1"  # with ``engine``, the embedding space measured (domain/scores.py)

    def __post_init__(self) -> None:
        n = len(self.thresholds)
        if not n or len(self.genuine_le) != n or len(self.impostor_le) != n:
            raise ValueError("calibration grid and counts differ in length")
        if self.genuine_pairs < 1 or self.impostor_pairs < 1:
            raise ValueError("a calibration needs genuine and impostor pairs")

    def _at(self, t: float) -> int:
        """Index of the largest grid threshold <= t (0 when t is below the grid)."""
        import numpy as np

        return max(int(np.searchsorted(self.thresholds, t + 1e-9, side="right")) - 1, 0)

    def far(self, t: float) -> float:
        """Share of impostor pairs at or below ``t``, floored at one pair."""
        return max(self.impostor_le[self._at(t)], 1) / self.impostor_pairs

    def frr(self, t: float) -> float:
        """Share of genuine pairs above ``t``: a 1:1 false non-match rate."""
        return 1.0 - self.genuine_le[self._at(t)] / self.genuine_pairs

    def fpir(self, t: float, gallery_size: int) -> float:
        """Chance a stranger gets a candidate from ``gallery_size`` templates."""
        if gallery_size <= 0:
            return 0.0
        import numpy as np

        return float(-np.expm1(gallery_size * np.log1p(-min(self.far(t), 1.0 - 1e-12))))

    def miss(self, t: float, gallery_size: int) -> float:
        """Chance an enrolled person is not returned: too far, or a stranger's template is within ``t``."""
        return 1.0 - (1.0 - self.frr(t)) * (1.0 - self.fpir(t, gallery_size - 1))

    def threshold_for_far(self, target: float) -> float:
        """The largest grid threshold whose 1:1 FAR is at most ``target`` (0 if none)."""
        ok = [t for t in self.thresholds if self.far(t) <= target]
        return max(ok) if ok else self.thresholds[0]

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "engine_version": self.engine_version, "source": self.source, "people": self.people, "photos": self.photos,
                "genuine_pairs": self.genuine_pairs, "impostor_pairs": self.impostor_pairs,
                "thresholds": list(self.thresholds), "genuine_le": list(self.genuine_le),
                "impostor_le": list(self.impostor_le)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        return cls(str(d["engine"]), str(d.get("source", "")), tuple(float(x) for x in d["thresholds"]),
                   tuple(int(x) for x in d["genuine_le"]), tuple(int(x) for x in d["impostor_le"]),
                   int(d["genuine_pairs"]), int(d["impostor_pairs"]), int(d.get("people", 0)),
                   int(d.get("photos", 0)), str(d.get("engine_version", "1")))  # before versions: dlib's v1


@dataclass(frozen=True)
class AdoptedCalibration:
    """A deployment's own calibration and the targets its operator chose (recorded, M-9.3)."""

    calibration: Calibration
    target_far: float  # 1:1
    target_fpir: float  # 1:N
    verify_threshold: float  # the calibration's threshold for ``target_far``
    adopted_at: datetime
    adopted_by: str


def calibrate(engine: str, labels: Sequence[str], vectors: np.ndarray, *, source: str = "",
              grid: np.ndarray | None = None, block: int = 1024, engine_version: str = "1") -> Calibration:
    """All pairs of ``vectors`` (one row per photo, ``labels`` the person): genuine and impostor counts."""
    import numpy as np

    grid = default_grid() if grid is None else np.asarray(grid, dtype=np.float64)
    x = np.asarray(vectors, dtype=np.float64)
    ids = np.unique(np.asarray(labels), return_inverse=True)[1]
    sq = (x * x).sum(1)
    gen = np.zeros(len(grid) + 1, dtype=np.int64)
    imp = np.zeros(len(grid) + 1, dtype=np.int64)
    for start in range(0, len(x), block):
        rows = slice(start, min(start + block, len(x)))
        d2 = sq[rows, None] + sq[None, :] - 2.0 * x[rows] @ x.T
        dist = np.sqrt(np.maximum(d2, 0.0))
        upper = np.arange(rows.start, rows.stop)[:, None] < np.arange(len(x))[None, :]  # each pair once
        same = ids[rows, None] == ids[None, :]
        # bin k holds distances in (grid[k-1], grid[k]]; cumulative sums give "<= grid[k]".
        gen += np.bincount(np.searchsorted(grid, dist[upper & same], side="left"), minlength=len(grid) + 1)
        imp += np.bincount(np.searchsorted(grid, dist[upper & ~same], side="left"), minlength=len(grid) + 1)
    return Calibration(engine, source, tuple(float(t) for t in grid), tuple(int(c) for c in np.cumsum(gen)[:-1]),
                       tuple(int(c) for c in np.cumsum(imp)[:-1]), int(gen.sum()), int(imp.sum()),
                       int(ids.max() + 1) if len(ids) else 0, len(x), engine_version)


@dataclass(frozen=True)
class OpenSetPlan:
    """The 1:N rule for one gallery: threshold, margin, and what to expect from them."""

    gallery_size: int
    target_fpir: float
    threshold: float
    margin: float
    expected_fpir: float | None
    expected_miss: float | None
    max_miss: float
    is_calibrated: bool
    reaches_target: bool
    calibration_source: str = ""

    @property
    def is_usable(self) -> bool:
        """Strangers stay under the target while enrolled people are still found (FGR-04-01)."""
        return (self.is_calibrated and self.reaches_target and self.expected_miss is not None
                and self.expected_miss <= self.max_miss)

    def to_dict(self) -> dict[str, Any]:
        return {"gallery_size": self.gallery_size, "target_fpir": self.target_fpir,
                "threshold": self.threshold, "margin": self.margin,
                "expected_fpir": None if self.expected_fpir is None else round(self.expected_fpir, 5),
                "expected_miss": None if self.expected_miss is None else round(self.expected_miss, 4),
                "max_miss": self.max_miss, "is_calibrated": self.is_calibrated,
                "reaches_target": self.reaches_target, "is_usable": self.is_usable,
                "calibration": self.calibration_source}


def plan_open_set(calibration: Calibration | None, gallery_size: int, *, target_fpir: float, margin: float,
                  max_miss: float, ceiling: float) -> OpenSetPlan:
    """Pick the loosest threshold (never looser than the 1:1 ``ceiling``) whose FPIR meets the target.

    Without a calibration the 1:1 threshold is used and the plan says it is uncalibrated.
    When no threshold meets the target, the strictest one with no impostor seen is used,
    so the search still errs towards "nobody", and ``reaches_target`` is False.
    """
    n = max(gallery_size, 1)
    if calibration is None:
        return OpenSetPlan(gallery_size, target_fpir, ceiling, margin, None, None, max_miss, False, False)
    grid = [t for t in calibration.thresholds if t <= ceiling + 1e-9] or [calibration.thresholds[0]]
    meeting = [t for t in grid if calibration.fpir(t, n) <= target_fpir]
    if meeting:
        t, reaches = max(meeting), True
    else:
        clean = [t for t in grid if calibration.impostor_le[calibration._at(t)] == 0]
        t, reaches = (max(clean) if clean else grid[0]), False
    return OpenSetPlan(gallery_size, target_fpir, t, margin, calibration.fpir(t, n), calibration.miss(t, n),
                       max_miss, True, reaches, calibration.source)


def decide_open_set(plan: OpenSetPlan, best: float | None, second: float | None) -> str:
    """``identified`` only when the best is within the threshold and clear of the next person by the margin."""
    if best is None or best > plan.threshold:
        return "no_match"
    if second is not None and second - best < plan.margin:
        return "ambiguous"
    return "identified"
