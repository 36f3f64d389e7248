"""1:N names the right person or nobody: the open-set rule with the real engine and photos (M-4.2, M-4.4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext, build_context
from facegate.domain.model import Mode
from facegate.services import openset
from facegate.services.access import create_api_key
from facegate.services.consent import ConsentRequest, give_consent, record_notice
from facegate.services.faces import enroll, identify
from facegate.web.app import create_app
from facegate.services.deployments import get_deployment
from tests.browser.console_server import METRO, apply, ensure_workbench_tables, example
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


def _enrol(ctx: AppContext, d, ref: str, image: bytes) -> None:  # type: ignore[no-untyped-def]
    give_consent(ctx.services, ConsentRequest(d.id, ref, P, d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, ref, P, image).decision.allowed


def _last_identify(ctx: AppContext) -> dict[str, object]:
    with ctx.store.transaction(readonly=True) as tx:
        events = [c.event for c in tx.record.events() if c.event.kind == "identify"]
    return events[-1].detail


def test_identify_reports_and_records_the_rule_for_its_gallery(real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    ctx = real_ctx
    d = install_deployment(ctx, mode=Mode.IDENTIFY)
    _enrol(ctx, d, "guest-1", face_images["obama.jpg"])
    found = identify(ctx.services, d.id, P, face_images["obama3.jpg"])
    assert found.outcome == "identified" and [c.subject_ref for c in found.candidates] == ["guest-1"]
    assert found.open_set is not None and found.open_set.gallery_size == 1 and found.open_set.is_calibrated
    assert found.threshold == found.open_set.threshold == openset.plan(ctx.services, 1).threshold
    detail = _last_identify(ctx)
    assert detail["outcome"] == "identified" and detail["gallery_size"] == 1
    assert detail["threshold"] == found.threshold and detail["target_fpir"] == 0.01  # M-9.3: threshold on record

    stranger = identify(ctx.services, d.id, P, face_images["biden.jpg"])
    assert stranger.candidates == () and stranger.outcome == "no_match"
    assert _last_identify(ctx)["candidates"] == 0


def test_two_people_too_close_to_tell_apart_name_nobody(real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    ctx = real_ctx
    d = install_deployment(ctx, mode=Mode.IDENTIFY)
    # The same face enrolled for two people (twins, or a mix-up): a 1:1 threshold would pick one at random.
    _enrol(ctx, d, "twin-a", face_images["obama.jpg"])
    _enrol(ctx, d, "twin-b", face_images["obama.jpg"])
    r = identify(ctx.services, d.id, P, face_images["obama2.jpg"])
    assert r.decision.allowed and r.outcome == "ambiguous" and r.candidates == ()
    assert _last_identify(ctx)["outcome"] == "ambiguous"


@pytest.fixture
def strict(tmp_path: Path, real_engine, clock) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    # An operator who accepts at most 1% misses: the dlib engine cannot give that over a gallery.
    ctx = build_context(make_settings(tmp_path, identify_max_miss=0.01), clock=clock, engine=real_engine)
    yield ctx
    ctx.close()


def test_api_console_and_plans_show_the_rule_and_the_finding(strict: AppContext, face_images: dict[str, bytes]) -> None:
    ensure_workbench_tables(strict)
    apply(strict, example("metro-station-signed"))
    d = get_deployment(strict.services, METRO)
    for i, name in enumerate(("obama.jpg", "biden.jpg")):
        # A law is the basis, but the notice is still given and recorded first (M-5.1).
        record_notice(strict.services, ConsentRequest(d.id, f"watch-{i}", "public_security", d.notice_version,
                                                      age_attested_by="officer-7"))
        assert enroll(strict.services, d.id, f"watch-{i}", "public_security", face_images[name]).decision.allowed
    [(purpose, rule)] = openset.deployment_plans(strict.services, d.id).items()
    assert purpose == "public_security" and rule.gallery_size == 2 and not rule.is_usable
    admin = create_api_key(strict.services, "officer", "admin", ("*",))
    with TestClient(create_app(strict), headers={"Authorization": f"Bearer {admin.token}"}) as client:
        r = client.post(f"/v1/deployments/{d.id}/identify", params={"purpose": "public_security"},
                        content=face_images["obama2.jpg"],
                        headers={"content-type": "image/jpeg"})
        body = r.json()
        assert r.status_code == 200 and body["outcome"] == "identified"
        assert body["open_set"]["gallery_size"] == 2 and body["open_set"]["threshold"] == body["threshold"]
        assert 0 < body["open_set"]["expected_fpir"] <= 0.01 and body["open_set"]["is_usable"] is False
        client.post("/console/login", data={"api_key": admin.token})
        page = client.get(f"/console/deployments/{d.id}?lang=en").text
    assert 'data-testid="open-set"' in page and "FGR-04-01" in page and "not usable" in page


def test_an_adopted_calibration_sets_the_deployment_thresholds(real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    from dataclasses import replace

    from facegate.errors import InvalidInput
    from facegate.services import calibration
    from facegate.services.faces import verify

    ctx = real_ctx
    d = install_deployment(ctx, mode=Mode.IDENTIFY)
    shipped = ctx.services.calibration
    assert shipped is not None
    with pytest.raises(InvalidInput) as exc:
        calibration.adopt(ctx.services, d.id, replace(shipped, engine="other"), target_far=0.001, target_fpir=0.01)
    assert exc.value.code == "calibration_engine_mismatch"
    adopted = calibration.adopt(ctx.services, d.id, shipped, target_far=0.0001, target_fpir=0.001)
    assert adopted.verify_threshold == shipped.threshold_for_far(0.0001) < 0.6
    _enrol(ctx, d, "guest-1", face_images["obama.jpg"])
    v = verify(ctx.services, d.id, "guest-1", P, face_images["obama2.jpg"])
    assert v.threshold == adopted.verify_threshold
    [(_, rule)] = openset.deployment_plans(ctx.services, d.id).items()
    assert rule.target_fpir == 0.001 and rule.threshold <= adopted.verify_threshold
    with ctx.store.transaction(readonly=True) as tx:
        assert tx.deployments.calibration(d.id) == adopted
        kinds = [c.event.kind for c in tx.record.events()]
    assert "calibration_adopted" in kinds
