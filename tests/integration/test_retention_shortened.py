"""A shorter retention applies to templates already held (issue 12 item 7).

Art. 8 para 2: 人脸信息的保存期限不得超过实现处理目的所必需的最短时间. The notice tells people
"at most N days" (M-5.2, M-8.6); after a version with a shorter N is applied, that must be true
for everyone already enrolled, not only for people enrolled later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from facegate.bootstrap import AppContext, build_context
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, verify
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


@pytest.fixture
def ctx(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    yield c
    c.close()


def _enroll(ctx: AppContext, d_id: str, notice: str, ref: str) -> None:
    give_consent(ctx.services, ConsentRequest(d_id, ref, P, notice, age_attested_by="desk"))
    assert enroll(ctx.services, d_id, ref, P, f"face:{ref}:1".encode()).decision.allowed


def _kinds(ctx: AppContext) -> list[tuple[str, dict[str, object]]]:
    with ctx.store.transaction(readonly=True) as tx:
        return [(e.event.kind, dict(e.event.detail)) for e in tx.record.events()]


def test_shortening_retention_expires_older_templates_on_apply(ctx: AppContext, clock: FixedClock) -> None:
    d = install_deployment(ctx, retention_days=365, manifest={"retention": {"days": 365}})
    _enroll(ctx, d.id, d.notice_version, "old-guest")
    clock.advance(days=200)
    _enroll(ctx, d.id, d.notice_version, "new-guest")

    shorter = install_deployment(ctx, retention_days=90, manifest={"retention": {"days": 90}})
    assert shorter.version == 2

    # The 200-day-old template is past the new 90 days: gone now, not in 165 days.
    old = verify(ctx.services, d.id, "old-guest", P, b"face:old-guest:2")
    assert not old.decision.allowed and old.decision.codes[0] in ("not_enrolled", "template_expired")
    with ctx.store.transaction(readonly=True) as tx:
        subject = tx.subjects.get(d.processor_id, "old-guest")
        assert subject is not None and tx.templates.for_subject(subject.id) == []
        new_subject = tx.subjects.get(d.processor_id, "new-guest")
        assert new_subject is not None
        [t] = tx.templates.for_subject(new_subject.id)
        # The young one stays, but now expires 90 days after enrolment, as the new notice says.
        assert t.record.expires_at == t.record.created_at + timedelta(days=90)
    assert verify(ctx.services, d.id, "new-guest", P, b"face:new-guest:2").is_match

    kinds = _kinds(ctx)
    shortened = [detail for kind, detail in kinds if kind == "retention_shortened"]
    assert shortened == [{"version": 2, "old_days": 365, "new_days": 90, "templates_shortened": 2}]
    purges = [detail for kind, detail in kinds if kind == "purge"]
    assert purges and purges[-1]["templates_deleted"] == 1


def test_longer_retention_does_not_extend_templates_already_held(ctx: AppContext, clock: FixedClock) -> None:
    d = install_deployment(ctx, retention_days=30, manifest={"retention": {"days": 30}})
    _enroll(ctx, d.id, d.notice_version, "guest")
    install_deployment(ctx, retention_days=60, manifest={"retention": {"days": 60}})
    clock.advance(days=31)
    assert verify(ctx.services, d.id, "guest", P, b"face:guest:2").decision.codes == ("template_expired",)
    assert not [k for k, _ in _kinds(ctx) if k == "retention_shortened"]
