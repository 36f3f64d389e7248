"""Self-service by receipt code: see what is held, withdraw, ask for deletion, complain.

Withdrawal is as easy as consent (M-6.3): the same receipt, one button, templates
destroyed at once. Requests and complaints are kept with their due dates
(M-16.2, PIPL Art. 50). Send ``Accept: application/json`` to get JSON
and problem+json codes instead of pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from facegate.errors import FacegateError
from facegate.services import consent as consent_service
from facegate.services import person
from facegate.services.person import Held
from facegate.web.auth import wrong_secret
from facegate.web.deps import app_ctx
from facegate.web.kiosk import confirm
from facegate.web.kiosk.render import error_page, lang_of, person_deps, render, wants_json

router = APIRouter(prefix="/self-service", tags=["self-service"], include_in_schema=False)


def _code(form: FormData) -> str:
    return str(form.get("receipt_code") or "").strip().upper()


def _scope(request: Request, code: str) -> str:
    # Tokens are bound to the receipt they were issued for: one cannot be spent on another.
    return "receipt:" + consent_service.receipt_hash(app_ctx(request).services, code)


def held_json(h: Held) -> dict[str, Any]:
    """Metadata only: never a template, never the subject reference (PIPL Art. 45)."""
    return {
        "status": h.status, "deployment_id": h.deployment.id if h.deployment else None,
        "deployment_name": h.deployment.name if h.deployment else None,
        "deployment_name_zh": h.deployment.name_zh if h.deployment else None,
        "purpose": h.purpose, "actor": h.actor,
        "given_at": h.given_at.isoformat() if h.given_at else None,
        "withdrawn_at": h.withdrawn_at.isoformat() if h.withdrawn_at else None,
        "notice_version": h.notice_version, "notice_changed": list(h.notice_changed),
        "template_count": h.template_count,
        "templates_expire_at": h.templates_expire_at.isoformat() if h.templates_expire_at else None,
        "requests": [{"kind": r.kind, "status": r.status, "created_at": r.created_at.isoformat(),
                      "due_on": r.due_on.isoformat(), "answer": r.detail.get("answer"),
                      "answered_on": r.detail.get("answered_on"), "on_time": r.detail.get("on_time"),
                      "refusal_note_zh": r.detail.get("refusal_note_zh"),
                      "refusal_note_en": r.detail.get("refusal_note_en")} for r in h.requests],
    }


def _failed(request: Request, exc: FacegateError) -> Response:
    """A receipt code nobody was given is a guess: counted and throttled per address (M-14.5)."""
    if exc.code == "receipt_unknown":
        wrong_secret(request, "receipt")
    return error_page(request, exc, "selfservice.html")


@router.get("")
def start(request: Request) -> Response:
    return render(request, "selfservice.html")


def _held_page(request: Request, code: str, status: int = 200, error: FacegateError | None = None) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    h = person.lookup(ctx, deps, code)
    if wants_json(request) and error is None:
        return JSONResponse(held_json(h))
    scope = _scope(request, code)
    tokens = {k: person.issue_form_token(ctx, deps, k, scope) for k in ("withdraw", "delete", "complaint")}
    names: dict[str, str] = {}
    if h.deployment is not None and h.notice_changed:
        text = person.notice_for(h.deployment).zh if lang_of(request) == "zh" else person.notice_for(h.deployment).en
        names = {s.key: s.heading for s in text.sections}
    return render(request, "held.html", status, code=error.code if error else None, held=h, receipt_code=code,
                  tokens=tokens, error=error, section_names=names)


@router.post("/lookup")
async def lookup(request: Request) -> Response:
    form = await request.form()
    try:
        return _held_page(request, _code(form))
    except FacegateError as exc:
        return _failed(request, exc)


async def _act(request: Request, kind: str) -> tuple[FormData, str]:
    form = await request.form()
    code = _code(form)
    person.spend_form_token(app_ctx(request).services, person_deps(request), str(form.get("token") or ""),
                            kind, _scope(request, code))
    return form, code


async def _erase(request: Request, kind: str, action: Callable[..., Any], title_key: str) -> Response:
    """Withdraw or delete by receipt: the same form, token and answer, a different action.

    A page asks first and acts only on ``confirm=yes`` (issue 16 item 8); JSON clients act at once.
    """
    ctx, deps = app_ctx(request).services, person_deps(request)
    form = await request.form()
    if not wants_json(request) and not confirm.is_confirmed(form):
        return confirm.confirm_page(request, kind, form, _code(form))
    try:
        _, code = await _act(request, kind)
        out = action(ctx, deps, code)
    except FacegateError as exc:
        return _failed(request, exc)
    if wants_json(request):
        return JSONResponse(asdict(out))
    return render(request, "done.html", title_key=title_key, receipt=out.receipt_code,
                  templates_deleted=out.templates_deleted, receipt_code=code)


@router.post("/withdraw")
async def withdraw(request: Request) -> Response:
    return await _erase(request, "withdraw", person.withdraw_by_receipt, "withdrawn_title")


@router.post("/delete")
async def delete(request: Request) -> Response:
    return await _erase(request, "delete", person.delete_by_receipt, "deleted_title")


@router.post("/complaint")
async def complaint(request: Request) -> Response:
    ctx, deps = app_ctx(request).services, person_deps(request)
    try:
        form, code = await _act(request, "complaint")
        req = person.lodge_complaint(ctx, deps, code, str(form.get("text") or ""), str(form.get("contact") or ""))
    except FacegateError as exc:
        return _failed(request, exc)
    if wants_json(request):
        return JSONResponse({"request_id": req.id, "status": req.status, "due_on": req.due_on.isoformat()},
                            status_code=201)
    return render(request, "complaint.html", 201, due_on=req.due_on.isoformat(), receipt_code=code)
