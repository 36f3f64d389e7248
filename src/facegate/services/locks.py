"""Subject locks after repeated failed face matches: who is locked, until when, and lifting with a reason.

A lock defends a person against an impostor trying photos (M-14.5), but it also
stops the person; so it is per deployment, short at first and longer on repeat
(``IntrusionPolicy.subject_lock_steps_s``), the non-face alternatives stay open
throughout (M-10.1), and staff with an operator key in scope can see it and lift
it with a reason that goes into the processing record (M-9.3; issue 11 item 9).

Locks live in the shared counters; their history lives in the security events
table, which is what this module reads. A lift is written there first, so it
reaches every node, and a lift made by the CLI reaches a server whose counters
are in its own memory (``DefenceGuard.is_subject_locked`` honours it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from facegate.domain.intrusion import SecurityEvent
from facegate.domain.model import Deployment
from facegate.errors import Conflict, InvalidInput
from facegate.services.common import check_ref, load_deployment, record
from facegate.services.context import ServiceContext

LOOKBACK = timedelta(days=1)  # longer than the longest lock step


@dataclass(frozen=True)
class SubjectLock:
    """One lock as staff see it: pseudonymous, never the reference itself."""

    deployment_id: str
    subject_key: str
    locked_at: datetime
    until: datetime
    level: int  # 1 for the first lock within a day, 2 for the second ...
    failures: int

    def as_dict(self) -> dict[str, object]:
        return {"deployment_id": self.deployment_id, "subject_key": self.subject_key,
                "locked_at": self.locked_at.isoformat(), "until": self.until.isoformat(),
                "level": self.level, "failures": self.failures}


def lock_key(ctx: ServiceContext, d: Deployment, subject_ref: str) -> str:
    """Per deployment: failures at one door do not lock the person out of the processor's other ones."""
    return ctx.keys.keyed_hash(f"lock|{d.id}|{d.processor_id}|{subject_ref}")


def _fold(events: Iterable[SecurityEvent], now: datetime) -> dict[str, SubjectLock]:
    current: dict[str, SubjectLock] = {}
    for ev in events:
        key = ev.subject_ref or ""
        if ev.kind == "subject_locked":
            seconds = int(str(ev.detail.get("lock_s", 0)))
            current[key] = SubjectLock(str(ev.detail.get("deployment_id") or ""), key, ev.at,
                                       ev.at + timedelta(seconds=seconds), int(str(ev.detail.get("level", 1))),
                                       int(str(ev.detail.get("failures", 0))))
        else:
            current.pop(key, None)
    return {k: v for k, v in current.items() if v.until > now}


def active_locks(ctx: ServiceContext, deployment_ids: Iterable[str] | None = None) -> list[SubjectLock]:
    """Locks in force now, oldest first; only those of ``deployment_ids`` when given (a scoped key's view)."""
    now = ctx.clock.now()
    with ctx.store.transaction(readonly=True) as tx:
        events = tx.security.lock_events(now - LOOKBACK)
    wanted = set(deployment_ids) if deployment_ids is not None else None
    return [lk for lk in _fold(events, now).values() if wanted is None or lk.deployment_id in wanted]


def locks_set_since(ctx: ServiceContext, since: datetime) -> dict[str, int]:
    """How many locks each deployment set since ``since`` (for the figures)."""
    with ctx.store.transaction(readonly=True) as tx:
        events = tx.security.lock_events(since)
    out: dict[str, int] = {}
    for ev in events:
        if ev.kind == "subject_locked":
            dep = str(ev.detail.get("deployment_id") or "")
            out[dep] = out.get(dep, 0) + 1
    return out


def lock_status(ctx: ServiceContext, deployment_id: str, subject_ref: str) -> SubjectLock | None:
    check_ref(subject_ref)
    now = ctx.clock.now()
    with ctx.store.transaction(readonly=True) as tx:
        key = lock_key(ctx, load_deployment(tx, deployment_id), subject_ref)
        events = tx.security.lock_events(now - LOOKBACK, key)
    # The record of locks, not this process's counters: the CLI's counters are not the server's.
    return _fold(events, now).get(key)


def lift_lock(ctx: ServiceContext, deployment_id: str, subject_ref: str, *, reason: str, actor: str) -> SubjectLock:
    """Lift a lock; who, why and which lock go into the processing record (M-9.3, M-14.5)."""
    check_ref(subject_ref)
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500 or not reason.isprintable():
        raise InvalidInput("lift_reason_missing", "Say why the lock is lifted (3-500 printable characters).",
                           "请填写解除锁定的原因（3至500个可打印字符）。", article_id="M-14.5")
    now = ctx.clock.now()
    lock = lock_status(ctx, deployment_id, subject_ref)
    if lock is None:
        raise Conflict("subject_not_locked", "This person's face path is not locked here.",
                       "此人在此处的人脸识别未被锁定。", article_id="M-14.5")
    key = lock.subject_key
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        detail: dict[str, object] = {"deployment_id": d.id, "reason": reason, "level": lock.level,
                                     "locked_at": lock.locked_at.isoformat(), "until": lock.until.isoformat()}
        tx.security.add(SecurityEvent("subject_lock_lifted", "low", actor, None, key, now, detail))
        record(ctx, tx, "subject_lock_lifted", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail=detail)
    ctx.guard.lift(key)
    return lock
