"""Subject locks over HTTP: see them and lift them with a reason (issue 11 item 9, M-14.5, M-10.1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from facegate.domain.access import ALL, authorize
from facegate.domain.access import Permission as P
from facegate.services import blocks, locks
from facegate.web.auth import check, principal_of
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/v1", tags=["locks"])


class BlockLift(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = Field(min_length=1, max_length=64, description="The address (or IPv6 /64) as listed")
    reason: str = Field(min_length=3, max_length=500, description="Why it is lifted; goes into the record")


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


@router.get("/security/blocks")
def list_blocks(request: Request) -> Any:
    """Addresses blocked for guessing secrets, with when the block ends and which block of the day it is."""
    check(request, P.SECURITY_READ, None)
    return [b.as_dict() for b in blocks.active_blocks(app_ctx(request).services)]


@router.post("/security/blocks/lift")
def lift_block(request: Request, body: BlockLift) -> Any:
    """An admin opens an address again (from another address: a blocked one reaches no route)."""
    principal = check(request, P.KEY_MANAGE, None)
    block = blocks.lift_block(app_ctx(request).services, body.client, reason=body.reason, actor=principal.key_id)
    return {"lifted": True, **block.as_dict()}
