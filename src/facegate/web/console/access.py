"""Who may use the console and the workbench API (M-14.3): an API key, by header or by login cookie.

API clients send ``Authorization: Bearer``. People sign in once at
``/console/login`` with their key; the browser then keeps a signed cookie with
the key's id (never the key), checked against the key's state on every request.
Signing in needs ``read_reports`` in the key's scope: a key scoped to some
deployments signs in and the pages show only those (``authz.console_principal``).
The workbench API (``console_access``) needs ``read_reports`` across all
deployments; changing anything (approving an assessment, recording an incident
or a filing) needs ``deployment_write``.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from facegate.domain.access import Permission, Principal, authorize
from facegate.errors import FacegateError, Unauthorized
from facegate.services.access import authenticate
from facegate.services.context import ServiceContext
from facegate.web.auth import principal_of, wrong_secret
from facegate.web import sessions
from facegate.web.console.authz import require_console_role
from facegate.web.deps import app_ctx

COOKIE = "fg_console"
SESSION_HOURS = 8
router = APIRouter(prefix="/console", tags=["console"])


def session_value(ctx: ServiceContext, key_id: str) -> str:
    return sessions.sign(ctx, "console", key_id, timedelta(hours=SESSION_HOURS))


def _from_cookie(request: Request) -> Principal:
    key = sessions.verified_key(app_ctx(request).services, "console", request.cookies.get(COOKIE, ""))
    if key is None:
        raise Unauthorized("console_login_required", "Please sign in with your API key at /console/login.",
                           "请在 /console/login 使用 API 密钥登录。", article_id="M-14.3")
    return key.principal()


def console_access(request: Request) -> str:
    """Return the actor recorded with what the caller does; refuse without the right key."""
    header = request.headers.get("authorization") or request.headers.get("x-api-key")
    principal = principal_of(request) if header else _from_cookie(request)
    authorize(principal, Permission.READ_REPORTS, None)
    if request.method not in ("GET", "HEAD"):
        authorize(principal, Permission.DEPLOYMENT_WRITE, None)
    request.state.actor = principal.key_id
    return principal.key_id


_LOGIN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>facegate console</title>
<link rel="stylesheet" href="/console/static/console.css"></head><body><main>
<h1>合规控制台 / Compliance console</h1>{error}
<form method="post" action="/console/login">
<label for="api_key">API 密钥（管理员、操作员或审计员）/ API key (admin, operator or auditor)</label>
<input id="api_key" name="api_key" type="password" autocomplete="off" required>
<button id="login" type="submit">登录 / Sign in</button></form></main></body></html>"""


@router.get("/login", include_in_schema=False)
def login_form() -> HTMLResponse:
    return HTMLResponse(_LOGIN.format(error=""), headers={"Cache-Control": "no-store"})


@router.post("/login", include_in_schema=False)
def login(request: Request, api_key: str = Form(...)) -> Response:
    ctx = app_ctx(request).services
    try:
        principal, _ = authenticate(ctx, api_key)
        require_console_role(principal)  # a scoped operator signs in too and sees its own (M-14.3)
    except FacegateError as exc:
        if isinstance(exc, Unauthorized):  # a wrong key, not a right key without the role: guessing (M-14.5)
            wrong_secret(request, "console_login", str(exc.detail.get("key_id") or "") or None)
        msg = f'<p role="alert" data-code="{exc.code}">{exc.message_zh} / {exc.message_en}</p>'
        return HTMLResponse(_LOGIN.format(error=msg), status_code=401)
    response = RedirectResponse("/console", status_code=303)
    response.set_cookie(COOKIE, session_value(ctx, principal.key_id), max_age=SESSION_HOURS * 3600,
                        httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout() -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
