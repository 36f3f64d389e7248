"""The issue's scenario through the service layer, on the real engine and real photos, on both stores."""

from __future__ import annotations

from facegate.bootstrap import AppContext
from facegate.domain.model import Mode
from facegate.services.consent import ConsentRequest, give_consent, withdraw_consent
from facegate.services.faces import enroll, identify, verify
from facegate.services.subjects import delete_subject
from facegate.adapters.sql import tables as t
from sqlalchemy import func, select

from tests.conftest import install_deployment

P = "identity_verification"


def _consent(ctx: AppContext, d, ref: str = "guest-1") -> None:  # type: ignore[no-untyped-def]
    give_consent(ctx.services, ConsentRequest(d.id, ref, P, d.notice_version, age_attested_by="desk"))


def test_enroll_verify_identify_delete(real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    ctx = real_ctx
    d = install_deployment(ctx, mode=Mode.IDENTIFY)
    _consent(ctx, d)
    assert enroll(ctx.services, d.id, "guest-1", P, face_images["obama.jpg"]).decision.allowed

    same = verify(ctx.services, d.id, "guest-1", P, face_images["obama2.jpg"])
    assert same.decision.allowed and same.is_match and same.distance is not None and same.distance < 0.6
    other = verify(ctx.services, d.id, "guest-1", P, face_images["biden.jpg"])
    assert other.decision.allowed and not other.is_match

    found = identify(ctx.services, d.id, P, face_images["obama3.jpg"])
    assert [c.subject_ref for c in found.candidates] == ["guest-1"]
    assert identify(ctx.services, d.id, P, face_images["biden.jpg"]).candidates == ()

    receipt = delete_subject(ctx.services, d.id, "guest-1")
    assert receipt.key_destroyed and receipt.templates_deleted == 1
    with ctx.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.templates)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(t.subject_keys)).scalar_one() == 0
    after = verify(ctx.services, d.id, "guest-1", P, face_images["obama2.jpg"])
    assert not after.decision.allowed and after.decision.codes == ("consent_missing",)


def test_refusals_cite_requirements_and_offer_alternatives(real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    ctx = real_ctx
    d = install_deployment(ctx)
    no_consent = verify(ctx.services, d.id, "guest-2", P, face_images["obama2.jpg"])
    assert no_consent.decision.codes == ("consent_missing",)
    assert no_consent.decision.reasons[0].article_id == "M-6.1"
    assert [a.code for a in no_consent.decision.alternatives] == ["staff_check"]

    _consent(ctx, d, "guest-2")
    undeclared = enroll(ctx.services, d.id, "guest-2", "marketing", face_images["obama.jpg"])
    assert undeclared.decision.codes == ("purpose_undeclared",)
    assert enroll(ctx.services, d.id, "guest-2", P, face_images["obama.jpg"]).decision.allowed

    withdraw_consent(ctx.services, d.id, "guest-2")
    gone = verify(ctx.services, d.id, "guest-2", P, face_images["obama2.jpg"])
    assert gone.decision.codes == ("consent_withdrawn",)
    with ctx.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.templates)).scalar_one() == 0
