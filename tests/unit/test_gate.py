"""The gate's rules, one by one, each with the requirement it enforces."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from facegate.domain.gate import GateFacts, age_on, decide, fourteenth_birthday
from facegate.domain.model import Consent, ConsentActor, DeploymentStatus, Mode, Operation, Subject
from tests.conftest import sample_deployment

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
D = sample_deployment()
ADULT = Subject("s1", D.processor_id, "guest-1")
CHILD = Subject("s2", D.processor_id, "pupil-1", minor_until=date(2030, 1, 1))


def consent(**kw: object) -> Consent:
    base: dict[str, object] = dict(id="c1", subject_id="s1", deployment_id=D.id, purpose="identity_verification",
                                   notice_version=D.notice_version, scope_hash=D.scope_hash, channel="api",
                                   actor=ConsentActor.SELF, given_at=NOW)
    base.update(kw)
    return Consent(**base)  # type: ignore[arg-type]


def facts(**kw: object) -> GateFacts:
    base: dict[str, object] = dict(operation=Operation.VERIFY, deployment=D, purpose="identity_verification",
                                   now=NOW, subject=ADULT, consents=(consent(),), subject_ref_given=True,
                                   live_templates=1, held_templates=1)
    base.update(kw)
    return GateFacts(**base)  # type: ignore[arg-type]


def test_allowed_with_valid_consent() -> None:
    decision = decide(facts())
    assert decision.allowed and decision.consent_id == "c1"


@pytest.mark.parametrize(
    ("change", "code", "article"),
    [
        ({"deployment": replace(D, status=DeploymentStatus.INACTIVE)}, "deployment_inactive", "M-4.4"),
        ({"deployment": replace(D, status=DeploymentStatus.BLOCKED)}, "deployment_blocked", "M-4.4"),
        ({"purpose": "marketing"}, "purpose_undeclared", "M-4.1"),
        ({"consents": ()}, "consent_missing", "M-6.1"),
        ({"consents": (consent(purpose="payment"),)}, "consent_missing", "M-6.1"),
        ({"consents": (consent(withdrawn_at=NOW),)}, "consent_withdrawn", "M-6.3"),
        ({"consents": (consent(scope_hash="old"),)}, "consent_stale", "M-6.4"),
        ({"operation": Operation.IDENTIFY, "subject": None}, "mode_not_allowed", "M-4.3"),
        ({"subject": None}, "consent_missing", "M-6.1"),
        ({"live_templates": 0, "held_templates": 0}, "not_enrolled", "M-10.1"),
        ({"live_templates": 0, "held_templates": 2}, "template_expired", "M-8.5"),
        ({"is_subject_locked": True}, "subject_locked", "M-14.5"),
        ({"operation": Operation.ENROLL, "is_assessment_outdated": True}, "assessment_outdated", "M-9.5"),
    ],
)
def test_refusals(change: dict[str, object], code: str, article: str) -> None:
    decision = decide(facts(**change))
    assert not decision.allowed
    assert decision.codes == (code,)
    assert decision.reasons[0].article_id == article
    assert decision.alternatives == D.alternatives  # M-10.1: every refusal offers the way around


def test_children_need_a_guardian() -> None:
    minors_ok = replace(D, minors_allowed=True)
    child_self = facts(deployment=minors_ok, subject=CHILD, consents=(consent(subject_id="s2"),))
    assert decide(child_self).codes == ("guardian_consent_missing",)
    guardian = consent(subject_id="s2", actor=ConsentActor.GUARDIAN, guardian_ref="parent-1",
                       guardian_relationship="parent")
    assert decide(facts(deployment=minors_ok, subject=CHILD, consents=(guardian,))).allowed
    assert decide(facts(subject=CHILD, consents=(guardian,))).codes == ("minors_not_allowed",)


def test_identify_needs_1n_mode() -> None:
    assert decide(facts(operation=Operation.IDENTIFY, subject=None, subject_ref_given=False,
                        deployment=replace(D, mode=Mode.IDENTIFY))).allowed


def test_age_arithmetic() -> None:
    assert age_on(date(2012, 3, 2), date(2026, 3, 2)) == 14
    assert age_on(date(2012, 3, 3), date(2026, 3, 2)) == 13
    assert fourteenth_birthday(date(2012, 2, 29)) == date(2026, 3, 1)
