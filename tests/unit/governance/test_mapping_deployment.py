"""to_deployment / to_processor, and which manifest changes void consent (scope_hash, M-6.4)."""

from __future__ import annotations

from typing import Any

import pytest

from facegate.domain.model import Alternative, DeploymentStatus, Mode, Processor, StorageLocality
from facegate.governance.mapping import scope_hash, to_deployment, to_processor


def test_to_deployment_copies_the_gate_fields(make: Any) -> None:
    m = make({"minors.under_14_allowed": True, "minors.guardian_consent": True,
              "written_consent_required": True})
    d = to_deployment(m, status=DeploymentStatus.ACTIVE, version=3)
    assert d.id == "test-front-desk"
    assert d.processor_id == "91330106MA2H3K7L5P"
    assert (d.name, d.name_zh) == ("Test hotel front desk", "测试酒店前台")
    assert d.purposes == ("check_in",)
    assert d.mode is Mode.VERIFY
    assert d.alternatives == (Alternative("staff-id-check", "Staff check", "人工核验"),)
    assert d.storage_locality is StorageLocality.ON_DEVICE
    assert d.retention_days == 30
    assert d.status is DeploymentStatus.ACTIVE and d.is_active
    assert d.version == 3
    assert d.minors_allowed and d.written_consent_required
    assert len(d.scope_hash) == 64 and len(d.notice_version) == 64
    assert d.manifest["id"] == "test-front-desk"
    assert d.manifest["retention"]["days"] == 30  # type: ignore[index]


def test_to_deployment_is_deterministic(make: Any) -> None:
    a = to_deployment(make(), status=DeploymentStatus.INACTIVE, version=1)
    b = to_deployment(make(), status=DeploymentStatus.INACTIVE, version=1)
    assert a == b and a.manifest == b.manifest


def test_to_processor(make: Any) -> None:
    assert to_processor(make()) == Processor(
        id="91330106MA2H3K7L5P", name="杭州测试酒店有限公司", contact="0571-8796 2200",
        uscc="91330106MA2H3K7L5P", name_en="Hangzhou Test Hotel Co., Ltd.")
    assert to_processor(make({"processor.id": "test-hotels"})).id == "test-hotels"


@pytest.mark.parametrize("patch", [
    {"purposes.0.code": "identity_verification"},
    {"method.mode": "1:N", "method.identify_justification": "Turnstile entry, see PIA s.3."},
    {"method.locality": "central"},
    {"face_data_types": ["template", "image"]},
])
def test_scope_changes_void_consent(make: Any, patch: dict[str, Any]) -> None:
    assert scope_hash(make(patch)) != scope_hash(make())


@pytest.mark.parametrize("patch", [
    {"retention.days": 20},
    {"notice.effect_on_rights.en": "Different wording."},
    {"alternatives.0.convenience": "more"},
    {"name.en": "Renamed desk"},
    {"method.engine": "other engine"},
])
def test_other_changes_keep_consent(make: Any, patch: dict[str, Any]) -> None:
    assert scope_hash(make(patch)) == scope_hash(make())


def test_scope_hash_ignores_purpose_order(make: Any, data_for: Any) -> None:
    data = data_for({})
    second = dict(data["purposes"][0], code="access_control")
    one = make({"purposes": [data["purposes"][0], second]})
    two = make({"purposes": [second, data["purposes"][0]]})
    assert scope_hash(one) == scope_hash(two)


def test_notice_version_follows_notice_text(make: Any) -> None:
    base = to_deployment(make(), status=DeploymentStatus.ACTIVE, version=1)
    reworded = to_deployment(make({"notice.effect_on_rights.zh": "新的说明。"}),
                             status=DeploymentStatus.ACTIVE, version=2)
    assert reworded.notice_version != base.notice_version
    assert reworded.scope_hash == base.scope_hash
