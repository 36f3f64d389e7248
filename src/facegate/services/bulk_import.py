"""Bring an existing gallery: one person at a time through the same gate, one record entry each.

Each row carries the consent evidence the old system kept (time, notice version, channel, the
guardian for a child). Without it nothing is enrolled (M-6.1, M-6.2). With it, the consent and the
template are stored together in one transaction, after ``decide`` (the gate every enrolment passes)
allowed them, and the processing record gets one ``import`` entry for the person (M-9.3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np

from facegate.domain import reasons as R
from facegate.domain.age import AgeBasis, minor_until
from facegate.domain.gate import GateDecision, GateFacts, check_deployment, decide
from facegate.domain.model import Consent, ConsentActor, Operation, SeparateConsent, Subject, TemplateRecord
from facegate.domain.refs import ref_problem
from facegate.errors import FacegateError
from facegate.services.common import load_deployment, new_id, record, template_aad
from facegate.services.context import ServiceContext
from facegate.services.engines import engine_id, superseded, template_engine


@dataclass(frozen=True)
class ImportRow:
    where: str  # file and line, for the refusal report
    reference: str
    photo: str
    purpose: str
    consent_at: datetime | None = None
    notice_version: str | None = None
    channel: str | None = None
    birth_date: date | None = None
    guardian_ref: str | None = None
    guardian_relationship: str | None = None
    age_attested_by: str | None = None  # who checked "14 or over", when there is no birth date (M-7.1)
    separate_consents: tuple[str, ...] = ()  # internet_transmission, cross_border (Art. 8; PIPL Art. 39)


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: str  # imported | skipped (already imported) | refused
    code: str | None = None
    article_id: str | None = None
    message_en: str = ""
    message_zh: str = ""


def _refused(row: ImportRow, code: str, article_id: str | None, en: str, zh: str) -> Outcome:
    return Outcome(row.reference, "refused", code, article_id, en, zh)


def evidence_problem(row: ImportRow, now: datetime) -> Outcome | None:
    """What the row's consent evidence lacks, before any face is processed (M-6.2, M-7.2)."""
    if ref_problem(row.reference) is not None:
        return _refused(row, "subject_ref_invalid", None, "The reference is not a valid subject reference.",
                        "该个人引用格式不正确。")
    if not (row.consent_at and row.notice_version and row.channel):
        return _refused(row, "consent_evidence_missing", "M-6.2",
                        "No consent evidence (time, notice version, channel): nothing is enrolled.",
                        "缺少同意证据（时间、告知版本、渠道），不予录入。")
    if row.consent_at > now:
        return _refused(row, "consent_evidence_invalid", "M-6.2", "The consent time is in the future.",
                        "同意时间晚于当前时间。")
    is_minor = minor_until(row.birth_date, now.date()) is not None
    if is_minor and not (row.guardian_ref and row.guardian_relationship in ("parent", "other_guardian")):
        r = R.GUARDIAN_CONSENT_MISSING
        return _refused(row, r.code, r.article_id, r.message_en, r.message_zh)
    if any(v not in {x.value for x in SeparateConsent} for v in row.separate_consents):
        return _refused(row, "separate_consent_unknown", "M-8.2",
                        "Separate consents are internet_transmission and cross_border.",
                        "单独同意的类型只能是 internet_transmission 或 cross_border。")
    return None


def already_imported(ctx: ServiceContext, deployment_id: str, row: ImportRow) -> bool:
    """A re-run resumes: a person who already has a template here for this purpose is skipped.

    Only a template of the engine that enrols now counts: during a switch (docs/engines.md) a person
    whose templates an older engine made is imported again, and the new template replaces those.
    """
    if ref_problem(row.reference) is not None:
        return False
    eid = engine_id(ctx.engine)
    with ctx.store.transaction(readonly=True) as tx:
        d = load_deployment(tx, deployment_id)
        subject = tx.subjects.get(d.processor_id, row.reference)
        held = tx.templates.for_subject(subject.id, d.id, row.purpose) if subject is not None else []
        return any(template_engine(t.record) == eid for t in held)


def _record_refusal(ctx: ServiceContext, deployment_id: str, row: ImportRow, outcome: Outcome, actor: str) -> None:
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        record(ctx, tx, "import", actor=actor, deployment=d, subject_ref=row.reference if outcome.code !=
               "subject_ref_invalid" else None, allowed=False, codes=(outcome.code or "refused",),
               detail={"purpose": row.purpose, "source": row.where})


def import_person(ctx: ServiceContext, deployment_id: str, row: ImportRow, image: bytes | None,
                  *, actor: str = "import", read_error: Outcome | None = None) -> Outcome:
    """Consent evidence, then the face, then one transaction; the image is never stored (M-8.1)."""
    now = ctx.clock.now()
    problem = evidence_problem(row, now) or read_error
    if problem is None:
        # Deployment-level refusals (inactive, undeclared purpose...) first: they need no face.
        with ctx.store.transaction(readonly=True) as tx:
            early = check_deployment(GateFacts(Operation.ENROLL, load_deployment(tx, deployment_id), row.purpose, now))
        if early is not None:
            problem = _refused(row, early.code, early.article_id, early.message_en, early.message_zh)
    if problem is None and image is not None:
        try:
            emb = ctx.engine.embed(image, ctx.face_options)
        except FacegateError as exc:
            problem = _refused(row, exc.code, exc.article_id, exc.message_en, exc.message_zh)
    if problem is not None:
        _record_refusal(ctx, deployment_id, row, problem, actor)
        return problem
    assert row.consent_at is not None and row.notice_version is not None and row.channel is not None
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        if row.notice_version != d.notice_version:
            # M-5.1/M-6.2: the consent counts only for the notice the person saw; a changed notice needs
            # new consent before any face is processed.
            refusal = _refused(row, "notice_version_mismatch", "M-6.2",
                               "The consent was given to another notice than the deployment's current one.",
                               "同意所对应的告知版本不是该部署当前的告知版本。")
            record(ctx, tx, "import", actor=actor, deployment=d, subject_ref=row.reference, allowed=False,
                   codes=(refusal.code or "",), detail={"purpose": row.purpose, "source": row.where})
            return refusal
        subject = tx.subjects.get(d.processor_id, row.reference)
        until = minor_until(row.birth_date, now.date())
        if subject is None:
            subject = Subject(new_id(), d.processor_id, row.reference, until, now)
            is_new = True
        else:
            is_new = False
            if row.birth_date is not None:  # this row's date of birth is what the gate judges
                subject = replace(subject, minor_until=until)
        consent = Consent(
            id=new_id(), subject_id=subject.id, deployment_id=d.id, purpose=row.purpose,
            notice_version=d.notice_version, scope_hash=d.scope_hash, channel=row.channel,
            actor=ConsentActor.GUARDIAN if row.guardian_ref else ConsentActor.SELF, given_at=row.consent_at,
            guardian_ref=row.guardian_ref, guardian_relationship=row.guardian_relationship, terms=d.terms,
            separate=tuple(SeparateConsent(v) for v in row.separate_consents),
            age_basis=(AgeBasis.BIRTH_DATE if row.birth_date else
                       AgeBasis.ATTESTED_14_OR_OVER if row.age_attested_by else None),
            age_attested_by=None if row.birth_date else row.age_attested_by)
        # The gate judges the new consent with everything else (age, separate consents, terms).
        facts = GateFacts(Operation.ENROLL, d, row.purpose, now, subject,
                          (*([] if is_new else tx.consents.for_subject(subject.id, d.id)), consent), subject_ref_given=True,
                          is_assessment_outdated=(ctx.assessment_check is not None
                                                  and ctx.assessment_check(tx, d, now)))
        decision: GateDecision = decide(facts)
        if not decision.allowed:
            record(ctx, tx, "import", actor=actor, deployment=d, subject_ref=row.reference, decision=decision,
                   detail={"purpose": row.purpose, "source": row.where})
            first = decision.reasons[0]
            return _refused(row, first.code, first.article_id, first.message_en, first.message_zh)
        if is_new:
            subject = tx.subjects.add(subject)
        elif row.birth_date is not None:
            tx.subjects.update(subject)
        tx.consents.add(consent)
        key = tx.subject_keys.get(subject.id)
        if key is None:
            key = ctx.keys.new_data_key()
            tx.subject_keys.put(subject.id, key)
        eid = engine_id(ctx.engine)
        rec = TemplateRecord(id=new_id(), subject_id=subject.id, deployment_id=d.id, purpose=row.purpose,
                             engine=eid.name, created_at=now, expires_at=now + timedelta(days=d.retention_days),
                             key_id=key.kek_id, engine_version=eid.version)
        tx.templates.add(rec, ctx.keys.seal(key, emb.vector.astype(np.float32).tobytes(),
                                           template_aad(d.id, subject.id, row.purpose)))
        if ctx.people_stored is not None and tx.templates.count_for_subject(subject.id) == 1:
            ctx.people_stored(tx, d.processor_id, now)
        # As an enrolment does: the new template replaces an older engine's (docs/engines.md).
        dropped = superseded([t.record for t in tx.templates.for_subject(subject.id, d.id, row.purpose)], eid,
                             ctx.max_templates_per_subject)
        for template_id in dropped:
            tx.templates.delete(template_id)
        record(ctx, tx, "import", actor=actor, deployment=d, subject_ref=row.reference, decision=decision,
               detail={"purpose": row.purpose, "notice_version": d.notice_version, "channel": row.channel,
                       "consent_at": row.consent_at.isoformat(), "consent_actor": consent.actor.value,
                       "consent": consent.id, "template": rec.id, "expires_at": rec.expires_at.isoformat(),
                       "engine": eid.name, "engine_version": eid.version, "replaced": dropped})
    ctx.gallery.removed(dropped)
    ctx.gallery.added(d.id, row.purpose, rec.id, subject.id, emb.vector, eid.key)
    return Outcome(row.reference, "imported")
