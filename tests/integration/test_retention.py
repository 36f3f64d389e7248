"""Templates past their retention period are refused at once and purged (M-8.5)."""

from __future__ import annotations

from facegate.bootstrap import AppContext
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, verify
from facegate.services.purge import purge_expired
from facegate.testing import FixedClock
from tests.conftest import install_deployment

P = "identity_verification"


def test_expired_template_is_refused_then_purged(fake_ctx: AppContext, clock: FixedClock) -> None:
    ctx = fake_ctx
    d = install_deployment(ctx, retention_days=30)
    give_consent(ctx.services, ConsentRequest(d.id, "guest-1", P, d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, "guest-1", P, b"face:alice:1").decision.allowed
    clock.advance(days=29)
    assert verify(ctx.services, d.id, "guest-1", P, b"face:alice:2").is_match
    assert purge_expired(ctx.services).templates_deleted == 0

    clock.advance(days=2)
    refused = verify(ctx.services, d.id, "guest-1", P, b"face:alice:2")
    assert refused.decision.codes == ("template_expired",)
    assert refused.decision.reasons[0].article_id == "M-8.5"
    report = purge_expired(ctx.services)
    assert (report.templates_deleted, report.keys_destroyed) == (1, 1)
    with ctx.store.transaction() as tx:
        subject = tx.subjects.get(d.processor_id, "guest-1")
        assert subject is not None and tx.subject_keys.get(subject.id) is None
    assert verify(ctx.services, d.id, "guest-1", P, b"face:alice:2").decision.codes == ("not_enrolled",)
