"""Pure workbench pieces: PIA content from a manifest, the M-9.5 method hash, figures, charts (no I/O)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from facegate.domain.pia import Reviewer, Text, pia_document
from facegate.governance.loader import load_manifest
from facegate.governance.manifest import Manifest
from facegate.governance.rules import evaluate
from facegate.services.workbench.figures import figures_from_counts
from facegate.services.workbench.outcomes import photo_codes
from facegate.services.workbench.pia_content import LiveFacts, build_pia, method_hash
from facegate.web.console import charts

HOTEL_YAML = """
id: desk
name: {zh: 前台, en: Front desk}
processor: {name: {zh: 示例酒店有限公司, en: Example Hotel Ltd}, contact: dpo@example.cn, uscc: 91330106MA2H3K7L5P}
scenario: {description: {zh: 前台入住核验。, en: Check-in at the desk.}, venue_type: business_premises}
purposes:
  - code: check_in
    necessity: {zh: 旅馆须如实登记住客身份。, en: Hotels must register each guest's real identity.}
    least_impact: 1:1 against the ID card chip photo on the desk terminal; no gallery.
legal_basis: {type: separate_consent}
method: {mode: "1:1", locality: on_device, engine: dlib, vendor: facegate}
face_data_types: [template]
alternatives:
  - code: staff-check
    name: {zh: 人工核验, en: Staff check}
    convenience: equal
    how_offered: {zh: 前台员工核验证件。, en: Staff check the ID card.}
notice:
  rights_contact: dpo@example.cn
  how_to_exercise_rights: {zh: 发邮件联系我们。, en: E-mail us.}
  effect_on_rights: {zh: 人脸信息属于敏感个人信息。, en: Face data is sensitive.}
storage: {locality: on_device}
retention: {days: 30}
security: {encryption: true, security_audit: true, access_control: true, authorisation_management: true,
           intrusion_detection: true}
expected_people: 500
"""


def _manifest(**changes: Any) -> Manifest:
    data = load_manifest(HOTEL_YAML).model_dump(mode="json")
    for key, value in changes.items():
        *path, last = key.split(".")
        node = data
        for part in path:
            node = node[part]
        node[last] = value
    return Manifest.model_validate(data)


def _doc(m: Manifest, **live: Any) -> dict[str, Any]:
    facts = LiveFacts(evaluate(m).findings, figures_from_counts(m.id, live.pop("counts", {})), **live)
    pia = build_pia(m, facts, version=1, prepared_on=date(2026, 3, 2), reviewer=Reviewer("王芳", Text("负责人", "Officer")))
    return pia_document(pia)


def test_every_m92_section_is_written_from_the_manifest() -> None:
    doc = _doc(_manifest())
    assert "Purposes: check-in." in doc["purpose_and_method"]["en"] and "1:1验证" in doc["purpose_and_method"]["zh"]
    assert "PIPL Art. 29" in doc["legal_basis"]["en"]
    assert "Least-impact analysis: 1:1 against the ID card" in doc["necessity"]["en"]
    assert "人工核验" in doc["alternatives_considered"]["zh"]
    assert doc["rights_impact"]["en"] == "Face data is sensitive."
    assert len(doc["threats"]) == 7 and {t["likelihood"] for t in doc["threats"]} == {"low"}
    assert all(m["is_in_place"] for m in doc["measures"])
    assert doc["risk"]["level"] == "low"


def test_a_riskier_manifest_scores_higher_with_reasons() -> None:
    base = _doc(_manifest())
    risky = _doc(_manifest(**{"method.mode": "1:N", "security.encryption": False, "expected_people": 150_000}),
                 stored_people=120_000, major_incidents=1, incidents=1)
    assert risky["risk"]["score"] > base["risk"]["score"]
    codes = {f["code"] for f in risky["risk"]["factors"]}
    assert {"mode_1n", "missing_encryption", "scale", "major_incident"} <= codes
    leakage = next(t for t in risky["threats"] if t["threat"] == "leakage")
    assert leakage["likelihood"] == "high"
    assert "not yet fit the risk" in risky["measures_proportionality"]["en"]


def test_live_figures_and_findings_are_cited() -> None:
    counts = {("consent_given", True): 40, ("consent_withdrawn", True): 2, ("verify", True): 90,
              ("verify", False): 5, ("alternative", True): 10, ("alternative", False): 3}
    doc = _doc(_manifest(), counts=counts)
    text = doc["mitigation_effectiveness"]["en"]
    assert "40 separate consents" in text and "90 face completions" in text and "5 refusals by the gate" in text
    assert "10 non-face completions (10.0% of completions)" in text and "0 photo problems" in text
    assert doc["facts"]["alternative_share"] == pytest.approx(0.1)


def test_photo_problems_are_not_the_gates_refusals_and_english_counts_agree() -> None:
    refusals = [("d", date(2026, 3, 2), "enroll", ("no_face",), "image"), ("d", date(2026, 3, 2), "verify", ("consent_missing",), None),
                ("d", date(2026, 3, 3), "verify", ("multiple_faces",), None)]
    photos = photo_codes(refusals)["d"]
    assert photos == {"no_face": 1, "multiple_faces": 1}
    f = figures_from_counts("d", {("enroll", False): 1, ("verify", False): 2, ("alternative", True): 1,
                                  ("consent_given", True): 1}, photos)
    assert (f.face_refused, f.photo_problems, f.alternative_uses) == (1, 2, 1)
    text = _doc(_manifest(), counts={("consent_given", True): 1, ("consent_withdrawn", True): 1})["mitigation_effectiveness"]["en"]
    assert "1 separate consent," in text and "1 withdrawal;" in text and "1 separate consents" not in text


def test_method_hash_tracks_purpose_and_method_only() -> None:
    base = method_hash(_manifest().model_dump(mode="json"))
    assert method_hash(_manifest(**{"retention.days": 10}).model_dump(mode="json")) == base  # not M-9.5(a)
    assert method_hash(_manifest(**{"method.mode": "1:N"}).model_dump(mode="json")) != base
    assert method_hash(_manifest(**{"method.vendor": "Other Co"}).model_dump(mode="json")) != base
    assert method_hash(_manifest(**{"storage.internet_transmission": True}).model_dump(mode="json")) != base


def test_figures_fold_the_record_counts() -> None:
    f = figures_from_counts("d", {("enroll", True): 3, ("identify", False): 2, ("alternative", None): 1,
                                  ("consent_given", None): 4})
    assert (f.face_allowed, f.face_refused, f.alternative_uses, f.consents_given) == (3, 2, 1, 4)
    assert f.alternative_share == pytest.approx(0.25)
    assert figures_from_counts("d", {}).alternative_share is None
    assert f.as_dict()["by_operation"][0] == {"kind": "enroll", "allowed": 3, "refused": 0}


def test_charts_are_well_formed_svg_with_text_alternatives() -> None:
    trend = charts.trend([(date(2026, 3, 1), 90_000), (date(2026, 3, 2), 100_500)], 100_000, "Trend <x>", "threshold")
    root = ET.fromstring(str(trend))
    assert root.get("role") == "img" and root.get("aria-label") == "Trend <x>"
    assert "2026-03-02: 100,500" in str(trend)
    days = [{"day": date(2026, 3, i), "face": i, "alternative": 1, "refused": 0} for i in range(1, 4)]
    stacked = ET.fromstring(str(charts.stacked_days(days, ["face", "alternative", "refused"],
                                                     {"face": "face", "alternative": "alt", "refused": "no"}, "Daily")))
    assert len(stacked.findall("{http://www.w3.org/2000/svg}rect")) >= 7
    bar = str(charts.share_bar([("face", 3, "#000"), ("alternative", 1, "#fff")], "Share"))
    assert "face 3 · alternative 1" in bar
    assert ET.fromstring(str(charts.trend([], 100_000, "Empty", "t"))).tag.endswith("svg")
