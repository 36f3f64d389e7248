"""Giving and withdrawing the separate consent to face processing (M-6.x, M-7.x)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from facegate.domain import reasons as R
from facegate.domain.gate import GateFacts, check_deployment, fourteenth_birthday
from facegate.domain.model import Consent, ConsentActor, Operation, Subject
from facegate.errors import Conflict, InvalidInput
from facegate.services.common import check_ref, load_deployment, load_subject, new_id, receipt_code, record
from facegate.services.context import ServiceContext

RECEIPT_PREFIX = "FGR-"


@dataclass(frozen=True)
class ConsentRequest:
    deployment_id: str
    subject_ref: str
    purpose: str
    notice_version: str
    channel: str = "api"
    actor: ConsentActor = ConsentActor.SELF
    birth_date: date | None = None
    guardian_ref: str | None = None
    guardian_relationship: str | None = None
    # A kiosk without proof of identity may only start a new reference (services.claims).
    must_be_new: bool = False


@dataclass(frozen=True)
class ConsentReceipt:
    consent_id: str
    receipt_code: str  # shown once to the person; only its keyed hash is stored
    deployment_id: str
    purpose: str
    notice_version: str
    actor: ConsentActor


def receipt_hash(ctx: ServiceContext, code: str) -> str:
    return ctx.keys.keyed_hash("receipt|" + code.strip().upper())


def _refused(reason: R.Reason, **detail: object) -> InvalidInput:
    return InvalidInput(reason.code, reason.message_en, reason.message_zh, article_id=reason.article_id,
                        detail=dict(detail))


def give_consent(ctx: ServiceContext, req: ConsentRequest, *, actor: str = "api") -> ConsentReceipt:
    """Record one consent; refuses what would not make processing lawful."""
    now = ctx.clock.now()
    today = now.date()
    # The same rule the withdrawal and deletion paths apply: what is accepted here stays withdrawable (M-6.3).
    check_ref(req.subject_ref)
    if req.guardian_ref is not None:
        check_ref(req.guardian_ref, "guardian")
    if req.birth_date and req.birth_date > today:
        raise InvalidInput("birth_date_future", "The date of birth is in the future.", "出生日期晚于今天。")
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, req.deployment_id)
        problem = check_deployment(GateFacts(Operation.ENROLL, d, req.purpose, now))
        if problem:
            raise Conflict(problem.code, problem.message_en, problem.message_zh, article_id=problem.article_id)
        if req.notice_version != d.notice_version:
            # M-5.1/M-6.2: consent counts only for the notice the person actually saw.
            raise Conflict(
                "notice_version_mismatch",
                "The consent names a notice version that is not the deployment's current notice.",
                "同意所对应的告知版本不是该部署当前的告知版本。",
                article_id="M-6.2", detail={"current_notice_version": d.notice_version},
            )
        turns_14 = fourteenth_birthday(req.birth_date) if req.birth_date else None
        is_minor = turns_14 is not None and today < turns_14
        minor_until = turns_14 if is_minor else None  # kept only while the person is a child
        if is_minor and not d.minors_allowed:
            raise _refused(R.MINORS_NOT_ALLOWED)
        if is_minor and req.actor is not ConsentActor.GUARDIAN:
            raise _refused(R.GUARDIAN_CONSENT_MISSING)
        if req.actor is ConsentActor.GUARDIAN and not (req.guardian_ref and req.guardian_relationship):
            raise InvalidInput(
                "guardian_details_missing",
                "A guardian's consent needs the guardian's reference and relationship.",
                "监护人同意须提供监护人标识及与本人的关系。", article_id="M-7.2",
            )
        subject = tx.get_subject(d.processor_id, req.subject_ref)
        if subject is not None and req.must_be_new:
            # Checked in the writing transaction, so two kiosks cannot both start the same reference.
            raise Conflict("subject_ref_taken",
                           "This reference is already registered. To use it, ask staff for a confirmation code "
                           "or confirm with your face; or leave it empty to get a new one.",
                           "此编号已被登记。如需使用，请向工作人员索取确认码或刷脸确认；或留空以获取新编号。",
                           article_id="M-14.3")
        if subject is None:
            subject = tx.add_subject(Subject(new_id(), d.processor_id, req.subject_ref, minor_until, now))
        elif req.birth_date is not None and subject.minor_until != minor_until:
            subject = replace(subject, minor_until=minor_until)
            tx.update_subject(subject)
        code = receipt_code(RECEIPT_PREFIX)
        consent = Consent(
            id=new_id(), subject_id=subject.id, deployment_id=d.id, purpose=req.purpose,
            notice_version=d.notice_version, scope_hash=d.scope_hash, channel=req.channel,
            actor=req.actor, given_at=now, guardian_ref=req.guardian_ref,
            guardian_relationship=req.guardian_relationship,
        )
        tx.add_consent(consent, receipt_hash(ctx, code))
        record(ctx, tx, "consent_given", actor=actor, deployment=d, subject_ref=req.subject_ref,
               allowed=True, detail={"purpose": req.purpose, "notice_version": d.notice_version,
                                     "channel": req.channel, "consent_actor": req.actor.value})
    return ConsentReceipt(consent.id, code, d.id, req.purpose, d.notice_version, req.actor)


@dataclass(frozen=True)
class WithdrawalReceipt:
    withdrawn: int
    templates_deleted: int
    receipt_code: str


def withdraw_consent(
    ctx: ServiceContext, deployment_id: str, subject_ref: str, purpose: str | None = None, *, actor: str = "api"
) -> WithdrawalReceipt:
    """Withdraw and destroy the face templates of that scope at once (M-6.3)."""
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        subject = load_subject(tx, d, subject_ref)
        withdrawn = tx.withdraw_consents(subject.id, d.id, purpose, now)
        deleted = tx.delete_templates(subject.id, d.id, purpose)
        record(ctx, tx, "consent_withdrawn", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail={"purpose": purpose, "consents": withdrawn, "templates_deleted": len(deleted)})
    ctx.gallery.removed(deleted)
    return WithdrawalReceipt(withdrawn, len(deleted), receipt_code("FGD-"))
