"""Deployments: list, show, and (de)activate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from facegate.domain.model import Deployment
from facegate.services import deployments as svc
from facegate.governance.manifest import Manifest
from facegate.governance.notice import build_notice
from facegate.web.deps import app_ctx

MANIFEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "A deployment manifest (YAML or JSON); see `facegate schema manifest`.",
        "content": {"application/yaml": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}}},
    }
}

router = APIRouter(prefix="/v1/deployments", tags=["deployments"])


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
    return [deployment_json(d) for d in svc.list_deployments(app_ctx(request).services)]


@router.post("", openapi_extra=MANIFEST_BODY)
async def apply(request: Request) -> Any:
    """Store a new version; it becomes active only without blocking findings (M-4.4)."""
    body = await request.body()
    if len(body) > 256 * 1024:
        from facegate.errors import InvalidInput

        raise InvalidInput("manifest_too_large", "The manifest is larger than 256 KiB.", "部署清单超过256 KiB。")
    ctx = app_ctx(request).services
    r = await run_in_threadpool(svc.apply_manifest_text, ctx, body.decode("utf-8", errors="replace"), "request",
                                actor=getattr(request.state, "actor", "api"))
    return {**deployment_json(r.deployment), "is_new_version": r.is_new_version,
            "consent_scope_changed": r.consent_scope_changed, "findings": list(r.findings)}


@router.get("/{deployment_id}/versions")
def versions(request: Request, deployment_id: str) -> Any:
    return svc.deployment_versions(app_ctx(request).services, deployment_id)


@router.get("/{deployment_id}/diff")
def diff(request: Request, deployment_id: str, old: int | None = None, new: int | None = None) -> Any:
    return svc.diff_versions(app_ctx(request).services, deployment_id, old, new)


@router.get("/{deployment_id}/notice")
def notice(request: Request, deployment_id: str) -> Any:
    """The notice people must see before any capture (M-5.1), in Chinese and English."""
    d = svc.get_deployment(app_ctx(request).services, deployment_id)
    n = build_notice(Manifest.model_validate(d.manifest))
    return {"deployment_id": d.id, "version": n.version, "zh": _text(n.zh), "en": _text(n.en)}


def _text(t: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(t)


@router.get("/{deployment_id}")
def show(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.get_deployment(app_ctx(request).services, deployment_id))


@router.post("/{deployment_id}/deactivate")
def deactivate(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.set_active(app_ctx(request).services, deployment_id, False,
                                          actor=getattr(request.state, "actor", "api")))


@router.post("/{deployment_id}/activate")
def activate(request: Request, deployment_id: str) -> Any:
    return deployment_json(svc.set_active(app_ctx(request).services, deployment_id, True,
                                          actor=getattr(request.state, "actor", "api")))
