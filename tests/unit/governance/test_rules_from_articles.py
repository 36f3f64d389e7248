"""Rules over manifests, each test built from the article text (REQUIREMENTS.md), issue 12 items 5, 6, 9, 10.

Art. 13 para 1: 在公共场所安装人脸识别设备，应当为维护公共安全所必需，依法合理确定人脸信息采集区域，并设置显著提示标识。
Art. 8 para 1: 除法律、行政法规另有规定或者取得个人单独同意外，人脸信息应当存储于人脸识别设备内。
Art. 8 para 2: 除法律、行政法规另有规定外，人脸信息的保存期限不得超过实现处理目的所必需的最短时间。
Art. 4: 应用人脸识别技术处理人脸信息，应当具有特定的目的和充分的必要性。
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from facegate.governance.loader import load_manifest
from facegate.governance.notice import build_notice
from facegate.governance.rules import Severity, evaluate
from facegate.governance.vocab import PURPOSES

MALL_CONCOURSE = {  # labelled business premises, but the cameras watch a concourse anyone walks through
    "scenario.venue_type": "business_premises", "scenario.who_can_enter": "anyone",
    "scenario.cameras_point_at": "public_area", "scenario.who_is_captured": "everyone_in_view",
}
EVIDENCE = {"public_place": {
    "public_safety_necessity": {"zh": "商场客流密集，公安机关要求对重点区域进行在逃人员比对预警。",
                                "en": "The police require wanted-person alerts in this crowded shopping centre."},
    "legal_reference": {"name": "中华人民共和国反恐怖主义法", "article": "第三十二条"},
    "capture_area": "Two cameras over the north entrance doors only, 2.6 m high, 25 degrees down.",
    "signage": {"text": {"zh": "您已进入人脸识别区域，用于维护公共安全。",
                         "en": "You are entering a face recognition area, used for public security."},
                "positions": ["North entrance, above the doors"]},
}}
STATUTE = {"type": "statute", "statute": {"name": "中华人民共和国反恐怖主义法", "article": "第三十二条",
                                          "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}}
SECURITY_ASSESSED = {"impact_assessment.assessed.purposes": ["public_security"]}


def _blocking(ev: Any) -> set[str]:
    return {f.rule_id for f in ev.of_severity(Severity.BLOCKING)}


# --- item 5: Art. 13 follows from declared facts, not a label --------------------------------------

def test_a_public_concourse_is_a_public_place_whatever_the_label(make: Any) -> None:
    # "在公共场所安装": the public walks in and the cameras capture whoever passes.
    ev = evaluate(make({**MALL_CONCOURSE, "purposes.0.code": "public_security", "legal_basis": STATUTE}))
    assert {"FG-13-02", "FG-13-03", "FG-13-04"} <= _blocking(ev)


def test_public_place_label_on_a_residents_only_gate_does_not_trigger_art13(make: Any) -> None:
    ev = evaluate(make({"scenario.venue_type": "public_place", "scenario.who_can_enter": "defined_group"}))
    assert not {r for r in ev.rule_ids if r.startswith("FG-13")}


def test_a_counter_terminal_that_captures_only_the_person_who_chooses_face_is_not_art13(make: Any) -> None:
    # Reading recorded in docs/rules.md: capture of the public is what Art. 13 governs.
    ev = evaluate(make({"scenario.who_can_enter": "anyone", "scenario.cameras_point_at": "service_point",
                        "scenario.who_is_captured": "person_who_chooses_face"}))
    assert not {r for r in ev.rule_ids if r.startswith("FG-13")}


def test_pointing_at_a_public_area_captures_the_public_even_if_the_operator_says_otherwise(make: Any) -> None:
    ev = evaluate(make({**MALL_CONCOURSE, "scenario.who_is_captured": "person_who_chooses_face"}))
    assert "FG-13-02" in _blocking(ev)


def test_undeclared_facts_are_blocking(make: Any) -> None:
    ev = evaluate(make({"scenario.cameras_point_at": None, "scenario.who_is_captured": None}))
    assert "FG-13-07" in _blocking(ev)
    assert {f.path for f in ev.findings if f.rule_id == "FG-13-07"} == {
        "scenario.cameras_point_at", "scenario.who_is_captured"}


@pytest.mark.parametrize("filler", [
    {"zh": "详见附件详见附件详见附件", "en": "See the PIA for details."},
    {"zh": "维护公共安全维护公共安全", "en": "Lorem ipsum dolor sit amet, consectetur adipiscing."},
    {"zh": "待补充待补充待补充待补充", "en": "TBD TBD TBD TBD TBD TBD TBD TBD TBD"},
])
def test_filler_does_not_show_public_security_necessity(make: Any, filler: dict[str, str]) -> None:
    # "应当为维护公共安全所必需": a necessity has to be stated, not gestured at.
    ev = evaluate(make({**MALL_CONCOURSE, **EVIDENCE, "purposes.0.code": "public_security",
                        "legal_basis": STATUTE, "public_place.public_safety_necessity": filler}))
    assert "FG-13-02" in _blocking(ev)


def test_filler_capture_area_and_sign_do_not_count(make: Any) -> None:
    ev = evaluate(make({**MALL_CONCOURSE, **EVIDENCE, "purposes.0.code": "public_security", "legal_basis": STATUTE,
                        "public_place.capture_area": "TBD TBD TBD TBD TBD TBD TBD",
                        "public_place.signage.text": {"zh": "xxxxxxxx", "en": "xxxxxxxxxxxxxxxxxxxxxxxx"}}))
    assert {"FG-13-03", "FG-13-04"} <= _blocking(ev)


def test_real_evidence_passes(make: Any) -> None:
    ev = evaluate(make({**MALL_CONCOURSE, **EVIDENCE, **SECURITY_ASSESSED, "purposes.0.code": "public_security",
                        "legal_basis": STATUTE, "alternatives": []}))
    assert not ev.has_blocking, _blocking(ev)


def test_public_place_for_another_purpose_is_blocking_even_with_separate_consent(make: Any) -> None:
    # Art. 13 para 1 limits why a device may be installed in a public place at all; PIPL Art. 26's
    # separate-consent exception is about later use of what was collected, not about installation.
    ev = evaluate(make({**MALL_CONCOURSE, **EVIDENCE, "purposes.0.code": "payment",
                        "storage.separate_consent_obtained": True}))
    assert "FG-13-06" in _blocking(ev)


# --- item 6: shortest time necessary, judged against the purpose -----------------------------------

def test_every_purpose_ceiling_carries_its_reasoning() -> None:
    for code, info in PURPOSES.items():
        assert info.max_days > 0 and info.max_days_after_event >= 0, code
        assert info.reason_zh.strip() and info.reason_en.strip(), code


def test_check_in_kept_a_year_is_far_beyond_the_stay(make: Any) -> None:
    # Check-in needs the face for the stay (ceiling 30 days with its reason); 365 days is far beyond.
    ev = evaluate(make({"retention.days": 365, "retention.basis": "We like to keep things for a year."}))
    assert "FG-08-07" in _blocking(ev)


def test_far_beyond_is_allowed_only_with_a_specific_law(make: Any) -> None:
    ev = evaluate(make({"retention.days": 365, "retention.legal_reference": {
        "name": "旅馆业治安管理办法", "article": "第六条"}}))
    assert "FG-08-07" not in ev.rule_ids


def test_somewhat_longer_needs_a_real_reason_not_filler(make: Any) -> None:
    assert "FG-08-06" in evaluate(make({"retention.days": 45, "retention.basis": "as required"})).rule_ids
    ev = evaluate(make({"retention.days": 45, "retention.basis":
                        "Long-stay apartment guests stay up to six weeks; the template is needed throughout."}))
    assert "FG-08-06" not in ev.rule_ids and not ev.has_blocking


def test_ten_years_of_attendance_is_blocking_not_a_warning(make: Any) -> None:
    ev = evaluate(make({"purposes.0.code": "attendance", "retention.days": 3650}))
    assert "FG-08-07" in _blocking(ev)


RESIDENT_GATE = {"purposes.0.code": "access_control", "scenario.who_can_enter": "defined_group",
                 "national_identity_channel": "none", "impact_assessment.assessed.purposes": ["access_control"]}


def test_retention_tied_to_move_out_can_be_declared(make: Any) -> None:
    until = {"event": {"zh": "业主或租户迁出", "en": "the resident moves out"}, "days_after": 30}
    m = make({**RESIDENT_GATE, "retention.days": 3650, "retention.until": until})
    ev = evaluate(m)
    assert not ev.has_blocking and "FG-08-06" not in ev.rule_ids
    notice = build_notice(m)
    zh, en = notice.zh.section("retention"), notice.en.section("retention")
    assert zh is not None and en is not None
    assert "迁出后30天" in zh.body and "the resident moves out plus 30 days" in en.body
    assert "3650" in zh.body  # the outer limit is still told


def test_a_long_tail_after_the_event_is_judged_too(make: Any) -> None:
    until = {"event": {"zh": "迁出", "en": "move-out"}, "days_after": 365}
    ev = evaluate(make({**RESIDENT_GATE, "retention.days": 3650, "retention.until": until}))
    assert "FG-08-07" in _blocking(ev)


def test_more_than_ten_years_needs_a_law_even_when_event_tied(make: Any) -> None:
    until = {"event": {"zh": "迁出", "en": "move-out"}, "days_after": 30}
    ev = evaluate(make({**RESIDENT_GATE, "retention.days": 7300, "retention.until": until}))
    assert "FG-08-07" in _blocking(ev)


# --- item 9: off-device storage needs an Art. 8 exception ------------------------------------------

def test_central_storage_without_exception_is_blocking(make: Any) -> None:
    assert "FG-08-03" in _blocking(evaluate(make({"storage.locality": "central"})))


def test_central_storage_with_separate_consent_or_law_is_not_blocked(make: Any) -> None:
    assert "FG-08-03" not in evaluate(make({"storage.locality": "central",
                                             "storage.separate_consent_obtained": True})).rule_ids
    law = {"name": "中华人民共和国反洗钱法", "article": "第二十八条"}
    assert "FG-08-03" not in evaluate(make({"storage.locality": "central",
                                             "storage.legal_reference": law})).rule_ids


# --- item 10: purposes outside the vocabulary are judged, not rejected -------------------------------

MEMBER = {
    "purposes.0.code": "member_recognition",
    "purposes.0.description": {"zh": "健身房会员入场时在闸机前核验会员身份。",
                               "en": "Verify a gym member's identity at the entrance turnstile."},
    "purposes.0.necessity": {"zh": "会员卡常被借用，刷脸可防止冒用会员资格。",
                             "en": "Member cards are often lent out; a face check stops membership misuse."},
    "purposes.0.least_impact": "1:1 against the member's own template on the turnstile; card or desk check offered.",
    "scenario.who_can_enter": "defined_group",
    "impact_assessment.assessed.purposes": ["member_recognition"],
}


def test_member_recognition_by_consent_is_lawful(make: Any, data_for: Any) -> None:
    m = load_manifest(yaml.safe_dump(data_for(MEMBER), allow_unicode=True), "member.yaml")
    ev = evaluate(m)
    assert not ev.has_blocking, _blocking(ev)
    purposes = build_notice(m).zh.section("purposes")
    assert purposes is not None and "健身房会员入场时在闸机前核验会员身份" in purposes.body


@pytest.mark.parametrize("code", ["service_improvement", "business", "general_management"])
def test_a_vague_purpose_is_not_specific(make: Any, code: str) -> None:
    ev = evaluate(make({**MEMBER, "purposes.0.code": code}))
    assert "FG-04-04" in _blocking(ev)


def test_own_purpose_without_description_is_not_specific(make: Any) -> None:
    ev = evaluate(make({**MEMBER, "purposes.0.description": None}))
    assert "FG-04-04" in _blocking(ev)


def test_own_purpose_needs_a_necessity_case(make: Any) -> None:
    ev = evaluate(make({**MEMBER, "purposes.0.necessity": {"zh": "方便快捷", "en": "Fast and convenient."}}))
    assert "FG-04-05" in _blocking(ev)


def test_own_purpose_still_needs_an_alternative_and_no_inducement(make: Any) -> None:
    assert "FG-10-01" in _blocking(evaluate(make({**MEMBER, "alternatives": []})))
    assert "FG-12-01" in _blocking(evaluate(make({**MEMBER, "incentives.face_only_discount": True})))


def test_marketing_that_predicts_preferences_is_blocked(make: Any) -> None:
    ev = evaluate(make({**MEMBER, "purposes.0.code": "shopper_preference_marketing"}))
    assert "FG-04-06" in _blocking(ev)


def test_own_purpose_retention_gets_the_cautious_ceiling(make: Any) -> None:
    assert "FG-08-07" in _blocking(evaluate(make({**MEMBER, "retention.days": 1000})))
