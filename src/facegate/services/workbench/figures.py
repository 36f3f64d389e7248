"""Live figures for the officer: consent, refusal and alternative use, the record chain, requests (M-9.3, M-10.4)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from facegate.domain.chain import ChainReport, verify_chain
from facegate.errors import InvalidInput
from facegate.services import locks
from facegate.services.common import load_deployment, new_id, record
from facegate.services.context import ServiceContext
from facegate.services.workbench.deps import Incident, WorkbenchDeps, WorkbenchRepository
from facegate.services.workbench.outcomes import FACE_KINDS, photo_codes, photo_days


@dataclass(frozen=True)
class DeploymentFigures:
    """Counts from the processing record (``audit_events``): the evidence nobody is forced (M-10.4, M-12.2)."""

    deployment_id: str
    consents_given: int = 0
    consents_withdrawn: int = 0
    face_allowed: int = 0  # enrol/verify/identify the gate let through
    face_refused: int = 0  # ... and the gate refused (no consent, withdrawn, wrong purpose ...); no photo problems
    alternative_uses: int = 0  # non-face completions (M-10.1)
    # Photos the engine could not use (no_face, multiple_faces, image_undecodable, quality codes): not the gate.
    photo_problems: int = 0
    photo_by_code: tuple[tuple[str, int], ...] = ()
    by_operation: tuple[tuple[str, int, int], ...] = ()  # (kind, allowed, refused)
    # Face-path locks after failed matches (M-14.5): in force now, set in the last 24 h, lifted by staff ever.
    locks_active: int = 0
    locks_24h: int = 0
    locks_lifted: int = 0

    @property
    def completions(self) -> int:
        return self.face_allowed + self.alternative_uses

    @property
    def alternative_share(self) -> float | None:
        return self.alternative_uses / self.completions if self.completions else None

    def as_dict(self) -> dict[str, Any]:
        return {"deployment_id": self.deployment_id, "consents_given": self.consents_given,
                "consents_withdrawn": self.consents_withdrawn, "face_allowed": self.face_allowed,
                "face_refused": self.face_refused, "alternative_uses": self.alternative_uses,
                "photo_problems": self.photo_problems, "photo_by_code": dict(self.photo_by_code),
                "alternative_share": self.alternative_share,
                "by_operation": [{"kind": k, "allowed": a, "refused": r} for k, a, r in self.by_operation],
                "locks_active": self.locks_active, "locks_24h": self.locks_24h, "locks_lifted": self.locks_lifted}


def figures_from_counts(deployment_id: str, counts: Mapping[tuple[str, bool | None], int],
                        photos: Mapping[str, int] | None = None) -> DeploymentFigures:
    """Pure: fold (kind, allowed) -> n into the figures; refused alternatives do not count as uses.

    ``photos`` (photo code -> n) are refused face operations too; they are taken out of the
    gate's refusals and counted on their own (issue 16 item 7).
    """
    photos = dict(photos or {})
    def n(kind: str, allowed: bool | None = None, *, any_allowed: bool = False) -> int:
        return sum(v for (k, a), v in counts.items() if k == kind and (any_allowed or a is allowed))

    ops = tuple((k, n(k, True), n(k, False)) for k in FACE_KINDS)
    return DeploymentFigures(
        deployment_id,
        consents_given=n("consent_given", any_allowed=True),
        consents_withdrawn=n("consent_withdrawn", any_allowed=True),
        face_allowed=sum(a for _, a, _ in ops),
        face_refused=max(sum(r for _, _, r in ops) - sum(photos.values()), 0),
        alternative_uses=n("alternative", True) + n("alternative", None),
        photo_problems=sum(photos.values()),
        photo_by_code=tuple(sorted(photos.items())),
        by_operation=ops,
        locks_lifted=n("subject_lock_lifted", any_allowed=True),
    )


def figures_in(wb: WorkbenchRepository, deployment_id: str) -> DeploymentFigures:
    """One deployment's figures inside an open transaction."""
    photos = photo_codes(wb.face_refusals(None, deployment_id)).get(deployment_id, {})
    return figures_from_counts(deployment_id, wb.event_counts(deployment_id).get(deployment_id, {}), photos)


def deployment_figures(ctx: ServiceContext, deps: WorkbenchDeps) -> dict[str, DeploymentFigures]:
    with ctx.store.transaction(readonly=True) as tx:
        deployments = [d.id for d in tx.deployments.all()]
        wb = tx.workbench
        counts = wb.event_counts()
        photos = photo_codes(wb.face_refusals())
    add = lock_figures(ctx)
    return {d: add(figures_from_counts(d, counts.get(d, {}), photos.get(d))) for d in deployments}


def lock_figures(ctx: ServiceContext) -> Callable[[DeploymentFigures], DeploymentFigures]:
    """Adds the locks in force and set in the last 24 h, which live outside the record's counts (M-14.5)."""
    active: dict[str, int] = {}
    for lock in locks.active_locks(ctx):
        active[lock.deployment_id] = active.get(lock.deployment_id, 0) + 1
    recent = locks.locks_set_since(ctx, ctx.clock.now() - timedelta(days=1))

    def add(f: DeploymentFigures) -> DeploymentFigures:
        return replace(f, locks_active=active.get(f.deployment_id, 0), locks_24h=recent.get(f.deployment_id, 0))

    return add


def daily_series(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str | None, today: date,
                 days: int = 30) -> list[dict[str, Any]]:
    """Per day for the last ``days`` days: consents, face completions, gate refusals, photo problems, alternatives."""
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, time(), tzinfo=timezone.utc)
    with ctx.store.transaction(readonly=True) as tx:
        wb = tx.workbench
        rows = wb.daily_events(since, deployment_id)
        photos = photo_days(wb.face_refusals(since, deployment_id))
    out: dict[date, dict[str, Any]] = {start + timedelta(days=i): {"day": start + timedelta(days=i), "consent": 0, "withdrawn": 0,
                                       "face": 0, "refused": 0, "photo": 0, "alternative": 0} for i in range(days)}
    for day, kind, allowed, n in rows:
        slot = out.get(day)
        if slot is None:
            continue
        if kind == "consent_given":
            slot["consent"] += n
        elif kind == "consent_withdrawn":
            slot["withdrawn"] += n
        elif kind in FACE_KINDS:
            slot["face" if allowed else "refused"] += n
        elif kind == "alternative" and allowed is not False:
            slot["alternative"] += n
    for day, n in photos.items():  # photo problems were counted as refusals above: move them
        if day in out:
            out[day]["photo"] += n
            out[day]["refused"] = max(out[day]["refused"] - n, 0)
    return list(out.values())


def chain_state(ctx: ServiceContext, deps: WorkbenchDeps) -> tuple[ChainReport, int]:
    """Walk the processing record once (M-9.3, M-14.2), with signed checkpoints when an auditor is configured."""
    with ctx.store.transaction(readonly=True) as tx:
        checkpoints = len(tx.record.checkpoints())
        if ctx.auditor is None:
            return verify_chain(tx.record.stored(), deps.hash_fn), checkpoints
    from facegate.services.audit import verify_records

    return verify_records(ctx), checkpoints


def security_events(ctx: ServiceContext, deps: WorkbenchDeps, limit: int = 50) -> list[dict[str, Any]]:
    with ctx.store.transaction(readonly=True) as tx:
        return [asdict(e) for e in tx.workbench.security_detections(limit)]


def person_requests(ctx: ServiceContext, deps: WorkbenchDeps, today: date) -> list[dict[str, Any]]:
    """Rights requests and complaints with due dates; open ones past due are flagged (PIPL Art. 50, Art. 17)."""
    with ctx.store.transaction(readonly=True) as tx:
        requests = tx.person.list_requests()
    # Only what the officer's list shows: no receipt hashes or pseudonyms.
    return [{"id": r.id, "kind": r.kind, "status": r.status, "processor_id": r.processor_id,
             "deployment_id": r.deployment_id, "purpose": r.purpose, "created_at": r.created_at, "due_on": r.due_on,
             "completed_at": r.completed_at, "detail": dict(r.detail),
             "is_overdue": r.status == "open" and r.due_on < today} for r in requests]


def record_incident(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, *, summary: str,
                    is_major: bool = False, occurred_at: datetime | None = None, data_types: str = "",
                    remedial: str = "", all_deployments: bool = False, actor: str = "console") -> Incident:
    """Record a security incident (M-14.6); a major one puts the assessment out of date (M-9.5)."""
    if not summary.strip():
        raise InvalidInput("incident_summary_missing", "Describe the incident.", "请描述安全事件。", article_id="M-14.6")
    now = ctx.clock.now()
    at = occurred_at or now
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        inc = Incident(new_id(), d.processor_id, None if all_deployments else d.id, is_major,
                       at if at.tzinfo else at.replace(tzinfo=timezone.utc), now, actor, summary.strip(),
                       data_types, remedial)
        tx.workbench.add_incident(inc)
        record(ctx, tx, "incident_recorded", actor=actor, deployment=d, allowed=True,
               codes=("major_incident",) if is_major else (), detail={"incident": inc.id, "is_major": is_major})
    return inc
