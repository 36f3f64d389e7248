"""security.liveness: the default where remote or unattended, the rule catalogue, and the gate (M-14.5, M-4.4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facegate.domain.gate import GateFacts, decide
from facegate.domain.liveness import LivenessPolicy, policy_of
from facegate.domain.model import Operation, Subject
from facegate.governance.loader import load_manifest
from facegate.governance.rules import evaluate
from tests.conftest import sample_deployment

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("manifest", "policy"), [
    ({}, LivenessPolicy.OFF),
    ({"scenario": {"venue_type": "business_premises"}}, LivenessPolicy.OFF),
    ({"scenario": {"venue_type": "online_service"}}, LivenessPolicy.REQUIRED),
    ({"scenario": {"venue_type": "workplace", "unattended": True}}, LivenessPolicy.REQUIRED),
    ({"scenario": {"venue_type": "online_service"}, "security": {"liveness": "optional"}}, LivenessPolicy.OPTIONAL),
    ({"scenario": {"venue_type": "business_premises"}, "security": {"liveness": "required"}},
     LivenessPolicy.REQUIRED),
])
def test_default_is_required_where_remote_or_unattended(manifest: dict[str, Any], policy: LivenessPolicy) -> None:
    assert policy_of(manifest) is policy


def _verify(policy: str | None, *, passed: bool = False, op: Operation = Operation.VERIFY):  # type: ignore[no-untyped-def]
    manifest: dict[str, Any] = {"scenario": {"venue_type": "business_premises"}}
    if policy:
        manifest["security"] = {"liveness": policy}
    # A statutory deployment whose law also lifts the notice: nothing but liveness stands in the way.
    d = sample_deployment(manifest=manifest, consent_required=False, is_notice_exempt=True,
                          legal_basis_ref="中华人民共和国反恐怖主义法 第三十二条")
    return decide(GateFacts(op, d, "identity_verification", NOW, subject=Subject("s1", d.processor_id, "guest-1"),
                            is_liveness_passed=passed, subject_ref_given=True, live_templates=1, held_templates=1))


def test_gate_refuses_verification_without_a_passed_check_where_required() -> None:
    refused = _verify("required")
    assert not refused.allowed and refused.codes == ("liveness_required",)
    assert refused.reasons[0].article_id == "M-14.5" and refused.reasons[0].message_zh
    assert [a.code for a in refused.alternatives] == ["staff_check"]
    # Past the check, the gate goes on to its other conditions (here: the notice record, M-5.1).
    for other in (_verify("required", passed=True), _verify("optional"), _verify("off"), _verify(None),
                  _verify("required", op=Operation.ENROLL)):  # enrolment is attended by the consent flow
        assert "liveness_required" not in other.codes and other.codes


BASE = """
id: self-check-in
name: {zh: 自助入住, en: Self check-in}
processor: {name: {zh: 某酒店有限公司, en: Some Hotel Ltd}, contact: privacy@example.cn, uscc: 91330106MA2H3K7L5P}
scenario: {description: {zh: 自助入住机, en: Self check-in kiosk}, venue_type: %s, unattended: %s}
purposes:
  - code: %s
    necessity: {zh: 须核验入住人身份以防冒用证件。, en: Guests must be verified so nobody checks in on another's card.}
    least_impact: 1:1 against the ID card chip photo on the kiosk; staff check offered beside it.
legal_basis: {type: separate_consent}
method: {mode: "1:1", locality: on_device, engine: dlib, vendor: facegate}
face_data_types: [template]
notice:
  rights_contact: privacy@example.cn
  how_to_exercise_rights: {zh: 发邮件。, en: Write to us.}
  effect_on_rights: {zh: 人脸信息敏感。, en: Face data is sensitive.}
storage: {locality: on_device}
retention: {days: 30}
security: {liveness: %s}
expected_people: 100
"""


@pytest.mark.parametrize(("venue", "unattended", "purpose", "liveness", "rules"), [
    ("business_premises", "true", "check_in", "off", {"FG-14-08"}),
    ("business_premises", "true", "check_in", "optional", {"FG-14-08"}),
    ("business_premises", "true", "check_in", "required", set()),
    ("business_premises", "false", "check_in", "off", set()),  # staff watch the capture
    ("online_service", "false", "account_opening", "off", {"FG-14-09"}),
    ("online_service", "false", "account_opening", "required", set()),
])
def test_catalogue_flags_remote_or_unattended_1to1_without_liveness(
        venue: str, unattended: str, purpose: str, liveness: str, rules: set[str]) -> None:
    m = load_manifest(BASE % (venue, unattended, purpose, liveness))
    assert m.security.liveness is LivenessPolicy(liveness)  # a bare YAML `off` is not read as false
    found = {f.rule_id for f in evaluate(m).findings if f.rule_id in ("FG-14-08", "FG-14-09")}
    assert found == rules
    for f in evaluate(m).findings:
        if f.rule_id == "FG-14-09":
            assert f.is_blocking and "M-14.5" in f.requirement_ids
        if f.rule_id == "FG-14-08":
            assert f.severity.value == "warning"
