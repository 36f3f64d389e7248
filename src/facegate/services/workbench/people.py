"""A clerk finds a person by their reference: metadata only, never a face; the look-up is recorded (M-14.2).

What is shown: consents (when, how, withdrawn), templates (purpose, created, expires;
never the template), the face-path lock if one is in force, and open requests. The
reference itself is not written into the record; its keyed pseudonym is (M-9.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from facegate.errors import FacegateError
from facegate.services import locks, subjects
from facegate.domain.refs import check_ref
from facegate.services.common import record
from facegate.services.context import ServiceContext


@dataclass(frozen=True)
class SubjectView:
    deployment_id: str
    held: subjects.HeldSummary
    lock: locks.SubjectLock | None


def find_subject(ctx: ServiceContext, deployment_id: str, subject_ref: str, *, actor: str) -> SubjectView:
    """The person's metadata in one deployment; every look-up, found or not, goes into the record (M-14.2)."""
    check_ref(subject_ref)
    try:
        held = subjects.what_is_held(ctx, deployment_id, subject_ref)
        lock = locks.lock_status(ctx, deployment_id, subject_ref)
    except FacegateError as exc:
        _note(ctx, deployment_id, subject_ref, actor, found=False, code=exc.code)
        raise
    _note(ctx, deployment_id, subject_ref, actor, found=True)
    return SubjectView(deployment_id, held, lock)


def _note(ctx: ServiceContext, deployment_id: str, subject_ref: str, actor: str, *, found: bool,
          code: str = "") -> None:
    with ctx.store.transaction() as tx:
        d = tx.deployments.get(deployment_id)
        if d is None:
            return  # an unknown deployment: nothing was looked at
        record(ctx, tx, "subject_looked_up", actor=actor, deployment=d,
               subject_ref=subject_ref, allowed=found, codes=(code,) if code else (),
               detail={"found": found, "by": "console"})
