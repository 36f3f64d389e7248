"""The processing record to browse and filter, and a deployment's manifest versions to diff and apply.

Issue 16 item 10. Browsing the record needs ``read_records`` (admins, auditors; M-9.3,
M-14.3); it shows kinds, outcomes, codes and actors, never a subject's pseudonym or
face data. Applying a manifest version needs ``deployment_write`` in the deployment's
scope; the new version is evaluated by the rule catalogue and blocked on a blocking
finding (M-4.4) by services.deployments, which also records it (M-9.3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from facegate.domain.access import Permission, Principal, authorize
from facegate.errors import FacegateError, InvalidInput
from facegate.governance.loader import load_manifest
from facegate.services.deployments import apply_manifest_text, deployment_versions, diff_versions, list_deployments
from facegate.services.workbench.catalog import paginate
from facegate.web.console.authz import allowed, console_principal
from facegate.web.console.routes import render
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
Signed = Depends(console_principal)
PAGE = 50


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/record")
def record_page(request: Request, principal: Principal = Signed) -> Response:
    """Newest first; filter by deployment, kind, outcome and dates (from inclusive, to inclusive)."""
    authorize(principal, Permission.READ_RECORDS, None)
    ctx = app_ctx(request)
    q = request.query_params
    kind, dep, outcome = q.get("kind") or None, q.get("deployment") or None, q.get("outcome") or ""
    start, end = _day(q.get("from")), _day(q.get("to"))
    page = int(q["page"]) if q.get("page", "").isdigit() and len(q["page"]) < 7 else 1
    with ctx.services.store.transaction(readonly=True) as tx:
        wb = tx.workbench
        kinds = wb.event_kinds()
        rows, total = wb.events_page(
            kind=kind, deployment_id=dep, allowed={"allowed": True, "refused": False}.get(outcome),
            since=datetime.combine(start, time(), UTC) if start else None,
            until=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
            offset=(max(page, 1) - 1) * PAGE, limit=PAGE)
    _, pager = paginate(range(total), page, PAGE)
    filters = {"deployment": dep or "", "kind": kind or "", "outcome": outcome, "from": q.get("from") or "",
               "to": q.get("to") or ""}
    return render(request, "record.html", rows=rows, total=total, pager=pager, kinds=kinds, f=filters,
                  deployments=list_deployments(ctx.services),
                  query="&".join(f"{k}={v}" for k, v in filters.items() if v))


@router.get("/deployments/{deployment_id}/versions")
def versions_page(request: Request, deployment_id: str, old: int | None = None, new: int | None = None,
                  principal: Principal = Signed) -> Response:
    ctx = app_ctx(request).services
    authorize(principal, Permission.READ_REPORTS, deployment_id)
    try:
        versions = deployment_versions(ctx, deployment_id)
        diff = diff_versions(ctx, deployment_id, old, new) if len(versions) > 1 else None
    except FacegateError as exc:
        return render(request, "message.html", exc.status, error_code=exc.code, message=(exc.message_zh, exc.message_en))
    return render(request, "versions.html", deployment_id=deployment_id, versions=versions, diff=diff,
                  may_apply=allowed(principal, Permission.DEPLOYMENT_WRITE, deployment_id), error=None)


@router.post("/deployments/{deployment_id}/versions")
def apply_version(request: Request, deployment_id: str, manifest: str = Form(...),
                  principal: Principal = Signed) -> Response:
    """Apply a new manifest version pasted as YAML; the page then shows what changed."""
    ctx = app_ctx(request).services
    authorize(principal, Permission.DEPLOYMENT_WRITE, deployment_id)
    try:
        if len(manifest) > 200_000:
            raise InvalidInput("manifest_too_large", "The manifest is over 200 kB.", "部署清单超过200 kB。")
        if load_manifest(manifest, "console").id != deployment_id:
            raise InvalidInput("manifest_id_mismatch", f"The manifest's id is not {deployment_id}.",
                               f"部署清单的id不是{deployment_id}。", article_id="M-9.3")
        apply_manifest_text(ctx, manifest, "console", actor=principal.key_id)
    except FacegateError as exc:
        versions = deployment_versions(ctx, deployment_id)
        return render(request, "versions.html", exc.status, deployment_id=deployment_id, versions=versions,
                      diff=None, may_apply=True, error=exc, manifest=manifest)
    return RedirectResponse(f"/console/deployments/{deployment_id}/versions", status_code=303)
