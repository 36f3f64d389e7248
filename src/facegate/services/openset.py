"""The 1:N rule each deployment runs under: threshold for its gallery size, and what to expect (M-4.2, M-4.4)."""

from __future__ import annotations

from facegate.domain.model import Deployment, Mode
from facegate.domain.openset import OpenSetPlan, plan_open_set
from facegate.ports import Tx
from facegate.services.common import load_deployment
from facegate.services.context import ServiceContext


def plan(ctx: ServiceContext, gallery_size: int) -> OpenSetPlan:
    """The open-set rule for a gallery of ``gallery_size`` templates under this engine's calibration."""
    return plan_open_set(ctx.calibration, gallery_size, target_fpir=ctx.identify_target_fpir,
                         margin=ctx.identify_margin, max_miss=ctx.identify_max_miss, ceiling=ctx.threshold)


def plans_in(ctx: ServiceContext, tx: Tx, d: Deployment) -> dict[str, OpenSetPlan]:
    """One plan per purpose of a 1:N deployment (each purpose is its own gallery); none for 1:1."""
    if d.mode is not Mode.IDENTIFY:
        return {}
    return {p: plan(ctx, tx.count_gallery(d.id, p)) for p in d.purposes}


def deployment_plans(ctx: ServiceContext, deployment_id: str) -> dict[str, OpenSetPlan]:
    with ctx.store.transaction(readonly=True) as tx:
        return plans_in(ctx, tx, load_deployment(tx, deployment_id))
