"""The pure liveness rules: challenge orders, pose from landmarks, the challenge's life, the verdict (M-14.5)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from facegate.domain import liveness as L

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = L.LivenessRules()
FACE = [(300.0, 200.0), (280.0, 200.0), (220.0, 200.0), (240.0, 200.0), (260.0, 245.0)]  # dlib order, frontal


def test_orders_start_straight_then_hold_both_turns_and_a_nod_never_twice_in_a_row() -> None:
    rng = random.Random(7)
    seen = set()
    for _ in range(500):
        steps = L.new_steps(rng.randrange, 4)
        assert steps[0] is L.Step.CENTRE and len(steps) == 5
        moves = steps[1:]
        assert set(moves) == {L.Step.LEFT, L.Step.RIGHT, L.Step.NOD}
        assert all(a is not b for a, b in zip(moves, moves[1:]))
        seen.add(moves)
    assert len(seen) == 18  # the chance a recording fits another challenge is 1 in 18


def _moved(points: list[tuple[float, float]], scale: float, dx: float, dy: float, roll_deg: float
           ) -> list[tuple[float, float]]:
    c, s = math.cos(math.radians(roll_deg)), math.sin(math.radians(roll_deg))
    return [(scale * (x * c - y * s) + dx, scale * (x * s + y * c) + dy) for x, y in points]


def test_pose_ignores_scale_position_and_roll_but_sees_the_nose_move() -> None:
    base = L.pose_from_landmarks(FACE)
    assert base.yaw == pytest.approx(0.0) and base.pitch == pytest.approx(0.75)
    for scale, dx, dy, roll in [(2.0, 0, 0, 0), (0.5, 40, -30, 0), (1.0, 0, 0, 25), (1.3, 10, 10, -40)]:
        pose = L.pose_from_landmarks(_moved(FACE, scale, dx, dy, roll))
        assert pose.yaw == pytest.approx(base.yaw, abs=1e-9) and pose.pitch == pytest.approx(base.pitch, abs=1e-9)
    nose_right = FACE[:4] + [(275.0, 245.0)]  # the person turned to their left
    assert L.pose_from_landmarks(nose_right).yaw == pytest.approx(0.25)
    with pytest.raises(ValueError):
        L.pose_from_landmarks(FACE[:4])


def _challenge(**kw: object) -> L.Challenge:
    base: dict[str, object] = dict(id="c1", deployment_id="d1", steps=(L.Step.CENTRE, L.Step.LEFT),
                                   issued_at=NOW, expires_at=NOW + timedelta(seconds=30))
    base.update(kw)
    return L.Challenge(**base)  # type: ignore[arg-type]


def test_a_challenge_counts_once_for_its_own_deployment_before_it_expires() -> None:
    assert L.check_challenge(_challenge(), "d1", NOW + timedelta(seconds=29)) is None
    assert L.check_challenge(None, "d1", NOW).code == "liveness_challenge_unknown"  # type: ignore[union-attr]
    assert L.check_challenge(_challenge(), "d2", NOW).code == "liveness_challenge_unknown"  # type: ignore[union-attr]
    used = _challenge(state=L.ChallengeState.USED)
    assert L.check_challenge(used, "d1", NOW).code == "liveness_challenge_used"  # type: ignore[union-attr]
    late = L.check_challenge(_challenge(), "d1", NOW + timedelta(seconds=31))
    assert late is not None and late.code == "liveness_expired" and late.article_id == "M-14.5"


def _labels(*pairs: tuple[int, int]) -> list[L.FrameLabel]:
    return [L.FrameLabel(s, q) for s, q in pairs]


def test_frames_must_come_in_capture_order_and_cover_every_step() -> None:
    assert L.check_labels(_labels((0, 0), (0, 1), (1, 0), (1, 1)), 2, RULES) is None
    assert L.check_labels(_labels((0, 0), (1, 0), (0, 1)), 2, RULES).code == "liveness_out_of_order"  # type: ignore[union-attr]
    assert L.check_labels(_labels((0, 0), (0, 0), (1, 0)), 2, RULES).code == "liveness_out_of_order"  # type: ignore[union-attr]
    assert L.check_labels(_labels((0, 0), (0, 1)), 2, RULES).code == "liveness_frames_invalid"  # type: ignore[union-attr]
    assert L.check_labels(_labels((0, 0), (5, 0)), 2, RULES).code == "liveness_frames_invalid"  # type: ignore[union-attr]
    assert L.check_labels([], 2, RULES).code == "liveness_frames_invalid"  # type: ignore[union-attr]
    too_many = _labels(*[(0, i) for i in range(RULES.max_frames)], (1, 0))
    assert L.check_labels(too_many, 2, RULES).code == "liveness_frames_invalid"  # type: ignore[union-attr]


POSES = {"centre": L.Pose(0.02, 0.75), "left": L.Pose(0.30, 0.80), "right": L.Pose(-0.28, 0.82),
         "nod": L.Pose(0.01, 0.60), "none": None}
STEPS = (L.Step.CENTRE, L.Step.LEFT, L.Step.NOD, L.Step.RIGHT)


def _frames(*shown: str, per_step: int = 2, distance: float = 0.2) -> list[L.FrameFacts]:
    return [L.FrameFacts(L.FrameLabel(i // per_step, i % per_step), POSES[name],
                         None if POSES[name] is None else distance) for i, name in enumerate(shown)]


def test_the_verdict() -> None:
    live = L.judge(STEPS, _frames("centre", "centre", "left", "left", "centre", "nod", "right", "right"), RULES)
    assert live.passed and live.observed == ("left", "nod", "right") and live.frontal in (0, 1)
    # A flat photo: the pose never changes, whatever the step asked.
    still = L.judge(STEPS, _frames(*["centre"] * 8), RULES)
    assert not still.passed and still.reason.code == "liveness_movement_mismatch"  # type: ignore[union-attr]
    # The right moves, in another order: a recording made for another challenge.
    swapped = L.judge(STEPS, _frames("centre", "centre", "right", "right", "nod", "nod", "left", "left"), RULES)
    assert swapped.reason.code == "liveness_out_of_order"  # type: ignore[union-attr]
    lost = L.judge(STEPS, _frames("centre", "centre", "left", "left", "none", "none", "right", "right"), RULES)
    assert lost.reason.code == "liveness_face_lost"  # type: ignore[union-attr]
    other = L.judge(STEPS, _frames("centre", "centre", "left", "left", "nod", "nod", "right", "right",
                                   distance=0.8), RULES)
    assert other.reason.code == "liveness_person_changed"  # type: ignore[union-attr]


def test_a_still_image_has_no_motion() -> None:
    assert L.is_still([0.0, 0.0, 0.1], RULES)
    assert L.is_still([], RULES)
    assert not L.is_still([0.2, 12.5, 3.0], RULES)
