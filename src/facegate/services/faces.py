"""Enroll, verify (1:1) and identify (1:N), each through the gate first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from facegate.domain.gate import GateDecision, GateFacts, decide
from facegate.domain.openset import OpenSetPlan
from facegate.domain.model import Deployment, Operation, Subject, TemplateRecord
from facegate.domain.scores import EngineId, distance as engine_distance, is_match as within
from facegate.errors import ImageRejected
from facegate.ports import Embedding, FaceEngine, SealedTemplate, UnitOfWork
from facegate.services import engines, openset
from facegate.services.identify_rule import Candidate, EngineSearch, combine, nearest_people
from facegate.services.common import check_ref, load_deployment, new_id, record, template_aad
from facegate.services.context import ServiceContext
from facegate.services.locks import lock_key


@dataclass(frozen=True)
class EnrollResult:
    decision: GateDecision
    template_id: str | None = None
    expires_at: str | None = None
    notice_changes: tuple[str, ...] = ()  # notice sections changed since the person agreed (M-5.4)


@dataclass(frozen=True)
class VerifyResult:
    decision: GateDecision
    is_match: bool = False
    distance: float | None = None
    threshold: float | None = None
    notice_changes: tuple[str, ...] = ()
    score: dict[str, float | str] | None = None  # engine, metric, distance (and similarity for cosine engines)


def _notice_changes(ctx: ServiceContext, d: Deployment, decision: GateDecision) -> tuple[str, ...]:
    """Art. 5 para 2: the changed parts are told when the person next meets the service."""
    if not (decision.allowed and decision.notice_changed and decision.agreed_notice_version):
        return ()
    from facegate.services.person import changes_since  # person builds on consent, not on faces

    return tuple(changes_since(ctx, d, decision.agreed_notice_version))


@dataclass(frozen=True)
class IdentifyResult:
    decision: GateDecision
    candidates: tuple[Candidate, ...] = field(default=())
    threshold: float | None = None
    open_set: OpenSetPlan | None = None
    outcome: str | None = None  # identified | no_match | ambiguous


def _facts(ctx: ServiceContext, tx: UnitOfWork, op: Operation, d: Deployment, purpose: str,
           subject: Subject | None, subject_ref: str | None, held: list[SealedTemplate],
           liveness_passed: bool = False) -> GateFacts:
    now = ctx.clock.now()
    return GateFacts(
        operation=op, deployment=d, purpose=purpose, now=now, subject=subject,
        consents=tuple(tx.consents.for_subject(subject.id, d.id)) if subject else (),
        is_assessment_outdated=(ctx.assessment_check is not None and ctx.assessment_check(tx, d, now)),
        is_subject_locked=bool(subject_ref) and ctx.guard.is_subject_locked(lock_key(ctx, d, subject_ref or "")),
        subject_ref_given=bool(subject_ref),
        live_templates=sum(not t.record.is_expired(now) for t in held), held_templates=len(held),
        is_liveness_passed=liveness_passed,
    )


def _gate(ctx: ServiceContext, tx: UnitOfWork, op: Operation, deployment_id: str, purpose: str,
          subject_ref: str | None, liveness_passed: bool = False,
          ) -> tuple[Deployment, Subject | None, GateDecision, list[SealedTemplate]]:
    """Gather the facts and let the gate decide; the decision is never patched afterwards."""
    d = load_deployment(tx, deployment_id)
    subject = tx.subjects.get(d.processor_id, check_ref(subject_ref)) if subject_ref else None
    held = tx.templates.for_subject(subject.id, d.id, purpose) if subject and op is Operation.VERIFY else []
    facts = _facts(ctx, tx, op, d, purpose, subject, subject_ref, held, liveness_passed)
    return d, subject, decide(facts), held


def _record_refusal(ctx: ServiceContext, kind: str, d: Deployment, subject_ref: str | None,
                    decision: GateDecision, actor: str) -> None:
    with ctx.store.transaction() as tx:
        record(ctx, tx, kind, actor=actor, deployment=d, subject_ref=subject_ref, decision=decision)


def _embed_or_record(ctx: ServiceContext, kind: str, d: Deployment, subject_ref: str | None,
                     image: bytes, actor: str, engine: FaceEngine | None = None) -> Embedding:
    """Embed; a rejected image is a processing event too, so it is recorded before raising.

    Enrolment asks more of the photo than verification (FaceOptions.for_enrolment).
    """
    options = ctx.face_options.for_enrolment() if kind == "enroll" else ctx.face_options
    try:
        return (engine or ctx.engine).embed(image, options)
    except ImageRejected as exc:
        with ctx.store.transaction() as tx:
            record(ctx, tx, kind, actor=actor, deployment=d, subject_ref=subject_ref, allowed=False,
                   codes=(exc.code,), detail={"stage": "image"})
        raise


def enroll(ctx: ServiceContext, deployment_id: str, subject_ref: str, purpose: str, image: bytes,
           *, actor: str = "api") -> EnrollResult:
    """Image to sealed template; the image itself never leaves this call (M-8.1, M-14.1)."""
    with ctx.store.transaction(readonly=True) as tx:
        d, _, decision, _ = _gate(ctx, tx, Operation.ENROLL, deployment_id, purpose, subject_ref)
    if not decision.allowed:
        _record_refusal(ctx, "enroll", d, subject_ref, decision, actor)
        return EnrollResult(decision)
    emb = _embed_or_record(ctx, "enroll", d, subject_ref, image, actor)
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        # Gate again inside the writing transaction: consent may have been withdrawn meanwhile.
        d, subject, decision, _ = _gate(ctx, tx, Operation.ENROLL, deployment_id, purpose, subject_ref)
        if subject is None and decision.allowed:  # a law allows no notice (M-5.7): the person is new here
            subject = tx.subjects.add(Subject(new_id(), d.processor_id, subject_ref, None, now))
        if not decision.allowed or subject is None:
            record(ctx, tx, "enroll", actor=actor, deployment=d, subject_ref=subject_ref, decision=decision)
            return EnrollResult(decision)
        tx.subjects.lock(subject.id)
        key = tx.subject_keys.get(subject.id)
        if key is None:
            key = ctx.keys.new_data_key()
            tx.subject_keys.put(subject.id, key)
        eid = engines.engine_id(ctx.engine)
        rec = TemplateRecord(
            id=new_id(), subject_id=subject.id, deployment_id=d.id, purpose=purpose, engine=eid.name,
            created_at=now, expires_at=now + timedelta(days=d.retention_days), key_id=key.kek_id,
            engine_version=eid.version,
        )
        sealed = ctx.keys.seal(key, emb.vector.astype(np.float32).tobytes(), template_aad(d.id, subject.id, purpose))
        tx.templates.add(rec, sealed)
        if ctx.people_stored is not None and tx.templates.count_for_subject(subject.id) == 1:  # a new person stored
            ctx.people_stored(tx, d.processor_id, now)
        held = tx.templates.for_subject(subject.id, d.id, purpose)
        # A template of the engine this service enrols on replaces the person's older engine's ones
        # (a planned switch, docs/engines.md); of its own engine the newest few are kept.
        dropped = engines.superseded([t.record for t in held], eid, ctx.max_templates_per_subject)
        for template_id in dropped:
            tx.templates.delete(template_id)
        record(ctx, tx, "enroll", actor=actor, deployment=d, subject_ref=subject_ref, decision=decision,
               detail={"purpose": purpose, "engine": eid.name, "engine_version": eid.version, "template": rec.id,
                       "expires_at": rec.expires_at.isoformat(), "consent": decision.consent_id,
                       "replaced": dropped})
    ctx.gallery.removed(dropped)
    ctx.gallery.added(d.id, purpose, rec.id, subject.id, emb.vector, eid.key)
    return EnrollResult(decision, rec.id, rec.expires_at.isoformat(), _notice_changes(ctx, d, decision))


def _open(ctx: ServiceContext, t: SealedTemplate) -> np.ndarray:
    raw = ctx.keys.open(t.key, t.sealed, template_aad(t.record.deployment_id, t.record.subject_id, t.record.purpose))
    return np.frombuffer(raw, dtype=np.float32)


def verify(ctx: ServiceContext, deployment_id: str, subject_ref: str, purpose: str, image: bytes,
           *, actor: str = "api", client: str | None = None, liveness: dict[str, object] | None = None) -> VerifyResult:
    """1:1: is the person in the probe image the enrolled subject? ``liveness``: a passed check's figures."""
    now = ctx.clock.now()
    with ctx.store.transaction(readonly=True) as tx:
        d, subject, decision, held = _gate(ctx, tx, Operation.VERIFY, deployment_id, purpose, subject_ref,
                                           liveness is not None)
        adopted = tx.deployments.calibration(d.id)
    live = [t for t in held if not t.record.is_expired(now)]
    if not decision.allowed:
        _record_refusal(ctx, "verify", d, subject_ref, decision, actor)
        return VerifyResult(decision)
    # The person's templates are judged by the engine that made them: the current one if it made
    # any, else an engine kept for older templates; never a vector of one engine against another's.
    runs = engines.running(ctx)
    made_by = {engines.template_engine(t.record) for t in live}
    usable = [e for e in runs if e in made_by]
    if not usable:
        engines.refuse_mismatch(ctx, d, subject_ref, sorted(made_by), actor)
    eid = usable[0]
    emb = _embed_or_record(ctx, "verify", d, subject_ref, image, actor, runs[eid])
    distance = min(engine_distance(eid, emb.vector, engines.template_engine(t.record), _open(ctx, t))
                   for t in live if engines.template_engine(t.record) == eid)
    threshold = openset.verify_threshold(ctx, adopted, eid)
    is_match = within(distance, threshold)
    ctx.guard.verify_result(lock_key(ctx, d, subject_ref), is_match, actor, client, deployment_id=d.id)
    with ctx.store.transaction() as tx:
        record(ctx, tx, "verify", actor=actor, deployment=d, subject_ref=subject_ref, decision=decision,
               detail={"purpose": purpose, "match": is_match, "distance": round(distance, 4),
                       "threshold": threshold, "engine": eid.name, "engine_version": eid.version,
                       "consent": decision.consent_id, **({"liveness": liveness} if liveness is not None else {})})
    return VerifyResult(decision, is_match, round(distance, 4), threshold, _notice_changes(ctx, d, decision),
                        engines.score(ctx, eid, distance))


def identify(ctx: ServiceContext, deployment_id: str, purpose: str, image: bytes, *, top_k: int = 5,
             actor: str = "api", client: str | None = None) -> IdentifyResult:
    """1:N within this deployment's consented gallery only (M-4.3: needs a 1:N deployment).

    Open set: the threshold comes from the engine's calibration for the gallery's size
    and the target FPIR, and the best person must be clear of the next one by the
    margin; otherwise nobody is named (domain/openset.py). At most one candidate.
    During a switch of engine each engine's templates are searched by that engine
    (services/identify_rule.py). ``top_k`` is kept for compatibility; it only widens the index search.
    """
    with ctx.store.transaction(readonly=True) as tx:
        d, _, decision, _ = _gate(ctx, tx, Operation.IDENTIFY, deployment_id, purpose, None)
        adopted = tx.deployments.calibration(d.id)
    if not decision.allowed:
        _record_refusal(ctx, "identify", d, None, decision, actor)
        return IdentifyResult(decision)
    runs, current = engines.running(ctx), engines.engine_id(ctx.engine)
    galleries = {e: ctx.gallery.size(d.id, purpose, e.key) for e in runs}
    galleries = {e: n for e, n in galleries.items() if e == current or n > 0}
    probes: dict[EngineId, Embedding] = {current: _embed_or_record(ctx, "identify", d, None, image, actor)}
    for eid in galleries:
        if eid not in probes:
            try:
                probes[eid] = runs[eid].embed(image, ctx.face_options)
            except ImageRejected:
                pass  # the older engine does not see the face: its gallery gives no candidate
    now, k = ctx.clock.now(), max(top_k * 4, top_k + 8, 16)
    searches: list[EngineSearch] = []
    with ctx.store.transaction() as tx:
        for eid, emb in probes.items():
            hits = ctx.gallery.search(d.id, purpose, emb.vector, k, eid.key)
            searches.append(EngineSearch(eid, openset.plan(ctx, galleries[eid], adopted, eid, len(galleries)),
                                         nearest_people(tx, d, purpose, hits, now)))
        outcome, named = combine(searches)
        shown = named or searches[0]
        rule = shown.rule
        out = shown.people[:1] if named else ()
        record(ctx, tx, "identify", actor=actor, deployment=d, decision=decision,
               detail={"purpose": purpose, "candidates": len(out), "outcome": outcome, "threshold": rule.threshold,
                       "margin": rule.margin, "gallery_size": rule.gallery_size, "target_fpir": rule.target_fpir,
                       "engine": shown.engine.name, "engine_version": shown.engine.version,
                       **({"engines": [s.to_dict() for s in searches]} if len(galleries) > 1 else {})})
    ctx.guard.identify_result(bool(out), actor, client)
    return IdentifyResult(decision, out, rule.threshold, rule, outcome)
