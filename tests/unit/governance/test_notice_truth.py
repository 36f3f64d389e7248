"""The notice says what is true, and a statute is cited for real (Measures Arts. 5, 6, 11; PIPL Arts. 13, 15, 39, 44-50).

Built from the article text: Art. 5 wants the notice "真实、准确、完整"; Art. 6 para 2 gives the
right to withdraw only "基于个人同意处理人脸信息的"; PIPL Art. 39 lists what the person is told
about an overseas recipient; PIPL Arts. 44-48 list the rights.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from facegate.domain.gate import GateFacts, decide
from facegate.domain.model import DeploymentStatus, Operation
from facegate.governance.manifest import Manifest
from facegate.governance.mapping import to_deployment
from facegate.governance.notice import build_notice
from facegate.governance.rules import Severity, evaluate

LAW = {"name": "中华人民共和国反洗钱法", "article": "第二十八条", "reviewed_by": "法务部 李明", "reviewed_on": "2025-07-01"}
STATUTE = {"legal_basis": {"type": "statute", "statute": LAW}}


def _text(make: Any, patch: dict[str, Any]) -> tuple[str, str]:
    n = build_notice(make(patch))
    return "".join(s.body for s in n.zh.sections), " ".join(s.body for s in n.en.sections)


def test_a_statutory_notice_names_the_law_and_offers_no_withdrawal(make: Any) -> None:
    zh, en = _text(make, STATUTE)
    assert "《中华人民共和国反洗钱法》第二十八条" in zh and "不以您的同意为处理依据" in zh
    assert "中华人民共和国反洗钱法 第二十八条" in en and "does not rest on your consent" in en
    assert "撤回同意" not in zh and "withdraw consent" not in en.lower()
    consent_zh, consent_en = _text(make, {})
    assert "撤回同意" in consent_zh and "withdraw consent" in consent_en


def test_the_operators_own_text_may_not_offer_withdrawal_under_a_statute(make: Any) -> None:
    ev = evaluate(make({**STATUTE, "notice.how_to_exercise_rights": {"zh": "可在App中撤回同意。",
                                                                      "en": "Withdraw consent in the app."}}))
    assert "FG-05-06" in {f.rule_id for f in ev.of_severity(Severity.BLOCKING)}


@pytest.mark.parametrize("statute", [
    {**LAW, "name": "某某法", "article": "第X条（示例，待确认）"},       # the placeholder seen in the field
    {**LAW, "article": "see the legal department"},                    # any non-empty text
    {**LAW, "article": "第X条"},
    {"name": LAW["name"], "article": LAW["article"]},                  # nobody reviewed it
    {**LAW, "name": ""},
])
def test_a_placeholder_is_not_a_legal_basis(make: Any, statute: dict[str, Any]) -> None:
    m = make({"legal_basis": {"type": "statute", "statute": statute}})
    blocking = {f.rule_id for f in evaluate(m).of_severity(Severity.BLOCKING)}
    assert "FG-06-01" in blocking
    # Even if such a deployment were stored as active, the gate would not treat it as lawful (M-6.7).
    d = to_deployment(m, status=DeploymentStatus.ACTIVE, version=1)
    decision = decide(GateFacts(Operation.VERIFY, d, "check_in", datetime(2026, 3, 2, tzinfo=UTC)))
    assert decision.codes == ("statute_uncited",) and decision.reasons[0].article_id == "M-6.7"


def test_an_unknown_statute_is_flagged_for_counsel(make: Any) -> None:
    rule = {**LAW, "name": "某市公共场所视频监控管理办法", "article": "第十条"}
    assert "FG-06-01" in evaluate(make({"legal_basis": {"type": "statute", "statute": rule}})).rule_ids
    local = {**LAW, "name": "杭州市公共安全视频图像信息系统管理办法", "article": "第十条"}
    ev = evaluate(make({"legal_basis": {"type": "statute", "statute": local}}))
    assert "FG-06-03" in {f.rule_id for f in ev.of_severity(Severity.WARNING)}
    assert "FG-06-03" not in evaluate(make(STATUTE)).rule_ids
    assert "FG-06-03" not in evaluate(make({**STATUTE, "legal_basis.statute.name": "《反洗钱法》"})).rule_ids


def test_a_national_channel_deployment_is_told_where_faces_are_compared(make: Any) -> None:
    """M-11.1: the national service compares; "on our servers" or "only on the device" would be untrue."""
    for locality in ("on_device", "central"):
        zh, en = _text(make, {"national_identity_channel": "national_network_identity_authentication",
                              "method.locality": locality, "storage.locality": locality})
        assert "国家网络身份认证公共服务" in zh and "national network identity authentication" in en
        assert "比对在我们的服务器上完成" not in zh and "comparison happens on our servers" not in en
        assert "只存放在人脸识别设备内" not in zh and "stored only inside" not in en
    plain_zh, _ = _text(make, {"national_identity_channel": "none"})
    assert "比对在现场设备上完成" in plain_zh


RECIPIENT = {
    "name": "Example Analytics Pte. Ltd. (Singapore)", "contact": "dpo@example-analytics.sg",
    "purpose": {"zh": "为集团会员提供跨境入住核验。", "en": "Cross-border check-in for group members."},
    "method": {"zh": "一对一比对，加密传输。", "en": "One-to-one comparison, encrypted in transit."},
    "categories": {"zh": "人脸特征模板。", "en": "Face templates."},
    "how_to_exercise_rights": {"zh": "发送邮件至上述地址，15个工作日内答复。",
                               "en": "E-mail the address above; answered within 15 working days."},
}


def test_cross_border_provision_tells_every_pipl_art39_item(make: Any) -> None:
    abroad = {"storage.cross_border": True, "storage.export_mechanism": "standard_contract"}
    blocked = evaluate(make(abroad))
    assert "FG-08-11" in {f.rule_id for f in blocked.of_severity(Severity.BLOCKING)}
    m = make({**abroad, "storage.cross_border_recipient": RECIPIENT})
    assert "FG-08-11" not in evaluate(m).rule_ids
    section = build_notice(m)
    zh, en = section.zh.section("cross_border"), section.en.section("cross_border")
    assert zh is not None and en is not None
    for part in (RECIPIENT["name"], RECIPIENT["contact"]):
        assert part in zh.body and part in en.body
    for key in ("purpose", "method", "categories", "how_to_exercise_rights"):
        assert RECIPIENT[key]["zh"] in zh.body and RECIPIENT[key]["en"] in en.body


def test_the_rights_list_follows_pipl_arts_44_to_50(make: Any) -> None:
    zh, en = _text(make, {})
    for right in ("查阅", "复制", "更正", "补充", "删除", "解释说明", "限制或者拒绝", "转移", "说明理由", "人民法院", "投诉"):
        assert right in zh, right
    for right in ("copy", "corrected", "deleted", "explain", "restrict", "transferred", "court", "complain"):
        assert right in en, right


def test_material_terms_follow_the_recipient(make: Any) -> None:
    """A new overseas recipient is a new recipient: the consent must be renewed (P-39.1, M-6.4)."""
    base = make({"storage.cross_border": True, "storage.export_mechanism": "standard_contract",
                 "storage.cross_border_recipient": RECIPIENT})
    other = Manifest.model_validate({**base.model_dump(mode="json"), "storage": {
        **base.model_dump(mode="json")["storage"], "cross_border_recipient": {**RECIPIENT, "name": "Other Ltd"}}})
    old, new = (to_deployment(x, status=DeploymentStatus.ACTIVE, version=1) for x in (base, other))
    assert old.terms is not None and new.terms is not None
    assert "Other Ltd" in new.terms.recipients and "Other Ltd" not in old.terms.recipients
    assert replace(old.terms, recipients=new.terms.recipients) == new.terms
