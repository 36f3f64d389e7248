"""Applying, listing and deactivating deployments; only compliant ones become active (M-4.4)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from facegate.domain.model import Deployment, DeploymentStatus, Processor
from facegate.services.common import load_deployment, record
from facegate.services.context import ServiceContext


@dataclass(frozen=True)
class ApplyResult:
    deployment: Deployment
    is_new_version: bool
    consent_scope_changed: bool
    findings: tuple[dict[str, Any], ...]


def apply_deployment(ctx: ServiceContext, processor: Processor, deployment: Deployment,
                     findings: list[dict[str, Any]], *, has_blocking: bool, actor: str = "cli") -> ApplyResult:
    """Store a new version; it runs only without blocking findings.

    A version whose scope hash differs (purposes, method, face data types) makes
    earlier consents stale at the gate (M-6.4); other changes keep them.
    """
    status = DeploymentStatus.BLOCKED if has_blocking else DeploymentStatus.ACTIVE
    with ctx.store.transaction() as tx:
        tx.put_processor(processor)
        current = tx.get_deployment(deployment.id)
        if current is not None and current.manifest == deployment.manifest and current.status is status:
            return ApplyResult(current, False, False, tuple(findings))
        version = (current.version + 1) if current else 1
        new = replace(deployment, version=version, status=status, processor_id=processor.id)
        tx.put_deployment(new)
        tx.add_deployment_version(new, findings, ctx.clock.now(), actor)
        scope_changed = current is not None and current.scope_hash != new.scope_hash
        record(ctx, tx, "deployment_changed", actor=actor, deployment=new, allowed=not has_blocking,
               codes=tuple(sorted({str(f.get("rule_id")) for f in findings if f.get("severity") == "blocking"})),
               detail={"version": version, "status": status.value, "scope_changed": scope_changed,
                       "notice_version": new.notice_version})
    if scope_changed:
        ctx.gallery.invalidate(new.id)
    return ApplyResult(new, True, scope_changed, tuple(findings))


def set_active(ctx: ServiceContext, deployment_id: str, active: bool, *, actor: str = "cli") -> Deployment:
    """Deactivate (or re-activate a compliant) deployment; blocked ones stay blocked."""
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        if d.status is DeploymentStatus.BLOCKED:
            return d
        status = DeploymentStatus.ACTIVE if active else DeploymentStatus.INACTIVE
        new = replace(d, status=status)
        tx.put_deployment(new)
        record(ctx, tx, "deployment_changed", actor=actor, deployment=new, allowed=True,
               detail={"version": d.version, "status": status.value})
    return new


def list_deployments(ctx: ServiceContext) -> list[Deployment]:
    with ctx.store.transaction(readonly=True) as tx:
        return tx.list_deployments()


def get_deployment(ctx: ServiceContext, deployment_id: str) -> Deployment:
    with ctx.store.transaction(readonly=True) as tx:
        return load_deployment(tx, deployment_id)


def deployment_versions(ctx: ServiceContext, deployment_id: str) -> list[dict[str, Any]]:
    with ctx.store.transaction(readonly=True) as tx:
        load_deployment(tx, deployment_id)
        return tx.list_deployment_versions(deployment_id)
