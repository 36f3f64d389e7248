"""The officer's console (/console): deployments, figures, assessments, filing, records, requests.

Every page is server-rendered HTML with inline SVG charts, in Chinese or
English (``?lang=zh|en``). A key scoped to some deployments sees only those:
lists are filtered, a page of another deployment is refused, processor-wide and
record-wide figures are shown only to keys that cover everything they count (M-14.3).
A calendar problem (no holiday data for a year the
deadline reaches, M-15.3) is shown as a banner instead of failing the page.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from facegate.domain.access import ALL, Permission, Principal, authorize
from facegate.domain.filing import FILING_THRESHOLD
from facegate.errors import FacegateError
from facegate.services import requests
from facegate.services.deployments import list_deployments
from facegate.services.workbench import assessment, figures, filing, overview
from facegate.web.console import charts
from facegate.web.console.labels import label
from facegate.web.console.listing import FILING_PAGE_SIZE, ROWS_PAGE_SIZE, scope_of
from facegate.services.workbench.catalog import catalog, paginate
from facegate.web.console.authz import allowed, console_principal
from facegate.web.console.confirm import signer_of
from facegate.web.console.wiring import workbench_deps
from facegate.web.deps import app_ctx
from facegate.web.kiosk.render import person_deps

HERE = Path(__file__).parent
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
Officer = Depends(console_principal)
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                      "script-src 'none'; frame-ancestors 'none'"}


def _lang(request: Request) -> str:
    value = request.query_params.get("lang") or request.cookies.get("fg_console_lang") or "zh"
    return value if value in ("zh", "en") else "zh"


def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = _lang(request)
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    banners = list(values.pop("banners", []))
    if deps.calendar_error is not None:
        banners.append(deps.calendar_error)
    body = _env.get_template(name).render(
        lang=lang, L=lambda zh, en: zh if lang == "zh" else en, path=request.url.path, banners=banners,
        label=lambda kind, value: label(kind, value, lang), photo_label=lambda code: label("photo", code, lang),
        processor_name=partial((values["sc"].cat if "sc" in values else catalog(ctx.services)).name, lang=lang),
        today=ctx.services.clock.now().date(), calendar_note=deps.calendar_note, threshold=FILING_THRESHOLD,
        **values)
    response = HTMLResponse(body, status_code=status, headers=HEADERS)
    response.set_cookie("fg_console_lang", lang, samesite="strict", httponly=True)
    return response


def _refused(request: Request, exc: FacegateError) -> HTMLResponse:
    return render(request, "message.html", exc.status, error_code=exc.code, article_id=exc.article_id,
                  message=(exc.message_zh, exc.message_en))


def _views(request: Request, processor_ids: list[str]) -> list[filing.FilingView]:
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    return [filing.view(ctx.services, deps, pid) for pid in processor_ids]


@router.get("/static/console.css")
def css() -> FileResponse:
    return FileResponse(HERE / "static" / "console.css", media_type="text/css")


@router.get("")
def home(request: Request, principal: Principal = Officer) -> Response:
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    today = ctx.services.clock.now().date()
    sc = scope_of(request, principal)
    rows = [r for r in overview.deployment_rows(ctx.services, deps, today) if sc.shows(r.deployment.id)]
    rows, page = paginate(rows, sc.page, ROWS_PAGE_SIZE)
    views = _views(request, sc.processor_ids())
    report, checkpoints = _chain(request, principal)
    requests = _requests(request, principal)
    return render(request, "overview.html", rows=rows, views=views, chain=report, checkpoints=checkpoints,
                  requests=requests, charts=charts, banners=[v.error for v in views if v.error], sc=sc, page=page)


@router.get("/deployments/{deployment_id}")
def deployment_page(request: Request, deployment_id: str, principal: Principal = Officer) -> Response:
    try:  # before looking it up, so a key out of scope learns nothing, not even that it exists
        authorize(principal, Permission.READ_REPORTS, deployment_id)
    except FacegateError as exc:
        return _refused(request, exc)
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    today = ctx.services.clock.now().date()
    rows = overview.deployment_rows(ctx.services, deps, today, only=deployment_id)
    if not rows:
        return render(request, "message.html", 404, error_code="deployment_unknown",
                      message=(f"部署{deployment_id}不存在。", f"No deployment {deployment_id}."))
    versions = assessment.list_all(ctx.services, deps, deployment_id)
    days = figures.daily_series(ctx.services, deps, deployment_id, today)
    return render(request, "deployment.html", row=rows[0], versions=versions, days=days, charts=charts,
                  now=ctx.services.clock.now(), sc=scope_of(request, principal))


@router.post("/deployments/{deployment_id}/assessments")
def generate(request: Request, deployment_id: str, reviewer: str = Form(""),
             principal: Principal = Officer) -> Response:
    ctx = app_ctx(request)
    actor = principal.key_id
    try:
        authorize(principal, Permission.DEPLOYMENT_WRITE, deployment_id)
        assessment.generate(ctx.services, workbench_deps(ctx), deployment_id, reviewer=reviewer or None, actor=actor)
    except FacegateError as exc:
        return _refused(request, exc)
    return RedirectResponse(f"/console/deployments/{deployment_id}#assessments", status_code=303)


@router.post("/deployments/{deployment_id}/assessments/{version}/approve")
def approve(request: Request, deployment_id: str, version: int, confirm: str = Form(""),
            principal: Principal = Officer) -> Response:
    """Sign off under the signed-in key's own name and role, after a confirmation page (issue 16 item 8, M-9.1)."""
    try:
        authorize(principal, Permission.DEPLOYMENT_WRITE, deployment_id)
    except FacegateError as exc:
        return _refused(request, exc)
    ctx = app_ctx(request)
    actor = principal.key_id
    signer = signer_of(request)
    back = f"/console/deployments/{deployment_id}#assessments"
    if confirm != "yes":
        role = label("role", signer.role, _lang(request))
        return render(request, "confirm.html", title=f"v{version} · {deployment_id}",
                      lines=[_t(request, f"您将以“{signer.name}”（{role}，密钥 {signer.key_id}）的身份签署批准第{version}版影响评估。",
                                f"You sign version {version} off as “{signer.name}” ({role}, key {signer.key_id})."),
                             _t(request, "签署后不可撤销；此前批准的版本将被取代（M-9.1、M-9.4）。",
                                "This cannot be undone; the version approved before it is superseded (M-9.1, M-9.4).")],
                      action=f"/console/deployments/{deployment_id}/assessments/{version}/approve", fields={},
                      go=_t(request, "确认签署", "Sign off"), back=back)
    try:
        assessment.approve(ctx.services, workbench_deps(ctx), deployment_id, version, signer=signer, actor=actor)
    except FacegateError as exc:
        return _refused(request, exc)
    return RedirectResponse(back, status_code=303)


def _t(request: Request, zh: str, en: str) -> str:
    return zh if _lang(request) == "zh" else en


@router.get("/filing")
def filing_page(request: Request, principal: Principal = Officer) -> Response:
    """One or two processors a page, with a processor filter (issue 16 item 9)."""
    sc = scope_of(request, principal)
    shown, page = paginate(sc.processor_ids(), sc.page, FILING_PAGE_SIZE)
    views = _views(request, shown)
    return render(request, "filing.html", views=views, charts=charts, banners=[v.error for v in views if v.error],
                  sc=sc, page=page)


@router.get("/assessments")
def assessments_page(request: Request, principal: Principal = Officer) -> Response:
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    sc = scope_of(request, principal)
    rows = [r for r in overview.deployment_rows(ctx.services, deps, ctx.services.clock.now().date())
            if sc.shows(r.deployment.id)]
    versions = [v for v in assessment.list_all(ctx.services, deps) if sc.shows(v.deployment_id)]
    versions, page = paginate(versions, sc.page, ROWS_PAGE_SIZE)
    return render(request, "assessments.html", rows=rows, versions=versions, now=ctx.services.clock.now(),
                  sc=sc, page=page)


@router.get("/records")
def records_page(request: Request, principal: Principal = Officer) -> Response:
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    report, checkpoints = _chain(request, principal)
    with ctx.services.store.transaction(readonly=True) as tx:
        incidents = [i for i in tx.workbench.list_incidents() if principal.covers(i.deployment_id)]
    events = [e for e in figures.security_events(ctx.services, deps)
              if allowed(principal, Permission.SECURITY_READ, e["deployment_id"])]
    return render(request, "records.html", chain=report, checkpoints=checkpoints, incidents=incidents,
                  events=events, deployments=[d for d in list_deployments(ctx.services) if principal.covers(d.id)])


def _chain(request: Request, principal: Principal) -> tuple[Any, int]:
    """The record's state spans every deployment: only a key covering all of them sees it (M-14.3)."""
    if ALL not in principal.scopes:
        return None, 0
    ctx = app_ctx(request)
    return figures.chain_state(ctx.services, workbench_deps(ctx))


def _requests(request: Request, principal: Principal) -> list[dict[str, Any]]:
    """People's requests in the key's deployments; one about a whole processor needs a key covering all."""
    ctx = app_ctx(request)
    today: date = ctx.services.clock.now().date()
    return [r for r in figures.person_requests(ctx.services, workbench_deps(ctx), today)
            if principal.covers(r["deployment_id"])]


@router.post("/incidents")
def add_incident(request: Request, deployment_id: str = Form(...), summary: str = Form(...),
                 is_major: bool = Form(False), principal: Principal = Officer) -> Response:
    ctx = app_ctx(request)
    try:
        authorize(principal, Permission.DEPLOYMENT_WRITE, deployment_id)
        figures.record_incident(ctx.services, workbench_deps(ctx), deployment_id, summary=summary,
                                is_major=is_major, actor=principal.key_id)
    except FacegateError as exc:
        return _refused(request, exc)
    return RedirectResponse("/console/records", status_code=303)


@router.get("/requests")
def requests_page(request: Request, principal: Principal = Officer) -> Response:
    return render(request, "requests.html", requests=_requests(request, principal))


@router.post("/requests/{request_id}/answer")
def answer(request: Request, request_id: str, outcome: str = Form(...), text: str = Form(""),
           principal: Principal = Officer) -> Response:
    """The officer answers or refuses with a reason (M-16.2, PIPL Art. 50)."""
    ctx = app_ctx(request)
    target = next((r["deployment_id"] for r in _requests(request, principal) if r["id"] == request_id), None)
    try:
        authorize(principal, Permission.DEPLOYMENT_WRITE, target)  # one out of scope is not even listed
        requests.answer_request(ctx.services, person_deps(request), request_id, outcome=outcome, text=text,
                                actor=principal.key_id)
    except FacegateError as exc:
        return _refused(request, exc)
    return RedirectResponse("/console/requests", status_code=303)
