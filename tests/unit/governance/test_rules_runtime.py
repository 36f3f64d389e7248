"""Runtime rules over live facts: same finding format as the manifest rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from facegate.governance.rules import RuntimeFacts, Severity, evaluate_runtime

TODAY = dt.date(2026, 3, 2)


def _ids(make: Any, patch: dict[str, Any] | None = None, **facts: Any) -> list[str]:
    return [f.rule_id for f in evaluate_runtime(make(patch), RuntimeFacts(today=TODAY, **facts))]


def test_quiet_facts_give_no_findings(make: Any) -> None:
    assert _ids(make) == []


@pytest.mark.parametrize(("facts", "rule_id"), [
    ({"stored_people": 100_000}, "FGR-15-01"),
    ({"stored_people": 85_000}, "FGR-15-02"),
    ({"face_completions": 500}, "FGR-10-01"),
    ({"consents_given": 300}, "FGR-12-01"),
    ({"reprompts_after_refusal": 2}, "FGR-06-01"),
    ({"has_major_incident_since_assessment": True}, "FGR-09-01"),
    ({"expired_templates_pending": 4}, "FGR-08-01"),
])
def test_runtime_rule_fires(make: Any, facts: dict[str, Any], rule_id: str) -> None:
    assert rule_id in _ids(make, **facts)


def test_threshold_is_inclusive_and_filing_silences_it(make: Any) -> None:
    assert "FGR-15-01" not in _ids(make, stored_people=99_999)
    assert "FGR-15-01" not in _ids(make, stored_people=100_000, is_filing_recorded=True)


def test_underestimated_manifest(make: Any) -> None:
    assert "FGR-15-03" in _ids(make, stored_people=120_000)
    assert "FGR-15-03" not in _ids(make, {"expected_people": 150_000}, stored_people=120_000)


def test_small_volumes_say_nothing(make: Any) -> None:
    assert _ids(make, face_completions=99, consents_given=199) == []
    assert _ids(make, face_completions=500, alternative_completions=3) == []


def test_findings_have_the_common_shape(make: Any) -> None:
    [f] = evaluate_runtime(make(), RuntimeFacts(today=TODAY, has_major_incident_since_assessment=True))
    assert f.severity is Severity.BLOCKING and f.article == 9
    assert f.requirement_ids == ("M-9.5", "M-14.6")
    assert f.message_zh and f.message_en and f.path == "impact_assessment"


def test_an_unusable_open_set_rule_is_a_finding_citing_necessity_and_protection(make: Any) -> None:
    from facegate.adapters.face.calibrations import shipped_calibration
    from facegate.domain.openset import plan_open_set

    cal = shipped_calibration("dlib_resnet_v1")
    small, large = (plan_open_set(cal, n, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6) for n in (5, 1000))
    assert _ids(make, open_set=(("entry", small),)) == []
    [f] = evaluate_runtime(make(), RuntimeFacts(today=TODAY, open_set=(("entry", small), ("entry2", large))))
    assert f.rule_id == "FGR-04-01" and f.article == 4 and f.path == "method.mode"
    assert {"M-4.2", "M-4.4"} <= set(f.requirement_ids)
    assert "entry2: gallery 1000" in f.detail and "target 1.00%" in f.detail
    uncalibrated = plan_open_set(None, 5, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6)
    assert "no calibration" in evaluate_runtime(make(), RuntimeFacts(today=TODAY, open_set=(("e", uncalibrated),)))[0].detail
