"""Face operations: enroll, verify (1:1), identify (1:N), and the non-face alternative."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from facegate.domain.access import Permission as P
from facegate.services import faces, subjects
from facegate.web.auth import WorkHop, require, require_in_hop
from facegate.web.deps import IMAGE_BODY, app_ctx, image_body
from facegate.web.problems import decision_body, notice_changed_body, refusal
from facegate.web.schemas import AlternativeCreate

router = APIRouter(prefix="/v1/deployments/{deployment_id}", tags=["faces"])

SubjectRef = Query(min_length=1, max_length=128, description="The integrator's pseudonymous reference")


def _actor(request: Request) -> str:
    return getattr(request.state, "actor", "api")


@router.post("/enroll", openapi_extra=IMAGE_BODY, status_code=201)
async def enroll(request: Request, deployment_id: str, purpose: str, subject_ref: str = SubjectRef,
                 hop: WorkHop = Depends(require_in_hop(P.ENROLL))) -> Any:
    image = await image_body(request)
    ctx = app_ctx(request).services
    result = await hop.run(lambda: faces.enroll(ctx, deployment_id, subject_ref, purpose, image,
                                                actor=_actor(request)))
    if not result.decision.allowed:
        return refusal(result.decision)
    return JSONResponse({**decision_body(result.decision), "template_id": result.template_id,
                         "expires_at": result.expires_at,
                         **notice_changed_body(result.decision, result.notice_changes)}, status_code=201)


@router.post("/verify", openapi_extra=IMAGE_BODY)
async def verify(request: Request, deployment_id: str, purpose: str, subject_ref: str = SubjectRef,
                 hop: WorkHop = Depends(require_in_hop(P.VERIFY))) -> Any:
    image = await image_body(request)
    ctx = app_ctx(request).services
    # A lambda: actor and client are known once the key is checked, which may happen first in this hop.
    result = await hop.run(lambda: faces.verify(ctx, deployment_id, subject_ref, purpose, image,
                                                actor=_actor(request), client=request.state.client))
    if not result.decision.allowed:
        return refusal(result.decision)
    # A JSONResponse, not a dict: FastAPI would walk the dict through jsonable_encoder first (issue 14).
    return JSONResponse({**decision_body(result.decision), "is_match": result.is_match, "distance": result.distance,
                         "threshold": result.threshold, "score": result.score,
                         **notice_changed_body(result.decision, result.notice_changes)})


@router.post("/identify", openapi_extra=IMAGE_BODY)
async def identify(request: Request, deployment_id: str, purpose: str, top_k: int = Query(5, ge=1, le=50),
                   hop: WorkHop = Depends(require_in_hop(P.IDENTIFY))) -> Any:
    image = await image_body(request)
    ctx = app_ctx(request).services
    result = await hop.run(lambda: faces.identify(ctx, deployment_id, purpose, image, top_k=top_k,
                                                  actor=_actor(request), client=request.state.client))
    if not result.decision.allowed:
        return refusal(result.decision)
    return JSONResponse({**decision_body(result.decision), "threshold": result.threshold, "outcome": result.outcome,
                         "open_set": result.open_set.to_dict() if result.open_set else None,
                         "candidates": [{"subject_ref": c.subject_ref, "distance": c.distance}
                                        for c in result.candidates]})


@router.post("/alternative", dependencies=[Depends(require(P.ALTERNATIVE))])
def alternative(request: Request, deployment_id: str, body: AlternativeCreate) -> Any:
    ctx = app_ctx(request).services
    result = subjects.use_alternative(ctx, deployment_id, body.purpose, body.method, body.is_verified,
                                      body.subject_ref, actor=_actor(request))
    if not result.decision.allowed:
        return refusal(result.decision)
    return {**decision_body(result.decision), "is_verified": result.is_verified, "method": result.method}
