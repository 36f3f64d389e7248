"""Fixtures for governance tests: a complete, passing manifest as a dict, and a patcher."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from facegate.governance.manifest import Manifest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DELETE = object()

BASE: dict[str, Any] = {
    "id": "test-front-desk",
    "name": {"zh": "测试酒店前台", "en": "Test hotel front desk"},
    "processor": {
        "name": {"zh": "杭州测试酒店有限公司", "en": "Hangzhou Test Hotel Co., Ltd."},
        "contact": "0571-8796 2200",
        "uscc": "91330106MA2H3K7L5P",
    },
    "scenario": {"description": {"zh": "酒店前台", "en": "Hotel front desk"},
                 "venue_type": "business_premises", "who_can_enter": "anyone",
                 "cameras_point_at": "service_point", "who_is_captured": "person_who_chooses_face"},
    "purposes": [{
        "code": "check_in",
        "necessity": {"zh": "须如实登记住客身份。", "en": "Hotels must register each guest's real identity."},
        "least_impact": "1:1 against the ID card photo on the terminal; staff check offered.",
    }],
    "legal_basis": {"type": "separate_consent"},
    "method": {"mode": "1:1", "locality": "on_device", "engine": "dlib", "vendor": "facegate"},
    "face_data_types": ["template"],
    "alternatives": [{
        "code": "staff-id-check",
        "name": {"zh": "人工核验", "en": "Staff check"},
        "convenience": "equal",
        "how_offered": {"zh": "同一屏幕提供。", "en": "Offered on the same screen."},
    }],
    "notice": {
        "rights_contact": "privacy@hotel.example.cn",
        "how_to_exercise_rights": {"zh": "前台办理。", "en": "Ask at the front desk."},
        "effect_on_rights": {"zh": "人脸信息属于敏感个人信息。", "en": "Face data is sensitive."},
        "accessibility": ["large_font"],
    },
    "storage": {"locality": "on_device"},
    "retention": {"days": 30},
    "security": {"encryption": True, "security_audit": True, "access_control": True,
                 "authorisation_management": True, "intrusion_detection": True, "mlps_level": 2},
    "impact_assessment": {"date": "2025-07-10", "version": "1.0", "conclusion": "approved",
                          "approved_by": "DPO",
                          "covers": ["lawfulness_necessity", "rights_impact", "security_risks",
                                     "protection_measures"],
                          "assessed": {"purposes": ["check_in"], "mode": "1:1", "locality": "on_device"}},
    "ethics_attestation": {"approved_by": "GM", "date": "2025-07-12"},
    "expected_people": 1000,
    "national_identity_channel": "national_population_database",
}


def patched(patch: dict[str, Any]) -> dict[str, Any]:
    """BASE with dotted-path overrides; ``DELETE`` removes a key."""
    data = copy.deepcopy(BASE)
    for dotted, value in patch.items():
        *parents, last = dotted.split(".")
        node: Any = data
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
        if value is DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)
    return data


@pytest.fixture
def make() -> Callable[..., Manifest]:
    def build(patch: dict[str, Any] | None = None) -> Manifest:
        return Manifest.model_validate(patched(patch or {}))
    return build


@pytest.fixture
def data_for() -> Callable[[dict[str, Any]], dict[str, Any]]:
    return patched


@pytest.fixture
def delete() -> object:
    return DELETE


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
