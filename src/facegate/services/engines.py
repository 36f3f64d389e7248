"""The engines a service runs during a planned switch, which one judges which template, and the progress.

A switch of engine is planned (docs/engines.md): the new engine makes every new
template; the previous one stays loaded only to match the templates it made,
until each is replaced (the person enrols again, which drops their older
engine's templates) or expires. Templates of an engine that is not running are
never compared with anything (domain/scores.py): verification says so with the
stable code ``template_engine_mismatch`` rather than give a distance that means
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from facegate.domain.model import Deployment, TemplateRecord
from facegate.domain.openset import AdoptedCalibration, Calibration
from facegate.domain.scores import EngineId, Metric, shown
from facegate.errors import Conflict
from facegate.ports import FaceEngine, UnitOfWork
from facegate.services.common import record
from facegate.services.context import ServiceContext


def engine_id(engine: FaceEngine) -> EngineId:
    return EngineId(engine.name, getattr(engine, "version", ""))


def template_engine(rec: TemplateRecord) -> EngineId:
    return EngineId(rec.engine, rec.engine_version)


def superseded(held: Sequence[TemplateRecord], eid: EngineId, keep: int) -> list[str]:
    """Template ids a new template of ``eid`` replaces, oldest first (``held`` includes the new one).

    Another engine's templates all go (a planned switch, docs/engines.md); of ``eid``'s own the
    newest ``keep`` stay. Enrolment and bulk import both apply it, so a person is never left with
    templates of an engine being retired once the new one has made theirs.
    """
    same = [t.id for t in held if template_engine(t) == eid]
    return [t.id for t in held if template_engine(t) != eid] + same[:-keep]


def running(ctx: ServiceContext) -> dict[EngineId, FaceEngine]:
    """The current engine first, then those kept for older templates."""
    out = {engine_id(ctx.engine): ctx.engine}
    for e in ctx.legacy_engines:
        out.setdefault(engine_id(e), e)
    return out


def metric_of(engine: FaceEngine) -> Metric:
    return Metric(getattr(engine, "metric", Metric.EUCLIDEAN))


def calibration_of(ctx: ServiceContext, eid: EngineId) -> Calibration | None:
    """The calibration that ships for this engine (the current one's is ``ctx.calibration``)."""
    if eid == engine_id(ctx.engine):
        return ctx.calibration
    return ctx.legacy_calibrations.get(eid.key)


def applies(cal: Calibration, eid: EngineId) -> bool:
    """A calibration measures one engine and model version; after a switch it no longer applies."""
    return cal.engine == eid.name and cal.engine_version == eid.version


def adopted_for(adopted: AdoptedCalibration | None, eid: EngineId) -> AdoptedCalibration | None:
    return adopted if adopted is not None and applies(adopted.calibration, eid) else None


def default_threshold(ctx: ServiceContext, eid: EngineId) -> float:
    """The service's 1:1 threshold (distance) for this engine: configured for the current one."""
    if eid == engine_id(ctx.engine):
        return ctx.threshold
    return running(ctx)[eid].default_threshold


def mismatch(held: list[EngineId], ctx: ServiceContext) -> Conflict:
    names = sorted({e.key for e in held})
    return Conflict("template_engine_mismatch",
                    f"This person's templates were made by {', '.join(names)}, which this service does not run "
                    f"(it runs {', '.join(e.key for e in running(ctx))}); templates of different engines are never "
                    "compared. Enrol the person again.",
                    f"此人的模板由{'、'.join(names)}生成，本服务未运行该引擎；不同引擎的模板不作比对。请重新采集。",
                    detail={"template_engines": names, "running": [e.key for e in running(ctx)]})


def refuse_mismatch(ctx: ServiceContext, d: Deployment, subject_ref: str, held: list[EngineId], actor: str) -> None:
    """Record the refusal, then raise it: an operation that stopped is a processing event too."""
    err = mismatch(held, ctx)
    with ctx.store.transaction() as tx:
        record(ctx, tx, "verify", actor=actor, deployment=d, subject_ref=subject_ref, allowed=False,
               codes=(err.code,), detail={"stage": "engine", **err.detail})
    raise err


def score(ctx: ServiceContext, eid: EngineId, distance: float) -> dict[str, float | str]:
    """The distance as people read it for this engine (with the cosine similarity for ArcFace)."""
    return {"engine": eid.key, **shown(metric_of(running(ctx).get(eid, ctx.engine)), distance)}


@dataclass(frozen=True)
class EngineCount:
    """Templates one engine holds in one gallery: the progress of a switch."""

    deployment_id: str
    purpose: str
    engine: str
    engine_version: str
    templates: int
    is_current: bool
    is_running: bool

    def to_dict(self) -> dict[str, object]:
        return {"deployment_id": self.deployment_id, "purpose": self.purpose, "engine": self.engine,
                "engine_version": self.engine_version, "templates": self.templates, "is_current": self.is_current,
                "is_running": self.is_running}


def counts_in(ctx: ServiceContext, tx: UnitOfWork, deployment_id: str | None = None) -> list[EngineCount]:
    current, live = engine_id(ctx.engine), running(ctx)
    rows = tx.templates.count_by_engine(deployment_id)
    return [EngineCount(d, p, e, v, n, EngineId(e, v) == current, EngineId(e, v) in live) for d, p, e, v, n in rows]


def progress(ctx: ServiceContext, deployment_id: str | None = None) -> list[EngineCount]:
    """How many templates each engine holds, per deployment and purpose (``facegate engines``, the API)."""
    with ctx.store.transaction(readonly=True) as tx:
        return counts_in(ctx, tx, deployment_id)
