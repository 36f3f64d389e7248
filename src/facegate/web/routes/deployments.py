"""Deployments: list, show, and (de)activate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from facegate.domain.model import Deployment
from facegate.services import deployments as svc
from facegate.web.deps import app_ctx

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
