"""Kiosk steps: notice → choice → consent or the alternative → capture (with the receipt) → result.

Order on screen follows the Measures: the notice (M-5.1, M-5.3), then the choice between face and
the alternative with equal weight and the camera still off (M-10.2, M-10.3), then a separate, unticked
consent (M-6.1) or the guardian's (M-7.2). Every step keeps the alternative one tap away (M-10.2). A
refusal is remembered for this guest and not asked again (M-6.6). Every POST answers with a redirect
to a GET page (issue 16 item 2), so the back button and the language switch show the same step;
what a step shows comes from the guest's sealed flow (``flow``), cleared for the next guest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from facegate.domain.model import Deployment
from facegate.errors import FacegateError
from facegate.services import consent as consent_service
from facegate.services import claims, person, subjects
from facegate.web.auth import wrong_secret
from facegate.web.deps import app_ctx
from facegate.web.kiosk import flow
from facegate.web.kiosk.access import kiosk_access
from facegate.web.kiosk.consent_form import alternatives, consent_request, purpose_of
from facegate.web.kiosk.render import error_page, lang_of, person_deps, render
from facegate.web.kiosk.slip import receipt_qr

router = APIRouter(prefix="/kiosk/{deployment_id}", tags=["kiosk"], include_in_schema=False)
Kiosk = Depends(kiosk_access)


def _refused_cookie(d: Deployment) -> str:
    return f"fg_refused_{d.id}"


def _go(request: Request, d: Deployment, step: str) -> RedirectResponse:
    return RedirectResponse(f"/kiosk/{d.id}{step}?lang={lang_of(request)}", status_code=303)


def _step(request: Request, d: Deployment, name: str, status: int = 200, **values: Any) -> Response:
    refused = request.cookies.get(_refused_cookie(d)) == "1"
    return render(request, name, status, d=d, notice=person.notice_for(d), alternatives=alternatives(d),
                  purpose=purpose_of(request, d), refused=refused, **values)


@router.get("")
def notice_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Step 1: the notice on its own screen, before any choice or capture (M-5.1, M-5.3)."""
    return _step(request, d, "step_notice.html", step=1)


@router.get("/choose")
def choice_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Step 2: face or the alternative, equal weight, camera off (M-10.2, M-10.3)."""
    return _step(request, d, "step_choice.html", step=2, request_face=request.query_params.get("face") == "1")


@router.get("/notice")
def full_notice(request: Request, d: Deployment = Kiosk) -> Response:
    return render(request, "notice.html", d=d, notice=person.notice_for(d), public=False)


@router.get("/consent")
def consent_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Step 3: the separate, unticked consent, or the guardian's for a child under 14 (M-6.1, M-7.2).

    A refused submission comes back here by redirect with its error and what was typed, shown once
    with the error's status and code, so the back button never meets a POST (issue 16 item 2).
    """
    ctx, deps = app_ctx(request).services, person_deps(request)
    state = flow.read(request, d.id)
    failed, values = state.pop("failed", None), dict(state.pop("typed", None) or {})
    error = FacegateError(failed["code"], failed["en"], failed["zh"], article_id=failed["article"],
                          status=failed["status"]) if failed else None
    if state.get("claim") and not values:  # a face match on the "already registered" step proved this reference
        values.update(subject_ref=state.get("claim_ref", ""), claim_code=state["claim"])
    response = _step(request, d, "step_consent.html", error.status if error else 200, step=3,
                     code=error.code if error else None, error=error, form=values,
                     today=ctx.clock.now().date().isoformat(), token=person.issue_form_token(ctx, deps, "consent", d.id))
    if failed:
        flow.write(request, response, d.id, state)  # shown once: a reload is a fresh form
    return response


@router.post("/consent")
async def give_consent(request: Request, d: Deployment = Kiosk) -> Response:
    form = await request.form()
    return await run_in_threadpool(_give_consent, request, d, form)  # database work off the event loop


def _give_consent(request: Request, d: Deployment, form: FormData) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    purpose = purpose_of(request, d, form)
    try:
        person.spend_form_token(ctx, deps, str(form.get("token") or ""), "consent", d.id)
        req = consent_request(d, form, ctx.clock.now().date(), purpose)
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
        # Back to the form by redirect, with what was typed (never the claim code) and the error; the
        # form's token is spent, so a back-and-resubmit cannot store anything twice.
        response = _go(request, d, "/consent")
        flow.write(request, response, d.id, {
            **flow.read(request, d.id),
            "typed": {k: str(form.get(k) or "")[:128] for k in ("subject_ref", "birth_date", "guardian_ref")},
            "failed": {"code": exc.code, "en": exc.message_en, "zh": exc.message_zh, "article": exc.article_id,
                       "status": exc.status}})
        return response
    response = _go(request, d, "/capture")
    flow.write(request, response, d.id, {"receipt": receipt.receipt_code, "purpose": purpose,
                                         "issued_ref": ref if issued else None})
    return response


@router.get("/capture")
def capture_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Step 4: the receipt slip, shown to this guest only, and the camera for enrolment (M-10.3)."""
    state = flow.read(request, d.id)
    if not state.get("receipt"):
        return _go(request, d, "")  # nothing to show: a new guest, or the last one was cleared
    base = app_ctx(request).settings.public_base_url
    return _step(request, d, "step_capture.html", step=4, receipt=state["receipt"],
                 issued_ref=state.get("issued_ref"), qr=receipt_qr(base, state["receipt"]))


@router.get("/done")
def result_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Step 5: the outcome; the receipt is no longer on screen."""
    state = flow.read(request, d.id)
    response = _step(request, d, "step_done.html", step=5, enrolled=bool(state.get("receipt") or state.get("enrolled")),
                     alt=state.get("alt"))
    if state.get("receipt"):  # shown once: from here on, back or reload does not bring the receipt back
        flow.write(request, response, d.id, {"enrolled": True})
    return response


@router.get("/registered")
def registered_step(request: Request, d: Deployment = Kiosk) -> Response:
    """Already registered: verify 1:1 (live check where required); a match proves the reference."""
    return _step(request, d, "step_verify.html", step=4)


@router.post("/refuse")
def refuse(request: Request, d: Deployment = Kiosk) -> Response:
    """Saying no is remembered for this guest only; nothing about the person is stored (M-6.6)."""
    response = _go(request, d, "/alternative")
    response.set_cookie(_refused_cookie(d), "1", httponly=True, samesite="strict", path=f"/kiosk/{d.id}")
    return response


@router.get("/alternative")
def alternative_page(request: Request, d: Deployment = Kiosk) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    return _step(request, d, "alternative.html", step=3, token=person.issue_form_token(ctx, deps, "alternative", d.id))


@router.post("/alternative")
async def use_alternative(request: Request, d: Deployment = Kiosk) -> Response:
    """Completes the task without any face processing (M-10.1, M-10.2)."""
    form = await request.form()
    return await run_in_threadpool(_use_alternative, request, d, form)


def _use_alternative(request: Request, d: Deployment, form: FormData) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    try:
        person.spend_form_token(ctx, deps, str(form.get("token") or ""), "alternative", d.id)
        ref = str(form.get("subject_ref") or "").strip() or None
        result = subjects.use_alternative(ctx, d.id, purpose_of(request, d, form), str(form.get("method") or ""),
                                          True, ref, actor=request.state.actor)
    except FacegateError as exc:
        return error_page(request, exc, d=d)
    response = _go(request, d, "/done")
    flow.write(request, response, d.id, {"alt": {"verified": bool(result.is_verified)}})
    return response


@router.post("/finish")
def finish(request: Request, d: Deployment = Kiosk) -> Response:
    """Next person (the button, or the idle reset): everything of the last guest goes (issue 16 item 1)."""
    response = RedirectResponse(f"/kiosk/{d.id}", status_code=303)  # the next person starts in Chinese
    response.delete_cookie(_refused_cookie(d), path=f"/kiosk/{d.id}")
    response.delete_cookie("fg_lang")
    flow.clear(response, d.id)
    return response
