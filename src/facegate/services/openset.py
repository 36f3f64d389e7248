"""The 1:N rule each deployment runs under: threshold for its gallery size, and what to expect (M-4.2, M-4.4)."""

from __future__ import annotations

from facegate.domain.model import Deployment, Mode
from facegate.domain.openset import AdoptedCalibration, OpenSetPlan, plan_open_set
from facegate.ports import Tx
from facegate.services.common import load_deployment
from facegate.services.context import ServiceContext


def _own(ctx: ServiceContext, adopted: AdoptedCalibration | None) -> AdoptedCalibration | None:
    # A calibration measures one engine: after an engine switch it no longer applies.
    return adopted if adopted is not None and adopted.calibration.engine == ctx.engine.name else None


def verify_threshold(ctx: ServiceContext, adopted: AdoptedCalibration | None = None) -> float:
    """The deployment's adopted 1:1 threshold, else the service's."""
    own = _own(ctx, adopted)
    return own.verify_threshold if own else ctx.threshold


def plan(ctx: ServiceContext, gallery_size: int, adopted: AdoptedCalibration | None = None) -> OpenSetPlan:
    """The open-set rule for a gallery of ``gallery_size`` templates: the deployment's adopted
    calibration and target if any, else the engine's shipped calibration and the service's target."""
    own = _own(ctx, adopted)
    if own is not None:
        return plan_open_set(own.calibration, gallery_size, target_fpir=own.target_fpir, margin=ctx.identify_margin,
                             max_miss=ctx.identify_max_miss, ceiling=own.verify_threshold)
    return plan_open_set(ctx.calibration, gallery_size, target_fpir=ctx.identify_target_fpir,
                         margin=ctx.identify_margin, max_miss=ctx.identify_max_miss, ceiling=ctx.threshold)


def plans_in(ctx: ServiceContext, tx: Tx, d: Deployment) -> dict[str, OpenSetPlan]:
    """One plan per purpose of a 1:N deployment (each purpose is its own gallery); none for 1:1."""
    if d.mode is not Mode.IDENTIFY:
        return {}
    adopted = tx.deployments.calibration(d.id)
    return {p: plan(ctx, tx.templates.count_gallery(d.id, p), adopted) for p in d.purposes}


def deployment_plans(ctx: ServiceContext, deployment_id: str) -> dict[str, OpenSetPlan]:
    with ctx.store.transaction(readonly=True) as tx:
        return plans_in(ctx, tx, load_deployment(tx, deployment_id))
