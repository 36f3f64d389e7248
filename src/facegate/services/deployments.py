"""Applying, listing and deactivating deployments; only compliant ones become active (M-4.4)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from facegate.domain.model import Deployment, DeploymentStatus, Processor
from facegate.errors import NotFound
from facegate.ports import UnitOfWork
from facegate.services.common import load_deployment, record
from facegate.services.context import ServiceContext

if TYPE_CHECKING:
    from facegate.governance.manifest import Manifest
    from facegate.governance.rules import Finding


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
        tx.deployments.put_processor(processor)
        current = tx.deployments.get(deployment.id)
        if current is not None and current.manifest == deployment.manifest and current.status is status:
            return ApplyResult(current, False, False, tuple(findings))
        version = (current.version + 1) if current else 1
        new = replace(deployment, version=version, status=status, processor_id=processor.id)
        tx.deployments.put(new)
        tx.deployments.add_version(new, findings, ctx.clock.now(), actor)
        scope_changed = current is not None and current.scope_hash != new.scope_hash
        shortened = _shorten_retention(ctx, tx, current, new, actor)
        record(ctx, tx, "deployment_changed", actor=actor, deployment=new, allowed=not has_blocking,
               codes=tuple(sorted({str(f.get("rule_id")) for f in findings if f.get("severity") == "blocking"})),
               detail={"version": version, "status": status.value, "scope_changed": scope_changed,
                       "notice_version": new.notice_version})
    if scope_changed:
        ctx.gallery.invalidate(new.id)
    if shortened:
        # Templates now past the shorter period go at once, each pass with its purge record;
        # meanwhile the gate already refuses them as expired (M-8.5, notice "at most N days").
        from facegate.services.purge import purge_expired
        purge_expired(ctx, actor=actor)
    return ApplyResult(new, True, scope_changed, tuple(findings))


def _shorten_retention(ctx: ServiceContext, tx: UnitOfWork, current: Deployment | None, new: Deployment, actor: str) -> int:
    """A shorter retention applies to templates already held, not only to new ones (M-8.5, M-8.6).

    Otherwise the notice's "kept for at most N days" would be untrue for everyone enrolled
    before the change. Returns how many templates had their expiry brought forward.
    """
    if current is None or new.retention_days >= current.retention_days:
        return 0
    moved = tx.templates.cap_expiry(new.id, max_days=new.retention_days)
    record(ctx, tx, "retention_shortened", actor=actor, deployment=new, allowed=True,
           detail={"version": new.version, "old_days": current.retention_days,
                   "new_days": new.retention_days, "templates_shortened": moved})
    return moved


def set_active(ctx: ServiceContext, deployment_id: str, active: bool, *, actor: str = "cli") -> Deployment:
    """Deactivate (or re-activate a compliant) deployment; blocked ones stay blocked."""
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        if d.status is DeploymentStatus.BLOCKED:
            return d
        status = DeploymentStatus.ACTIVE if active else DeploymentStatus.INACTIVE
        new = replace(d, status=status)
        tx.deployments.put(new)
        record(ctx, tx, "deployment_changed", actor=actor, deployment=new, allowed=True,
               detail={"version": d.version, "status": status.value})
    return new


def list_deployments(ctx: ServiceContext) -> list[Deployment]:
    with ctx.store.transaction(readonly=True) as tx:
        return tx.deployments.all()


def get_deployment(ctx: ServiceContext, deployment_id: str) -> Deployment:
    with ctx.store.transaction(readonly=True) as tx:
        return load_deployment(tx, deployment_id)


def deployment_versions(ctx: ServiceContext, deployment_id: str) -> list[dict[str, Any]]:
    with ctx.store.transaction(readonly=True) as tx:
        load_deployment(tx, deployment_id)
        return [v.to_dict() for v in tx.deployments.versions(deployment_id)]


def apply_manifest_text(ctx: ServiceContext, text: str, source: str = "<manifest>", *,
                        actor: str = "cli") -> ApplyResult:
    """Validate, evaluate and store a manifest; raises ManifestInvalid with path and line."""
    # The manifest models and the rule catalogue load here, not with the module: listing and showing
    # deployments never need them (issue 14: commands that do not touch faces start in under a second).
    from facegate.governance.loader import load_manifest
    from facegate.governance.mapping import to_deployment, to_processor
    from facegate.governance.rules import evaluate, sort_findings

    manifest = load_manifest(text, source)
    findings = list(evaluate(manifest).findings)
    findings += reassessment_findings_since(ctx, manifest)
    deployment = to_deployment(manifest, status=DeploymentStatus.ACTIVE, version=1)
    return apply_deployment(ctx, to_processor(manifest), deployment,
                            [f.to_dict() for f in sort_findings(findings)],
                            has_blocking=any(f.is_blocking for f in findings), actor=actor)


def reassessment_findings_since(ctx: ServiceContext, manifest: Manifest) -> list[Finding]:
    """FG-09-05 against the version applied now: a purpose/method change needs a new assessment (M-9.5)."""
    from facegate.governance.manifest import Manifest
    from facegate.governance.rules.assessment import reassessment_findings

    with ctx.store.transaction(readonly=True) as tx:
        current = tx.deployments.get(manifest.id)
    if current is None or not current.manifest:
        return []
    try:
        previous = Manifest.model_validate(current.manifest)
    except ValueError:  # a version stored under an older schema: nothing to compare
        return []
    return reassessment_findings(previous, manifest)


def diff_versions(ctx: ServiceContext, deployment_id: str, old: int | None = None,
                  new: int | None = None) -> dict[str, Any]:
    """What changed between two stored versions (default: the last two), key by key."""
    versions = {v["version"]: v for v in deployment_versions(ctx, deployment_id)}
    new = new or max(versions)
    old = old or max([v for v in versions if v < new], default=new)
    for wanted in (old, new):
        if wanted not in versions:
            raise NotFound("version_unknown", f"No version {wanted} of {deployment_id}.",
                           f"{deployment_id}不存在版本{wanted}。")
    before, after = _flatten(versions[old]["manifest"]), _flatten(versions[new]["manifest"])
    changes = {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)
    }
    return {"deployment_id": deployment_id, "old": old, "new": new, "changes": changes}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}
