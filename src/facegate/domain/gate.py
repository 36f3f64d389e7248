"""The gate: the Measures' conditions checked before every face operation.

``decide()`` is a pure function of plain facts, so every rule is unit-testable
and the decision can be written to the processing record as it is. It is the
only judge: services gather facts (is the subject known, which templates are
live, what each consent covered) and never patch a decision afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facegate.domain import reasons as R
from facegate.domain.age import age_on, age_problem, fourteenth_birthday
from facegate.domain.liveness import LivenessPolicy, policy_of
from facegate.domain.model import (
    Alternative,
    Consent,
    ConsentActor,
    Deployment,
    DeploymentStatus,
    Mode,
    Operation,
    RecordKind,
    Subject,
)
from facegate.domain.reasons import Reason
from facegate.domain.terms import material_changes, notice_stale_reason, stale_reason

__all__ = ["GateDecision", "GateFacts", "age_on", "check_deployment", "decide", "fourteenth_birthday",
           "valid_consent"]


@dataclass(frozen=True)
class GateDecision:
    """Allowed or refused, with reasons and the non-face ways through (M-10.1).

    ``notice_changed`` says the person agreed to (or was told) an earlier notice whose
    changes did not need fresh consent: they must be shown the changed parts now (M-5.4).
    """

    allowed: bool
    reasons: tuple[Reason, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    consent_id: str | None = None
    notice_changed: bool = False
    agreed_notice_version: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate needs to know, gathered by the service beforehand.

    ``subject_ref_given`` with ``subject`` None means the integrator named a person we
    do not know; ``subject_ref_given`` False is a 1:N probe. ``live_templates`` and
    ``held_templates`` matter for 1:1 verification only.
    """

    operation: Operation
    deployment: Deployment
    purpose: str
    now: datetime
    subject: Subject | None = None
    consents: tuple[Consent, ...] = ()
    is_subject_locked: bool = False
    is_assessment_outdated: bool = False
    subject_ref_given: bool = False
    live_templates: int = 0
    held_templates: int = 0
    is_liveness_passed: bool = False  # a live check passed for this very probe (domain/liveness.py)


def _refuse(deployment: Deployment, *reasons: Reason) -> GateDecision:
    return GateDecision(False, tuple(reasons), deployment.alternatives)


def check_deployment(f: GateFacts) -> Reason | None:
    """Deployment-level conditions shared by every face operation (M-4.x, M-6.7)."""
    d = f.deployment
    if d.status is DeploymentStatus.BLOCKED:
        return R.DEPLOYMENT_BLOCKED
    if not d.is_active:
        return R.DEPLOYMENT_INACTIVE
    if f.purpose not in d.purposes:
        return R.PURPOSE_UNDECLARED
    if f.operation is Operation.IDENTIFY and d.mode is not Mode.IDENTIFY:
        return R.MODE_NOT_ALLOWED
    if not d.consent_required and not d.legal_basis_ref:
        return R.STATUTE_UNCITED
    return None


def _covers(f: GateFacts, record: Consent) -> Reason | None:
    """Does this record still cover the deployment's current terms (M-6.4, M-8.2, P-39.1)?"""
    d = f.deployment
    if record.terms is not None and d.terms is not None:
        changes = material_changes(record.terms, d.terms)
        if changes:
            return (stale_reason if record.kind is RecordKind.CONSENT else notice_stale_reason)(changes[0])
    elif record.scope_hash != d.scope_hash:  # records from before terms were kept
        return R.CONSENT_STALE
    missing = [s for s in d.separate_consents_needed if s not in record.separate]
    if missing:
        return R.TRANSMISSION_CONSENT_MISSING if missing[0].value == "internet_transmission" \
            else R.CROSS_BORDER_CONSENT_MISSING
    return None


def _age(f: GateFacts, record: Consent) -> Reason | None:
    assert f.subject is not None
    return age_problem(
        basis=record.age_basis, minor_until_day=f.subject.minor_until, today=f.now.date(),
        may_meet_minors=f.deployment.may_meet_minors, minors_allowed=f.deployment.minors_allowed,
        consent_based=f.deployment.consent_required, by_guardian=record.actor is ConsentActor.GUARDIAN,
    )


def valid_consent(f: GateFacts) -> tuple[Consent | None, Reason | None]:
    """Find the record that makes processing lawful, or say why none does.

    On consent, a live consent for this purpose; on a statute, the record that the person
    was given the notice (unless a law allows no notice, M-5.7). Either way it must cover
    the current terms and carry an established age where children may be met.
    """
    assert f.subject is not None
    d = f.deployment
    kind = RecordKind.CONSENT if d.consent_required else RecordKind.NOTICE
    mine = [c for c in f.consents if c.deployment_id == d.id and c.purpose == f.purpose and c.kind is kind]
    if not mine:
        return None, (R.CONSENT_MISSING if d.consent_required else R.NOTICE_NOT_RECORDED)
    live = [c for c in mine if not c.is_withdrawn]
    if not live:
        return None, R.CONSENT_WITHDRAWN
    first_problem: Reason | None = None
    for record in reversed(live):  # the newest record that passes wins
        problem = _covers(f, record) or _age(f, record)
        if problem is None:
            return record, None
        first_problem = first_problem or problem
    return None, first_problem


def _record_or_exemption(f: GateFacts) -> tuple[Consent | None, Reason | None]:
    """The covering record; where a law allows no notice (M-5.7) none is needed, but age still is."""
    d = f.deployment
    assert f.subject is not None
    if d.consent_required or not d.is_notice_exempt:
        return valid_consent(f)
    if any(c.kind is RecordKind.NOTICE and c.purpose == f.purpose for c in f.consents):
        return valid_consent(f)  # a record was kept anyway: it carries the age assertion
    return None, age_problem(basis=None, minor_until_day=f.subject.minor_until, today=f.now.date(),
                             may_meet_minors=d.may_meet_minors, minors_allowed=d.minors_allowed,
                             consent_based=False, by_guardian=False)


def decide(f: GateFacts) -> GateDecision:
    """Decide one operation on one subject (or a 1:N probe when no subject is named)."""
    d = f.deployment
    problem = check_deployment(f)
    if problem:
        return _refuse(d, problem)
    if f.is_assessment_outdated:  # M-9.5: past the bounded grace, verification stops as well as enrolment
        return _refuse(d, R.ASSESSMENT_OUTDATED)
    ok = R.OK if d.consent_required else R.OK_STATUTE
    if f.subject is None and not f.subject_ref_given:
        return GateDecision(True, (ok,), d.alternatives)  # a 1:N probe: each candidate is judged on its own
    if f.is_subject_locked and f.operation is Operation.VERIFY:
        return _refuse(d, R.SUBJECT_LOCKED)
    if (f.operation is Operation.VERIFY and not f.is_liveness_passed
            and policy_of(d.manifest) is LivenessPolicy.REQUIRED):
        return _refuse(d, R.LIVENESS_REQUIRED)
    if f.subject is None:
        # Named but unknown: no consent (or notice record) can exist for them yet.
        if d.consent_required:
            return _refuse(d, R.CONSENT_MISSING)
        if not d.is_notice_exempt:
            return _refuse(d, R.NOTICE_NOT_RECORDED)
        if d.may_meet_minors:
            return _refuse(d, R.AGE_NOT_ESTABLISHED)
        return GateDecision(True, (ok,), d.alternatives)  # a law allows no notice and no child is met
    record, reason = _record_or_exemption(f)
    if reason:
        return _refuse(d, reason)
    if f.operation is Operation.VERIFY and f.live_templates == 0:
        return _refuse(d, R.TEMPLATE_EXPIRED if f.held_templates else R.NOT_ENROLLED)
    changed = record is not None and record.notice_version != d.notice_version
    return GateDecision(True, (ok,), d.alternatives, consent_id=record.id if record else None,
                        notice_changed=changed, agreed_notice_version=record.notice_version if record else None)
