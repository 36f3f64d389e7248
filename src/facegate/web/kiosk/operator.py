"""The operator's list of people's requests and complaints, with due dates (PIPL Art. 50)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from facegate.domain.access import Permission
from facegate.services import claims, person, requests
from facegate.web.auth import check
from facegate.web.deps import app_ctx
from facegate.web.kiosk.access import operator_access
from facegate.web.kiosk.render import person_deps

router = APIRouter(prefix="/v1", tags=["requests"])


@router.get("/requests")
def list_requests(
    request: Request,
    status: Literal["open", "completed", "answered", "refused"] | None = Query(None),
    deployment_id: str | None = Query(None, max_length=64),
    _actor: str = Depends(operator_access),
) -> Any:
    """Oldest due first; ``is_overdue`` once the due date has passed and the request is still open."""
    ctx, deps = app_ctx(request).services, person_deps(request)
    today = ctx.clock.now().date()
    return [
        {
            "id": r.id, "kind": r.kind, "status": r.status, "deployment_id": r.deployment_id,
            "purpose": r.purpose, "created_at": r.created_at.isoformat(), "due_on": r.due_on.isoformat(),
            "completed_at": r.completed_at.isoformat() if r.completed_at else None,
            "is_overdue": r.status == "open" and today > r.due_on,
            "subject_ref": r.subject_ref, "subject_pseudonym": r.subject_pseudonym, "detail": r.detail,
            "response_working_days": deps.response_working_days,
        }
        for r in person.list_requests(ctx, deps, status, deployment_id)
    ]


class RequestAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["answered", "refused"]
    text: str = Field(..., min_length=1, max_length=2000,
                      description="The answer the person sees; for a refusal, its reason (PIPL Art. 50).")


@router.post("/requests/{request_id}/answer")
def answer_request(request: Request, request_id: str, body: RequestAnswer) -> Any:
    """Answer a request or complaint, or refuse it with a reason; the person sees it in self-service (M-16.2).

    Needs ``read_reports`` (the request is operator data) and ``consent_write`` (it changes what the
    person is told) on the request's deployment: an operator or admin key in scope, not a device's.
    """
    ctx, deps = app_ctx(request).services, person_deps(request)
    found = requests.get_request(ctx, deps, request_id)
    check(request, Permission.READ_REPORTS, found.deployment_id)
    principal = check(request, Permission.CONSENT_WRITE, found.deployment_id)
    done = requests.answer_request(ctx, deps, request_id, outcome=body.outcome, text=body.text,
                                   actor=principal.key_id)
    return {"id": done.id, "kind": done.kind, "status": done.status, "due_on": done.due_on.isoformat(),
            "completed_at": done.completed_at.isoformat() if done.completed_at else None,
            "on_time": done.detail.get("on_time"), "answer": done.detail.get("answer")}


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ttl_minutes: int = Field(30, ge=1, le=7 * 24 * 60, description="30 for a desk visit; up to 7 days for a booking")


@router.post("/deployments/{deployment_id}/subjects/{subject_ref:path}/claims", status_code=201, tags=["consent"])
def issue_claim(request: Request, deployment_id: str, subject_ref: str, body: ClaimCreate | None = None) -> Any:
    """A one-time claim code that lets the person act on this reference at this deployment's kiosk.

    Staff confirm the person at the desk, or the integrator's booking system issues it
    ahead of the visit; either way with an operator key in scope (M-14.3, issue 11 item 1).
    """
    principal = check(request, Permission.SUBJECT_CLAIM, deployment_id)
    ctx, deps = app_ctx(request).services, person_deps(request)
    code, expires_at = claims.issue_claim(ctx, deps, deployment_id, subject_ref, actor=principal.key_id,
                                          proof="operator_key", ttl=timedelta(minutes=(body or ClaimCreate()).ttl_minutes))
    return {"claim_code": code, "deployment_id": deployment_id, "expires_at": expires_at.isoformat()}
