"""The gate: the Measures' conditions checked before every face operation.

``decide()`` is a pure function of plain facts, so every rule is unit-testable
and the decision can be written to the processing record as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from facegate.domain import reasons as R
from facegate.domain.liveness import LivenessPolicy, policy_of
from facegate.domain.model import (
    Alternative,
    Consent,
    ConsentActor,
    Deployment,
    DeploymentStatus,
    Mode,
    Operation,
    Subject,
)
from facegate.domain.reasons import Reason


@dataclass(frozen=True)
class GateDecision:
    """Allowed or refused, with reasons and the non-face ways through (M-10.1)."""

    allowed: bool
    reasons: tuple[Reason, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    consent_id: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate needs to know, gathered by the service beforehand."""

    operation: Operation
    deployment: Deployment
    purpose: str
    now: datetime
    subject: Subject | None = None
    consents: tuple[Consent, ...] = ()
    is_subject_locked: bool = False
    is_assessment_outdated: bool = False
    is_liveness_passed: bool = False  # a live check passed for this very probe (domain/liveness.py)
    extra_reasons: tuple[Reason, ...] = field(default=())


def _refuse(deployment: Deployment, *reasons: Reason) -> GateDecision:
    return GateDecision(False, tuple(reasons), deployment.alternatives)


def check_deployment(f: GateFacts) -> Reason | None:
    """Deployment-level conditions shared by every face operation (M-4.x)."""
    d = f.deployment
    if d.status is DeploymentStatus.BLOCKED:
        return R.DEPLOYMENT_BLOCKED
    if not d.is_active:
        return R.DEPLOYMENT_INACTIVE
    if f.purpose not in d.purposes:
        return R.PURPOSE_UNDECLARED
    if f.operation is Operation.IDENTIFY and d.mode is not Mode.IDENTIFY:
        return R.MODE_NOT_ALLOWED
    return None


def valid_consent(f: GateFacts) -> tuple[Consent | None, Reason | None]:
    """Find the consent that makes processing lawful, or say why none does."""
    assert f.subject is not None
    mine = [c for c in f.consents if c.deployment_id == f.deployment.id and c.purpose == f.purpose]
    if not mine:
        return None, R.CONSENT_MISSING
    live = [c for c in mine if not c.is_withdrawn]
    if not live:
        return None, R.CONSENT_WITHDRAWN
    # M-6.4: a change of purpose, method or data types voids consent to the old scope.
    current = [c for c in live if c.scope_hash == f.deployment.scope_hash]
    if not current:
        return None, R.CONSENT_STALE
    if f.subject.is_minor_on(f.now.date()):
        if not f.deployment.minors_allowed:
            return None, R.MINORS_NOT_ALLOWED
        guardian = [c for c in current if c.actor is ConsentActor.GUARDIAN]
        if not guardian:
            return None, R.GUARDIAN_CONSENT_MISSING
        return guardian[-1], None
    return current[-1], None


def decide(f: GateFacts) -> GateDecision:
    """Decide one operation on one subject (or a 1:N probe when subject is None)."""
    problem = check_deployment(f)
    if problem:
        return _refuse(f.deployment, problem)
    if f.extra_reasons:
        return _refuse(f.deployment, *f.extra_reasons)
    if f.is_assessment_outdated:  # M-9.5: past the bounded grace, verification stops as well as enrolment
        return _refuse(f.deployment, R.ASSESSMENT_OUTDATED)
    if f.subject is None:
        ok = R.OK if f.deployment.consent_required else R.OK_STATUTE
        return GateDecision(True, (ok,), f.deployment.alternatives)
    if f.is_subject_locked and f.operation is Operation.VERIFY:
        return _refuse(f.deployment, R.SUBJECT_LOCKED)
    if (f.operation is Operation.VERIFY and not f.is_liveness_passed
            and policy_of(f.deployment.manifest) is LivenessPolicy.REQUIRED):
        return _refuse(f.deployment, R.LIVENESS_REQUIRED)
    if not f.deployment.consent_required:
        return GateDecision(True, (R.OK_STATUTE,), f.deployment.alternatives)
    consent, reason = valid_consent(f)
    if reason:
        return _refuse(f.deployment, reason)
    assert consent is not None
    return GateDecision(True, (R.OK,), f.deployment.alternatives, consent_id=consent.id)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (M-7.1 counts age on the date of processing)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def fourteenth_birthday(birth_date: date) -> date:
    """The first day on which the person is 14; 29 February births turn on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + 14)
    except ValueError:
        return date(birth_date.year + 14, 3, 1)
