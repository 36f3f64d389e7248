"""The kiosk's live check: a challenge, prompts on screen, frames captured in the browser, one verify.

Used where the deployment's liveness is required or optional (docs/liveness.md).
The frames go from the camera straight into one fetch body; nothing is kept (M-8.1).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from facegate.domain.model import Deployment
from facegate.services import liveness, person
from facegate.services.common import check_ref
from facegate.web.deps import app_ctx
from facegate.web.kiosk.access import kiosk_access
from facegate.web.kiosk.render import person_deps
from facegate.web.problems import refusal
from facegate.web.routes.liveness import challenge_body, read_frames

router = APIRouter(prefix="/kiosk/{deployment_id}", tags=["kiosk"], include_in_schema=False)
Kiosk = Depends(kiosk_access)


@router.post("/liveness/challenge")
def challenge(request: Request, d: Deployment = Kiosk) -> Any:
    ctx = app_ctx(request).services
    return challenge_body(liveness.issue_challenge(ctx, d.id), ctx.liveness_rules.frames_per_step)


@router.post("/verify/live")
async def verify(request: Request, d: Deployment = Kiosk) -> Any:
    ctx, deps = app_ctx(request).services, person_deps(request)
    person.spend_form_token(ctx, deps, request.headers.get("x-form-token"), "verify", d.id)
    ref = check_ref(request.query_params.get("subject_ref", "").strip())
    purpose = request.query_params.get("purpose") or d.purposes[0]
    frames = await read_frames(request)
    result = await run_in_threadpool(liveness.verify_live, ctx, d.id, ref, purpose,
                                     request.query_params.get("challenge_id", "")[:64], frames,
                                     actor=request.state.actor, client=request.client.host if request.client else None)
    if not result.verify.decision.allowed:
        return refusal(result.verify.decision)
    return {"is_match": result.verify.is_match, "liveness": "passed"}
