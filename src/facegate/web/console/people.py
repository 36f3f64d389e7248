"""The clerk's page: find a person by reference (metadata only) and lift a face-path lock with a reason.

Issue 16 item 10. The reference travels in POST bodies only, never in a URL, so it
stays out of access logs and browser history. Reading needs ``read_reports`` in the
deployment's scope (M-14.3) and is recorded (M-14.2); lifting needs ``lock_lift``,
asks for confirmation, and goes into the record with its reason (M-14.5, M-9.3).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from facegate.domain.access import Permission, Principal, authorize
from facegate.errors import FacegateError, InvalidInput
from facegate.services import locks
from facegate.services.deployments import list_deployments
from facegate.services.workbench import people
from facegate.web.console.authz import allowed, console_principal
from facegate.web.console.routes import render
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/console/people", tags=["console"], include_in_schema=False)
Signed = Depends(console_principal)


def _page(request: Request, principal: Principal, status: int = 200, **values: object) -> Response:
    deps = [d for d in list_deployments(app_ctx(request).services) if principal.covers(d.id)]
    return render(request, "people.html", status, deployments=deps, may_lift=allowed(
        principal, Permission.LOCK_LIFT, str(values.get("deployment_id") or "") or None), **values)


@router.get("")
def search_form(request: Request, principal: Principal = Signed) -> Response:
    return _page(request, principal)


@router.post("")
def search(request: Request, deployment_id: str = Form(...), subject_ref: str = Form(...),
           principal: Principal = Signed, notice: str = "") -> Response:
    try:
        authorize(principal, Permission.READ_REPORTS, deployment_id)
        view = people.find_subject(app_ctx(request).services, deployment_id, subject_ref.strip(),
                                   actor=principal.key_id)
    except FacegateError as exc:
        return _page(request, principal, exc.status, error=exc, deployment_id=deployment_id, subject_ref=subject_ref)
    return _page(request, principal, view=view, deployment_id=deployment_id, subject_ref=subject_ref.strip(),
                 notice=notice)


@router.post("/lift")
def lift(request: Request, deployment_id: str = Form(...), subject_ref: str = Form(...), reason: str = Form(""),
         confirm: str = Form(""), principal: Principal = Signed) -> Response:
    """Lift the lock with a reason, after a confirmation page (issue 16 items 8 and 10)."""
    ctx = app_ctx(request).services
    try:
        authorize(principal, Permission.LOCK_LIFT, deployment_id)
        if confirm != "yes":
            if len(reason.strip()) < 3:
                raise InvalidInput("lift_reason_missing", "Say why the lock is lifted (3-500 characters).",
                                         "请填写解除锁定的原因（3至500个字符）。", article_id="M-14.5")
            zh = request.query_params.get("lang", request.cookies.get("fg_console_lang", "zh")) != "en"
            return render(request, "confirm.html", title="解除人脸识别锁定" if zh else "Lift the face-path lock",
                          lines=["解除后，此人可立即再次刷脸；原因将写入处理记录（M-14.5、M-9.3）。" if zh else
                                 "The person can use their face again at once; the reason goes into the record "
                                 "(M-14.5, M-9.3).", ("原因：" if zh else "Reason: ") + reason.strip()],
                          action="/console/people/lift", go="确认解除" if zh else "Lift the lock",
                          fields={"deployment_id": deployment_id, "subject_ref": subject_ref, "reason": reason},
                          back="/console/people")
        locks.lift_lock(ctx, deployment_id, subject_ref.strip(), reason=reason, actor=principal.key_id)
    except FacegateError as exc:
        return _page(request, principal, exc.status, error=exc, deployment_id=deployment_id, subject_ref=subject_ref)
    return search(request, deployment_id, subject_ref, principal, notice="lifted")
