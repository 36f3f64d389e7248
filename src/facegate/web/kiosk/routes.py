"""Kiosk pages: notice first, a separate consent or the non-face alternative, guardians, capture.

Order on screen follows the Measures: the notice (M-5.1, M-5.3), then the choice
between face and the alternative with equal weight and the camera still off
(M-10.2, M-10.3), then a separate, unticked consent (M-6.1) or the guardian's
(M-7.2). A refusal is remembered for the session and not asked again (M-6.6).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from facegate.domain import reasons as R
from facegate.domain.gate import fourteenth_birthday
from facegate.domain.model import ConsentActor, Deployment
from facegate.errors import Conflict, FacegateError, InvalidInput
from facegate.governance.manifest import Manifest
from facegate.services import consent as consent_service
from facegate.services import claims, faces, person, subjects
from facegate.services.common import check_ref
from facegate.web.auth import wrong_secret
from facegate.web.deps import app_ctx, image_body
from facegate.web.kiosk.access import kiosk_access
from facegate.web.kiosk.render import error_page, lang_of, person_deps, render
from facegate.web.problems import notice_changed_body, refusal

router = APIRouter(prefix="/kiosk/{deployment_id}", tags=["kiosk"], include_in_schema=False)
Kiosk = Depends(kiosk_access)
UI_VERSION = "kiosk-ui-1"  # recorded as the consent channel so the copy shown can be audited (M-12.2)


def _refused_cookie(d: Deployment) -> str:
    return f"fg_refused_{d.id}"


def _alternatives(d: Deployment) -> list[dict[str, str]]:
    """Declared alternatives with how they are offered, from the manifest when it has them."""
    try:
        m = Manifest.model_validate(d.manifest)
        return [{"code": a.code, "zh": a.name.zh, "en": a.name.en, "how_zh": a.how_offered.zh,
                 "how_en": a.how_offered.en} for a in m.alternatives]
    except ValueError:
        return [{"code": a.code, "zh": a.name_zh, "en": a.name_en, "how_zh": "", "how_en": ""}
                for a in d.alternatives]


def _purpose(request: Request, d: Deployment, form: FormData | None = None) -> str:
    value = (form.get("purpose") if form else None) or request.query_params.get("purpose") or d.purposes[0]
    return str(value)


def _page(request: Request, d: Deployment, status: int = 200, error: FacegateError | None = None,
          form: FormData | None = None) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    values: dict[str, Any] = dict(
        d=d, notice=person.notice_for(d), purpose=_purpose(request, d, form), alternatives=_alternatives(d),
        refused=request.cookies.get(_refused_cookie(d)) == "1", today=ctx.clock.now().date().isoformat(),
        token=person.issue_form_token(ctx, deps, "consent", d.id), error=error, form=form or {},
        request_face=request.query_params.get("face") == "1",
    )
    return render(request, "kiosk.html", status, code=error.code if error else None, **values)


@router.get("")
def kiosk(request: Request, d: Deployment = Kiosk) -> Response:
    return _page(request, d)


@router.get("/notice")
def full_notice(request: Request, d: Deployment = Kiosk) -> Response:
    return render(request, "notice.html", d=d, notice=person.notice_for(d))


def _birth_date(value: str, today: date) -> date:
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("birth_date_invalid", "Please enter a valid date of birth.", "请填写有效的出生日期。",
                           article_id="M-7.1") from None
    if born > today:
        raise InvalidInput("birth_date_future", "The date of birth is in the future.", "出生日期晚于今天。",
                           article_id="M-7.1")
    return born


def _consent_request(d: Deployment, form: FormData, today: date, purpose: str) -> consent_service.ConsentRequest:
    ref = str(form.get("subject_ref") or "").strip()
    if ref:
        check_ref(ref)
    raw_dob = str(form.get("birth_date") or "")
    if not raw_dob:
        raise InvalidInput("birth_date_missing", "Please enter your date of birth.", "请填写出生日期。",
                           article_id="M-7.1")
    born = _birth_date(raw_dob, today)
    is_minor = today < fourteenth_birthday(born)
    guardian = is_minor and d.minors_allowed
    if guardian and form.get("guardian_consent") != "yes":
        r = R.GUARDIAN_CONSENT_MISSING
        raise InvalidInput(r.code, r.message_en, r.message_zh, article_id=r.article_id)
    if not is_minor and form.get("face_consent") != "yes":
        raise InvalidInput("consent_not_given", "Tick the consent box, or choose the way without face recognition.",
                           "请勾选同意，或选择不使用人脸识别的方式。", article_id="M-6.1")
    relationship = str(form.get("guardian_relationship") or "") or None
    if relationship not in (None, "parent", "other_guardian"):
        raise InvalidInput("guardian_relationship_invalid", "Choose parent or other guardian.",
                           "请选择父母或其他监护人。", article_id="M-7.2")
    return consent_service.ConsentRequest(
        deployment_id=d.id, subject_ref=ref, purpose=purpose, notice_version=str(form.get("notice_version") or ""),
        channel=UI_VERSION, actor=ConsentActor.GUARDIAN if guardian else ConsentActor.SELF, birth_date=born,
        guardian_ref=(str(form.get("guardian_ref") or "").strip() or None) if guardian else None,
        guardian_relationship=relationship if guardian else None,
        separate_consents=tuple(str(v) for v in form.getlist("separate")),
    )


@router.post("/consent")
async def give_consent(request: Request, d: Deployment = Kiosk) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    form = await request.form()
    purpose = _purpose(request, d, form)
    try:
        person.spend_form_token(ctx, deps, str(form.get("token") or ""), "consent", d.id)
        req = _consent_request(d, form, ctx.clock.now().date(), purpose)
        # Who may act on which reference (issue 11 item 1): see services.claims.
        ref, must_be_new, issued = claims.kiosk_reference(ctx, deps, d.id, req.subject_ref,
                                                          str(form.get("claim_code") or ""))
        req = replace(req, subject_ref=ref, must_be_new=must_be_new)
        # On a statutory basis the person is told, not asked: record that the notice was given (M-5.1, M-6.7).
        record = consent_service.give_consent if d.consent_required else consent_service.record_notice
        receipt = record(ctx, req, actor=request.state.actor)
    except FacegateError as exc:
        if exc.code == "claim_code_invalid":
            wrong_secret(request, "claim_code")  # a guessed confirmation code counts like any secret (M-14.5)
        return _page(request, d, exc.status, exc, form)
    return render(request, "consented.html", 201, d=d, receipt=receipt, purpose=purpose,
                  alternatives=_alternatives(d), issued_ref=ref if issued else None)


@router.post("/refuse")
def refuse(request: Request, d: Deployment = Kiosk) -> Response:
    """Saying no is remembered for this session only; nothing about the person is stored (M-6.6)."""
    response = RedirectResponse(f"/kiosk/{d.id}/alternative?lang={lang_of(request)}", status_code=303)
    response.set_cookie(_refused_cookie(d), "1", httponly=True, samesite="strict", path=f"/kiosk/{d.id}")
    return response


@router.get("/alternative")
def alternative_page(request: Request, d: Deployment = Kiosk) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    return render(request, "alternative.html", d=d, alternatives=_alternatives(d), purpose=_purpose(request, d),
                  token=person.issue_form_token(ctx, deps, "alternative", d.id))


@router.post("/alternative")
async def use_alternative(request: Request, d: Deployment = Kiosk) -> Response:
    """Completes the task without any face processing (M-10.1, M-10.2)."""
    ctx, deps = app_ctx(request).services, person_deps(request)
    form = await request.form()
    try:
        person.spend_form_token(ctx, deps, str(form.get("token") or ""), "alternative", d.id)
        ref = str(form.get("subject_ref") or "").strip() or None
        result = subjects.use_alternative(ctx, d.id, _purpose(request, d, form), str(form.get("method") or ""),
                                          True, ref, actor=request.state.actor)
    except FacegateError as exc:
        return error_page(request, exc, d=d)
    return render(request, "alternative_done.html", d=d, result=result, alternatives=_alternatives(d))


@router.post("/finish")
def finish(request: Request, d: Deployment = Kiosk) -> Response:
    """Next person: a new session, so the previous person's refusal no longer applies."""
    response = RedirectResponse(f"/kiosk/{d.id}", status_code=303)  # the next person starts in Chinese
    response.delete_cookie(_refused_cookie(d), path=f"/kiosk/{d.id}")
    response.delete_cookie("fg_lang")
    return response


@router.get("/form-token")
def form_token(request: Request, kind: str, d: Deployment = Kiosk) -> Any:
    if kind not in ("capture", "verify"):
        raise InvalidInput("form_kind_invalid", "Unknown form.", "未知表单。")
    return {"token": person.issue_form_token(app_ctx(request).services, person_deps(request), kind, d.id)}


@router.post("/enroll")
async def enroll(request: Request, d: Deployment = Kiosk) -> Any:
    """The photo arrives as the raw body and is embedded in memory only (M-8.1, M-14.1)."""
    ctx, deps = app_ctx(request).services, person_deps(request)
    person.spend_form_token(ctx, deps, request.headers.get("x-form-token"), "capture", d.id)
    try:
        found = person.active_consent(ctx, deps, request.headers.get("x-receipt-code", ""), d.id)
    except FacegateError as exc:
        if exc.code == "receipt_unknown":
            wrong_secret(request, "receipt")  # M-14.5: receipt guessing at a screen is counted too
        raise
    if ctx.clock.now() - found.consent.given_at > deps.form_token_ttl:
        # A receipt seen later (a photo of a slip) must not let someone add their own face.
        raise Conflict("capture_window_closed", "Registration by this receipt has closed; please ask at the desk.",
                       "凭此回执登记人脸的时限已过，请到前台办理。", article_id="M-14.3")
    image = await image_body(request)
    result = await run_in_threadpool(faces.enroll, ctx, d.id, found.subject_ref, found.consent.purpose, image,
                                     actor=request.state.actor)
    if not result.decision.allowed:
        return refusal(result.decision)
    return JSONResponse({"enrolled": True, "expires_at": result.expires_at,
                         **notice_changed_body(result.decision, result.notice_changes)}, status_code=201)


@router.post("/verify")
async def verify(request: Request, d: Deployment = Kiosk) -> Any:
    ctx, deps = app_ctx(request).services, person_deps(request)
    person.spend_form_token(ctx, deps, request.headers.get("x-form-token"), "verify", d.id)
    ref = check_ref(request.query_params.get("subject_ref", "").strip())
    image = await image_body(request)
    result = await run_in_threadpool(faces.verify, ctx, d.id, ref, _purpose(request, d), image,
                                     actor=request.state.actor, client=request.client.host if request.client else None)
    if not result.decision.allowed:
        return refusal(result.decision)
    changed = notice_changed_body(result.decision, result.notice_changes)
    if not result.is_match:
        return {"is_match": False, **changed}
    # A match against the held template proves the reference: a one-time code to act on it here.
    code, _ = claims.issue_claim(ctx, deps, d.id, ref, actor=request.state.actor, proof="face_match",
                                 ttl=deps.form_token_ttl)
    return {"is_match": True, "claim_code": code, **changed}
