"""Calibrate the engine on the operator's own people, recommend thresholds, adopt them per deployment.

Photos come in as bytes, are embedded in memory and dropped; only distance counts
remain (domain/openset.py), so nothing here is face data (M-8.1, M-14.1).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from facegate.domain.openset import AdoptedCalibration, Calibration, OpenSetPlan, calibrate, plan_open_set
from facegate.domain.scores import EngineId
from facegate.errors import ImageRejected, InvalidInput
from facegate.ports import FaceEngine, FaceOptions
from facegate.services.common import load_deployment, record
from facegate.services.context import ServiceContext
from facegate.services.engines import applies, engine_id

GALLERY_SIZES = (10, 100, 1_000, 10_000, 100_000)


@dataclass(frozen=True)
class Recommendation:
    calibration: Calibration
    target_far: float
    verify_threshold: float
    verify_far: float
    verify_frr: float
    identify: tuple[OpenSetPlan, ...]
    refused: dict[str, int] = field(default_factory=dict)


def measure(engine: FaceEngine, photos: Iterable[tuple[str, bytes]], *, source: str,
            options: FaceOptions = FaceOptions(), batch: int = 32) -> tuple[Calibration, dict[str, int]]:
    """(label, image bytes) pairs -> genuine/impostor counts and the refusals by code."""
    labels: list[str] = []
    vectors: list[np.ndarray] = []
    refused: collections.Counter[str] = collections.Counter()
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        for (label, _), r in zip(pending, engine.embed_many([b for _, b in pending], options), strict=True):
            if isinstance(r, ImageRejected):
                refused[r.code] += 1
            elif isinstance(r, Exception):
                raise r
            else:
                labels.append(label)
                vectors.append(r.vector)
        pending.clear()

    for item in photos:
        pending.append(item)
        if len(pending) >= batch:
            flush()
    flush()
    counts = collections.Counter(labels)
    if sum(1 for c in counts.values() if c >= 2) < 1 or len(counts) < 2:
        raise InvalidInput("calibration_too_small", "Calibration needs at least two people and one person with "
                           "two accepted photos.", "校准至少需要两个人，且至少一人有两张可用照片。")
    return calibrate(engine.name, labels, np.stack(vectors), source=source,
                     engine_version=getattr(engine, "version", "1")), dict(refused)


def recommend(ctx: ServiceContext, cal: Calibration, *, target_far: float, target_fpir: float,
              sizes: Iterable[int] = GALLERY_SIZES) -> Recommendation:
    t = cal.threshold_for_far(target_far)
    plans = tuple(plan_open_set(cal, n, target_fpir=target_fpir, margin=ctx.identify_margin,
                                max_miss=ctx.identify_max_miss, ceiling=t) for n in sizes)
    return Recommendation(cal, target_far, t, cal.far(t), cal.frr(t), plans)


def adopt(ctx: ServiceContext, deployment_id: str, cal: Calibration, *, target_far: float, target_fpir: float,
          actor: str = "cli") -> AdoptedCalibration:
    """Use this calibration's thresholds for the deployment from now on; the change is on record (M-9.3)."""
    current = engine_id(ctx.engine)
    if not applies(cal, current):
        measured = EngineId(cal.engine, cal.engine_version).key
        raise InvalidInput("calibration_engine_mismatch",
                           f"The calibration is for engine {measured!r}; this service runs {current.key!r}.",
                           f"校准所用引擎为{measured!r}，当前服务引擎为{current.key!r}。")
    if not (0 < target_far < 1 and 0 < target_fpir < 1):
        raise InvalidInput("calibration_target_invalid", "Targets are rates between 0 and 1.", "目标须为0到1之间的比率。")
    adopted = AdoptedCalibration(cal, target_far, target_fpir, cal.threshold_for_far(target_far),
                                 ctx.clock.now(), actor)
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        tx.deployments.put_calibration(d.id, adopted)
        record(ctx, tx, "calibration_adopted", actor=actor, deployment=d, allowed=True,
               detail={"engine": cal.engine, "engine_version": cal.engine_version, "source": cal.source, "people": cal.people, "photos": cal.photos,
                       "genuine_pairs": cal.genuine_pairs, "impostor_pairs": cal.impostor_pairs,
                       "target_far": target_far, "target_fpir": target_fpir,
                       "verify_threshold": adopted.verify_threshold})
    return adopted
