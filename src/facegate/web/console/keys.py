"""API keys and kiosk pairings in the console: issue (the secret shown once), list, revoke (issue 16 item 10).

Only ``key_manage`` (admins) may see or change keys (M-14.3); every grant expires
(M-14.4) and every action is recorded by services.access. A kiosk is paired with a
device key at ``/kiosk/<deployment>/pair``; revoking that key unpairs every screen
that used it at once, so the device keys listed here are the pairings.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from facegate.domain.access import Permission, Principal, authorize
from facegate.errors import FacegateError, InvalidInput
from facegate.services import access
from facegate.services.access import CreatedKey
from facegate.services.deployments import list_deployments
from facegate.web.console.authz import console_principal
from facegate.web.console.routes import render
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/console/keys", tags=["console"], include_in_schema=False)
Signed = Depends(console_principal)
ROLES = ("operator", "device", "auditor", "admin")


def _page(request: Request, principal: Principal, status: int = 200, created: CreatedKey | None = None,
          error: FacegateError | None = None) -> Response:
    ctx = app_ctx(request).services
    keys = sorted(access.list_api_keys(ctx), key=lambda k: k.created_at, reverse=True)
    return render(request, "keys.html", status, keys=keys, now=ctx.clock.now(), created=created, error=error,
                  roles=ROLES, deployments=list_deployments(ctx), me=principal.key_id)


@router.get("")
def keys_page(request: Request, principal: Principal = Signed) -> Response:
    authorize(principal, Permission.KEY_MANAGE, None)
    return _page(request, principal)


@router.post("")
async def issue(request: Request, principal: Principal = Signed) -> Response:
    """A new key; the page that answers is the only place its secret is ever shown."""
    authorize(principal, Permission.KEY_MANAGE, None)
    form = await request.form()
    scopes = [str(s) for s in form.getlist("scope")]
    try:
        name, role = str(form.get("name") or "").strip(), str(form.get("role") or "")
        days = str(form.get("ttl_days") or "90")
        if not name or len(name) > 64 or role not in ROLES or not days.isdigit():
            raise InvalidInput("key_form_invalid", "Give a name (at most 64 characters), a role and a lifetime in days.",
                               "请填写名称（不超过64个字符）、角色和有效天数。", article_id="M-14.4")
        created = access.create_api_key(app_ctx(request).services, name, role, ["*"] if "*" in scopes else scopes,
                                        ttl_days=int(days), actor=principal.key_id)
    except FacegateError as exc:
        return _page(request, principal, exc.status, error=exc)
    response = _page(request, principal, 201, created=created)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/{key_id}/revoke")
def revoke(request: Request, key_id: str, confirm: str = Form(""), principal: Principal = Signed) -> Response:
    """Revoking takes effect at once (M-14.4) and cannot be undone, so it asks first."""
    authorize(principal, Permission.KEY_MANAGE, None)
    ctx = app_ctx(request).services
    zh = request.query_params.get("lang", request.cookies.get("fg_console_lang", "zh")) != "en"
    if confirm != "yes":
        key = next((k for k in access.list_api_keys(ctx) if k.key_id == key_id), None)
        what = f"{key.name} ({key.role.value}, {key_id})" if key else key_id
        return render(request, "confirm.html", title=("吊销密钥 " if zh else "Revoke key ") + what,
                      lines=["吊销立即生效且不可撤销；使用该密钥配对的终端将全部解除配对（M-14.4）。" if zh else
                             "Revocation takes effect at once and cannot be undone; every kiosk paired with this "
                             "key is unpaired (M-14.4)."] + (["这是您当前登录所用的密钥。" if zh else
                                                            "This is the key you are signed in with."]
                                                           if key_id == principal.key_id else []),
                      action=f"/console/keys/{key_id}/revoke", fields={}, go="确认吊销" if zh else "Revoke",
                      back="/console/keys")
    try:
        access.revoke_api_key(ctx, key_id, actor=principal.key_id)
    except FacegateError as exc:
        return _page(request, principal, exc.status, error=exc)
    return RedirectResponse("/console/keys", status_code=303)
