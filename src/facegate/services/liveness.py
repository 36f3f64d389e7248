"""Active liveness: issue a one-time head-movement challenge, judge the frames, then verify 1:1.

The frames arrive in one request, are measured in memory and dropped with it;
only the verdict (codes and pose labels, no pixels, no descriptors) goes into
the processing record. The challenge lives in the shared store (database or
Redis), so it can be used once across every node; keyed digests of the frames
are kept until the replay window ends so a recording cannot be sent again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np

from facegate.domain import liveness as L
from facegate.domain import reasons as R
from facegate.domain.gate import GateDecision
from facegate.domain.model import Deployment
from facegate.domain.reasons import Reason
from facegate.errors import ConfigurationError
from facegate.ports import ChallengeStore, LandmarkEngine
from facegate.services import faces
from facegate.services.common import check_ref, load_deployment, pseudonym, record
from facegate.services.context import ServiceContext
from facegate.services.liveness_passive import motion_between, passive_figures

REPLAY_WINDOW = timedelta(days=1)  # digests of every frame sent are kept this long, then forgotten


@dataclass(frozen=True)
class Frame:
    """One camera frame as the client labelled it; the bytes live for this request only."""

    step: int
    seq: int
    image: bytes

    def __repr__(self) -> str:
        return f"Frame(step={self.step}, seq={self.seq}, bytes={len(self.image)})"


@dataclass(frozen=True)
class LiveVerifyResult:
    verify: faces.VerifyResult
    liveness: L.Verdict


def _unavailable() -> ConfigurationError:
    return ConfigurationError("liveness_unavailable", "Liveness checks are not configured on this node.",
                              "本节点未配置活体检测。")


def _store(ctx: ServiceContext) -> ChallengeStore:
    if ctx.challenges is None:
        raise _unavailable()
    return ctx.challenges


def _judge(ctx: ServiceContext) -> tuple[ChallengeStore, LandmarkEngine]:
    """What judging frames needs: the challenges and an engine that reports landmarks."""
    store = _store(ctx)
    if not isinstance(ctx.engine, LandmarkEngine):
        raise _unavailable()
    return store, ctx.engine


def issue_challenge(ctx: ServiceContext, deployment_id: str) -> L.Challenge:
    """A random, short-lived, single-use order of head movements for one deployment."""
    store = _store(ctx)
    with ctx.store.transaction(readonly=True) as tx:
        d = load_deployment(tx, deployment_id)
    now = ctx.clock.now()
    rules = ctx.liveness_rules
    challenge = L.Challenge(secrets.token_urlsafe(24), d.id, ctx.liveness_steps(rules.steps), now,
                            now + timedelta(seconds=rules.ttl_s))
    store.put(challenge)
    return challenge


def _digests(ctx: ServiceContext, frames: Sequence[Frame]) -> list[str]:
    # Keyed, so the stored digests say nothing about any image to whoever reads the table.
    return sorted({ctx.keys.keyed_hash("liveness-frame|" + hashlib.sha256(f.image).hexdigest()) for f in frames})


def judge_frames(ctx: ServiceContext, d: Deployment, challenge_id: str, frames: Sequence[Frame]
                 ) -> tuple[L.Verdict, int | None, dict[str, object]]:
    """Claim the challenge and judge the frames: (verdict, index of the probe frame, figures for the record)."""
    store, engine = _judge(ctx)
    rules = ctx.liveness_rules
    now = ctx.clock.now()
    challenge = store.claim(challenge_id, now)  # claimed even when the frames then fail: one try per challenge
    problem = L.check_challenge(challenge, d.id, now)
    if problem or challenge is None:
        return L.Verdict(False, problem), None, {}
    labels = [L.FrameLabel(f.step, f.seq) for f in frames]
    problem = L.check_labels(labels, len(challenge.steps), rules)
    if problem:
        return L.Verdict(False, problem), None, {}
    seen = store.seen_before(_digests(ctx, frames), now, REPLAY_WINDOW)
    observed = engine.observe_many([f.image for f in frames], ctx.face_options)
    motion = motion_between([o.thumb for o in observed])
    figures: dict[str, object] = {"frames": len(frames), "faces": sum(o.embedding is not None for o in observed),
                                  "motion": round(max(motion, default=0.0), 2)}
    figures["passive"] = passive_figures([o.face_rgb for o in observed if o.face_rgb is not None],
                                         [o.thumb for o in observed if o.thumb is not None])
    if L.is_still(motion, rules):
        return L.Verdict(False, R.LIVENESS_NO_MOTION), None, figures
    if seen:
        return L.Verdict(False, R.LIVENESS_REPLAYED), None, figures
    facts = [L.FrameFacts(lab, L.pose_from_landmarks(o.landmarks) if o.embedding is not None else None)
             for lab, o in zip(labels, observed, strict=True)]
    frontal = L.pick_frontal(challenge.steps, facts)
    probe_face = observed[frontal].embedding if frontal is not None else None  # frontal frames have a face
    if probe_face is not None:
        probe = probe_face.vector
        facts = [replace(f, distance=float(np.linalg.norm(o.embedding.vector - probe)) if o.embedding else None)
                 for f, o in zip(facts, observed, strict=True)]
        figures["max_distance"] = round(max((f.distance or 0.0) for f in facts), 4)
    verdict = L.judge(challenge.steps, facts, rules)
    figures["asked"] = [s.value for s in challenge.steps[1:]]
    figures["observed"] = list(verdict.observed)
    if verdict.passed and ctx.spoof_detector is not None:
        spoof = _spoof_score(ctx, [o.face_rgb for o in observed if o.face_rgb is not None])
        figures["spoof_score"] = round(spoof, 4)
        if spoof >= ctx.spoof_detector.threshold:
            verdict = L.Verdict(False, R.LIVENESS_SPOOF_SUSPECTED, verdict.observed, verdict.frontal)
    return verdict, verdict.frontal, figures


def _spoof_score(ctx: ServiceContext, faces_rgb: list[np.ndarray]) -> float:
    assert ctx.spoof_detector is not None
    return max((ctx.spoof_detector.score(f) for f in faces_rgb), default=1.0)


def verify_live(ctx: ServiceContext, deployment_id: str, subject_ref: str, purpose: str, challenge_id: str,
                frames: Sequence[Frame], *, actor: str = "api", client: str | None = None) -> LiveVerifyResult:
    """1:1 verification whose probe is the straight-ahead frame of a passed liveness challenge."""
    check_ref(subject_ref)
    with ctx.store.transaction(readonly=True) as tx:
        d = load_deployment(tx, deployment_id)
    verdict, probe, figures = judge_frames(ctx, d, challenge_id, frames)
    if not verdict.passed or probe is None:
        reason: Reason = verdict.reason or R.LIVENESS_FACE_LOST
        decision = GateDecision(False, (reason,), d.alternatives)
        # A failed check counts toward the same per-person lock as a failed match (M-14.5).
        ctx.guard.verify_result(pseudonym(ctx, d.processor_id, subject_ref) or "", False, actor, client)
        with ctx.store.transaction() as tx:
            record(ctx, tx, "verify", actor=actor, deployment=d, subject_ref=subject_ref, decision=decision,
                   detail={"purpose": purpose, "liveness": figures, "stage": "liveness"})
        return LiveVerifyResult(faces.VerifyResult(decision), verdict)
    result = faces.verify(ctx, d.id, subject_ref, purpose, frames[probe].image, actor=actor, client=client,
                          liveness=figures)
    return LiveVerifyResult(result, verdict)
