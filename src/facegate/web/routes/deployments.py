"""Deployments: list, show, and (de)activate."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from facegate.domain.access import Permission as P
from facegate.domain.access import authorize_scope
from facegate.domain.model import Deployment
from facegate.errors import InvalidInput
from facegate.governance.loader import MAX_MANIFEST_CHARS
from facegate.services import deployments as svc
from facegate.governance.manifest import Manifest
from facegate.governance.notice import build_notice
from facegate.web.auth import principal_of, require
from facegate.web.deps import app_ctx, capped_body

MANIFEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "A deployment manifest (YAML or JSON); see `facegate schema manifest`.",
        "content": {"application/yaml": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}}},
    }
}

router = APIRouter(prefix="/v1/deployments", tags=["deployments"])


def require_scope(request: Request, deployment_id: str) -> None:
    """Any role may read a deployment it is scoped to (devices need its notice version)."""
    authorize_scope(principal_of(request), deployment_id)


def deployment_json(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.id, "name": d.name, "name_zh": d.name_zh, "processor_id": d.processor_id, "version": d.version,
        "status": d.status.value, "mode": d.mode.value, "purposes": list(d.purposes),
        "alternatives": [a.__dict__ for a in d.alternatives], "storage_locality": d.storage_locality.value,
        "retention_days": d.retention_days, "notice_version": d.notice_version,
        "minors_allowed": d.minors_allowed,
    }


@router.get("")
def list_all(request: Request) -> Any:
    """The deployments this key may see."""
    principal = principal_of(request)
    return [deployment_json(d) for d in svc.list_deployments(app_ctx(request).services) if principal.covers(d.id)]


@router.post("", openapi_extra=MANIFEST_BODY, dependencies=[Depends(require(P.DEPLOYMENT_WRITE))])
async def apply(request: Request) -> Any:
    """Store a new version; it becomes active only without blocking findings (M-4.4)."""
    # Streamed with a cap: the loader refuses more than MAX_MANIFEST_CHARS characters anyway (issue 11 item 8).
    body = await capped_body(request, MAX_MANIFEST_CHARS * 4, InvalidInput(
        "manifest_too_large", f"The manifest is larger than {MAX_MANIFEST_CHARS} characters.",
        f"部署清单超过{MAX_MANIFEST_CHARS}个字符。", status=413, detail={"limit_chars": MAX_MANIFEST_CHARS}))
    ctx = app_ctx(request).services
    r = await run_in_threadpool(svc.apply_manifest_text, ctx, body.decode("utf-8", errors="replace"), "request",
                                actor=getattr(request.state, "actor", "api"))
    return {**deployment_json(r.deployment), "is_new_version": r.is_new_version,
            "consent_scope_changed": r.consent_scope_changed, "findings": list(r.findings)}


@router.get("/{deployment_id}/versions", dependencies=[Depends(require_scope)])
def versions(request: Request, deployment_id: str) -> Any:
    return svc.deployment_versions(app_ctx(request).services, deployment_id)


@router.get("/{deployment_id}/diff", dependencies=[Depends(require_scope)])
def diff(request: Request, deployment_id: str, old: int | None = None, new: int | None = None) -> Any:
    return svc.diff_versions(app_ctx(request).services, deployment_id, old, new)


@router.get("/{deployment_id}/notice", dependencies=[Depends(require_scope)])
def notice(request: Request, deployment_id: str) -> Any:
    """The notice people must see before any capture (M-5.1), in Chinese and English."""
    d = svc.get_deployment(app_ctx(request).services, deployment_id)
    n = build_notice(Manifest.model_validate(d.manifest))
    return {"deployment_id": d.id, "version": n.version, "zh": asdict(n.zh), "en": asdict(n.en)}


@router.get("/{deployment_id}", dependencies=[Depends(require_scope)])
def show(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.get_deployment(app_ctx(request).services, deployment_id))


@router.post("/{deployment_id}/deactivate", dependencies=[Depends(require(P.DEPLOYMENT_WRITE))])
def deactivate(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.set_active(app_ctx(request).services, deployment_id, False,
                                          actor=getattr(request.state, "actor", "api")))


@router.post("/{deployment_id}/activate", dependencies=[Depends(require(P.DEPLOYMENT_WRITE))])
def activate(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.set_active(app_ctx(request).services, deployment_id, True,
                                          actor=getattr(request.state, "actor", "api")))
