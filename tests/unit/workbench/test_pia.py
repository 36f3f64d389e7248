"""Impact assessment data and the risk score (M-9.2)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest

from facegate.domain.model import Mode, StorageLocality
from facegate.domain.pia import (
    THREATS,
    Measure,
    PiaData,
    Reviewer,
    RiskFacts,
    Text,
    ThreatAssessment,
    pia_document,
    score_risk,
)
from facegate.errors import InvalidInput

LOW = RiskFacts(Mode.VERIFY, StorageLocality.ON_DEVICE, 500, alternative_share=0.3)


def sample_pia(**changes: Any) -> PiaData:
    t = Text("示例", "example")
    pia = PiaData(
        deployment_id="lobby-door", processor_name="示例科技有限公司", version="1.0",
        prepared_on=date(2025, 9, 1), purpose_and_method=t, legal_basis=t, necessity=t,
        alternatives_considered=t, rights_impact=t, mitigation_effectiveness=t,
        threats=tuple(ThreatAssessment(k, "low", t, t) for k in THREATS),
        measures=(Measure(Text("加密", "encryption"), True, t),), measures_proportionality=t,
        facts=LOW, reviewer=Reviewer("王芳", Text("合规官", "compliance officer"), date(2025, 9, 5)),
        approved_on=date(2025, 9, 5),
    )
    return dataclasses.replace(pia, **changes)


def test_least_intrusive_deployment_scores_low() -> None:
    risk = score_risk(LOW)
    assert (risk.score, risk.level, risk.factors) == (0, "low", ())


def test_each_fact_adds_its_reasoned_points() -> None:
    facts = RiskFacts(Mode.IDENTIFY, StorageLocality.CENTRAL, 20_000, involves_minors=False,
                      internet_transmission=True, alternative_share=0.3)
    risk = score_risk(facts)
    # 1:N 20 + central 10 + egress 15 + 10,000-99,999 people 10 = 55
    assert [(f.code, f.points) for f in risk.factors] == [
        ("mode_1n", 20), ("central_storage", 10), ("internet_egress", 15), ("scale", 10)]
    assert (risk.score, risk.level) == (55, "high")
    assert all(f.article_id.startswith("M-") and f.reason.zh and f.reason.en for f in risk.factors)


def test_controls_minors_incidents_and_alternative_usage() -> None:
    facts = RiskFacts(Mode.VERIFY, StorageLocality.ON_DEVICE, 0, involves_minors=True,
                      missing_controls=("encryption", "security_audit"), incidents=5,
                      alternative_share=0.01)
    codes = {f.code: (f.points, f.article_id) for f in score_risk(facts).factors}
    assert codes == {
        "minors": (15, "M-7.1"), "missing_encryption": (8, "M-14.1"),
        "missing_security_audit": (8, "M-14.2"), "incidents": (15, "M-14.6"),
        "alternative_unused": (10, "M-10.2"),
    }
    assert score_risk(facts).score == 56


def test_score_is_capped_and_major_incident_counts() -> None:
    facts = RiskFacts(Mode.IDENTIFY, StorageLocality.CENTRAL, 150_000, True, True,
                      tuple(["encryption", "access_control", "authorisation_management", "intrusion_detection"]),
                      incidents=1, major_incidents=1)
    risk = score_risk(facts)
    assert (risk.score, risk.level, risk.level_label) == (100, "critical", Text("严重", "critical"))
    assert "major_incident" in {f.code for f in risk.factors}
    assert "no_alternative_telemetry" in {f.code for f in risk.factors}


def test_unknown_controls_and_bad_shares_are_refused() -> None:
    with pytest.raises(InvalidInput):
        RiskFacts(Mode.VERIFY, StorageLocality.ON_DEVICE, 1, missing_controls=("firewall",))
    with pytest.raises(InvalidInput):
        RiskFacts(Mode.VERIFY, StorageLocality.ON_DEVICE, 1, alternative_share=1.5)


def test_every_section_is_mandatory() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample_pia(rights_impact=Text("  ", "impact"))
    assert caught.value.article_id == "M-9.2"
    assert caught.value.detail["blank"] == ["rights_impact"]
    with pytest.raises(InvalidInput) as caught:
        sample_pia(threats=(ThreatAssessment("leakage", "high", Text("a", "a"), Text("b", "b")),))
    assert "illegal_sale" in str(caught.value.detail["unassessed_threats"])
    with pytest.raises(InvalidInput):
        sample_pia(reviewer=Reviewer(" ", Text("合规官", "officer")))
    with pytest.raises(InvalidInput):
        ThreatAssessment("leakage", "certain", Text("a", "a"), Text("b", "b"))


def test_document_is_plain_json_with_labels_and_risk() -> None:
    doc = pia_document(sample_pia())
    json.dumps(doc, ensure_ascii=False)  # plain values only
    assert doc["prepared_on"] == "2025-09-01"
    assert doc["facts"]["mode"] == "1:1" and doc["facts"]["locality"] == "on_device"
    assert doc["threats"][0]["label"] == {"zh": "泄露", "en": "Leakage"}
    assert doc["risk"]["score"] == 0 and doc["is_approved"] is True
    assert pia_document(sample_pia(approved_on=None))["is_approved"] is False
