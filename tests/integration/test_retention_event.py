"""Retention tied to an event is kept (issue 12 item 6): "until move-out plus 30 days".

Art. 8 para 2: 人脸信息的保存期限不得超过实现处理目的所必需的最短时间. For a resident's gate
template the purpose ends when they move out; the declared tail runs from that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from facegate.bootstrap import AppContext, build_context
from facegate.errors import InvalidInput
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, verify
from facegate.services.retention import relationship_ended
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import install_deployment, make_settings

P = "identity_verification"
UNTIL = {"retention": {"days": 3650, "until": {"event": {"zh": "迁出", "en": "move-out"}, "days_after": 30}}}


@pytest.fixture
def ctx(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    yield c
    c.close()


def test_templates_expire_30_days_after_move_out(ctx: AppContext, clock: FixedClock) -> None:
    d = install_deployment(ctx, retention_days=3650, manifest=UNTIL)
    give_consent(ctx.services, ConsentRequest(d.id, "resident-7", P, d.notice_version, birth_date=date(1980, 1, 1)))
    assert enroll(ctx.services, d.id, "resident-7", P, b"face:r7:1").decision.allowed
    clock.advance(days=400)
    moved_out = clock.now().date()
    assert relationship_ended(ctx.services, d.id, "resident-7", moved_out, actor="property-office") == 1
    clock.advance(days=29)
    assert verify(ctx.services, d.id, "resident-7", P, b"face:r7:2").is_match  # within the declared tail
    clock.advance(days=2)
    assert verify(ctx.services, d.id, "resident-7", P, b"face:r7:2").decision.codes == ("template_expired",)
    with ctx.store.transaction(readonly=True) as tx:
        events = [e.event for e in tx.record.events() if e.event.kind == "retention_event"]
    assert events and events[0].detail["event_on"] == moved_out.isoformat() and events[0].detail["days_after"] == 30


def test_a_move_out_long_ago_purges_at_once(ctx: AppContext, clock: FixedClock) -> None:
    d = install_deployment(ctx, retention_days=3650, manifest=UNTIL)
    give_consent(ctx.services, ConsentRequest(d.id, "resident-8", P, d.notice_version, birth_date=date(1980, 1, 1)))
    assert enroll(ctx.services, d.id, "resident-8", P, b"face:r8:1").decision.allowed
    relationship_ended(ctx.services, d.id, "resident-8", clock.now().date() - timedelta(days=60))
    assert verify(ctx.services, d.id, "resident-8", P, b"face:r8:2").decision.codes == ("not_enrolled",)


def test_a_fixed_period_deployment_has_no_event(ctx: AppContext) -> None:
    d = install_deployment(ctx, retention_days=30, manifest={"retention": {"days": 30}})
    with pytest.raises(InvalidInput) as caught:
        relationship_ended(ctx.services, d.id, "anyone", date(2026, 1, 1))
    assert caught.value.code == "retention_not_event_tied" and caught.value.article_id == "M-8.5"
