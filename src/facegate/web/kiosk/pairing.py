"""Pairing a kiosk with a device key: staff pair the screen once; the cookie then binds it (M-14.3).

The cookie holds the device key's id, an expiry and a MAC under the record key;
the key itself never reaches the browser. Revoking or expiring the device key
unpairs every kiosk that used it at once.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from facegate.domain.access import Permission, authorize
from facegate.errors import Unauthorized
from facegate.services.access import authenticate
from facegate.services.context import ServiceContext
from facegate.web import sessions
from facegate.web.auth import wrong_secret
from facegate.web.deps import app_ctx
from facegate.web.kiosk.render import render

router = APIRouter(prefix="/kiosk/{deployment_id}", tags=["kiosk"])
PAIRING_DAYS = 30


def cookie_name(deployment_id: str) -> str:
    return "fg_kiosk_" + "".join(c if c.isalnum() else "_" for c in deployment_id)


def _purpose(deployment_id: str) -> str:
    return f"kiosk-pairing|{deployment_id}"


def pairing_value(ctx: ServiceContext, deployment_id: str, key_id: str) -> tuple[str, int]:
    """The cookie value that binds a screen to a device key, and its lifetime in seconds."""
    return sessions.sign(ctx, _purpose(deployment_id), key_id, timedelta(days=PAIRING_DAYS)), PAIRING_DAYS * 86400


def paired_key(request: Request, deployment_id: str) -> str:
    """The device key id this browser was paired with, still valid and in scope; else 401."""
    ctx = app_ctx(request).services
    key = sessions.verified_key(ctx, _purpose(deployment_id), request.cookies.get(cookie_name(deployment_id), ""))
    if key is None or not key.principal().covers(deployment_id):
        raise Unauthorized("kiosk_not_paired", "This screen is not paired with a device key; please ask staff.",
                           "此终端尚未与设备密钥配对，请联系工作人员。", article_id="M-14.3")
    return key.key_id


@router.get("/pair")
def pair_form(request: Request, deployment_id: str) -> Response:
    return render(request, "pair.html", 200, deployment_id=deployment_id, error=None)


@router.post("/pair")
def pair(request: Request, deployment_id: str, device_key: str = Form(...)) -> Response:
    """Staff paste a device key once; the screen keeps a signed pairing cookie."""
    ctx = app_ctx(request).services
    try:
        principal, _ = authenticate(ctx, device_key)
        for needed in (Permission.ENROLL, Permission.VERIFY, Permission.CONSENT_WRITE):
            authorize(principal, needed, deployment_id)
    except Exception as exc:  # noqa: BLE001 - any failure shows the same page, never the reason's detail
        from facegate.errors import FacegateError

        err = exc if isinstance(exc, FacegateError) else None
        if isinstance(exc, Unauthorized):  # guessing device keys at a screen counts like any bad key (M-14.5)
            wrong_secret(request, "kiosk_pairing", str(exc.detail.get("key_id") or "") or None)
        return render(request, "pair.html", 401, deployment_id=deployment_id, error=err)
    value, max_age = pairing_value(ctx, deployment_id, principal.key_id)
    response = RedirectResponse(f"/kiosk/{deployment_id}", status_code=303)
    response.set_cookie(cookie_name(deployment_id), value, max_age=max_age, httponly=True, samesite="strict",
                        path=f"/kiosk/{deployment_id}")
    return response

