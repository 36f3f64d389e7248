"""Subject locks over HTTP: see them and lift them with a reason (issue 11 item 9, M-14.5, M-10.1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from facegate.domain.access import ALL, authorize
from facegate.domain.access import Permission as P
from facegate.services import locks
from facegate.web.auth import check, principal_of
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/v1", tags=["locks"])


class LockLift(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=500, description="Why staff lift it; goes into the record")


@router.get("/locks")
def list_locks(request: Request) -> Any:
    """Locks in force in the key's deployments (all of them for scope '*')."""
    principal = principal_of(request)
    authorize(principal, P.READ_REPORTS, next(iter(principal.scopes)))  # the role; the scope filters below
    scopes = None if ALL in principal.scopes else principal.scopes
    return [lk.as_dict() for lk in locks.active_locks(app_ctx(request).services, scopes)]


@router.get("/deployments/{deployment_id}/locks")
def deployment_locks(request: Request, deployment_id: str) -> Any:
    check(request, P.READ_REPORTS, deployment_id)
    return [lk.as_dict() for lk in locks.active_locks(app_ctx(request).services, (deployment_id,))]


@router.get("/deployments/{deployment_id}/locks/{subject_ref:path}")
def lock_status(request: Request, deployment_id: str, subject_ref: str) -> Any:
    check(request, P.READ_REPORTS, deployment_id)
    lock = locks.lock_status(app_ctx(request).services, deployment_id, subject_ref)
    return {"locked": lock is not None, **(lock.as_dict() if lock else {"deployment_id": deployment_id})}


@router.post("/deployments/{deployment_id}/locks/{subject_ref:path}/lift")
def lift(request: Request, deployment_id: str, subject_ref: str, body: LockLift) -> Any:
    """Staff confirmed the person (or the alternative was used): the face path opens again at once."""
    principal = check(request, P.LOCK_LIFT, deployment_id)
    lock = locks.lift_lock(app_ctx(request).services, deployment_id, subject_ref, reason=body.reason,
                           actor=principal.key_id)
    return {"lifted": True, **lock.as_dict()}
