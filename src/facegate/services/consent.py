"""Giving and withdrawing the separate consent to face processing (M-6.x, M-7.x)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from facegate.domain import reasons as R
from facegate.domain.age import AgeBasis, age_problem, attestation_overruled, minor_until
from facegate.domain.gate import GateFacts, check_deployment
from facegate.domain.model import Consent, ConsentActor, Operation, RecordKind, SeparateConsent, Subject
from facegate.errors import Conflict, InvalidInput
from facegate.services.common import check_ref, load_deployment, load_subject, new_id, receipt_code, record
from facegate.services.context import ServiceContext

RECEIPT_PREFIX = "FGR-"


@dataclass(frozen=True)
class ConsentRequest:
    """One person's consent (or, on a statutory basis, the record that they were given the notice).

    Age (M-7.1): ``birth_date``, or ``age_attested_by`` naming who checked that the person is
    14 or over. ``separate_consents`` lists the separate consents given with it, e.g.
    ``internet_transmission`` (Art. 8) and ``cross_border`` (PIPL Art. 39).
    """

    deployment_id: str
    subject_ref: str
    purpose: str
    notice_version: str
    channel: str = "api"
    actor: ConsentActor = ConsentActor.SELF
    birth_date: date | None = None
    guardian_ref: str | None = None
    guardian_relationship: str | None = None
    age_attested_by: str | None = None
    separate_consents: tuple[str, ...] = ()
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
    kind: RecordKind = RecordKind.CONSENT


def receipt_hash(ctx: ServiceContext, code: str) -> str:
    return ctx.keys.keyed_hash("receipt|" + code.strip().upper())


def _refused(reason: R.Reason, **detail: object) -> InvalidInput:
    return InvalidInput(reason.code, reason.message_en, reason.message_zh, article_id=reason.article_id,
                        detail=dict(detail))


def _age(req: ConsentRequest, today: date) -> tuple[AgeBasis | None, str | None]:
    if req.birth_date is not None and req.age_attested_by:
        raise InvalidInput("age_assertion_ambiguous", "Give either a date of birth or an attestation, not both.",
                           "出生日期与年满十四周岁声明只能提供其一。", article_id="M-7.1")
    if req.birth_date is not None:
        if req.birth_date > today:
            raise InvalidInput("birth_date_future", "The date of birth is in the future.", "出生日期晚于今天。",
                               article_id="M-7.1")
        return AgeBasis.BIRTH_DATE, None
    if req.age_attested_by is not None:
        who = req.age_attested_by.strip()
        if not who or len(who) > 128 or not who.isprintable():
            raise InvalidInput("age_attestation_invalid", "Name who attests the person is 14 or over (1-128 characters).",
                               "须写明由谁确认该个人年满十四周岁（1至128个字符）。", article_id="M-7.1")
        return AgeBasis.ATTESTED_14_OR_OVER, who
    return None, None


def _separate(req: ConsentRequest) -> tuple[SeparateConsent, ...]:
    try:
        return tuple(dict.fromkeys(SeparateConsent(s) for s in req.separate_consents))
    except ValueError:
        raise InvalidInput("separate_consent_unknown",
                           "Separate consents are internet_transmission and cross_border.",
                           "单独同意的类型只能是 internet_transmission 或 cross_border。", article_id="M-8.2") from None


def give_consent(ctx: ServiceContext, req: ConsentRequest, *, actor: str = "api") -> ConsentReceipt:
    """Record one consent; refuses what would not make processing lawful (M-6.x, M-7.x, M-8.2)."""
    return _record(ctx, req, RecordKind.CONSENT, actor)


def record_notice(ctx: ServiceContext, req: ConsentRequest, *, actor: str = "api") -> ConsentReceipt:
    """On a statutory basis: record that the person was given the current notice (M-5.1, M-6.7)."""
    return _record(ctx, req, RecordKind.NOTICE, actor)


def _record(ctx: ServiceContext, req: ConsentRequest, kind: RecordKind, actor: str) -> ConsentReceipt:
    now = ctx.clock.now()
    today = now.date()
    # The same rule the withdrawal and deletion paths apply: what is accepted here stays withdrawable (M-6.3).
    check_ref(req.subject_ref)
    if req.guardian_ref is not None:
        check_ref(req.guardian_ref, "guardian")
    basis, attested_by = _age(req, today)
    separate = _separate(req)
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, req.deployment_id)
        problem = check_deployment(GateFacts(Operation.ENROLL, d, req.purpose, now))
        if problem:
            raise Conflict(problem.code, problem.message_en, problem.message_zh, article_id=problem.article_id)
        if kind is RecordKind.CONSENT and not d.consent_required:
            raise Conflict("consent_not_the_basis",
                           "A law, not consent, is the basis here; record that the notice was given instead.",
                           "本部署依据法律规定处理，不以同意为依据；请改为记录已告知。", article_id="M-6.7")
        if kind is RecordKind.NOTICE and d.consent_required:
            raise Conflict("notice_record_needs_statute",
                           "Consent is the basis here; a notice record alone does not make processing lawful.",
                           "本部署以个人同意为处理依据，仅记录告知不足以处理。", article_id="M-6.1")
        if req.notice_version != d.notice_version:
            # M-5.1/M-6.2: consent counts only for the notice the person actually saw.
            raise Conflict(
                "notice_version_mismatch",
                "The consent names a notice version that is not the deployment's current notice.",
                "同意所对应的告知版本不是该部署当前的告知版本。",
                article_id="M-6.2", detail={"current_notice_version": d.notice_version},
            )
        subject = tx.subjects.get(d.processor_id, req.subject_ref)
        if subject is not None and req.must_be_new:
            # Checked in the writing transaction, so two kiosks cannot both start the same reference.
            raise Conflict("subject_ref_taken",
                           "This reference is already registered. To use it, ask staff for a confirmation code "
                           "or confirm with your face; or leave it empty to get a new one.",
                           "此编号已被登记。如需使用，请向工作人员索取确认码或刷脸确认；或留空以获取新编号。",
                           article_id="M-14.3")
        until = minor_until(req.birth_date, today)
        overruled = attestation_overruled(basis, subject.minor_until if subject else None, today, d.minors_allowed)
        if overruled:
            raise _refused(overruled)
        known_minor = until if basis is AgeBasis.BIRTH_DATE else (subject.minor_until if subject else None)
        age = age_problem(basis=basis, minor_until_day=known_minor, today=today, may_meet_minors=d.may_meet_minors,
                          minors_allowed=d.minors_allowed, consent_based=d.consent_required,
                          by_guardian=req.actor is ConsentActor.GUARDIAN)
        if age:
            raise _refused(age)
        missing = [x for x in d.separate_consents_needed if x not in separate]
        if missing:
            raise _refused(R.TRANSMISSION_CONSENT_MISSING if missing[0] is SeparateConsent.INTERNET_TRANSMISSION
                           else R.CROSS_BORDER_CONSENT_MISSING, needed=[x.value for x in d.separate_consents_needed])
        if req.actor is ConsentActor.GUARDIAN and not (req.guardian_ref and req.guardian_relationship):
            raise InvalidInput(
                "guardian_details_missing",
                "A guardian's consent needs the guardian's reference and relationship.",
                "监护人同意须提供监护人标识及与本人的关系。", article_id="M-7.2",
            )
        if subject is None:
            subject = tx.subjects.add(Subject(new_id(), d.processor_id, req.subject_ref, until, now))
        elif basis is AgeBasis.BIRTH_DATE and subject.minor_until != until:
            subject = replace(subject, minor_until=until)
            tx.subjects.update(subject)
        code = receipt_code(RECEIPT_PREFIX)
        consent = Consent(
            id=new_id(), subject_id=subject.id, deployment_id=d.id, purpose=req.purpose,
            notice_version=d.notice_version, scope_hash=d.scope_hash, channel=req.channel,
            actor=req.actor, given_at=now, guardian_ref=req.guardian_ref,
            guardian_relationship=req.guardian_relationship, kind=kind, terms=d.terms, separate=separate,
            age_basis=basis, age_attested_by=attested_by,
        )
        tx.consents.add(consent, receipt_hash(ctx, code))
        record(ctx, tx, "consent_given" if kind is RecordKind.CONSENT else "notice_given", actor=actor,
               deployment=d, subject_ref=req.subject_ref, allowed=True,
               detail={"purpose": req.purpose, "notice_version": d.notice_version, "channel": req.channel,
                       "consent_actor": req.actor.value, "age_basis": basis.value if basis else None,
                       "separate": [x.value for x in separate]})
    return ConsentReceipt(consent.id, code, d.id, req.purpose, d.notice_version, req.actor, kind)


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
        withdrawn = tx.consents.withdraw(subject.id, d.id, purpose, now)
        deleted = tx.templates.delete_for_subject(subject.id, d.id, purpose)
        record(ctx, tx, "consent_withdrawn", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail={"purpose": purpose, "consents": withdrawn, "templates_deleted": len(deleted)})
    ctx.gallery.removed(deleted)
    return WithdrawalReceipt(withdrawn, len(deleted), receipt_code("FGD-"))
