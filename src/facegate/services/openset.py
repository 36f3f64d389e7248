"""The 1:N rule each deployment runs under: threshold for its gallery size, and what to expect (M-4.2, M-4.4).

Each engine's templates are their own gallery with their own calibration. While a
switch of engine is under way a search runs in each engine's gallery; the target
FPIR is shared between them (``share``), so strangers stay under the target over
the whole search (union bound).
"""

from __future__ import annotations

from facegate.domain.model import Deployment, Mode
from facegate.domain.openset import AdoptedCalibration, OpenSetPlan, plan_open_set
from facegate.domain.scores import EngineId
from facegate.ports import UnitOfWork
from facegate.services import engines
from facegate.services.common import load_deployment
from facegate.services.context import ServiceContext


def verify_threshold(ctx: ServiceContext, adopted: AdoptedCalibration | None = None,
                     engine: EngineId | None = None) -> float:
    """The deployment's adopted 1:1 threshold for this engine (default: the current one), else the service's."""
    eid = engine or engines.engine_id(ctx.engine)
    own = engines.adopted_for(adopted, eid)
    return own.verify_threshold if own else engines.default_threshold(ctx, eid)


def plan(ctx: ServiceContext, gallery_size: int, adopted: AdoptedCalibration | None = None,
         engine: EngineId | None = None, share: int = 1) -> OpenSetPlan:
    """The open-set rule for a gallery of ``gallery_size`` templates of one engine: the deployment's adopted
    calibration and target if any, else the engine's shipped calibration and the service's target."""
    eid = engine or engines.engine_id(ctx.engine)
    own = engines.adopted_for(adopted, eid)
    if own is not None:
        return plan_open_set(own.calibration, gallery_size, target_fpir=own.target_fpir / share,
                             margin=ctx.identify_margin, max_miss=ctx.identify_max_miss, ceiling=own.verify_threshold)
    return plan_open_set(engines.calibration_of(ctx, eid), gallery_size, target_fpir=ctx.identify_target_fpir / share,
                         margin=ctx.identify_margin, max_miss=ctx.identify_max_miss,
                         ceiling=engines.default_threshold(ctx, eid))


def sizes(ctx: ServiceContext, counts: list[engines.EngineCount], purpose: str) -> dict[EngineId, int]:
    """The galleries a search of ``purpose`` runs in: the current engine's always, a kept one's while it holds any."""
    current = engines.engine_id(ctx.engine)
    held = {EngineId(c.engine, c.engine_version): c.templates for c in counts if c.purpose == purpose and c.is_running}
    return {current: held.get(current, 0), **{e: n for e, n in held.items() if e != current and n > 0}}


def plans_in(ctx: ServiceContext, tx: UnitOfWork, d: Deployment) -> dict[str, OpenSetPlan]:
    """One plan per purpose of a 1:N deployment (each purpose is its own gallery); none for 1:1.

    During a switch, the plan shown is the worst of the engines' (unusable first, then the largest gallery).
    """
    if d.mode is not Mode.IDENTIFY:
        return {}
    adopted = tx.deployments.calibration(d.id)
    counts = engines.counts_in(ctx, tx, d.id)
    out: dict[str, OpenSetPlan] = {}
    for p in d.purposes:
        galleries = sizes(ctx, counts, p)
        plans = [plan(ctx, n, adopted, e, len(galleries)) for e, n in galleries.items()]
        out[p] = min(plans, key=lambda r: (r.is_usable, -r.gallery_size))
    return out


def deployment_plans(ctx: ServiceContext, deployment_id: str) -> dict[str, OpenSetPlan]:
    with ctx.store.transaction(readonly=True) as tx:
        return plans_in(ctx, tx, load_deployment(tx, deployment_id))
