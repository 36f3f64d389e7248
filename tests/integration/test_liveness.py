"""Active liveness on the real engine, real photos turned as heads turn, and both real stores (M-14.5).

The "live" sequences are made here from a test photo (tests/liveness_media.py):
a stand-in for a person, honest about being synthetic; the attacks are what a
photo can do (stand still, be turned, shifted, tilted), recordings sent again,
frames reordered or late.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from facegate.adapters.liveness_redis import RedisChallengeStore
from facegate.adapters.sql import tables as t
from facegate.adapters.sql import tables_liveness as tl
from facegate.bootstrap import AppContext
from facegate.domain.liveness import Challenge, ChallengeState, Step
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, verify
from facegate.services.liveness import Frame, issue_challenge, verify_live
from tests import liveness_media as lm
from tests.conftest import install_deployment, redis_test_url

P = "identity_verification"
ORDER = (Step.CENTRE, Step.LEFT, Step.NOD, Step.RIGHT, Step.LEFT)
NAMES = [s.value for s in ORDER]


@pytest.fixture(scope="module")
def obama(real_engine: Any, face_images: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray]:
    return lm.face_frame(real_engine, face_images["obama.jpg"])


@pytest.fixture(scope="module")
def live_sequence(obama: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int, bytes]]:
    return lm.step_frames(*obama, NAMES, 3, seed=1)


def _frames(shots: Sequence[tuple[int, int, bytes]]) -> list[Frame]:
    return [Frame(s, q, img) for s, q, img in shots]


def _setup(ctx: AppContext, face_images: dict[str, bytes]) -> str:
    d = install_deployment(ctx, manifest={"scenario": {"venue_type": "business_premises", "unattended": True}})
    give_consent(ctx.services, ConsentRequest(d.id, "guest-1", P, d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, "guest-1", P, face_images["obama2.jpg"]).decision.allowed
    ctx.services.liveness_steps = lambda n: ORDER
    return d.id


def _try(ctx: AppContext, d: str, frames: list[Frame], challenge: str | None = None):  # type: ignore[no-untyped-def]
    cid = challenge or issue_challenge(ctx.services, d).id
    return verify_live(ctx.services, d, "guest-1", P, cid, frames)


def test_a_live_sequence_passes_and_matches_and_only_figures_are_recorded(
        real_ctx: AppContext, face_images: dict[str, bytes], live_sequence: list[tuple[int, int, bytes]]) -> None:
    d = _setup(real_ctx, face_images)
    # Unattended: a photo alone is refused by the gate, with the alternatives (M-14.5).
    plain = verify(real_ctx.services, d, "guest-1", P, face_images["obama.jpg"])
    assert plain.decision.codes == ("liveness_required",) and plain.decision.alternatives
    ch = issue_challenge(real_ctx.services, d)
    assert ch.steps == ORDER and ch.expires_at - ch.issued_at == timedelta(seconds=30)
    result = verify_live(real_ctx.services, d, "guest-1", P, ch.id, _frames(live_sequence))
    assert result.liveness.passed, result.liveness
    assert result.liveness.observed == ("left", "nod", "right", "left")
    assert result.verify.decision.allowed and result.verify.is_match
    # The same challenge again, even with fresh frames: used.
    again = verify_live(real_ctx.services, d, "guest-1", P, ch.id, _frames(live_sequence))
    assert again.verify.decision.codes == ("liveness_challenge_used",)
    with real_ctx.store.engine.connect() as conn:
        last = conn.execute(select(t.audit_events).order_by(t.audit_events.c.seq.desc())).first()
        match = conn.execute(select(t.audit_events).where(t.audit_events.c.kind == "verify")
                             .where(t.audit_events.c.allowed.is_(True))).first()
    assert last is not None and "liveness_challenge_used" in str(last._mapping)
    assert match is not None and "observed" in str(match._mapping) and "/9j/" not in str(match._mapping)


def test_a_photo_fails_still_turned_shifted_or_tilted(
        real_ctx: AppContext, face_images: dict[str, bytes], obama: tuple[np.ndarray, np.ndarray]) -> None:
    d = _setup(real_ctx, face_images)
    frame, _ = obama
    still = lm.jpeg(frame)
    shots = [(i // 3, i % 3, still) for i in range(15)]
    assert _try(real_ctx, d, _frames(shots)).verify.decision.codes == ("liveness_no_motion",)
    # The same photo held up and moved as a card can move: turned, tilted, shifted, rolled, nearer.
    moves = [dict(), dict(yaw_deg=25), dict(pitch_deg=25), dict(yaw_deg=-25), dict(yaw_deg=20, roll_deg=10)]
    held = [(i, q, lm.jpeg(lm.tilt_flat(frame, shift=(3.0 * q, -2.0 * q), scale=1 + 0.02 * q, **moves[i])))
            for i in range(5) for q in range(3)]
    result = _try(real_ctx, d, _frames(held))
    assert result.verify.decision.codes == ("liveness_movement_mismatch",), result.liveness
    assert result.verify.decision.reasons[0].article_id == "M-14.5"
    assert [a.code for a in result.verify.decision.alternatives] == ["staff_check"]


def test_replayed_reordered_late_and_swapped_person_fail(
        real_ctx: AppContext, clock: Any, face_images: dict[str, bytes],
        live_sequence: list[tuple[int, int, bytes]], obama: tuple[np.ndarray, np.ndarray]) -> None:
    d = _setup(real_ctx, face_images)
    assert _try(real_ctx, d, _frames(live_sequence)).liveness.passed
    assert _try(real_ctx, d, _frames(live_sequence)).verify.decision.codes == ("liveness_replayed",)

    fresh = lm.step_frames(*obama, NAMES, 3, seed=2)
    backwards = _frames(fresh[::-1])
    assert _try(real_ctx, d, backwards).verify.decision.codes == ("liveness_out_of_order",)
    # The same moves relabelled into another order: labels in order, movements not.
    other = lm.step_frames(*obama, ["centre", "left", "right", "nod", "left"], 3, seed=3)
    assert _try(real_ctx, d, _frames(other)).verify.decision.codes == ("liveness_out_of_order",)

    ch = issue_challenge(real_ctx.services, d)
    clock.advance(seconds=31)
    late = _try(real_ctx, d, _frames(lm.step_frames(*obama, NAMES, 3, seed=4)), ch.id)
    assert late.verify.decision.codes == ("liveness_expired",)

    biden = lm.face_frame(real_ctx.services.engine, face_images["biden.jpg"])
    mixed = lm.step_frames(*obama, NAMES, 3, seed=5)[:9] + lm.step_frames(*biden, NAMES, 3, seed=5)[9:]
    assert _try(real_ctx, d, _frames(mixed)).verify.decision.codes == ("liveness_person_changed",)
    assert _try(real_ctx, d, _frames(mixed), "no-such-challenge").verify.decision.codes == (
        "liveness_challenge_unknown",)


def test_challenges_are_single_use_across_nodes_on_the_database(real_ctx: AppContext, database_url: str) -> None:
    """Two nodes, one database: the second claim of a challenge loses."""
    from facegate.adapters.sql.engine import make_engine
    from facegate.adapters.sql.liveness_store import SqlChallengeStore

    d = install_deployment(real_ctx)
    ch = issue_challenge(real_ctx.services, d.id)
    other_node = SqlChallengeStore(make_engine(database_url))
    now = real_ctx.services.clock.now()
    assert other_node.claim(ch.id, now).state is ChallengeState.ISSUED  # type: ignore[union-attr]
    assert real_ctx.services.challenges.claim(ch.id, now).state is ChallengeState.USED  # type: ignore[union-attr]
    assert not other_node.seen_before(["a", "b"], now, timedelta(days=1))
    assert real_ctx.services.challenges.seen_before(["c", "b"], now, timedelta(days=1))  # type: ignore[union-attr]
    with real_ctx.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tl.liveness_frames)).scalar_one() == 3
    other_node.engine.dispose()


def test_challenges_are_single_use_across_nodes_on_redis(clock: Any) -> None:
    prefix = f"facegate-test-liveness-{uuid.uuid4().hex[:8]}:"
    one, two = (RedisChallengeStore(redis_test_url(1), prefix) for _ in range(2))
    now = clock.now()
    ch = Challenge("c-" + uuid.uuid4().hex, "d1", (Step.CENTRE, Step.LEFT), now, now + timedelta(seconds=30))
    one.put(ch)
    assert two.claim(ch.id, now).state is ChallengeState.ISSUED  # type: ignore[union-attr]
    assert one.claim(ch.id, now).state is ChallengeState.USED  # type: ignore[union-attr]
    assert one.claim("missing", now) is None
    assert not one.seen_before(["x", "y"], now, timedelta(seconds=60))
    assert two.seen_before(["y"], now, timedelta(seconds=60))
    keys = one._redis.keys(prefix + "*")  # noqa: SLF001 - clean up this test's keys only
    if keys:
        one._redis.delete(*keys)  # noqa: SLF001
