"""Consent is bound to the notice the person saw (PIPL Art. 14 para 2, Measures Arts. 5, 7, 8; PIPL Art. 39).

Each case starts from the article text, not from the code: PIPL Art. 14 para 2
"个人信息的处理目的、处理方式和处理的个人信息种类发生变更的，应当重新取得个人同意";
Measures Art. 8 "人脸信息应当存储于人脸识别设备内，不得通过互联网对外传输" unless the
person separately consents; PIPL Art. 39 "向境外提供…并取得个人的单独同意"; NDSR Art. 22
"不得超出…保存期限处理"; Measures Art. 5 para 2 "前款规定事项发生变更的，应当将变更部分告知个人".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from facegate.domain.age import AgeBasis
from facegate.domain.gate import GateFacts, decide
from facegate.domain.model import Consent, ConsentActor, Deployment, DeploymentStatus, Operation, RecordKind, Subject
from facegate.domain.model import SeparateConsent as S
from facegate.governance.manifest import Manifest
from facegate.governance.mapping import to_deployment
from tests.unit.governance.conftest import patched

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADULT = Subject("s1", "p", "guest-1")


def deployment(patch: dict[str, Any] | None = None) -> Deployment:
    return to_deployment(Manifest.model_validate(patched(patch or {})), status=DeploymentStatus.ACTIVE, version=1)


def consent_to(d: Deployment, **kw: Any) -> Consent:
    base: dict[str, Any] = dict(
        id="c1", subject_id="s1", deployment_id=d.id, purpose="check_in", notice_version=d.notice_version,
        scope_hash=d.scope_hash, channel="api", actor=ConsentActor.SELF, given_at=NOW, terms=d.terms,
        separate=tuple(d.separate_consents_needed), age_basis=AgeBasis.ATTESTED_14_OR_OVER, age_attested_by="desk-1")
    base.update(kw)
    return Consent(**base)


def verify(d: Deployment, *consents: Consent, subject: Subject = ADULT, day: datetime = NOW) -> Any:
    return decide(GateFacts(Operation.VERIFY, d, "check_in", day, subject, consents, subject_ref_given=True,
                            live_templates=1, held_templates=1))


OLD = deployment()

MATERIAL = [
    # PIPL Art. 14 para 2: purpose, method, categories.
    ("new purpose", {"purposes": [patched({})["purposes"][0], {
        "code": "access_control", "necessity": {"zh": "住客凭脸开启电梯。", "en": "Guests open the lift by face."},
        "least_impact": "1:1 on the lift panel, key card kept as the alternative."}]}, "M-6.4"),
    ("1:1 to 1:N", {"method.mode": "1:N", "method.identify_justification": "PIA 2.0 section 4"}, "M-6.4"),
    ("compared on servers", {"method.locality": "central"}, "M-6.4"),
    ("photos kept too", {"face_data_types": ["template", "image"]}, "M-6.4"),
    # Measures Art. 8: stored in the device, not sent over the Internet.
    ("stored off the device", {"storage.locality": "central"}, "M-8.2"),
    ("sent over the Internet", {"storage.internet_transmission": True, "storage.destination": "上海云机房"}, "M-8.2"),
    # PIPL Art. 39: provision abroad.
    ("provided abroad", {"storage.cross_border": True}, "P-39.1"),
    # A new recipient or processor (PIPL Arts. 21, 23).
    ("new processor", {"method.vendor": "Another Vendor Ltd"}, "M-6.4"),
    # NDSR Art. 22: not beyond the consented retention period.
    ("longer retention", {"retention.days": 31}, "N-22.1"),
]


@pytest.mark.parametrize(("label", "patch", "article"), MATERIAL, ids=[m[0] for m in MATERIAL])
def test_material_change_needs_fresh_consent(label: str, patch: dict[str, Any], article: str) -> None:
    new = deployment(patch)
    decision = verify(new, consent_to(OLD))
    assert not decision.allowed, label
    assert decision.codes == ("consent_stale",)
    assert decision.reasons[0].article_id == article
    assert decision.alternatives == new.alternatives
    # Fresh consent to the new notice (with the separate consents it now needs) lets it run again.
    assert verify(new, consent_to(OLD), consent_to(new, id="c2")).allowed


@pytest.mark.parametrize("patch", [
    {"retention.days": 20},                                        # shorter retention
    {"processor.contact": "0571-8796 2211"},                        # a new phone number
    {"notice.how_to_exercise_rights": {"zh": "拨打前台电话办理。", "en": "Call the front desk."}},
])
def test_other_changes_are_told_not_reconsented(patch: dict[str, Any]) -> None:
    """Art. 5 para 2: the changed part is told to the person; the consent still stands."""
    new = deployment(patch)
    assert new.notice_version != OLD.notice_version
    decision = verify(new, consent_to(OLD))
    assert decision.allowed
    assert decision.notice_changed and decision.agreed_notice_version == OLD.notice_version
    assert not verify(OLD, consent_to(OLD)).notice_changed


def test_off_device_storage_needs_the_persons_own_separate_consent() -> None:
    """Art. 8 exception "取得个人单独同意" is per person, not a manifest flag."""
    d = deployment({"storage.locality": "central", "storage.separate_consent_obtained": True})
    assert d.separate_consents_needed == (S.INTERNET_TRANSMISSION,)
    refused = verify(d, consent_to(d, separate=()))
    assert refused.codes == ("transmission_consent_missing",) and refused.reasons[0].article_id == "M-8.2"
    assert verify(d, consent_to(d)).allowed


def test_a_law_lifts_the_art8_consent_but_not_pipl_art39() -> None:
    law = {"name": "中华人民共和国反恐怖主义法", "article": "第三十二条"}
    d = deployment({"storage.locality": "central", "storage.legal_reference": law, "storage.cross_border": True})
    assert d.separate_consents_needed == (S.CROSS_BORDER,)
    refused = verify(d, consent_to(d, separate=()))
    assert refused.codes == ("cross_border_consent_missing",) and refused.reasons[0].article_id == "P-39.1"
    assert verify(d, consent_to(d, separate=(S.CROSS_BORDER,))).allowed


# --- Age (Measures Art. 7, PIPL Art. 31; M-7.1 "on the date of processing") ------------------

def test_no_age_no_processing_where_children_may_come() -> None:
    d = deployment()
    assert d.may_meet_minors  # a hotel front desk meets families
    refused = verify(d, consent_to(d, age_basis=None, age_attested_by=None))
    assert refused.codes == ("age_not_established",) and refused.reasons[0].article_id == "M-7.1"
    adults_only = deployment({"minors.may_be_present": False})
    assert verify(adults_only, consent_to(adults_only, age_basis=None, age_attested_by=None)).allowed


def test_the_day_before_the_fourteenth_birthday_needs_a_guardian() -> None:
    """M-7.1's own test: DOB = today - 13y364d -> guardian flow; DOB = today - 14y -> adult flow."""
    d = deployment({"minors.under_14_allowed": True, "minors.guardian_consent": True})
    born_13y364d = date(2012, 3, 3)   # 14 tomorrow
    child = Subject("s1", "p", "pupil", minor_until=date(2026, 3, 3))
    own = consent_to(d, age_basis=AgeBasis.BIRTH_DATE, age_attested_by=None)
    assert verify(d, own, subject=child).codes == ("guardian_consent_missing",)
    guardian = consent_to(d, id="g", actor=ConsentActor.GUARDIAN, guardian_ref="mum", guardian_relationship="parent",
                          age_basis=AgeBasis.BIRTH_DATE)
    assert verify(d, guardian, subject=child).allowed
    # The next day the same person is 14: their own consent counts (age on the date of processing).
    assert born_13y364d.replace(year=2026) == child.minor_until
    assert verify(d, own, subject=child, day=datetime(2026, 3, 3, 9, tzinfo=UTC)).allowed


def test_a_child_is_refused_where_under_14s_are_excluded() -> None:
    d = deployment()
    child = Subject("s1", "p", "pupil", minor_until=date(2030, 1, 1))
    refused = verify(d, consent_to(d, age_basis=AgeBasis.BIRTH_DATE), subject=child)
    assert refused.codes == ("minors_not_allowed",)


# --- Statutory basis: notice still given and recorded; age still applies ----------------------

STATUTE = {"legal_basis": {"type": "statute", "statute": {
    "name": "中华人民共和国反恐怖主义法", "article": "第三十二条", "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}}}


def test_statutory_basis_still_needs_the_notice_record() -> None:
    d = deployment(STATUTE)
    assert not d.consent_required and d.legal_basis_ref
    unknown = decide(GateFacts(Operation.ENROLL, d, "check_in", NOW, None, (), subject_ref_given=True))
    assert unknown.codes == ("notice_not_recorded",) and unknown.reasons[0].article_id == "M-5.1"
    told = consent_to(d, kind=RecordKind.NOTICE)
    assert verify(d, told).allowed and verify(d, told).codes == ("ok_statutory_basis",)
    # A consent is not a notice record, and vice versa.
    assert verify(d, consent_to(d)).codes == ("notice_not_recorded",)
    assert verify(OLD, consent_to(OLD, kind=RecordKind.NOTICE)).codes == ("consent_missing",)


def test_statutory_basis_keeps_the_age_rules_and_the_change_notice() -> None:
    d = deployment(STATUTE)
    child = Subject("s1", "p", "pupil", minor_until=date(2030, 1, 1))
    told = consent_to(d, kind=RecordKind.NOTICE, age_basis=AgeBasis.BIRTH_DATE)
    assert verify(d, told, subject=child).codes == ("minors_not_allowed",)
    assert verify(d, consent_to(d, kind=RecordKind.NOTICE, age_basis=None)).codes == ("age_not_established",)
    longer = deployment({**STATUTE, "retention.days": 90})
    stale = verify(longer, told)
    assert stale.codes == ("notice_stale",) and stale.reasons[0].article_id == "M-5.4"


def test_only_a_law_lifts_the_notice() -> None:
    law = {"name": "中华人民共和国保守国家秘密法", "article": "第二十条", "reviewed_by": "法务部 李明",
           "reviewed_on": "2025-07-01"}
    exempt = deployment({**STATUTE, "minors.may_be_present": False, "notice.exemption": law})
    assert exempt.is_notice_exempt
    assert decide(GateFacts(Operation.ENROLL, exempt, "check_in", NOW, None, (), subject_ref_given=True)).allowed
    # The same exemption under consent changes nothing: consent must be informed (Art. 6).
    under_consent = deployment({"notice.exemption": law})
    assert not under_consent.is_notice_exempt
    # A placeholder is not a law: "第X条（示例，待确认）" lifts nothing.
    placeholder = deployment({**STATUTE, "notice.exemption": {**law, "article": "第X条（示例，待确认）"}})
    assert not placeholder.is_notice_exempt
