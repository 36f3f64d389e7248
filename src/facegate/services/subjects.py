"""The non-face alternative, deleting a person, and what is held about them."""

from __future__ import annotations

from dataclasses import dataclass

from facegate.domain import reasons as R
from facegate.domain.gate import GateDecision, GateFacts, check_deployment
from facegate.domain.model import Operation
from facegate.errors import InvalidInput
from facegate.services.common import check_ref, load_deployment, load_subject, receipt_code, record
from facegate.services.context import ServiceContext


@dataclass(frozen=True)
class AlternativeResult:
    decision: GateDecision
    is_verified: bool
    method: str


def use_alternative(ctx: ServiceContext, deployment_id: str, purpose: str, method: str, is_verified: bool,
                    subject_ref: str | None = None, *, actor: str = "api") -> AlternativeResult:
    """Record a non-face check the integrator performed (PIN, card, staff): a first-class path (M-10.1).

    No face consent is needed here: that is the point of the alternative.
    """
    if subject_ref:
        check_ref(subject_ref)
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        problem = check_deployment(GateFacts(Operation.ALTERNATIVE, d, purpose, ctx.clock.now()))
        declared = {a.code for a in d.alternatives}
        if problem is None and method not in declared:
            raise InvalidInput(
                "alternative_undeclared",
                f"{method!r} is not an alternative this deployment declared ({', '.join(sorted(declared))}).",
                f"{method!r}不是本部署声明的替代方式。", article_id="M-10.1",
            )
        decision = (GateDecision(False, (problem,), d.alternatives) if problem
                    else GateDecision(True, (R.OK,), d.alternatives))
        record(ctx, tx, "alternative", actor=actor, deployment=d, subject_ref=subject_ref, decision=decision,
               detail={"purpose": purpose, "method": method, "verified": is_verified})
    return AlternativeResult(decision, decision.allowed and is_verified, method)


@dataclass(frozen=True)
class DeletionReceipt:
    receipt_code: str
    templates_deleted: int
    key_destroyed: bool
    scope: str = "deployment"  # "deployment": this deployment only; "processor": every deployment


def delete_subject(ctx: ServiceContext, deployment_id: str, subject_ref: str, *, actor: str = "api",
                   reason: str = "request", purpose: str | None = None, everywhere: bool = False) -> DeletionReceipt:
    """Delete what this deployment holds about the person (or, ``everywhere``, what the processor holds).

    A subject row is shared by the processor's deployments, so a deletion through one
    deployment removes only that deployment's consents and templates (M-14.3: a scoped key
    changes only its own deployments); ``purpose`` narrows it to one consent's scope (what
    a receipt created). When nothing is left anywhere, or on a processor-wide erasure (an
    admin's action), the rows go and the data key is destroyed: crypto-shredding (M-8.5,
    PIPL Art. 47).
    """
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        subject = load_subject(tx, d, subject_ref)
        tx.subjects.lock(subject.id)
        if everywhere:
            deleted = tx.templates.delete_for_subject(subject.id)
        else:
            deleted = tx.templates.delete_for_subject(subject.id, d.id, purpose)
            tx.consents.delete(subject.id, d.id, purpose)
        is_gone = everywhere or not (tx.consents.for_subject(subject.id) or tx.templates.count_for_subject(subject.id))
        key = tx.subject_keys.get(subject.id) if is_gone else None
        if is_gone:
            tx.subjects.delete(subject.id)
        code = receipt_code("FGD-")
        scope = "processor" if everywhere else "deployment"
        record(ctx, tx, "delete", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail={"templates_deleted": len(deleted), "key_destroyed": key is not None, "scope": scope,
                       "purpose": purpose, "reason": reason,
                       "receipt": ctx.keys.keyed_hash("deletion|" + code)})
    if key is not None:
        ctx.keys.forget(key)
    ctx.gallery.removed(deleted)
    return DeletionReceipt(code, len(deleted), key is not None, scope)


@dataclass(frozen=True)
class HeldConsent:
    deployment_id: str
    purpose: str
    actor: str
    given_at: str
    withdrawn_at: str | None
    notice_version: str


@dataclass(frozen=True)
class HeldSummary:
    """Metadata only; never the template itself (PIPL Art. 45)."""

    subject_ref: str
    consents: tuple[HeldConsent, ...]
    templates: tuple[dict[str, str], ...]


def what_is_held(ctx: ServiceContext, deployment_id: str, subject_ref: str, *,
                 everywhere: bool = False) -> HeldSummary:
    """This deployment's consents and templates; ``everywhere`` (scope '*' only) the processor's (M-14.3)."""
    only = None if everywhere else deployment_id
    with ctx.store.transaction(readonly=True) as tx:
        d = load_deployment(tx, deployment_id)
        subject = load_subject(tx, d, subject_ref)
        consents = tuple(
            HeldConsent(c.deployment_id, c.purpose, c.actor.value, c.given_at.isoformat(),
                        c.withdrawn_at.isoformat() if c.withdrawn_at else None, c.notice_version)
            for c in tx.consents.for_subject(subject.id, only)
        )
        templates = tuple(
            {"deployment_id": t.record.deployment_id, "purpose": t.record.purpose,
             "created_at": t.record.created_at.isoformat(), "expires_at": t.record.expires_at.isoformat()}
            for t in tx.templates.for_subject(subject.id, only)
        )
    return HeldSummary(subject_ref, consents, templates)
