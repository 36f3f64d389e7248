"""The operator's list of people's requests and complaints, with due dates (PIPL Art. 50)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from facegate.services import person
from facegate.web.deps import app_ctx
from facegate.web.kiosk.access import operator_access
from facegate.web.kiosk.render import person_deps

router = APIRouter(prefix="/v1", tags=["requests"])


@router.get("/requests")
def list_requests(
    request: Request,
    status: Literal["open", "completed"] | None = Query(None),
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
