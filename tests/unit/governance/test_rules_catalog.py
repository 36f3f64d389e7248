"""The rule catalog: well-formed data, each rule fires on its case, evaluate() shape."""

from __future__ import annotations

import re
from typing import Any

import pytest

from facegate.governance.requirement_ids import REQUIREMENT_IDS
from facegate.governance.rules import ALL_RULES, RULES, RUNTIME_RULES, Severity, evaluate, rule_by_id

PUBLIC = {"scenario.venue_type": "public_place", "scenario.cameras_point_at": "public_area",
          "scenario.who_is_captured": "everyone_in_view", "purposes.0.code": "public_security",
          "impact_assessment.assessed.purposes": ["public_security"], "alternatives": []}
SIGNED = {**PUBLIC, "public_place": {
    "public_safety_necessity": {"zh": "维护公共安全所必需。", "en": "Needed for public security."},
    "legal_reference": {"name": "中华人民共和国反恐怖主义法", "article": "第三十二条"},
    "capture_area": "Two cameras over security lanes A1-A4 only, 2.4 m high, 30 degrees down.",
    "signage": {"text": {"zh": "人脸识别区域", "en": "Face recognition area"}, "positions": ["Gate A"]},
}}
RULES_FOR_MINORS = {k: {"zh": f"{k}规则。", "en": f"{k} rule."} for k in ("storage", "use", "transfer", "disclosure")}

# rule id -> a patch of the clean base manifest that must trigger it
CASES: dict[str, dict[str, Any]] = {
    "FG-02-01": {"application_class": "rd_algorithm_training"},
    "FG-03-01": {"ethics_attestation": None},
    "FG-04-01": {"purposes.0.necessity": {"zh": "待定", "en": "TBD"}},
    "FG-04-02": {"purposes.0.least_impact": "n/a"},
    "FG-04-03": {"method.mode": "1:N"},
    "FG-05-01": {"notice.rights_contact": "the front desk"},
    "FG-05-02": {"notice.exemption": {"name": "某法"}},
    "FG-05-03": {"notice.exemption": {"name": "中华人民共和国保守国家秘密法", "article": "第二十条",
                                      "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}},
    "FG-05-04": {"notice.accessibility": []},
    "FG-05-05": {"notice.effect_on_rights": {"zh": "长" * 700, "en": "Long."}},
    "FG-06-01": {"legal_basis": {"type": "statute"}},
    "FG-05-06": {"legal_basis": {"type": "statute", "statute": {
        "name": "中华人民共和国反洗钱法", "article": "第二十八条", "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}},
        "notice.how_to_exercise_rights": {"zh": "可随时撤回同意。", "en": "You may withdraw consent at any time."}},
    "FG-06-02": {"written_consent_required": True},
    "FG-06-03": {"legal_basis": {"type": "statute", "statute": {
        "name": "杭州市公共安全视频图像信息系统管理办法", "article": "第十条", "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}}},
    "FG-07-01": {"minors.under_14_allowed": True, "minors.special_rules": RULES_FOR_MINORS},
    "FG-07-02": {"minors.under_14_allowed": True, "minors.guardian_consent": True},
    "FG-07-03": {"minors.under_14_allowed": True},
    "FG-07-04": {"scenario.venue_type": "school"},
    "FG-08-01": {"storage.internet_transmission": True, "storage.destination": "Cloud"},
    "FG-08-02": {"storage.internet_transmission": True, "storage.separate_consent_obtained": True},
    "FG-08-03": {"storage.locality": "central"},
    "FG-08-04": {"storage.locality": "central", "storage.separate_consent_obtained": True},
    "FG-08-05": {"method.locality": "central"},
    "FG-08-06": {"retention.days": 45},
    "FG-08-07": {"retention.days": 61},
    "FG-08-08": {"retention.image_days": 60, "face_data_types": ["template", "image"]},
    "FG-08-09": {"face_data_types": ["template", "image"]},
    "FG-08-10": {"storage.cross_border": True},
    "FG-08-11": {"storage.cross_border": True, "storage.export_mechanism": "standard_contract"},
    "FG-09-01": {"impact_assessment": None},
    "FG-09-02": {"impact_assessment.conclusion": "rejected"},
    "FG-09-03": {"impact_assessment.covers": ["lawfulness_necessity"]},
    "FG-09-04": {"impact_assessment.conclusion": "approved_with_conditions"},
    "FG-09-05": {"method.mode": "1:N", "method.identify_justification": "Hands-free entry; see PIA s.3.2 for why."},
    "FG-09-06": {"impact_assessment.assessed": None},
    "FG-10-01": {"alternatives": []},
    "FG-10-02": {"alternatives": [], "national_rule_requires_face": {"name": "某规定"}},
    "FG-10-03": {"alternatives": [], "national_rule_requires_face": {"name": "某规定", "article": "第三条"}},
    "FG-10-04": {"alternatives.0.convenience": "less"},
    "FG-10-05": {"alternatives.0.is_offered_at_same_point": False},
    "FG-11-01": {"national_identity_channel": "none"},
    "FG-12-01": {"incentives.face_only_discount": True},
    "FG-12-02": {"incentives.face_only_fast_lane": True},
    "FG-12-03": {"incentives.refusal_surcharge": True},
    "FG-12-04": {"incentives.claims_face_mandatory": True},
    "FG-13-01": {"scenario.private_space": "public_toilet"},
    "FG-13-02": PUBLIC,
    "FG-13-03": PUBLIC,
    "FG-13-04": {**SIGNED, "public_place.signage": None},
    "FG-13-05": {**SIGNED, "public_place.legal_reference": None},
    "FG-13-06": {**SIGNED, "purposes.0.code": "ticket_check"},
    "FG-13-07": {"scenario.who_can_enter": None},
    "FG-04-04": {"purposes.0.code": "service_improvement"},
    "FG-04-05": {"purposes.0.code": "member_recognition",
                 "purposes.0.description": {"zh": "健身房会员入场时识别会员身份。",
                                            "en": "Recognise gym members at the entrance turnstile."},
                 "purposes.0.necessity": {"zh": "方便", "en": "Convenient."}},
    "FG-04-06": {"purposes.0.code": "customer_preference_analysis",
                 "purposes.0.description": {"zh": "分析顾客喜好以推荐商品。",
                                            "en": "Analyse what customers like in order to recommend goods."}},
    "FG-14-01": {"security.encryption": None},
    "FG-14-02": {"security.security_audit": False},
    "FG-14-03": {"security.access_control": {"enabled": False, "detail": "planned"}},
    "FG-14-04": {"security.authorisation_management": None},
    "FG-14-05": {"security.intrusion_detection": False},
    "FG-14-06": {"security.mlps_level": None},
    "FG-14-07": {"security.is_cii": True},
    "FG-14-08": {"scenario.unattended": True, "security.liveness": "off"},
    "FG-14-09": {"scenario.venue_type": "online_service", "purposes.0.code": "account_opening",
                 "security.liveness": "optional"},
    "FG-15-01": {"expected_people": 100_000},
    "FG-15-02": {"expected_people": 80_000},
    "FG-15-03": {"expected_people": 200_000, "filing": {"is_filed": True}},
    "FG-20-01": {"impact_assessment.date": "2025-05-31"},
}


def test_base_manifest_has_no_findings(make: Any) -> None:
    assert evaluate(make()).findings == ()


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in RULES}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_case(make: Any, data_for: Any, delete: object, rule_id: str) -> None:
    patch = {k: (delete if v is None and k in {"ethics_attestation", "impact_assessment"} else v)
             for k, v in CASES[rule_id].items()}
    ev = evaluate(make(patch))
    assert rule_id in ev.rule_ids, [f.rule_id for f in ev.findings]
    rule = rule_by_id(rule_id)
    assert ev.has_blocking == any(f.is_blocking for f in ev.findings)
    if rule.severity is Severity.BLOCKING:
        assert ev.has_blocking and ev.verdict == "blocked"


def test_catalog_is_well_formed() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"FGR?-\d{2}-\d{2}", i) for i in ids)
    for r in ALL_RULES:
        assert r.requirement_ids and set(r.requirement_ids) <= set(REQUIREMENT_IDS), r.id
        assert all((r.title, r.message_zh, r.message_en, r.remedy_zh, r.remedy_en)), r.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message_zh + r.remedy_zh), r.id
        assert r.article == int(r.id.split("-")[1])
    assert all(r.is_runtime for r in RUNTIME_RULES) and not any(r.is_runtime for r in RULES)


def test_rule_by_id_unknown() -> None:
    with pytest.raises(KeyError):
        rule_by_id("FG-99-99")


def test_private_space_is_blocked_whatever_else(make: Any) -> None:
    for space in ("hotel_guest_room", "public_bathroom", "public_locker_room", "public_toilet",
                  "other_private_space"):
        ev = evaluate(make({"scenario.private_space": space}))
        assert [f.rule_id for f in ev.of_severity(Severity.BLOCKING)] == ["FG-13-01"]


def test_public_security_screening_needs_no_alternative(make: Any) -> None:
    ev = evaluate(make(SIGNED))
    assert "FG-10-01" not in ev.rule_ids and not ev.has_blocking


def test_statute_basis_with_citation_passes(make: Any) -> None:
    ev = evaluate(make({"legal_basis": {"type": "statute",
                                        "statute": {"name": "中华人民共和国反洗钱法", "article": "第二十八条",
                                                    "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}}}))
    assert "FG-06-01" not in ev.rule_ids


def test_guardian_consent_not_needed_under_statute(make: Any) -> None:
    ev = evaluate(make({"minors.under_14_allowed": True, "minors.special_rules": RULES_FOR_MINORS,
                        "legal_basis": {"type": "statute", "statute": {"name": "某法", "article": "第一条"}}}))
    assert "FG-07-01" not in ev.rule_ids


def test_transmission_allowed_by_law_or_consent(make: Any) -> None:
    base = {"storage.internet_transmission": True, "storage.destination": "DC"}
    assert "FG-08-01" not in evaluate(make({**base, "storage.separate_consent_obtained": True})).rule_ids
    law = {"name": "某法", "article": "第八条"}
    assert "FG-08-01" not in evaluate(make({**base, "storage.legal_reference": law})).rule_ids
    assert "FG-08-01" in evaluate(make({**base, "storage.legal_reference": {"name": "某法"}})).rule_ids


def test_images_with_written_consent_and_period_only_warn_nothing(make: Any) -> None:
    ev = evaluate(make({"face_data_types": ["template", "image"], "written_consent_required": True,
                        "retention.image_days": 7}))
    assert "FG-08-09" not in ev.rule_ids and "FG-08-08" not in ev.rule_ids


def test_filing_recorded_silences_threshold(make: Any) -> None:
    ev = evaluate(make({"expected_people": 150_000, "filing": {
        "is_filed": True, "authority": "浙江省网信办", "filing_number": "浙-2025-1", "filed_on": "2025-07-01"}}))
    assert not {"FG-15-01", "FG-15-03"} & set(ev.rule_ids)


def test_evaluation_groups_by_article_and_sorts(make: Any) -> None:
    ev = evaluate(make({"scenario.private_space": "public_toilet", "alternatives": [],
                        "security.encryption": False, "national_identity_channel": "none"}))
    groups = ev.by_article()
    assert list(groups) == sorted(groups) == [10, 11, 13, 14]
    assert ev.counts() == {"blocking": 3, "warning": 0, "advice": 1}
    assert [f.rule_id for f in ev.findings] == ["FG-10-01", "FG-11-01", "FG-13-01", "FG-14-01"]
    f = ev.findings[0]
    assert f.to_dict()["severity"] == "blocking" and f.to_dict()["path"] == "alternatives"
