"""The kiosk's capture calls (fetch from kiosk.js): form tokens, enrolment after consent, 1:1 verification.

The photo arrives as the raw body and is embedded in memory only (M-8.1, M-14.1). Where the deployment
allows no photo file (remote or unattended, issue 16 item 4) only the camera's frame is taken.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from facegate.domain.model import Deployment
from facegate.errors import FacegateError, Forbidden, InvalidInput
from facegate.services import claims, faces, person
from facegate.domain.refs import check_ref
from facegate.web.auth import wrong_secret
from facegate.web.deps import app_ctx, image_body
from facegate.web.kiosk import flow
from facegate.web.kiosk.access import kiosk_access
from facegate.web.kiosk.render import person_deps
from facegate.web.problems import notice_changed_body, refusal

router = APIRouter(prefix="/kiosk/{deployment_id}", tags=["kiosk"], include_in_schema=False)
Kiosk = Depends(kiosk_access)


def check_capture_source(request: Request, d: Deployment) -> None:
    """Where no photo file may stand in for the camera, the kiosk's camera code must say it sent a frame.

    The header comes from kiosk.js on a paired screen (a device key's holder, M-14.3); an uploaded file
    is refused here, on the server, not only hidden on the page (M-14.5, issue 16 item 4).
    """
    if not d.is_upload_allowed and request.headers.get("x-capture-source") != "camera":
        raise Forbidden("photo_upload_not_allowed",
                        "Here only the live camera may be used, not an uploaded photo.",
                        "此处只能使用现场摄像头拍摄，不能上传照片。", article_id="M-14.5")


@router.get("/form-token")
def form_token(request: Request, kind: str, d: Deployment = Kiosk) -> Any:
    if kind not in ("capture", "verify"):
        raise InvalidInput("form_kind_invalid", "Unknown form.", "未知表单。")
    return {"token": person.issue_form_token(app_ctx(request).services, person_deps(request), kind, d.id)}


@router.post("/enroll")
async def enroll(request: Request, d: Deployment = Kiosk) -> Any:
    """Enrol under the receipt this guest was just given: from the header, else from the guest's flow."""
    check_capture_source(request, d)
    image = await image_body(request)  # async only to read the body; all store and face work in one hop
    return await run_in_threadpool(_enroll, request, d, image)


def _enroll(request: Request, d: Deployment, image: bytes) -> Any:
    ctx, deps = app_ctx(request).services, person_deps(request)
    person.spend_form_token(ctx, deps, request.headers.get("x-form-token"), "capture", d.id)
    receipt = request.headers.get("x-receipt-code") or str(flow.read(request, d.id).get("receipt") or "")
    try:
        # The live consent, while its capture window is open (domain.capture, M-14.3).
        found = person.consent_for_capture(ctx, deps, receipt, d.id)
    except FacegateError as exc:
        if exc.code == "receipt_unknown":
            wrong_secret(request, "receipt")  # M-14.5: receipt guessing at a screen is counted too
        raise
    result = faces.enroll(ctx, d.id, found.subject_ref, found.consent.purpose, image, actor=request.state.actor)
    if not result.decision.allowed:
        return refusal(result.decision)
    return JSONResponse({"enrolled": True, "expires_at": result.expires_at,
                         **notice_changed_body(result.decision, result.notice_changes)}, status_code=201)


@router.post("/verify")
async def verify(request: Request, d: Deployment = Kiosk) -> Any:
    check_capture_source(request, d)
    image = await image_body(request)
    return await run_in_threadpool(_verify, request, d, image)


def _verify(request: Request, d: Deployment, image: bytes) -> Any:
    ctx, deps = app_ctx(request).services, person_deps(request)
    person.spend_form_token(ctx, deps, request.headers.get("x-form-token"), "verify", d.id)
    ref = check_ref(request.query_params.get("subject_ref", "").strip())
    purpose = request.query_params.get("purpose") or d.purposes[0]
    result = faces.verify(ctx, d.id, ref, purpose, image, actor=request.state.actor,
                          client=request.client.host if request.client else None)
    if not result.decision.allowed:
        return refusal(result.decision)
    changed = notice_changed_body(result.decision, result.notice_changes)
    if not result.is_match:
        return {"is_match": False, **changed}
    # A match against the held template proves the reference: a one-time code to act on it here, kept in
    # the guest's sealed flow for the consent step as well as shown (issue 11 item 1).
    code, _ = claims.issue_claim(ctx, deps, d.id, ref, actor=request.state.actor, proof="face_match",
                                 ttl=deps.form_token_ttl)
    response = JSONResponse({"is_match": True, "claim_code": code, **changed})
    flow.write(request, response, d.id, {**flow.read(request, d.id), "claim": code, "claim_ref": ref})
    return response
