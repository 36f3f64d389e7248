"""A purpose or method change needs an assessment of the new version (issue 12 item 8).

Art. 9 para 2: 处理人脸信息的目的、方式发生变化，或者发生重大安全事件的，应当重新进行个人信息保护影响评估。
So `facegate check` blocks a changed purpose or method that the assessment did not assess;
applying such a version blocks it; and at run time the grace before processing stops is
bounded and stops verification as well as enrolment.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import typer
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from facegate.cli.check import register
from facegate.domain.model import DeploymentStatus
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.deployments import apply_manifest_text, get_deployment
from facegate.services.faces import enroll, verify
from facegate.services.workbench import assessment, figures
from facegate.settings import Settings
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, fixed_clock, workbench_ctx

ROOT = Path(__file__).resolve().parents[2]
HOTEL_YAML = ROOT / "examples" / "hotel-front-desk-check-in.yaml"


def _hotel(**changes: object) -> dict[str, object]:
    data = yaml.safe_load(HOTEL_YAML.read_text(encoding="utf-8"))
    for key, value in changes.items():
        *path, last = key.split(".")
        node = data
        for part in path:
            node = node[part]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def _check(tmp_path: Path, data: dict[str, object]) -> tuple[int, str]:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    return result.exit_code, result.output


def test_check_blocks_a_method_the_assessment_did_not_assess(tmp_path: Path) -> None:
    # The hotel moves comparison to its servers; the assessment on record assessed on-device 1:1.
    code, out = _check(tmp_path, _hotel(**{"method.locality": "central", "storage.locality": "central",
                                           "storage.separate_consent_obtained": True}))
    assert code == 3 and '"FG-09-05"' in out  # 3: refused (blocking)


def test_check_blocks_a_new_purpose_the_assessment_did_not_assess(tmp_path: Path) -> None:
    data = _hotel()
    data["purposes"].append({  # type: ignore[attr-defined]
        "code": "payment", "necessity": {"zh": "住客可在酒店内刷脸支付消费。", "en": "Guests can pay for hotel services by face."},
        "least_impact": "1:1 at the till against the guest's own template; cash and card stay available."})
    code, out = _check(tmp_path, data)
    assert code == 3 and '"FG-09-05"' in out  # 3: refused (blocking)


def test_check_passes_once_the_new_version_is_assessed(tmp_path: Path) -> None:
    changed = {"method.locality": "central", "storage.locality": "central",
               "storage.separate_consent_obtained": True, "impact_assessment.version": "2.0",
               "impact_assessment.assessed": {"purposes": ["check_in"], "mode": "1:1", "locality": "central"}}
    code, out = _check(tmp_path, _hotel(**changed))
    assert '"FG-09-05"' not in out and code == 0, out


def test_applying_a_changed_method_with_the_old_assessment_blocks(tmp_path: Path, database_url: str) -> None:
    # Without `assessed`, the stored previous version tells what changed.
    ctx = workbench_ctx(tmp_path, fixed_clock("2026-03-02"), database_url=database_url)
    try:
        v1 = _hotel(**{"impact_assessment.assessed": None})
        assert apply_manifest_text(ctx.services, yaml.safe_dump(v1, allow_unicode=True)).deployment.is_active
        v2 = _hotel(**{"impact_assessment.assessed": None, "method.mode": "1:N",
                       "method.identify_justification": "Hands-free check-in at the kiosk; see PIA v1.2 s.4."})
        result = apply_manifest_text(ctx.services, yaml.safe_dump(v2, allow_unicode=True))
        assert result.deployment.status is DeploymentStatus.BLOCKED
        assert any(f["rule_id"] == "FG-09-05" and f["severity"] == "blocking" for f in result.findings)
        v3 = {**v2, "impact_assessment": {**v2["impact_assessment"], "version": "2.0",  # type: ignore[dict-item]
                                          "date": "2026-03-01"}}
        assert apply_manifest_text(ctx.services, yaml.safe_dump(v3, allow_unicode=True)).deployment.is_active
    finally:
        ctx.close()


def test_after_the_grace_verification_stops_too_and_the_grace_is_shown(tmp_path: Path, database_url: str) -> None:
    clock = fixed_clock("2026-03-02")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    try:
        svc, deps = ctx.services, workbench_deps(ctx)
        notice = get_deployment(svc, HOTEL).notice_version
        for ref in ("g1", "g2"):
            give_consent(svc, ConsentRequest(HOTEL, ref, "check_in", notice, age_attested_by="desk"))
        assert enroll(svc, HOTEL, "g1", "check_in", b"face:g1:1").decision.allowed
        figures.record_incident(svc, deps, HOTEL, summary="Front-desk terminal stolen", is_major=True)
        state = assessment.state(svc, deps, HOTEL)
        assert state.outdated_since is not None and state.blocks_from is not None
        assert state.blocks_from - state.outdated_since <= timedelta(days=30)  # bounded and shown
        clock.advance(days=29)
        assert verify(svc, HOTEL, "g1", "check_in", b"face:g1:2").is_match  # within the grace
        clock.advance(days=2)
        refused = verify(svc, HOTEL, "g1", "check_in", b"face:g1:2").decision
        assert refused.codes == ("assessment_outdated",) and refused.reasons[0].article_id == "M-9.5"
        assert enroll(svc, HOTEL, "g2", "check_in", b"face:g2:1").decision.codes == ("assessment_outdated",)
    finally:
        ctx.close()


def test_the_grace_cannot_be_configured_beyond_30_days(tmp_path: Path, database_url: str) -> None:
    with pytest.raises(ValidationError):
        Settings(env="test", data_dir=tmp_path, assessment_grace_days=365)
    clock = fixed_clock("2026-03-02")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    try:
        from dataclasses import replace
        deps = replace(workbench_deps(ctx), grace=timedelta(days=365))
        figures.record_incident(ctx.services, deps, HOTEL, summary="Database copied", is_major=True)
        state = assessment.state(ctx.services, deps, HOTEL)
        assert state.blocks_from is not None and state.outdated_since is not None
        assert state.blocks_from - state.outdated_since == timedelta(days=30)
    finally:
        ctx.close()
