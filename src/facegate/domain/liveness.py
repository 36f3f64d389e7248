"""Active liveness, the pure rules: challenges, head pose from five landmarks, and the verdict.

A challenge is a random order of head movements with a short life; it can be
used once. The client sends a few frames per step, in capture order; the verdict
checks that the frames came in order, that the face moved as asked and in the
asked order, and that it stayed the same person. Frames never reach this module,
only numbers measured from them, so nothing here can leak a face.

Head pose comes from dlib's five landmarks (two corners of each eye and the base
of the nose). ``yaw`` is the nose's offset from the eyes' midpoint along the eye
line, ``pitch`` its offset across it, both in inter-eye distances, so they do
not change with scale, position or in-plane roll. The nose stands out of the
plane of the eyes: when a head turns it moves against the eyes, when a flat
photo is turned, shifted or tilted it does not (docs/liveness.md has the
figures). In camera coordinates a person turning to *their* left moves the nose
to the image's right, so LEFT means yaw > 0 in an unmirrored frame.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facegate.domain import reasons as R
from facegate.domain.reasons import Reason


class Step(str, enum.Enum):
    CENTRE = "centre"  # always first: the person's own straight-ahead pose, and the probe for the match
    LEFT = "left"
    RIGHT = "right"
    NOD = "nod"


PROMPTS: dict[Step, tuple[str, str]] = {
    Step.CENTRE: ("请正对摄像头", "Look straight at the camera"),
    Step.LEFT: ("请慢慢向左转头", "Slowly turn your head to your left"),
    Step.RIGHT: ("请慢慢向右转头", "Slowly turn your head to your right"),
    Step.NOD: ("请慢慢点头", "Slowly nod your head"),
}


class LivenessPolicy(str, enum.Enum):
    """A deployment's ``security.liveness``: must 1:1 verification pass a live check first?"""

    REQUIRED = "required"
    OPTIONAL = "optional"
    OFF = "off"


def is_remote_or_unattended(manifest: Mapping[str, Any]) -> bool:
    """Remote (an online service) or unattended (no staff sees the capture): where a photo is enough to fool 1:1."""
    scenario = manifest.get("scenario") or {}
    return scenario.get("venue_type") == "online_service" or bool(scenario.get("unattended"))


def is_upload_allowed(manifest: Mapping[str, Any]) -> bool:
    """May a photo file stand in for the live camera? Never where remote or unattended: nobody sees who holds
    the photo up (M-14.5); elsewhere as ``security.photo_upload`` says, yes by default (staff watch)."""
    if is_remote_or_unattended(manifest):
        return False
    declared = (manifest.get("security") or {}).get("photo_upload")
    return True if declared is None else bool(declared)


def policy_of(manifest: Mapping[str, Any]) -> LivenessPolicy:
    """The declared policy, or the default: required where remote or unattended, else off."""
    declared = (manifest.get("security") or {}).get("liveness")
    if declared:
        return LivenessPolicy(declared)
    return LivenessPolicy.REQUIRED if is_remote_or_unattended(manifest) else LivenessPolicy.OFF


class ChallengeState(str, enum.Enum):
    ISSUED = "issued"
    USED = "used"


@dataclass(frozen=True)
class LivenessRules:
    """Thresholds of the verdict; defaults measured in docs/liveness.md."""

    turn_yaw: float = 0.15        # yaw change from straight ahead a turn must reach; a turned flat photo gives < 0.07
    nod_pitch: float = 0.08       # pitch change from straight ahead a nod must reach (a tilted print can fake it)
    same_person: float = 0.6      # largest descriptor distance from the frontal frame (the match threshold)
    min_motion: float = 1.0       # mean grey-level change between frames; a still image gives 0
    steps: int = 4
    frames_per_step: int = 4
    min_faces_per_step: int = 1   # frames in a deep turn may lose the face; one per step must show it
    max_frames: int = 30
    ttl_s: int = 30


@dataclass(frozen=True)
class Challenge:
    id: str
    deployment_id: str
    steps: tuple[Step, ...]
    issued_at: datetime
    expires_at: datetime
    state: ChallengeState = ChallengeState.ISSUED

    def prompts(self) -> list[dict[str, str]]:
        return [{"step": s.value, "prompt_zh": PROMPTS[s][0], "prompt_en": PROMPTS[s][1]} for s in self.steps]


@dataclass(frozen=True)
class Pose:
    yaw: float
    pitch: float


@dataclass(frozen=True)
class FrameLabel:
    """Which step and which shot within it the client says a frame is, in the order sent."""

    step: int
    seq: int


@dataclass(frozen=True)
class FrameFacts:
    """What was measured on one frame; ``pose`` is None when no single face was found."""

    label: FrameLabel
    pose: Pose | None
    distance: float | None = None  # descriptor distance to the frontal frame


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: Reason | None = None
    observed: tuple[str, ...] = ()
    frontal: int | None = None  # index of the most frontal frame: the probe for the 1:1 match


def new_steps(randbelow: Callable[[int], int], n: int = 4) -> tuple[Step, ...]:
    """Straight ahead, then a random order of moves, none twice in a row, with both turns and a nod.

    With four moves there are 18 such orders, so a recording made for one
    challenge fits another by chance one time in 18 (replays are also caught
    by the frame digests, see services.liveness).
    """
    moves = [Step.LEFT, Step.RIGHT, Step.NOD]
    while True:
        out: list[Step] = []
        for _ in range(max(n, 3)):
            options = [s for s in moves if not out or s is not out[-1]]
            out.append(options[randbelow(len(options))])
        if set(out) == set(moves):
            return (Step.CENTRE, *out)


def pose_from_landmarks(points: Sequence[tuple[float, float]]) -> Pose:
    """Yaw and pitch from dlib's five points: 0-1 one eye's corners, 2-3 the other's, 4 the nose."""
    if len(points) != 5:
        raise ValueError("five landmarks are needed")
    a = ((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2)
    b = ((points[2][0] + points[3][0]) / 2, (points[2][1] + points[3][1]) / 2)
    left, right = (a, b) if a[0] <= b[0] else (b, a)  # image-left eye first, whatever the model's order
    ax, ay = right[0] - left[0], right[1] - left[1]
    iod = math.hypot(ax, ay)
    if iod < 1e-6:
        raise ValueError("the eyes coincide")
    ux, uy = ax / iod, ay / iod
    mx, my = (left[0] + right[0]) / 2, (left[1] + right[1]) / 2
    dx, dy = points[4][0] - mx, points[4][1] - my
    return Pose(yaw=(dx * ux + dy * uy) / iod, pitch=(-dx * uy + dy * ux) / iod)


def check_challenge(ch: Challenge | None, deployment_id: str, now: datetime) -> Reason | None:
    """A challenge counts once, for its own deployment, before it expires."""
    if ch is None or ch.deployment_id != deployment_id:
        return R.LIVENESS_CHALLENGE_UNKNOWN
    if ch.state is not ChallengeState.ISSUED:
        return R.LIVENESS_CHALLENGE_USED
    if now > ch.expires_at:
        return R.LIVENESS_EXPIRED
    return None


def check_labels(labels: Sequence[FrameLabel], steps: int, rules: LivenessRules) -> Reason | None:
    """Frames must come in capture order, each step in turn, a few per step."""
    if not labels or len(labels) > rules.max_frames:
        return R.LIVENESS_FRAMES_INVALID
    if any(not 0 <= lab.step < steps or lab.seq < 0 for lab in labels):
        return R.LIVENESS_FRAMES_INVALID
    keys = [(lab.step, lab.seq) for lab in labels]
    if any(b <= a for a, b in zip(keys, keys[1:])):
        return R.LIVENESS_OUT_OF_ORDER
    if {lab.step for lab in labels} != set(range(steps)):
        return R.LIVENESS_FRAMES_INVALID
    return None


def _classify(pose: Pose, straight: Pose, rules: LivenessRules) -> Step | None:
    yaw, pitch = pose.yaw - straight.yaw, pose.pitch - straight.pitch
    if yaw >= rules.turn_yaw:
        return Step.LEFT
    if yaw <= -rules.turn_yaw:
        return Step.RIGHT
    if abs(yaw) < rules.turn_yaw / 2 and abs(pitch) >= rules.nod_pitch:
        return Step.NOD
    return None


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def observed_moves(steps: Sequence[Step], frames: Sequence[FrameFacts], rules: LivenessRules) -> tuple[Step, ...]:
    """The moves the frames show after the straight-ahead step, in capture order, each run counted once."""
    centre = [f.pose for f in frames if f.pose is not None and steps[f.label.step] is Step.CENTRE]
    if not centre:
        return ()
    straight = Pose(_median([p.yaw for p in centre]), _median([p.pitch for p in centre]))
    moves: list[Step] = []
    for f in frames:
        if f.pose is None or steps[f.label.step] is Step.CENTRE:
            continue
        step = _classify(f.pose, straight, rules)
        if step is not None and (not moves or moves[-1] is not step):
            moves.append(step)
    return tuple(moves)


def pick_frontal(steps: Sequence[Step], frames: Sequence[FrameFacts]) -> int | None:
    """The straight-ahead frame closest to frontal: identity is measured from it and matched with it."""
    yaw_of = {i: abs(f.pose.yaw) for i, f in enumerate(frames)
              if f.pose is not None and steps[f.label.step] is Step.CENTRE}
    return min(yaw_of, key=yaw_of.__getitem__) if yaw_of else None


def judge(steps: Sequence[Step], frames: Sequence[FrameFacts], rules: LivenessRules) -> Verdict:
    """The verdict on frames already known to be in order and inside the challenge window."""
    per_step = [sum(1 for f in frames if f.label.step == i and f.pose is not None) for i in range(len(steps))]
    if min(per_step) < rules.min_faces_per_step:
        return Verdict(False, R.LIVENESS_FACE_LOST)
    frontal = pick_frontal(steps, frames)
    if any(f.distance is not None and f.distance > rules.same_person for f in frames):
        return Verdict(False, R.LIVENESS_PERSON_CHANGED, frontal=frontal)
    asked = tuple(s for s in steps if s is not Step.CENTRE)
    moves = observed_moves(steps, frames, rules)
    names = tuple(m.value for m in moves)
    if moves == asked:
        return Verdict(True, None, names, frontal)
    if sorted(names) == sorted(s.value for s in asked):
        return Verdict(False, R.LIVENESS_OUT_OF_ORDER, names, frontal)
    return Verdict(False, R.LIVENESS_MOVEMENT_MISMATCH, names, frontal)


def is_still(motion: Sequence[float], rules: LivenessRules) -> bool:
    """No natural motion: every frame is (near enough) the one before it, as a still image is."""
    return not motion or max(motion) < rules.min_motion
