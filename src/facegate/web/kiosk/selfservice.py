"""Self-service by receipt code: see what is held, withdraw, ask for deletion, complain.

Withdrawal is as easy as consent (M-6.3): the same receipt, one button, templates
destroyed at once. Requests and complaints are kept with their due dates
(M-16.2, PIPL Art. 50). Send ``Accept: application/json`` to get JSON
and problem+json codes instead of pages. A page's POST answers with a redirect to
a GET page of its own (``/held``, ``/done``, ``/complaint``), the receipt code and
the result carried in a sealed cookie (``selfservice_state``), never in the URL.
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
from facegate.web.kiosk import confirm, selfservice_state
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
    """A receipt code nobody was given is a guess: counted and throttled per address (M-14.5).

    A page's POST is answered by a redirect to the start page, which shows the error once, so a
    refresh does not send the code again (nor count the guess twice); the code typed is not kept.
    """
    if exc.code == "receipt_unknown":
        wrong_secret(request, "receipt")
    if wants_json(request) or request.method != "POST":
        return error_page(request, exc, "selfservice.html")
    state = {k: v for k, v in selfservice_state.read(request).items() if k == "code"}
    return selfservice_state.go(request, "", {**state, "error": {
        "code": exc.code, "en": exc.message_en, "zh": exc.message_zh, "article_id": exc.article_id,
        "status": exc.status}})


@router.get("")
def start(request: Request) -> Response:
    state = selfservice_state.read(request)
    shown = state.pop("error", None)
    if not isinstance(shown, dict):
        return render(request, "selfservice.html")
    exc = FacegateError(str(shown.get("code")), str(shown.get("en") or ""), str(shown.get("zh") or ""),
                        article_id=shown.get("article_id") or None, status=int(shown.get("status") or 400))
    response = error_page(request, exc, "selfservice.html")  # once: the cookie keeps only the receipt looked up
    selfservice_state.write(request, response, state)
    return response


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
    code = _code(form)
    try:
        if wants_json(request):
            return _held_page(request, code)
        person.lookup(app_ctx(request).services, person_deps(request), code)  # a wrong code is answered here
    except FacegateError as exc:
        return _failed(request, exc)
    return selfservice_state.go(request, "/held", {"code": code})


@router.get("/held")
def held(request: Request) -> Response:
    """What is held under the receipt looked up last (sealed cookie); without one, the start page."""
    code = selfservice_state.read(request).get("code")
    if not isinstance(code, str) or not code:
        return selfservice_state.go(request, "")
    try:
        return _held_page(request, code)
    except FacegateError as exc:
        return _failed(request, exc)


def _result(request: Request, key: str) -> tuple[str, dict[str, Any]] | None:
    """The result sealed under ``key``, taken out of the cookie: shown once, then the page is gone."""
    state = selfservice_state.read(request)
    shown, code = state.pop(key, None), state.get("code")
    if not isinstance(shown, dict) or not isinstance(code, str):
        return None
    return code, shown


def _once(request: Request, response: Response, code: str) -> Response:
    selfservice_state.write(request, response, {"code": code})
    return response


@router.get("/confirm")
def confirm_erase(request: Request) -> Response:
    """The question before withdrawal or deletion; a refresh asks again, and acts on nothing."""
    state = selfservice_state.read(request)
    code, asked = state.get("code"), state.get("confirm")
    if not isinstance(code, str) or not isinstance(asked, dict) or asked.get("kind") not in ("withdraw", "delete"):
        return selfservice_state.go(request, "/held")
    return confirm.confirm_page(request, str(asked["kind"]), str(asked.get("token") or ""), code)


@router.get("/done")
def done(request: Request) -> Response:
    found = _result(request, "done")
    if found is None:  # shown already (a refresh) or never: what is held now
        return selfservice_state.go(request, "/held")
    code, out = found
    return _once(request, render(request, "done.html", title_key=out["title_key"], receipt=out["receipt"],
                                 templates_deleted=out["templates_deleted"]), code)


@router.get("/complaint")
def complaint_lodged(request: Request) -> Response:
    found = _result(request, "complaint")
    if found is None:
        return selfservice_state.go(request, "/held")
    code, out = found
    return _once(request, render(request, "complaint.html", due_on=out["due_on"]), code)


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
        return selfservice_state.go(request, "/confirm", {"code": _code(form), "confirm": {
            "kind": kind, "token": str(form.get("token") or "")}})
    try:
        _, code = await _act(request, kind)
        out = action(ctx, deps, code)
    except FacegateError as exc:
        return _failed(request, exc)
    if wants_json(request):
        return JSONResponse(asdict(out))
    return selfservice_state.go(request, "/done", {"code": code, "done": {
        "title_key": title_key, "receipt": out.receipt_code, "templates_deleted": out.templates_deleted}})


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
    return selfservice_state.go(request, "/complaint", {"code": code, "complaint": {"due_on": req.due_on.isoformat()}})
